import { parseBytes } from '../api/quantity';
import { isPlatform } from './buildOptions';
import { MountError, parseMountString, parseVolumeFlag, type Mount } from './mounts';

export type Ulimit = { name: string; soft: number; hard: number };

/** The `docker run` options devrig understands from runArgs, as plain data for the container spec. */
export type RunArgOptions = {
  capAdd: string[];
  capDrop: string[];
  securityOpt: string[];
  init?: boolean;
  /** Recorded as asked; whether it is allowed is the caller's decision. */
  privileged?: boolean;
  /** Bytes. */
  shmSize?: number;
  ulimits: Ulimit[];
  /** `host:ip`, as Docker's ExtraHosts wants them. */
  extraHosts: string[];
  dns: string[];
  hostname?: string;
  env: Record<string, string>;
  labels: Record<string, string>;
  /** Bytes. */
  memory?: number;
  cpus?: number;
  pidsLimit?: number;
  network?: string;
  /** Host devices as written (`/dev/fuse`, `/dev/kvm:/dev/kvm:rwm`); whether they are allowed is the caller's decision. */
  devices: string[];
  user?: string;
  workdir?: string;
  mounts: Mount[];
  /** Namespace modes as written; whether sharing the host's (`host`, `container:…`) is allowed is the caller's decision. */
  userns?: string;
  pid?: string;
  ipc?: string;
  uts?: string;
  /** `--platform`: the image's platform, e.g. linux/arm64. */
  platform?: string;
};

/**
 * What a flag handler can change: the options, and the two lists of things not applied. Whether what is
 * recorded may reach the host (privileged, devices, host namespaces, capabilities …) is decided by the
 * host access policy (runner/policy), for runArgs the same as for every other source.
 */
export type RunArgsState = {
  options: RunArgOptions;
  warnings: string[];
  refused: string[];
};

/** A supported flag: `value` flags take an argument, the others are booleans (`--init`, `--init=false`). */
export type RunArgFlag =
  | { names: readonly string[]; value: true; apply(value: string, flag: string, state: RunArgsState): void }
  | {
      names: readonly string[];
      value: false;
      apply(enabled: boolean, flag: string, state: RunArgsState): void;
    };

export function emptyRunArgOptions(): RunArgOptions {
  return {
    capAdd: [],
    capDrop: [],
    securityOpt: [],
    ulimits: [],
    extraHosts: [],
    dns: [],
    env: {},
    labels: {},
    devices: [],
    mounts: [],
  };
}

function ignored(state: RunArgsState, flag: string, value: string, why: string): void {
  state.warnings.push(`runArgs: ${flag} "${value}" ${why} and was ignored`);
}

function refuse(state: RunArgsState, flag: string, value: string | undefined, why: string): void {
  state.refused.push(`runArgs: ${value === undefined ? flag : `${flag}=${value}`} is refused: ${why}`);
}

/** `KEY=value` (value may be empty or contain '='); undefined without '='. */
function keyValue(text: string): [string, string] | undefined {
  const equals = text.indexOf('=');
  return equals <= 0 ? undefined : [text.slice(0, equals), text.slice(equals + 1)];
}

/** Sets a byte size, or warns when the value is not one. */
function withBytes(value: string, flag: string, state: RunArgsState, set: (bytes: number) => void): void {
  const n = parseBytes(value);
  if (n === undefined) ignored(state, flag, value, 'is not a size like 512m or 2g');
  else set(n);
}

const ULIMIT = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/;
const NETWORK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** `--pid`, `--ipc`, `--uts`, `--userns`: recorded as asked (the host access policy judges `host`). */
function namespace(key: 'pid' | 'ipc' | 'uts' | 'userns'): RunArgFlag {
  return {
    names: [`--${key}`],
    value: true,
    apply: (value, _flag, state) => void (state.options[key] = value),
  };
}

function mountFlag(names: readonly string[], parse: (spec: string) => Mount): RunArgFlag {
  return {
    names,
    value: true,
    apply(value, flag, state) {
      try {
        state.options.mounts.push(parse(value));
      } catch (error) {
        if (!(error instanceof MountError)) throw error;
        state.warnings.push(`runArgs: ${flag} "${value}" was ignored: ${error.message}`);
      }
    },
  };
}

