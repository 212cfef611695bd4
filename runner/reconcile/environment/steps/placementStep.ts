import type { Environment, TypedConditionInput } from '../../../api';
import type { ContainerProvider, HostInfo } from '../../../providers/provider';
import type { ReconcileResult } from '../../controller';
import type { StepContext } from './stepContext';

/** Where an environment runs, decided by the scheduler, with the conditions that explain it. */
export interface EnvironmentPlacement {
  host?: string;
  /** Undefined while it cannot run anywhere yet (unschedulable, its host unreachable). */
  provider?: ContainerProvider;
  conditions: TypedConditionInput<'Scheduled' | 'HostReachable'>[];
  waiting?: { reason: 'Unschedulable' | 'HostUnreachable'; message: string; retryAfterMs: number };
}

export interface PlacementDeps {
  /** Where the environment runs; undefined while it cannot be placed (status says why). */
  providerFor(env: Environment): Promise<ContainerProvider | undefined> | ContainerProvider | undefined;
  /** Places the environment on a host (first time) and reports why; without it, providerFor decides. */
  place?(env: Environment): Promise<EnvironmentPlacement>;
}

export type Placed = { provider: ContainerProvider } | { waiting: ReconcileResult };

/**
 * Placement: which host's engine the environment runs on (Scheduled, and HostReachable while the
 * host is away). Until it has one, Ready says why and the reconcile looks again later.
 */
export async function placementStep(ctx: StepContext, deps: PlacementDeps): Promise<Placed> {
  const { env, draft } = ctx;
  const placement = deps.place ? await deps.place(env) : undefined;
  for (const c of placement?.conditions ?? []) draft.put(c);
  const provider = placement ? placement.provider : await deps.providerFor(env);
  draft.status.host = placement?.host ?? provider?.name;
  if (provider) return { provider };
  const w = placement?.waiting ?? {
    reason: 'Unschedulable',
    message: 'no host to run on yet',
    retryAfterMs: 5000,
  };
  draft.set('Ready', 'False', w.reason, w.message);
  return { waiting: { requeueAfterMs: w.retryAfterMs } };
}

/** The engine answers (HostReachable), with what it has (CPUs, memory) for the budgets. */
export async function engineStep(ctx: StepContext, provider: ContainerProvider): Promise<HostInfo> {
  try {
    const info = await provider.info();
    ctx.draft.set('HostReachable', 'True', 'Reachable', `Docker ${info.serverVersion} on ${provider.name}`);
    return info;
  } catch (e) {
    ctx.draft.set('HostReachable', 'False', 'EngineUnreachable', (e as Error).message);
    ctx.draft.set('Ready', 'False', 'EngineUnreachable', (e as Error).message);
    throw e;
  }
}
