import type { ContainerObservation } from '../../../providers/provider';
import type { EnvironmentHooks } from '../hooks';
import type { StepContext } from './stepContext';

/**
 * Dotfiles: what must be in the container before Ready is reported, so shells and automations find
 * it there: the add-ons' prepare hooks (the dotfiles installer, which reports DotfilesInstalled
 * itself and never fails the environment).
 */
export async function dotfilesStep(
  ctx: StepContext,
  hooks: EnvironmentHooks,
  container: ContainerObservation,
): Promise<void> {
  await hooks.prepare(ctx.env, container.id, ctx.draft.status);
}
