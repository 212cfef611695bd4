// What the status bar items say. Pure.

import type { Environment } from '../../runner/api';
import type { RunnerState } from '../runner/runnerConnection';
import { ENVIRONMENT_ICONS } from '../../runner/presentation/phaseStyle';
import { displayName, displayWithId } from '../../runner/presentation/displayName';
import { environmentTooltip } from '../tree/tooltips';
import { mdText } from '../tree/markdown';

export interface StatusText {
  text: string;
  /** For screen readers (the text has icon ids in it). */
  label: string;
  tooltip: string;
  /** A theme colour id for the background (warnings/errors), if any. */
  background?: 'statusBarItem.warningBackground' | 'statusBarItem.errorBackground';
}

/** The folder's environment: `$(vm-running) my-env`; a folder with a config but no environment yet: `$(vm-outline) devrig`. */
export function environmentStatus(env: Environment | undefined, hasConfig: boolean): StatusText | undefined {
  if (!env) {
    return hasConfig
      ? {
          text: '$(vm-outline) devrig',
          label: 'devrig: this folder has a devcontainer config, no environment yet',
          tooltip: 'This folder has a devcontainer config. Click for devrig actions.',
        }
      : undefined;
  }
  const icon = ENVIRONMENT_ICONS[env.status.phase].id;
  return {
    text: `$(${icon}) ${displayName(env)}${env.status.phase === 'Running' ? '' : ` · ${env.status.phase}`}`,
    label: `devrig environment ${displayWithId(env)}: ${env.status.phase}`,
    tooltip: `${environmentTooltip(env)}\n\n---\nClick for actions.`,
    ...(env.status.phase === 'Failed' ? { background: 'statusBarItem.errorBackground' as const } : {}),
  };
}

/** Shown only while the runner is not connected. */
export function runnerStatus(state: RunnerState, stateDir: string): StatusText | undefined {
  switch (state.kind) {
    case 'connected':
    case 'disposed':
      return undefined;
    case 'connecting':
      return {
        text: '$(sync~spin) devrig runner',
        label: 'devrig: connecting to the runner',
        tooltip: `Connecting to the devrig runner (state ${mdText(stateDir)})…`,
      };
    case 'disconnected':
      return {
        text: '$(debug-disconnect) devrig runner',
        label: 'devrig: the runner is not reachable, retrying',
        tooltip: `The devrig runner is not reachable: ${mdText(state.error)}\n\nRetrying. Click for runner actions.`,
        background: 'statusBarItem.warningBackground',
      };
  }
}
