import type { EnvironmentStatus } from '../../../api';
import type { ResolvedDevcontainer } from '../../../devcontainer';
import type { ContainerObservation } from '../../../providers/provider';
import type { EnvironmentHooks } from '../hooks';
import type { StepContext } from './stepContext';

export interface ReadyInput {
  container: ContainerObservation;
  config: ResolvedDevcontainer;
  /** Stores the status (this generation observed) and returns it as stored. */
  write(): Promise<EnvironmentStatus | undefined>;
}

/**
 * Ready: everything needed to code is in place. Said (and stored) before the add-ons that follow
 * it run (automations, ports, activity): `up` and the editor wait for Ready, and the add-ons report
 * their own progress in their own parts of the status.
 */
export async function readyStep(ctx: StepContext, hooks: EnvironmentHooks, input: ReadyInput): Promise<void> {
  ctx.draft.set('Ready', 'True', 'Ready', 'the environment is ready');
  const stored = await input.write();
  await hooks.ready(ctx.env, input.container.id, input.config, stored ?? ctx.draft.status);
}
