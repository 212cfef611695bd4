// No schemas at run time here: the CLI's fast path uses it without loading zod (see consent.ts for those).

/**
 * What a user can allow an environment that reaches this machine (spec.allow). Each names one kind of
 * host access; `spec.allowPrivileged: true` allows them all. devrig's own state folder is not among
 * them: it is never mounted, whatever is allowed.
 */
export const ALLOWANCES = [
  'privileged',
  'devices',
  'hostNetwork',
  'hostNamespaces',
  'capabilities',
  'unconfined',
  'hostMounts',
  'credentials',
  'engineSocket',
  'budgets',
] as const;
export type Allowance = (typeof ALLOWANCES)[number];

/** What each allowance lets through, for help texts and prompts. */
export const ALLOWANCE_MEANING: Record<Allowance, string> = {
  privileged:
    "a privileged container (every capability, every device, no seccomp/AppArmor): root on this machine's kernel",
  devices: "this machine's devices (--device)",
  hostNetwork: "this machine's network (its loopback ports, devrig's own API among them)",
  hostNamespaces: "this machine's (or another container's) process, IPC, UTS or user namespace",
  capabilities: "Linux capabilities beyond Docker's default set (SYS_ADMIN, SYS_PTRACE, NET_ADMIN …)",
  unconfined: 'turning off seccomp, AppArmor or SELinux confinement',
  hostMounts: "bind mounts of /, this machine's system folders or a home folder",
  credentials: 'bind mounts of your credentials (~/.ssh, ~/.aws, ~/.docker, ~/.kube, ~/.gnupg …)',
  engineSocket: "the container engine's socket: control of Docker on this machine, i.e. root on it",
  budgets: 'removing the memory or process limit, or more memory than this machine has',
};

/** The allowances that would let every refused item through, in ALLOWANCES order (the state folder has none). */
export function missingAllowances(refused: readonly { allowance?: Allowance }[]): Allowance[] {
  const needed = new Set(refused.flatMap((i) => (i.allowance ? [i.allowance] : [])));
  return ALLOWANCES.filter((a) => needed.has(a));
}
