// The adapter: a ContainerRequest (from any source) → the normalised things in it that reach the host.
// Features, image metadata and Compose services call hostAccessRequests with their own source; the
// policy (hostAccess.ts) then judges them all the same way.

import type {
  ContainerRequest,
  HostAccessRequest,
  HostContext,
  MountRequest,
  RequestSource,
} from './containerRequest';
import { judgeBindSource, judgeBindTarget } from './hostPaths';

/** The capabilities Docker gives every container; adding them changes nothing. */
const DEFAULT_CAPABILITIES = new Set([
  'CHOWN',
  'DAC_OVERRIDE',
  'FSETID',
  'FOWNER',
  'MKNOD',
  'NET_RAW',
  'SETGID',
  'SETUID',
  'SETFCAP',
  'SETPCAP',
  'NET_BIND_SERVICE',
  'SYS_CHROOT',
  'KILL',
  'AUDIT_WRITE',
]);

/** `cap_sys_admin` → `SYS_ADMIN`, as Docker reads them. */
export function capabilityName(cap: string): string {
  const upper = cap.trim().toUpperCase();
  return upper.startsWith('CAP_') ? upper.slice(4) : upper;
}

/**
 * Why a security option loosens confinement, or undefined when it does not (no-new-privileges, the
 * default profiles, SELinux user/role/level). Unknown options count as loosening: they are not applied
 * unasked.
 */
export function securityOptLoosens(opt: string): string | undefined {
  const separator = opt.search(/[=:]/);
  const key = (separator < 0 ? opt : opt.slice(0, separator)).trim();
  const value = separator < 0 ? '' : opt.slice(separator + 1).trim();
  switch (key) {
    case 'no-new-privileges':
      return undefined;
    case 'seccomp':
      if (value === 'unconfined') return 'seccomp turned off';
      return value === 'builtin' ? undefined : 'a seccomp profile of its own instead of Docker’s';
    case 'apparmor':
      if (value === 'docker-default') return undefined;
      return value === 'unconfined' ? 'AppArmor turned off' : `the AppArmor profile ${value}`;
    case 'label':
      if (value === 'disable') return 'SELinux labelling turned off';
      return value.startsWith('type:') ? `the SELinux type ${value.slice(5)}` : undefined;
    case 'systempaths':
      return value === 'unconfined' ? "the host's /proc and /sys paths unmasked" : undefined;
    default:
      return `the security option "${opt}", which devrig does not know to be safe`;
  }
}

/** `host` or `container:NAME`: a namespace that is not the container's own. */
function sharedNamespace(mode: string | undefined): string | undefined {
  if (mode === 'host') return "this machine's";
  if (mode?.startsWith('container:')) return `the container ${mode.slice('container:'.length)}'s`;
  return undefined;
}

function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

function mountRequests(
  mount: MountRequest,
  what: string,
  source: RequestSource,
  ctx: HostContext,
): HostAccessRequest[] {
  if (mount.type !== 'bind' || !mount.source) return [];
  const out: HostAccessRequest[] = [];
  const from = judgeBindSource(mount.source, ctx);
  if (from) out.push({ kind: from.kind, detail: `${what} of ${mount.source}: ${from.why}`, source });
  const onto = judgeBindTarget(mount.target);
  if (onto) out.push({ kind: onto.kind, detail: `${what} at ${mount.target}: ${onto.why}`, source });
  return out;
}

/**
 * Everything in `request` that reaches the host, each as one normalised request carrying `source`.
 * Settings that stay inside the container (named volumes, default capabilities, no-new-privileges,
 * ordinary networks, budgets within the machine) yield nothing.
 */
export function hostAccessRequests(
  request: ContainerRequest,
  source: RequestSource,
  ctx: HostContext = {},
): HostAccessRequest[] {
  const out: HostAccessRequest[] = [];
  const add = (kind: HostAccessRequest['kind'], detail: string) => out.push({ kind, detail, source });
  if (request.privileged)
    add('privileged', 'a privileged container (all capabilities and devices, no confinement)');
  for (const device of request.devices ?? []) add('devices', `the host device ${device.split(':')[0]}`);
  for (const cap of request.capAdd ?? []) {
    const name = capabilityName(cap);
    if (name === 'ALL') add('capabilities', 'every capability (ALL)');
    else if (!DEFAULT_CAPABILITIES.has(name)) add('capabilities', `the capability ${name}`);
  }
  for (const opt of request.securityOpt ?? []) {
    const loosens = securityOptLoosens(opt);
    if (loosens) add('unconfined', `${loosens} (${opt})`);
  }
  if (request.networkMode === 'host')
    add('hostNetwork', "this machine's network, its loopback ports included (network host)");
  else if (sharedNamespace(request.networkMode)) {
    add(
      'hostNamespaces',
      `${sharedNamespace(request.networkMode)} network namespace (network ${request.networkMode})`,
    );
  }
  const namespaces = [
    ['pid', 'process', request.pidMode],
    ['ipc', 'IPC', request.ipcMode],
    ['uts', 'host name (UTS)', request.utsMode],
  ] as const;
  for (const [flag, what, mode] of namespaces) {
    const whose = sharedNamespace(mode);
    if (whose) add('hostNamespaces', `${whose} ${what} namespace (${flag} ${mode})`);
  }
  if (request.usernsMode === 'host') add('hostNamespaces', "this machine's user namespace (userns host)");
  for (const mount of request.mounts ?? []) out.push(...mountRequests(mount, 'a bind mount', source, ctx));
  if (request.workspaceMount)
    out.push(...mountRequests(request.workspaceMount, 'the workspace mount', source, ctx));
  const budgets = ctx.budgetsSetBySpec ?? {};
  const memory = request.memoryBytes;
  if (memory !== undefined && !budgets.memory) {
    if (memory <= 0) add('budgets', 'no memory limit (memory 0)');
    else if (ctx.hostMemoryBytes !== undefined && memory > ctx.hostMemoryBytes) {
      add('budgets', `memory ${gib(memory)}, more than this machine has (${gib(ctx.hostMemoryBytes)})`);
    }
  }
  if (request.pidsLimit !== undefined && request.pidsLimit <= 0 && !budgets.pids) {
    add('budgets', `no process limit (pids limit ${request.pidsLimit})`);
  }
  return out;
}
