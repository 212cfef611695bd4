import type { MountObject } from './schema';

export type MountType = 'bind' | 'volume' | 'tmpfs';

/** A mount into the container. `source` is a host path (bind) or volume name (volume; absent = anonymous). */
export type Mount = { type: MountType; source?: string; target: string; readOnly: boolean };

/** A mount spec that cannot be understood; callers add where it was written. */
export class MountError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MountError';
  }
}

const MOUNT_TYPES: readonly string[] = ['bind', 'volume', 'tmpfs'];
const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
// -v options that only tune labelling, propagation or consistency; they do not change what is mounted.
const IGNORED_VOLUME_OPTIONS = new Set([
  'rw',
  'z',
  'Z',
  'consistent',
  'cached',
  'delegated',
  'nocopy',
  'shared',
  'slave',
  'private',
  'rshared',
  'rslave',
  'rprivate',
]);

function parseBoolean(text: string, what: string): boolean {
  if (text === '' || text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw new MountError(`${what} must be true or false, not "${text}"`);
}

/** Checks the rules every mount shares, whichever syntax it came from. */
function checked(mount: Mount, spec: string): Mount {
  if (!mount.target) throw new MountError(`mount "${spec}" has no target`);
  if (!mount.target.startsWith('/')) {
    throw new MountError(
      `mount "${spec}": target "${mount.target}" must be an absolute path in the container`,
    );
  }
  if (mount.type === 'bind' && !mount.source) throw new MountError(`bind mount "${spec}" has no source`);
  if (mount.type === 'tmpfs' && mount.source)
    throw new MountError(`tmpfs mount "${spec}" cannot have a source`);
  return mount;
}

/**
 * The `docker run --mount` syntax used by devcontainer.json's `mounts` and `workspaceMount`:
 * `type=bind,source=/a,target=/b,readonly`. `src`, `dst` and `destination` are accepted; `consistency` is
 * ignored (it only matters on Docker Desktop for Mac of old). The type defaults to volume, as in Docker.
 */
export function parseMountString(spec: string): Mount {
  if (spec.trim() === '') throw new MountError('mount is empty');
  let type = 'volume';
  let source: string | undefined;
  let target = '';
  let readOnly = false;
  for (const field of spec.split(',')) {
    const equals = field.indexOf('=');
    const key = (equals < 0 ? field : field.slice(0, equals)).trim();
    const value = equals < 0 ? '' : field.slice(equals + 1).trim();
    switch (key) {
      case 'type':
        type = value;
        break;
      case 'source':
      case 'src':
        source = value;
        break;
      case 'target':
      case 'destination':
      case 'dst':
        target = value;
        break;
      case 'readonly':
      case 'ro':
        readOnly = parseBoolean(value, `"${key}" in mount "${spec}"`);
        break;
      case 'consistency':
        break;
      case '':
        break;
      default:
        throw new MountError(
          `unknown option "${key}" in mount "${spec}"; devrig supports type, source, target and readonly`,
        );
    }
  }
  if (!MOUNT_TYPES.includes(type)) {
    throw new MountError(`mount "${spec}" has type "${type}"; it must be bind, volume or tmpfs`);
  }
  return checked({ type: type as MountType, ...(source ? { source } : {}), target, readOnly }, spec);
}

/** `docker run -v` syntax: `target`, `source:target` or `source:target:options` (ro, rw, z, …). */
export function parseVolumeFlag(spec: string): Mount {
  const parts = spec.split(':');
  if (parts.length > 3 || parts.some((part) => part === '')) {
    throw new MountError(`volume "${spec}" must look like source:target or source:target:ro`);
  }
  if (parts.length === 1) return checked({ type: 'volume', target: parts[0] ?? '', readOnly: false }, spec);
  const [source = '', target = '', options = ''] = parts;
  let readOnly = false;
  for (const option of options ? options.split(',') : []) {
    if (option === 'ro') readOnly = true;
    else if (!IGNORED_VOLUME_OPTIONS.has(option)) {
      throw new MountError(`unknown option "${option}" in volume "${spec}"; devrig supports ro and rw`);
    }
  }
  const isPath = source.startsWith('/') || source.startsWith('.') || source.startsWith('~');
  if (!isPath && !VOLUME_NAME.test(source)) {
    throw new MountError(`volume "${spec}": "${source}" is neither an absolute path nor a valid volume name`);
  }
  return checked({ type: isPath ? 'bind' : 'volume', source, target, readOnly }, spec);
}

/** The object form of a devcontainer.json mount: `{ type, source, target }`. */
export function mountFromObject(object: MountObject): Mount {
  const spec = JSON.stringify({ type: object.type, source: object.source, target: object.target });
  return checked(
    {
      type: object.type,
      ...(object.source ? { source: object.source } : {}),
      target: object.target,
      readOnly: object.readonly ?? false,
    },
    spec,
  );
}
