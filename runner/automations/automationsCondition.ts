import type { AutomationStatus, TypedConditionInput } from '../api';

const TYPE = 'AutomationsReady' as const;

/**
 * AutomationsReady from the automations' statuses: False while something starts or after a
 * failure (the first one named), True when every running service is Ready and no task failed;
 * no condition when there are no automations.
 */
export function automationsCondition(
  statuses: readonly AutomationStatus[],
  invalid?: string,
): TypedConditionInput<'AutomationsReady'> | null {
  if (invalid) return { type: TYPE, status: 'False', reason: 'AutomationsInvalid', message: invalid };
  if (statuses.length === 0) return null;
  const services = statuses.filter((s) => s.kind === 'service');
  const tasks = statuses.filter((s) => s.kind === 'task');
  const failing = services.find((s) => s.phase === 'Failed');
  if (failing) {
    return {
      type: TYPE,
      status: 'False',
      reason: 'ServiceFailing',
      message: `service ${failing.id} ${failing.message}${failing.restarts ? ` (restarted ${failing.restarts} times)` : ''}`,
    };
  }
  const failed = tasks.find((t) => t.phase === 'Failed');
  if (failed) {
    return {
      type: TYPE,
      status: 'False',
      reason: 'TaskFailed',
      message: `task ${failed.id}: ${failed.message}`,
    };
  }
  const busy = statuses.filter(
    (s) => s.phase === 'Starting' || s.phase === 'Running' || s.phase === 'Stopping',
  );
  if (busy.length) {
    return {
      type: TYPE,
      status: 'False',
      reason: 'Starting',
      message: `waiting for ${busy.map((s) => `${s.kind} ${s.id}`).join(', ')}`,
    };
  }
  const ready = services.filter((s) => s.phase === 'Ready').length;
  const done = tasks.filter((t) => t.phase === 'Succeeded').length;
  return {
    type: TYPE,
    status: 'True',
    reason: 'Ready',
    message: `${ready} of ${services.length} services ready, ${done} of ${tasks.length} tasks succeeded`,
  };
}
