import * as path from 'node:path';

/**
 * Where a Feature comes from, parsed from the key written under `features` in devcontainer.json (or
 * under a Feature's `dependsOn`). Three kinds, as the Features distribution spec has them.
 */
export type OciFeatureRef = {
  kind: 'oci';
  /** As written. */
  userId: string;
  /** `ghcr.io`, `localhost:5000` (lower case, with the port). */
  registry: string;
  /** `devcontainers/features`: everything between the registry and the id. */
  namespace: string;
  /** The last path segment: `node`. */
  id: string;
  /** `namespace/id`, the repository path in the registry API. */
  path: string;
  /** `registry/namespace/id` as written (lower case), without tag or digest: what the reference compares. */
  resource: string;
  tag?: string;
  /** `sha256:…` when pinned with `@`. */
  digest?: string;
  /** Plain HTTP only for a registry named `localhost` (the reference's rule); HTTPS for every other. */
  scheme: 'http' | 'https';
};

export type TarballFeatureRef = { kind: 'tarball'; userId: string; url: string; id: string };

export type LocalFeatureRef = {
  kind: 'local';
  userId: string;
  /** Absolute path of the Feature's folder. */
  folder: string;
  id: string;
};

export type FeatureRef = OciFeatureRef | TarballFeatureRef | LocalFeatureRef;

/** A Feature reference that cannot be used; the message says what to write instead. */
export class FeatureRefError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeatureRefError';
  }
}

const PATH = /^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const DIGEST_HEX = /^[a-f0-9]{64}$/;
const FEATURE_ID = /^[a-zA-Z0-9_-]+$/;
const TARBALL_NAME = /^devcontainer-feature-(.*)\.tgz$/;
const OFFICIAL = 'ghcr.io/devcontainers/features';

/** Short ids of the retired `microsoft/vscode-dev-containers` Features, and what replaced them. */
const RETIRED_SHORT_IDS: Record<string, { id: string; options?: string }> = {
  'aws-cli': { id: 'aws-cli' },
  'azure-cli': { id: 'azure-cli' },
  'desktop-lite': { id: 'desktop-lite' },
  'docker-in-docker': { id: 'docker-in-docker' },
  'docker-from-docker': { id: 'docker-outside-of-docker' },
  dotnet: { id: 'dotnet' },
  git: { id: 'git' },
  'git-lfs': { id: 'git-lfs' },
  'github-cli': { id: 'github-cli' },
  java: { id: 'java' },
  'kubectl-helm-minikube': { id: 'kubectl-helm-minikube' },
  node: { id: 'node' },
  powershell: { id: 'powershell' },
  python: { id: 'python' },
  ruby: { id: 'ruby' },
  rust: { id: 'rust' },
  sshd: { id: 'sshd' },
  terraform: { id: 'terraform' },
  golang: { id: 'go' },
  common: { id: 'common-utils' },
  gradle: { id: 'java', options: '{ "installGradle": true }' },
  maven: { id: 'java', options: '{ "installMaven": true }' },
  jupyterlab: { id: 'python', options: '{ "installJupyterlab": true }' },
};

function shortIdError(userId: string): FeatureRefError {
  const retired = RETIRED_SHORT_IDS[userId];
  if (retired) {
    const modern = `${OFFICIAL}/${retired.id}:1`;
    const options = retired.options ? ` with the options ${retired.options}` : '';
    return new FeatureRefError(
      `"${userId}" is a short Feature id of the retired vscode-dev-containers Features, which devrig does not support; use "${modern}"${options}`,
    );
  }
  return new FeatureRefError(
    `"${userId}" is not a Feature reference: use an OCI reference ("registry/namespace/id:tag"), a tarball URL ("https://…/devcontainer-feature-<id>.tgz") or a local folder ("./${userId}")`,
  );
}

function gitHubReleaseError(userId: string): FeatureRefError {
  const [repoPath = userId, tag] = userId.split('@');
  const modern = `ghcr.io/${repoPath.toLowerCase()}:${tag ? tag.replace(/^v(?=\d)/, '') : 'latest'}`;
  return new FeatureRefError(
    `"${userId}" is a GitHub-release Feature reference (owner/repo/id@tag), a form the Features spec retired and devrig does not support; use the Feature's OCI reference, e.g. "${modern}"`,
  );
}