export const RUN_ARG_FLAGS: readonly RunArgFlag[] = [
  {
    names: ['--cap-add'],
    value: true,
    apply: (value, _flag, state) => void state.options.capAdd.push(value),
  },
  {
    names: ['--cap-drop'],
    value: true,
    apply: (value, _flag, state) => void state.options.capDrop.push(value),
  },
  {
    names: ['--security-opt'],
    value: true,
    apply: (value, _flag, state) => void state.options.securityOpt.push(value),
  },
  { names: ['--init'], value: false, apply: (enabled, _flag, state) => void (state.options.init = enabled) },
  {
    names: ['--privileged'],
    value: false,
    apply: (enabled, _flag, state) => void (state.options.privileged = enabled),
  },
  {
    names: ['--shm-size'],
    value: true,
    apply: (value, flag, state) => withBytes(value, flag, state, (n) => (state.options.shmSize = n)),
  },
  {
    names: ['--memory', '-m'],
    value: true,
    apply: (value, flag, state) => withBytes(value, flag, state, (n) => (state.options.memory = n)),
  },
  {
    names: ['--ulimit'],
    value: true,
    apply(value, flag, state) {
      const match = ULIMIT.exec(value);
      if (!match) return ignored(state, flag, value, 'is not name=soft[:hard]');
      const soft = Number(match[2]);
      state.options.ulimits.push({
        name: match[1] ?? '',
        soft,
        hard: match[3] === undefined ? soft : Number(match[3]),
      });
    },
  },
  {
    names: ['--add-host'],
    value: true,
    apply(value, flag, state) {
      // Docker accepts host:ip and (newer) host=ip; ExtraHosts wants host:ip. IPv6 addresses contain ':'.
      const separator = value.includes('=') ? value.indexOf('=') : value.indexOf(':');
      const host = value.slice(0, Math.max(separator, 0));
      const ip = separator < 0 ? '' : value.slice(separator + 1);
      if (!host || !ip) return ignored(state, flag, value, 'is not host:ip');
      state.options.extraHosts.push(`${host}:${ip}`);
    },
  },
  { names: ['--dns'], value: true, apply: (value, _flag, state) => void state.options.dns.push(value) },
  {
    names: ['--hostname', '-h'],
    value: true,
    apply: (value, _flag, state) => void (state.options.hostname = value),
  },
  {
    names: ['--env', '-e'],
    value: true,
    apply(value, flag, state) {
      const pair = keyValue(value);
      if (!pair)
        return ignored(
          state,
          flag,
          value,
          'has no value (use NAME=value; host variables are not passed through)',
        );
      state.options.env[pair[0]] = pair[1];
    },
  },
  {
    names: ['--label', '-l'],
    value: true,
    apply(value, flag, state) {
      const [key, labelValue] = keyValue(value) ?? [value, ''];
      if (key.startsWith('devrig.'))
        return refuse(state, flag, value, 'labels starting with "devrig." are devrig\'s own');
      state.options.labels[key] = labelValue;
    },
  },
  {
    names: ['--cpus'],
    value: true,
    apply(value, flag, state) {
      const cpus = Number(value);
      if (!(cpus > 0)) return ignored(state, flag, value, 'is not a positive number');
      state.options.cpus = cpus;
    },
  },
  {
    names: ['--pids-limit'],
    value: true,
    apply(value, flag, state) {
      const limit = Number(value);
      if (!Number.isInteger(limit)) return ignored(state, flag, value, 'is not a whole number');
      state.options.pidsLimit = limit;
    },
  },
  {
    names: ['--network', '--net'],
    value: true,
    apply(value, flag, state) {
      // `container:NAME` joins another container's namespace: recorded, and judged by the host access policy.
      const name = value.startsWith('container:') ? value.slice('container:'.length) : value;
      if (!NETWORK_NAME.test(name)) return ignored(state, flag, value, 'is not a network name');
      state.options.network = value;
    },
  },
  {
    names: ['--device'],
    value: true,
    apply: (value, _flag, state) => void state.options.devices.push(value),
  },
  { names: ['--user', '-u'], value: true, apply: (value, _flag, state) => void (state.options.user = value) },
  {
    names: ['--workdir', '-w'],
    value: true,
    apply: (value, _flag, state) => void (state.options.workdir = value),
  },
  {
    names: ['--name'],
    value: true,
    apply: (value, flag, state) => refuse(state, flag, value, 'devrig names its containers itself'),
  },
  mountFlag(['--volume', '-v'], parseVolumeFlag),
  mountFlag(['--mount'], parseMountString),
  {
    names: ['--gpus'],
    value: true,
    apply: (_value, flag, state) =>
      void state.warnings.push(`runArgs: ${flag} is not supported by devrig yet and was ignored`),
  },
  {
    names: ['--platform'],
    value: true,
    apply(value, flag, state) {
      if (!isPlatform(value)) return ignored(state, flag, value, 'is not a platform like linux/amd64');
      state.options.platform = value;
    },
  },
  namespace('userns'),
  namespace('pid'),
  namespace('ipc'),
  namespace('uts'),
];
