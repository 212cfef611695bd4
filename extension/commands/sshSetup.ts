// Makes `ssh devrig-<name>` work: asks the runner where its generated ssh_config is and includes it from
// the user's SSH config (the one Remote-SSH reads: `remote.SSH.configFile`, else ~/.ssh/config). Done once
// per runner connection (and SSH config path); a reconnect does it again.

import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { isApiError } from '../../runner/api';
import type { RunnerClient } from '../../runner/client/runnerClient';
import { expandHome } from '../config/paths';
import { defaultUserSshConfig, ensureSshInclude } from '../../runner/sshConfig/sshConfigFile';
import { PerConnection } from '../runner/perConnection';
import type { Services } from '../services';
import { connectedClient } from './connected';

export type SshSetup = { ok: true } | { ok: false; reason: string };

/** The SSH config file OpenSSH/Remote-SSH read for this user. */
function userSshConfigPath(): string {
  const custom = vscode.workspace.getConfiguration('remote.SSH').get<string>('configFile')?.trim();
  return custom ? expandHome(custom, homedir()) : defaultUserSshConfig();
}

let warnedAbout = '';
const done = new PerConnection<SshSetup>();

export async function ensureSshSetup(s: Services): Promise<SshSetup> {
  const client = await connectedClient(s);
  const userConfig = userSshConfigPath();
  return done.get(client, userConfig, () => setUp(s, client, userConfig));
}

async function setUp(s: Services, client: RunnerClient, userConfig: string): Promise<SshSetup> {
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