/** `registry/namespace/id[:tag|@sha256:…]`, following the reference implementation's rules. */
export function parseOciRef(userId: string): OciFeatureRef {
  const input = userId.toLowerCase();
  if (input.startsWith('.')) throw new FeatureRefError(`"${userId}" is not a valid OCI reference`);
  let resource: string;
  let tag: string | undefined;
  let digest: string | undefined;
  const at = input.lastIndexOf('@');
  const colon = input.lastIndexOf(':');
  if (at !== -1) {
    resource = input.slice(0, at);
    digest = input.slice(at + 1);
    const [algorithm, hex = ''] = digest.split(':');
    if (algorithm !== 'sha256' || !DIGEST_HEX.test(hex)) {
      throw new FeatureRefError(`"${userId}": a digest must look like @sha256:<64 hex digits>`);
    }
  } else if (colon !== -1 && colon > input.lastIndexOf('/')) {
    resource = input.slice(0, colon);
    tag = input.slice(colon + 1);
    if (!TAG.test(tag)) throw new FeatureRefError(`"${userId}": "${tag}" is not a valid tag`);
  } else {
    resource = input;
    tag = 'latest';
  }
  const segments = resource.split('/');
  const registry = segments[0] ?? '';
  if (segments.length < 3 || segments.some((s) => s === '')) {
    throw new FeatureRefError(
      `"${userId}" is not a valid OCI reference: it needs a registry, a namespace and an id ("registry/namespace/id:tag")`,
    );
  }
  // The contrib Features moved; the reference redirects the old namespace (and keeps the written resource).
  const pathSegments = segments.slice(1);
  if (pathSegments[0] === 'devcontainers-contrib') pathSegments[0] = 'devcontainers-extra';
  const repositoryPath = pathSegments.join('/');
  if (!PATH.test(repositoryPath)) {
    throw new FeatureRefError(`"${userId}": "${repositoryPath}" is not a valid repository path`);
  }
  const hostname = new URL(`https://${registry}`).hostname.toLowerCase();
  return {
    kind: 'oci',
    userId,
    registry,
    namespace: pathSegments.slice(0, -1).join('/'),
    id: pathSegments[pathSegments.length - 1] ?? '',
    path: repositoryPath,
    resource,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
    scheme: hostname === 'localhost' ? 'http' : 'https',
  };
}

function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
}

function parseTarballRef(userId: string): TarballFeatureRef {
  let url: URL;
  try {
    url = new URL(userId);
  } catch (error) {
    throw new FeatureRefError(`"${userId}" is not a valid URL`);
  }
  // The reference fetches tarballs over https only; plain http is allowed for loopback (a local server).
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new FeatureRefError(
      `"${userId}": tarball Features are fetched over https (http only from loopback)`,
    );
  }
  const name = url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
  const id = TARBALL_NAME.exec(name)?.[1];
  if (id === undefined || !FEATURE_ID.test(id)) {
    throw new FeatureRefError(
      `"${userId}": a tarball Feature's file must be named devcontainer-feature-<id>.tgz, with an id of letters, digits, - and _`,
    );
  }
  return { kind: 'tarball', userId, url: url.toString(), id };
}

/**
 * The folder local Features must stay in: the `.devcontainer` folder holding the config (the reference's
 * rule), else the config's own folder (`.devcontainer.json` at the root of a project).
 */
export function localFeatureRoot(configFile: string): string {
  const folder = path.dirname(configFile);
  for (let up = folder; ;) {
    if (path.basename(up) === '.devcontainer') return up;
    const parent = path.dirname(up);
    if (parent === up) return folder;
    up = parent;
  }
}

function parseLocalRef(userId: string, configFile: string): LocalFeatureRef {
  if (path.isAbsolute(userId)) {
    throw new FeatureRefError(
      `"${userId}": a local Feature is a folder relative to devcontainer.json ("./name"); absolute paths are not allowed`,
    );
  }
  const folder = path.resolve(path.dirname(configFile), userId);
  const root = localFeatureRoot(configFile);
  const relative = path.relative(root, folder);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new FeatureRefError(`"${userId}": a local Feature must be inside ${root}`);
  }
  return { kind: 'local', userId, folder, id: path.basename(folder) };
}

/**
 * Parses a Feature reference. `configFile` (the absolute path of devcontainer.json) anchors local
 * Features; without one (an inline config) they are refused.
 */
export function parseFeatureRef(userId: string, configFile: string | undefined): FeatureRef {
  if (userId.startsWith('https://') || userId.startsWith('http://')) return parseTarballRef(userId);
  if (userId.startsWith('./') || userId.startsWith('../') || userId.startsWith('/')) {
    if (configFile === undefined) {
      throw new FeatureRefError(
        `"${userId}": a local Feature needs a devcontainer.json file to be relative to`,
      );
    }
    return parseLocalRef(userId, configFile);
  }
  if (!userId.includes('/') && !userId.includes('\\')) throw shortIdError(userId);
  const registry = userId.split('/')[0] ?? '';
  // Like the reference: a first segment without a dot (and not localhost) is a GitHub repository owner.
  if (!registry.includes('.') && !registry.toLowerCase().startsWith('localhost')) {
    throw gitHubReleaseError(userId);
  }
  return parseOciRef(userId);
}

/** The written id without its version: `ghcr.io/devcontainers/features/node:1` → `…/node`. */
export function withoutVersion(userId: string): string {
  const match = /[:@][^/]*$/.exec(userId);
  return match ? userId.slice(0, match.index) : userId;
}
