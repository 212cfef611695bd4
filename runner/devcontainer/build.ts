import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { parseBuildOptions, type EngineBuildOptions } from './buildOptions';
import { buildContextRefusal, dockerfileRefusal, resolvedPath } from './buildPaths';
import { ConfigError, configWarning, type ConfigWarning } from './errors';
import { formatPropertyPath, type PropertyPath } from './propertyPath';
import type { DevcontainerConfig } from './schema';
import type { SourceMap } from './sourceMap';

/** A Dockerfile build, with paths made absolute. */
export type ResolvedBuild = {
  dockerfile: string;
  context: string;
  args: Record<string, string>;
  target?: string;
  cacheFrom: string[];
  /** build.options, as the Engine API's build parameters; absent when none are written. */
  options?: EngineBuildOptions;
};

export type ImageSource = { image: string; build?: undefined } | { image?: undefined; build: ResolvedBuild };

type Where = { file: string; sourceMap: SourceMap };

/** What a build may read beyond the project (see buildPaths.ts). */
export type BuildPolicy = {
  /** The local workspace folder: a build context stays inside it unless allowed. */
  workspaceFolder: string;
  /** The user consented to contexts outside it, or exposing the machine (spec.allow hostMounts). */
  allowHostContext: boolean;
  home?: string;
};

/** Refuses a Dockerfile from outside the project and a context the user did not consent to. */
async function checkBuildPaths(
  build: ResolvedBuild,
  configFolder: string,
  where: Where,
  at: { dockerfileAt: PropertyPath; contextAt: PropertyPath },
  policy: BuildPolicy,
): Promise<void> {
  const [dockerfile, context, configDir, workspaceFolder] = (await Promise.all(
    [build.dockerfile, build.context, configFolder, policy.workspaceFolder].map(resolvedPath),
  )) as [string, string, string, string];
  const refuse = (property: PropertyPath, why: string) =>
    new ConfigError({
      code: 'Invalid',
      file: where.file,
      message: `"${formatPropertyPath(property)}" ${why}`,
      position: where.sourceMap.valueAt(property),
      property: formatPropertyPath(property),
    });
  const badDockerfile = dockerfileRefusal(dockerfile, [context, configDir, workspaceFolder]);
  if (badDockerfile) throw refuse(at.dockerfileAt, badDockerfile);
  const badContext = buildContextRefusal(context, {
    allowed: policy.allowHostContext,
    home: policy.home ?? homedir(),
    workspaceFolder,
  });
  if (badContext) throw refuse(at.contextAt, badContext);
}

async function requireExisting(
  where: Where,
  at: PropertyPath,
  file: string,
  kind: 'file' | 'folder',
): Promise<void> {
  const stats = await stat(file).catch(() => undefined);
  if (kind === 'file' ? stats?.isFile() : stats?.isDirectory()) return;
  const what = kind === 'file' ? 'Dockerfile' : 'build context folder';
  throw new ConfigError({
    code: 'Invalid',
    file: where.file,
    message: `${what} ${file} does not exist`,
    position: where.sourceMap.valueAt(at),
    property: formatPropertyPath(at),
  });
}

/**
 * The image to run: a Dockerfile build when `build.dockerfile` (or legacy `dockerFile`) is set, else
 * `image`. Paths are relative to the folder of devcontainer.json, as the spec says; `context` defaults
 * to that folder.
 */
export async function resolveImageSource(
  config: DevcontainerConfig,
  configFolder: string,
  where: Where,
  warnings: ConfigWarning[],
  policy: BuildPolicy,
): Promise<ImageSource> {
  const { build } = config;
  const dockerfile = build?.dockerfile || config.dockerFile;
  if (dockerfile) {
    if (config.image) {
      const message = '"image" is ignored because a Dockerfile build is configured';
      warnings.push(configWarning(where.file, 'image', message, where.sourceMap.keyAt(['image'])));
    }
    const dockerfileAt = build?.dockerfile ? ['build', 'dockerfile'] : ['dockerFile'];
    const contextAt = build?.context ? ['build', 'context'] : config.context ? ['context'] : dockerfileAt;
    const resolved: ResolvedBuild = {
      dockerfile: path.resolve(configFolder, dockerfile),
      context: path.resolve(configFolder, build?.context || config.context || '.'),
      args: { ...build?.args },
      ...(build?.target ? { target: build.target } : {}),
      cacheFrom: build?.cacheFrom === undefined ? [] : [build.cacheFrom].flat(),
      ...(build?.options?.length ? { options: parseBuildOptions(build.options, where) } : {}),
    };
    await requireExisting(where, dockerfileAt, resolved.dockerfile, 'file');
    await requireExisting(where, contextAt, resolved.context, 'folder');
    await checkBuildPaths(resolved, configFolder, where, { dockerfileAt, contextAt }, policy);
    return { build: resolved };
  }
  if (config.image) {
    if (build) {
      const message = '"build" is ignored because it has no "dockerfile"; the image is used';
      warnings.push(configWarning(where.file, 'build', message, where.sourceMap.keyAt(['build'])));
    }
    return { image: config.image };
  }
  throw new ConfigError({
    code: 'Invalid',
    file: where.file,
    message: build
      ? '"build.dockerfile" is required when "build" is set (or set "image")'
      : 'the config needs "image" or "build.dockerfile"',
    position: where.sourceMap.valueAt(build ? ['build'] : []),
    property: build ? 'build.dockerfile' : undefined,
  });
}
