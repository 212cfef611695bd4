import { createHash } from 'node:crypto';
import { withoutVersion } from './featureRef';
import {
  featureUsers,
  mergeImageMetadata,
  METADATA_LABEL,
  type MergedMetadata,
  type MetadataEntry,
} from './imageMetadata';
import { optionEnvLines } from './options';
import type { ResolvedFeature } from './resolve';

/** Where Features are unpacked in the image while they install (the reference's folder). */
export const FEATURES_FOLDER = '/tmp/dev-container-features';
export const BUILTIN_ENV_FILE = 'devcontainer-features.builtin.env';
export const FEATURE_ENV_FILE = 'devcontainer-features.env';
export const INSTALL_WRAPPER = 'devcontainer-features-install.sh';

/** The image Features are installed on. */
export interface BaseImage {
  /** As the config names it (or the tag devrig built it under). */
  ref: string;
  /** `sha256:…`: the build starts FROM exactly this image. */
  id: string;
  /** Its configured user ('' means root). */
  user: string;
}

export interface PlannedFeature {
  userId: string;
  /** The folder inside the build context and under FEATURES_FOLDER: `<id>_<index>`, as the reference names it. */
  dir: string;
  /** The Feature's files on this machine, copied into `dir`. */
  source: string;
}

/** A generated file of the build context. */
export interface PlannedFile {
  path: string;
  content: string;
  mode: number;
}

/** Everything needed to build the Feature image; pure data, written out by writeBuildContext. */
export interface FeatureBuildPlan {
  /** `<repository>:<content hash>`: the same inputs always give the same tag, so a present image is reused. */
  tag: string;
  hash: string;
  dockerfile: string;
  files: PlannedFile[];
  features: PlannedFeature[];
  labels: Record<string, string>;
  containerUser: string;
  remoteUser: string;
}

export type FeatureBuildInput = {
  base: BaseImage;
  /** In installation order. */
  features: readonly ResolvedFeature[];
  /** `_CONTAINER_USER` and `_REMOTE_USER` (see mergeImageMetadata's users, computed as the reference does). */
  containerUser: string;
  remoteUser: string;
  /** The `devcontainer.metadata` label to write on the image (a JSON array). */
  metadataLabel: string;
  /** Image repository for the tag; default `devrig-features`. */
  repository?: string;
  /** More labels for the image (devrig's ownership labels). */
  labels?: Record<string, string>;
};

