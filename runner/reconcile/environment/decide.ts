import type { DesiredState } from '../../api';
import type { ContainerObservation } from '../../providers/provider';
import { LABELS } from '../../providers/provider';

export type ContainerAction =
  | { type: 'none' }
  | { type: 'create'; reason: string }
  | { type: 'recreate'; reason: string }
  | { type: 'start'; reason: string }
  | { type: 'unpause'; reason: string }
  | { type: 'restart'; reason: string }
  | { type: 'stop'; reason: string };

export interface DecisionInput {
  desired: DesiredState;
  observed?: Pick<ContainerObservation, 'state' | 'running' | 'labels' | 'oomKilled' | 'exitCode'>;
  /** Hash of the spec inputs the container is made from (see environmentHash). */
  envHash: string;
  /** The same by the older formula (legacyEnvironmentHash): containers labelled with it are current too. */
  legacyEnvHash?: string;
  restartRequested: boolean;
}

/**
 * What to do to the container, from desired vs observed. Pure: the reconciler does it.
 * Only an Environment spec change recreates; a devcontainer.json edited on disk is
 * reported as drift (see configDrift) and applied by a rebuild, as Dev Containers does.
 */
export function decideContainerAction(input: DecisionInput): ContainerAction {
  const { desired, observed } = input;
  if (desired === 'Stopped') {
    if (observed && (observed.running || observed.state === 'paused' || observed.state === 'restarting')) {
      return { type: 'stop', reason: 'the environment is set to Stopped' };
    }
    return { type: 'none' };
  }
  if (!observed) return { type: 'create', reason: 'no container exists' };
  if (observed.state === 'dead' || observed.state === 'removing') {
    return { type: 'recreate', reason: `the container is ${observed.state}` };
  }
  const label = observed.labels[LABELS.specHash];
  if (label !== input.envHash && (input.legacyEnvHash === undefined || label !== input.legacyEnvHash)) {
    return { type: 'recreate', reason: 'the environment spec changed' };
  }
  if (observed.state === 'paused') return { type: 'unpause', reason: 'the container was paused' };
  if (!observed.running) {
    const why = observed.oomKilled
      ? 'the container ran out of memory'
      : observed.state === 'created'
        ? 'the container was created but not started'
        : `the container stopped (exit code ${observed.exitCode})`;
    return { type: 'start', reason: why };
  }
  if (input.restartRequested) return { type: 'restart', reason: 'a restart was requested' };
  return { type: 'none' };
}

/** The config on disk no longer matches what the container was made from. */
export function configDrift(
  observed: Pick<ContainerObservation, 'labels'> | undefined,
  configHash: string,
): boolean {
  return !!observed && observed.labels[LABELS.configHash] !== configHash;
}
