/**
 * When to look for listening ports next. A look costs about a millisecond of kernel time whoever makes
 * it (the kernel walks its whole TCP table to list one network namespace's sockets), so idle
 * environments are looked at rarely, and active ones often: new servers come from something
 * happening — the environment starting, someone's session (a terminal, SSH, an exec, traffic
 * through a forward), an automation — or follow a change just seen. Pure.
 */
export interface LookPolicy {
  /** Between looks while the environment is active. */
  activeMs: number;
  /** Between looks while nothing has happened for `activeForMs`. */
  idleMs: number;
  /** How long after activity (or a change) it counts as active. */
  activeForMs: number;
}

export const DEFAULT_LOOK_POLICY: LookPolicy = { activeMs: 1000, idleMs: 30_000, activeForMs: 60_000 };

export class LookSchedule {
  private lastActive: number;

  /**
   * `activeSince`: when something last happened (the container's start, the last activity) when
   * that is known; else now. An environment a restarted runner adopts is not active just for that.
   */
  constructor(
    private readonly policy: LookPolicy = DEFAULT_LOOK_POLICY,
    private readonly now: () => number = Date.now,
    activeSince?: number,
  ) {
    this.lastActive = activeSince !== undefined && activeSince <= now() ? activeSince : now();
  }

  /** Something happened (activity, a change): look often for a while. */
  active(): void {
    this.lastActive = this.now();
  }

  /** The delay until the next look, from now. */
  delay(): number {
    return this.now() - this.lastActive < this.policy.activeForMs ? this.policy.activeMs : this.policy.idleMs;
  }

  /** The delay while active: a look due later than this after activity is brought forward. */
  get activeMs(): number {
    return this.policy.activeMs;
  }
}
