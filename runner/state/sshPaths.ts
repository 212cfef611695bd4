import { join } from 'node:path';

/**
 * Where the SSH gateway keeps its files inside the runner's state folder. Pure (no ssh2), so the
 * extension and the CLI can find the same files without loading the gateway.
 */
export interface SshPaths {
  /** `<state>/ssh`, private (0700). */
  dir: string;
  /** The gateway's persistent ed25519 host key (OpenSSH format, 0600). */
  hostKey: string;
  /** The key pair devrig's ssh_config authenticates with (0600 / 0644). */
  identityFile: string;
  identityPublicFile: string;
  /** Extra public keys the user allowed (OpenSSH authorized_keys format). */
  authorizedKeys: string;
  /** The pinned host key line that devrig's ssh_config points UserKnownHostsFile at. */
  knownHosts: string;
  /** The port the gateway listened on last, reused so users' configs stay valid. */
  port: string;
  /** devrig's own ssh_config, one `Host devrig-<env>` per environment. */
  config: string;
}

export function sshPaths(stateDir: string): SshPaths {
  const dir = join(stateDir, 'ssh');
  return {
    dir,
    hostKey: join(dir, 'host_ed25519'),
    identityFile: join(dir, 'id_ed25519'),
    identityPublicFile: join(dir, 'id_ed25519.pub'),
    authorizedKeys: join(dir, 'authorized_keys'),
    knownHosts: join(dir, 'known_hosts'),
    port: join(dir, 'port'),
    config: join(stateDir, 'ssh_config'),
  };
}
