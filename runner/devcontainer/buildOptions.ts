import { parseBytes } from '../api/quantity';
import { ConfigError } from './errors';
import type { SourceMap } from './sourceMap';

/**
 * build.options (extra `docker build` flags) as the Engine API's build parameters. devrig builds
 * through the Engine API, not the docker CLI, so only flags that API has can be honoured; any other
 * flag is an error naming it, never dropped in silence.
 */
export type EngineBuildOptions = {
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  target?: string;
  /** `--network`: the network RUN instructions use (`host` reaches the host's network). */
  network?: string;
  /** `host:ip` */
  extraHosts: string[];
  noCache?: boolean;
  pull?: boolean;
  platform?: string;
  cacheFrom: string[];
  /** Bytes. */
  shmSize?: number;
  memory?: number;
  memorySwap?: number;
  cpuShares?: number;
  cpusetCpus?: string;
  cpuPeriod?: number;
  cpuQuota?: number;
  cgroupParent?: string;
};

export function emptyBuildOptions(): EngineBuildOptions {
  return { buildArgs: {}, labels: {}, extraHosts: [], cacheFrom: [] };
}

/** Thrown by a flag handler; the caller adds where it was written. */
class BuildOptionError extends Error {}

type ValueFlag = (options: EngineBuildOptions, value: string, flag: string) => void;

function keyValue(value: string, flag: string): [string, string] {
  const equals = value.indexOf('=');
  if (equals <= 0) throw new BuildOptionError(`${flag} "${value}" must be NAME=value`);
  return [value.slice(0, equals), value.slice(equals + 1)];
}

function bytes(value: string, flag: string): number {
  const n = parseBytes(value);
  if (n === undefined) throw new BuildOptionError(`${flag} "${value}" is not a size like 512m or 2g`);
  return n;
}

function integer(value: string, flag: string): number {
  if (!/^-?\d+$/.test(value)) throw new BuildOptionError(`${flag} "${value}" is not a whole number`);
  return Number(value);
}

const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/;

/** `linux/amd64`, `linux/arm64/v8`: what `--platform` takes, in runArgs and build.options alike. */
export function isPlatform(value: string): boolean {
  return PLATFORM.test(value);
}

const VALUE_FLAGS: Record<string, ValueFlag> = {
  '--build-arg': (o, v, f) => {
    const [k, val] = keyValue(v, f);
    o.buildArgs[k] = val;
  },
  '--label': (o, v, f) => {
    const [k, val] = keyValue(v, f);
    o.labels[k] = val;
  },
  '--target': (o, v) => void (o.target = v),
  '--network': (o, v) => void (o.network = v),
  '--add-host': (o, v, f) => {
    const separator = v.includes('=') ? v.indexOf('=') : v.indexOf(':');
    if (separator <= 0 || separator === v.length - 1)
      throw new BuildOptionError(`${f} "${v}" must be host:ip`);
    o.extraHosts.push(`${v.slice(0, separator)}:${v.slice(separator + 1)}`);
  },
  '--platform': (o, v, f) => {
    if (!isPlatform(v))
      throw new BuildOptionError(`${f} "${v}" must look like linux/amd64 or linux/arm64/v8`);
    o.platform = v;
  },
  '--cache-from': (o, v) => void o.cacheFrom.push(v),
  '--shm-size': (o, v, f) => void (o.shmSize = bytes(v, f)),
  '--memory': (o, v, f) => void (o.memory = bytes(v, f)),
  '--memory-swap': (o, v, f) => void (o.memorySwap = v === '-1' ? -1 : bytes(v, f)),
  '--cpu-shares': (o, v, f) => void (o.cpuShares = integer(v, f)),
  '--cpuset-cpus': (o, v) => void (o.cpusetCpus = v),
  '--cpu-period': (o, v, f) => void (o.cpuPeriod = integer(v, f)),
  '--cpu-quota': (o, v, f) => void (o.cpuQuota = integer(v, f)),
  '--cgroup-parent': (o, v) => void (o.cgroupParent = v),
  // Only change what the CLI prints; devrig shows the engine's build output itself.
  '--progress': () => {},
};

const ALIASES: Record<string, string> = { '-m': '--memory', '-q': '--quiet' };

const BOOLEAN_FLAGS: Record<string, (o: EngineBuildOptions, enabled: boolean) => void> = {
  '--no-cache': (o, enabled) => void (o.noCache = enabled),
  '--pull': (o, enabled) => void (o.pull = enabled),
  // devrig always removes intermediate containers and prints the build's output.
  '--rm': () => {},
  '--force-rm': () => {},
  '--quiet': () => {},
};

/** Flags of BuildKit's own client (buildx): the Engine API's build has no equivalent. */
const BUILDKIT_ONLY = new Set([
  '--ssh',
  '--secret',
  '--output',
  '-o',
  '--cache-to',
  '--load',
  '--push',
  '--builder',
  '--attest',
  '--sbom',
  '--provenance',
  '--build-context',
  '--allow',
  '--annotation',
  '--call',
  '--check',
  '--metadata-file',
  '--no-cache-filter',
  '--iidfile',
]);

const OWN = new Set(['-f', '--file', '-t', '--tag']);

function splitFlag(token: string): { name: string; inline?: string } {
  const equals = token.indexOf('=');
  const name = equals < 0 ? token : token.slice(0, equals);
  return equals < 0
    ? { name: ALIASES[name] ?? name }
    : { name: ALIASES[name] ?? name, inline: token.slice(equals + 1) };
}

function parseBoolean(text: string | undefined, flag: string): boolean {
  if (text === undefined || text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw new BuildOptionError(`${flag}="${text}" is not true or false`);
}

/**
 * Reads build.options in `--flag value`, `--flag=value` forms. Throws ConfigError at the entry that
 * cannot be honoured, naming the flag and why.
 */
export function parseBuildOptions(
  options: readonly string[],
  where: { file: string; sourceMap: SourceMap },
): EngineBuildOptions {
  const out = emptyBuildOptions();
  for (let i = 0; i < options.length; i++) {
    const index = i;
    const token = options[i] ?? '';
    try {
      if (!token.startsWith('-')) throw new BuildOptionError(`"${token}" is not a flag`);
      const { name, inline } = splitFlag(token);
      if (OWN.has(name)) throw new BuildOptionError(`${name} is set by devrig itself; use build.dockerfile`);
      if (BUILDKIT_ONLY.has(name)) {
        throw new BuildOptionError(
          `${name} is a BuildKit client (docker buildx) option; devrig builds through the Docker Engine API, which has no such option`,
        );
      }
      const boolean = BOOLEAN_FLAGS[name];
      if (boolean) {
        boolean(out, parseBoolean(inline, name));
        continue;
      }
      const handler = VALUE_FLAGS[name];
      if (!handler)
        throw new BuildOptionError(`${name} is not a build option devrig can pass to the Docker Engine API`);
      const value = inline ?? options[++i];
      if (value === undefined) throw new BuildOptionError(`${name} needs a value`);
      handler(out, value, name);
    } catch (error) {
      if (!(error instanceof BuildOptionError)) throw error;
      throw new ConfigError(
        {
          code: 'Invalid',
          file: where.file,
          message: `"build.options[${index}]": ${error.message}`,
          position: where.sourceMap.valueAt(['build', 'options', index]),
          property: `build.options[${index}]`,
        },
        { cause: error },
      );
    }
  }
  return out;
}
