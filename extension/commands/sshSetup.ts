// Makes `ssh devrig-<name>` work: asks the runner where its generated ssh_config is and includes it from
// the user's SSH config (the one Remote-SSH reads: `remote.SSH.configFile`, else ~/.ssh/config).

import { homedir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { isApiError } from '../../runner/api';
import { ensureSshInclude } from '../remote/sshConfigFile';
import type { Services } from '../services';
import { connectedClient } from './connected';

export type SshSetup = { ok: true } | { ok: false; reason: string };

/** The SSH config file OpenSSH/Remote-SSH read for this user. */
export function userSshConfigPath(): string {
  const custom = vscode.workspace.getConfiguration('remote.SSH').get<string>('configFile')?.trim();
  if (custom) return custom.startsWith('~/') ? join(homedir(), custom.slice(2)) : custom;
  return join(homedir(), '.ssh', 'config');
}

let warnedAbout = '';

export async function ensureSshSetup(s: Services): Promise<SshSetup> {
  const client = await connectedClient(s);
  let configFile: string;
  try {
    configFile = (await client.call('sshInfo', {})).configFile;
  } catch (e) {
    if (isApiError(e, 'Unavailable')) {
      s.log.warn(`ssh: ${(e as Error).message}`);
      return {
        ok: false,
        reason: 'this runner has no SSH gateway yet, so SSH connections to environments will fail',
      };
    }
    throw e;
  }
  const userConfig = userSshConfigPath();
  const result = await ensureSshInclude(userConfig, configFile);
  if (result.changed) s.log.info(`ssh: ${userConfig} now includes ${configFile}`);
  const warnings = result.warnings.map((w) => w.message);
  for (const w of warnings) s.log.warn(`ssh: ${w}`);
  if (warnings.length && warnings.join('\n') !== warnedAbout) {
    warnedAbout = warnings.join('\n');
    void vscode.window
      .showWarningMessage(
        `devrig: your SSH config may affect devrig hosts: ${warnings[0]}`,
        'Open SSH Config',
      )
      .then((c) => c && vscode.window.showTextDocument(vscode.Uri.file(userConfig)));
  }
  return { ok: true };
}
