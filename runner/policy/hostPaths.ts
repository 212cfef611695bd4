// Which host paths a bind mount may not reach without consent, and which never. Pure and lexical; the
// caller may add a realPath lookup so a symlink in the repository (`link -> /`) is judged by where it
// points, as Docker follows it.

import { posix } from 'node:path';
import type { HostAccessKind, HostContext } from './containerRequest';

export type PathVerdict = { kind: HostAccessKind; why: string };

/** Folders whose whole tree belongs to the system. */
const SYSTEM_TREES = [
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/proc',
  '/run',
  '/sbin',
  '/snap',
  '/sys',
  '/usr',
  '/var',
  '/System',
  '/Library',
  '/private/etc',
  '/private/var',
];
/** Folders that hold everybody's things: mounting them whole is host access, what is inside may be yours. */
const SHARED_ROOTS = ['/home', '/Users', '/root', '/mnt', '/media', '/opt', '/srv', '/tmp', '/private'];

/** Credentials people keep in their home folder, relative to it. */
const CREDENTIALS = [
  '.ssh',
  '.aws',
  '.azure',
  '.docker',
  '.kube',
  '.gnupg',
  '.config/gcloud',
  '.config/gh',
  '.config/hub',
  '.password-store',
  '.netrc',
  '.git-credentials',
  '.npmrc',
  '.pypirc',
  '.vault-token',
  '.terraform.d',
  '.oci',
];

/** Container engine sockets, by name: a container holding one controls the engine, i.e. the host. */
const ENGINE_SOCKETS = new Set([
  'docker.sock',
  'podman.sock',
  'containerd.sock',
  'crio.sock',
  'dockershim.sock',
]);

/** Container folders a bind mount must not replace: it would put a host folder under the container's system. */
const CONTAINER_SYSTEM = ['/', '/bin', '/boot', '/etc', '/lib', '/lib64', '/root', '/sbin', '/usr', '/var'];
const CONTAINER_SYSTEM_TREES = ['/proc', '/sys', '/dev'];

const SEVERITY: Record<HostAccessKind, number> = {
  stateFolder: 5,
  engineSocket: 4,
  credentials: 3,
  hostMounts: 2,
  privileged: 1,
  devices: 1,
  hostNetwork: 1,
  hostNamespaces: 1,
  capabilities: 1,
  unconfined: 1,
  budgets: 1,
};

/** `a` is `b` or inside it. */
export function within(a: string, b: string): boolean {
  return a === b || b === '/' || a.startsWith(b + '/');
}

/** An absolute, normalised path: `~` is the home folder, relative paths are relative to `base`. */
export function normalizeHostPath(path: string, ctx: Pick<HostContext, 'home' | 'workspaceFolder'>): string {
  let p = path;
  if ((p === '~' || p.startsWith('~/')) && ctx.home) p = ctx.home + p.slice(1);
  if (!p.startsWith('/')) p = posix.join(ctx.workspaceFolder ?? '/', p);
  p = posix.normalize(p);
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

/** /var/run is /run on every current Linux: judge both spellings. */
function spellings(p: string): string[] {
  if (within(p, '/var/run')) return [p, '/run' + p.slice('/var/run'.length)];
  if (within(p, '/run')) return [p, '/var' + p];
  return [p];
}

/** Home folders: the user's, root's, and /home/<name> or /Users/<name> (another user's, or a remote one). */
function homeOf(p: string, ctx: HostContext): string | undefined {
  if (ctx.home && within(p, ctx.home)) return ctx.home;
  const m = /^(\/home\/[^/]+|\/Users\/[^/]+|\/root)(\/|$)/.exec(p);
  return m?.[1];
}

function judgeOne(p: string, ctx: HostContext): PathVerdict | undefined {
  const workspace = ctx.workspaceFolder ? normalizeHostPath(ctx.workspaceFolder, ctx) : undefined;
  const state = ctx.stateDir ? normalizeHostPath(ctx.stateDir, ctx) : undefined;
  const inWorkspace = workspace !== undefined && within(p, workspace);
  // A git source's clone lives in the state folder: that workspace is still only the workspace.
  const cloneInState = inWorkspace && state !== undefined && within(workspace, state);
  if (state && within(p, state) && !cloneInState) {
    return { kind: 'stateFolder', why: "devrig's state folder (the runner's token and SSH keys)" };
  }
  if (inWorkspace) return undefined;
  const base = posix.basename(p);
  if (ENGINE_SOCKETS.has(base) || ctx.engineSockets?.some((s) => spellings(p).includes(s))) {
    return {
      kind: 'engineSocket',
      why: "the container engine's socket (control of the engine, i.e. root on this machine)",
    };
  }
  if ((ctx.sshAuthSock && p === ctx.sshAuthSock) || /^\/tmp\/ssh-[^/]+\/agent\.\d+$/.test(p)) {
    return { kind: 'credentials', why: 'your SSH agent' };
  }
  const home = homeOf(p, ctx);
  if (home) {
    const rel = p === home ? '' : p.slice(home.length + 1);
    const credential = CREDENTIALS.find((c) => within(rel, c) || (rel !== '' && within(c, rel)));
    if (credential) return { kind: 'credentials', why: `credentials (~/${credential})` };
    if (rel === '')
      return { kind: 'hostMounts', why: 'a whole home folder (with ~/.ssh and every other credential)' };
    if (state && within(state, p))
      return { kind: 'hostMounts', why: `a folder holding devrig's state folder` };
    return undefined;
  }
  if (p === '/') return { kind: 'hostMounts', why: "this machine's whole filesystem" };
  if (state && within(state, p)) return { kind: 'hostMounts', why: `a folder holding devrig's state folder` };
  const tree = SYSTEM_TREES.find((t) => within(p, t));
  if (tree) return { kind: 'hostMounts', why: `the system folder ${tree}` };
  if (SHARED_ROOTS.includes(p)) return { kind: 'hostMounts', why: `the shared folder ${p}` };
  return undefined;
}

function worst(verdicts: (PathVerdict | undefined)[]): PathVerdict | undefined {
  let found: PathVerdict | undefined;
  for (const v of verdicts) if (v && (!found || SEVERITY[v.kind] > SEVERITY[found.kind])) found = v;
  return found;
}

/**
 * What a bind mount of host path `source` reaches, or undefined when it is an ordinary folder. Judged by
 * the path as written and, when ctx.realPath knows it, by where it really leads; the worse counts.
 */
export function judgeBindSource(source: string, ctx: HostContext): PathVerdict | undefined {
  const written = normalizeHostPath(source, ctx);
  const real = ctx.realPath?.(written);
  const paths = real && real !== written ? [written, real] : [written];
  return worst(paths.flatMap(spellings).map((p) => judgeOne(p, ctx)));
}

/** A bind mount over the container's own system folders (`workspaceMount` at /etc). */
export function judgeBindTarget(target: string): PathVerdict | undefined {
  const t = posix.normalize(target).replace(/(.)\/$/, '$1');
  if (CONTAINER_SYSTEM.includes(t) || CONTAINER_SYSTEM_TREES.some((s) => within(t, s))) {
    return { kind: 'hostMounts', why: `a host folder over the container's ${t}` };
  }
  return undefined;
}
