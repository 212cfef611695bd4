import { GATEWAY_HOST_KEY_ALIAS, knownHostsLine, sshConfigBlock } from '../sshConfig/sshConfigBlock';
import type { ResourceStore } from '../store/resourceStore';
import { readFileIfExists, writeFileAtomic } from '../state/privateFile';
import type { SshPaths } from '../state/sshPaths';

/** devrig's ssh_config text for these environments. Pure. */
export function sshConfigText(names: readonly string[], port: number, paths: SshPaths): string {
  return sshConfigBlock(
    names.map((name) => ({ name })),
    { port, identityFile: paths.identityFile, knownHostsFile: paths.knownHosts },
  );
}

export interface SshConfigMaintainer {
  /**
   * Makes the file on disk hold every current environment's block (written again if it went missing
   * or a write failed); resolves once it does. Writes only on changes would otherwise leave a lost
   * file lost until the next environment comes or goes.
   */
  flush(): Promise<void>;
  stop(): void;
}

/**
 * Keeps `<state>/ssh_config` (one `Host devrig-<env>` per environment) and the pinned known_hosts
 * line current: written at start, rewritten whenever environments come or go (created, marked for
 * deletion, removed) and on `flush()`; the status writes in between cost nothing. Files are replaced
 * atomically (0600) and only when their content changes.
 */
export async function maintainSshConfig(deps: {
  store: ResourceStore;
  paths: SshPaths;
  port: number;
  hostKey: string;
  log: (msg: string) => void;
  /** Renders the file (tests count the renders). */
  render?: typeof sshConfigText;
}): Promise<SshConfigMaintainer> {
  const { store, paths, port, log } = deps;
  const render = deps.render ?? sshConfigText;
  await ensureKnownHosts(paths.knownHosts, deps.hostKey, log);

  // The environments in the file: every one not being deleted.
  const names = new Set<string>();
  const listAll = () => {
    names.clear();
    for (const e of store.list('Environment')) if (!e.metadata.deletionTimestamp) names.add(e.metadata.name);
  };
  listAll();
  const text = () =>
    render(
      [...names].sort((a, b) => a.localeCompare(b)),
      port,
      paths,
    );
  let written = text();
  const first = writeIfChanged(paths.config, written);
  // Later writes queue behind the first, so the newest text is written last.
  let chain = first.catch(() => {});
  // Watched from the version just listed: no replay of what the list already holds.
  const stop = store.watch({ kind: 'Environment', resourceVersion: store.resourceVersion }, (e) => {
    const { name, deletionTimestamp } = e.object.metadata;
    const listed = e.type !== 'DELETED' && !deletionTimestamp;
    if (listed === names.has(name)) return;
    if (listed) names.add(name);
    else names.delete(name);
    const next = text();
    if (next === written) return;
    written = next;
    chain = chain
      .then(() => writeIfChanged(paths.config, next))
      .catch((err: Error) => log(`ssh gateway: cannot write ${paths.config}: ${err.message}`));
  });
  try {
    await first;
  } catch (e) {
    stop();
    throw e;
  }
  return {
    flush: () => {
      listAll();
      const next = text();
      written = next;
      const write = chain.then(() => writeIfChanged(paths.config, next));
      chain = write.catch((err: Error) => log(`ssh gateway: cannot write ${paths.config}: ${err.message}`));
      return write;
    },
    stop,
  };
}

export type KnownHostsAction = 'keep' | 'write' | 'conflict';

/**
 * What to do with devrig's known_hosts given the gateway's key. Pure. A file pinning another key
 * stays as it is: the host key changed under the runner (a restored or replaced file), and ssh
 * should say so loudly rather than devrig quietly trusting the new key.
 */
export function knownHostsAction(existing: string | undefined, hostKey: string): KnownHostsAction {
  const wanted = knownHostsLine(hostKey);
  if (existing === undefined) return 'write';
  const pins = existing
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.startsWith(GATEWAY_HOST_KEY_ALIAS + ' '));
  if (pins.length === 0) return 'write';
  return pins.some((l) => l.split(/\s+/).slice(0, 3).join(' ') === wanted) ? 'keep' : 'conflict';
}

async function ensureKnownHosts(path: string, hostKey: string, log: (msg: string) => void): Promise<void> {
  const existing = await readFileIfExists(path);
  const action = knownHostsAction(existing, hostKey);
  if (action === 'write') await writeFileAtomic(path, knownHostsLine(hostKey) + '\n', 0o600);
  if (action === 'conflict') {
    log(
      `ssh gateway: WARNING: the host key changed, but ${path} pins the previous one, so ssh will refuse ` +
        `to connect. If you replaced the key yourself, delete ${path} and restart the runner.`,
    );
  }
}

async function writeIfChanged(path: string, text: string): Promise<void> {
  if ((await readFileIfExists(path)) === text) return;
  await writeFileAtomic(path, text, 0o600);
}