/** A single-quoted sh string (the reference escapes `'` the same way in its banner). */
function shellQuoted(text: string): string {
  return text.replace(/'/g, "'\\''");
}

/** A shell snippet printing the passwd line of `user` (the reference's lookup, getent or /etc/passwd). */
export function passwdLookup(user: string): string {
  const quoted = user.replace(/['\\]/g, '\\$&');
  const pattern = user.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/'/g, "\\'");
  return ` (command -v getent >/dev/null 2>&1 && getent passwd '${quoted}' || grep -E '^${pattern}|^[^:]*:[^:]*:${pattern}:' /etc/passwd || true)`;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Something that cannot be written into the Dockerfile safely. */
export class FeaturePlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeaturePlanError';
  }
}

/**
 * `ENV NAME="value"` lines, escaped as the reference escapes them (`$` still expands: `${PATH}`). A name
 * that is not a variable name, or a line break, would change the Dockerfile itself: refused.
 */
export function envInstructions(env: Record<string, string> | undefined, owner: string): string[] {
  return Object.entries(env ?? {}).map(([name, value]) => {
    if (!ENV_NAME.test(name))
      throw new FeaturePlanError(`${owner}: containerEnv "${name}" is not a variable name`);
    if (/[\r\n]/.test(value)) throw new FeaturePlanError(`${owner}: containerEnv ${name} has a line break`);
    return `ENV ${name}="${value.replace(/(?=["\\])/g, '\\')}"`;
  });
}

/** Users go into a RUN line and an env file: a name or uid[:gid], nothing a shell would read differently. */
function checkUser(user: string, what: string): void {
  if (!/^[A-Za-z0-9_.@$-]+(:[A-Za-z0-9_.-]+)?$/.test(user)) {
    throw new FeaturePlanError(
      `${what} "${user}" is not a user name or uid the Feature image can be built for`,
    );
  }
}

/** The wrapper that prints the reference's banner, loads the variables and runs install.sh. */
export function installWrapper(feature: ResolvedFeature, envLines: readonly string[]): string {
  const m = feature.metadata;
  const name = shellQuoted(m.name ?? m.id);
  const id = shellQuoted(withoutVersion(feature.userId));
  const docs = shellQuoted(m.documentationURL ?? '');
  const options = shellQuoted(envLines.map((l) => `    ${l}`).join('\n'));
  let warning = '';
  if (m.deprecated) {
    warning += `(!) WARNING: Using the deprecated Feature "${shellQuoted(m.id)}". This Feature will no longer receive any further updates/support.\n`;
  }
  if (m.legacyIds?.length && m.currentId && m.id !== m.currentId) {
    warning += `(!) WARNING: This feature has been renamed. Please update the reference in devcontainer.json to "${shellQuoted(m.currentId)}".`;
  }
  const failure = `ERROR: Feature "${name}" (${id}) failed to install!${docs ? ` Look at the documentation at ${docs} for help troubleshooting this error.` : ''}`;
  return `#!/bin/sh
set -e

on_exit () {
\t[ $? -eq 0 ] && exit
\techo '${failure}'
}

trap on_exit EXIT

echo ===========================================================================
${warning ? `echo '${warning}'` : ''}
echo 'Feature       : ${name}'
echo 'Description   : ${shellQuoted(m.description ?? '')}'
echo 'Id            : ${id}'
echo 'Version       : ${shellQuoted(m.version ?? '')}'
echo 'Documentation : ${docs}'
echo 'Options       :'
echo '${options}'
echo ===========================================================================

set -a
. ../${BUILTIN_ENV_FILE}
. ./${FEATURE_ENV_FILE}
set +a

chmod +x ./install.sh
./install.sh
`;
}

function featureDir(feature: ResolvedFeature, index: number): string {
  return `${feature.metadata.id.replace(/[^A-Za-z0-9_.-]/g, '_')}_${index}`;
}

/**
 * The Feature image as data: a Dockerfile FROM the base image's id where each Feature is one COPY of its
 * own folder and one RUN of its install.sh as root (so changing one Feature's options rebuilds that layer
 * and the later ones only), its containerEnv as ENV before it, the image's user restored at the end.
 */
export function planFeatureImage(input: FeatureBuildInput): FeatureBuildPlan {
  checkUser(input.containerUser, 'containerUser');
  checkUser(input.remoteUser, 'remoteUser');
  if (input.base.user) checkUser(input.base.user, `the user of ${input.base.ref}`);
  const builtinEnv = `_CONTAINER_USER=${input.containerUser}\n_REMOTE_USER=${input.remoteUser}\n`;
  const builtinPath = `${FEATURES_FOLDER}/${BUILTIN_ENV_FILE}`;
  const lines = [
    `FROM ${input.base.id}`,
    'USER root',
    `COPY ${BUILTIN_ENV_FILE} ${FEATURES_FOLDER}/`,
    `RUN echo "_CONTAINER_USER_HOME=$(${passwdLookup(input.containerUser)} | cut -d: -f6)" >> ${builtinPath} \\`,
    `&& echo "_REMOTE_USER_HOME=$(${passwdLookup(input.remoteUser)} | cut -d: -f6)" >> ${builtinPath}`,
  ];
  const files: PlannedFile[] = [{ path: BUILTIN_ENV_FILE, content: builtinEnv, mode: 0o644 }];
  const features: PlannedFeature[] = [];
  input.features.forEach((feature, index) => {
    const dir = featureDir(feature, index);
    const envLines = optionEnvLines(feature.options);
    files.push({ path: `${dir}/${FEATURE_ENV_FILE}`, content: envLines.join('\n'), mode: 0o644 });
    files.push({
      path: `${dir}/${INSTALL_WRAPPER}`,
      content: installWrapper(feature, envLines),
      mode: 0o755,
    });
    features.push({ userId: feature.userId, dir, source: feature.folder });
    const target = `${FEATURES_FOLDER}/${dir}`;
    lines.push(
      '',
      ...envInstructions(feature.metadata.containerEnv, `Feature ${feature.userId}`),
      `COPY --chown=root:root ${dir}/ ${target}/`,
      `RUN chmod -R 0755 ${target} \\`,
      `&& cd ${target} \\`,
      `&& chmod +x ./${INSTALL_WRAPPER} \\`,
      `&& ./${INSTALL_WRAPPER}`,
    );
  });
  lines.push('', `USER ${input.base.user || 'root'}`, '');
  const dockerfile = lines.join('\n');
  const labels = { ...input.labels, [METADATA_LABEL]: input.metadataLabel };

  const hash = createHash('sha256');
  hash.update(`devrig-features/1\0${input.base.id}\0${dockerfile}\0`);
  for (const file of files) hash.update(`${file.path}\0${file.mode}\0${file.content}\0`);
  // The Features' own files are named by their digests (OCI, tarball) or a hash of their content (local).
  input.features.forEach((f) => hash.update(`${f.userId}\0${f.digest}\0`));
  for (const [name, value] of Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1))) {
    hash.update(`${name}\0${value}\0`);
  }
  const digest = hash.digest('hex');
  return {
    tag: `${input.repository ?? 'devrig-features'}:${digest.slice(0, 32)}`,
    hash: digest,
    dockerfile,
    files,
    features,
    labels,
    containerUser: input.containerUser,
    remoteUser: input.remoteUser,
  };
}

export type FeatureImageInput = {
  /** The base image as the provider reports it (ref, id, user, labels). */
  base: BaseImage & { labels: Record<string, string> };
  /** Resolved Features, in installation order. */
  features: readonly ResolvedFeature[];
  /** devcontainer.json's metadata entry (configMetadataEntry of the config as written), if it goes on the label. */
  config?: MetadataEntry;
  /** Variable substitution for image and Feature metadata (`${devcontainerId}` …). */
  substitute?: <T>(value: T) => T;
  repository?: string;
  labels?: Record<string, string>;
};

/**
 * The Feature image for a base image and resolved Features: the metadata merged (which also gives
 * `_CONTAINER_USER` and `_REMOTE_USER`, as the reference computes them) and the build plan whose label
 * carries every entry. The merged metadata is what the container is then made from.
 */
export function featureImageBuild(input: FeatureImageInput): {
  plan: FeatureBuildPlan;
  merged: MergedMetadata;
} {
  const merged = mergeImageMetadata({
    image: { ref: input.base.ref, labels: input.base.labels },
    features: input.features,
    ...(input.config ? { config: input.config } : {}),
    ...(input.substitute ? { substitute: input.substitute } : {}),
  });
  const users = featureUsers(merged, input.base.user);
  const plan = planFeatureImage({
    base: input.base,
    features: input.features,
    ...users,
    metadataLabel: merged.label,
    ...(input.repository ? { repository: input.repository } : {}),
    ...(input.labels ? { labels: input.labels } : {}),
  });
  return { plan, merged };
}
