// What to do when a window opens a folder with a devcontainer config, per `devrig.autoStart`. Pure: the
// glue gathers the facts, this decides, tests cover the table.

import type { Environment } from '../../runner/api';
import { HOST_ALIAS_PREFIX } from '../../runner/sshConfig/remoteUri';

export type AutoStartSetting = 'off' | 'ask' | 'always';

export interface AutoStartFacts {
  setting: AutoStartSetting;
  /** The folder has .devcontainer/devcontainer.json, .devcontainer.json or .devcontainer/<n>/devcontainer.json. */
  hasConfig: boolean;
  /** The folder is trusted (devcontainer.json can run initializeCommand on this machine). */
  trusted: boolean;
  /** The environment whose source is this folder, if any. */
  environment: Environment | undefined;
  /** This window is already connected to a devrig environment (Remote-SSH into devrig-<name>). */
  insideEnvironment: boolean;
  /** The user chose "Never for this folder". */
  neverForFolder: boolean;
  /** Already asked or acted for this folder in this session. */
  handledThisSession: boolean;
}

export type AutoStartAction =
  | { kind: 'none'; why: string }
  | { kind: 'ask'; what: 'create' | 'start' }
  | { kind: 'do'; what: 'create' | 'start' };

export function decideAutoStart(f: AutoStartFacts): AutoStartAction {
  const none = (why: string): AutoStartAction => ({ kind: 'none', why });
  if (f.insideEnvironment) return none('this window is inside a devrig environment');
  if (f.setting === 'off') return none('devrig.autoStart is off');
  if (!f.hasConfig && !f.environment) return none('the folder has no devcontainer config');
  if (!f.trusted) return none('the folder is not trusted');
  if (f.neverForFolder) return none('the user said never for this folder');
  if (f.handledThisSession) return none('already handled in this session');
  let what: 'create' | 'start';
  if (!f.environment) what = 'create';
  else if (f.environment.metadata.deletionTimestamp) return none('the environment is being deleted');
  else if (f.environment.spec.state === 'Stopped') what = 'start';
  // Desired Running already: it is running, on its way, or failed (a failure is not retried unasked).
  else return none(`the environment is ${f.environment.status.phase}`);
  return f.setting === 'always' ? { kind: 'do', what } : { kind: 'ask', what };
}

/**
 * The devrig environment a remote window is connected to: `ssh-remote` windows whose authority is
 * `ssh-remote+devrig-<name>`. Undefined for local windows and other remotes.
 */
export function environmentOfRemoteWindow(
  remoteName: string | undefined,
  authority: string | undefined,
): string | undefined {
  if (remoteName !== 'ssh-remote' || !authority) return undefined;
  const host = decodeURIComponent(authority.replace(/^ssh-remote\+/, ''));
  return host.startsWith(HOST_ALIAS_PREFIX) ? host.slice(HOST_ALIAS_PREFIX.length) : undefined;
}
