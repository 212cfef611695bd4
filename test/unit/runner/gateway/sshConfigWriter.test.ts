import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResourceApply } from '../../../../runner/api';
import { requestStart, waitUntilRunning } from '../../../../runner/gateway/startOnConnect';
import { maintainSshConfig, sshConfigText } from '../../../../runner/gateway/sshConfigWriter';
import { sshPaths } from '../../../../runner/state/sshPaths';
import { ensurePrivateDir } from '../../../../runner/state/stateDir';
import { ResourceStore } from '../../../../runner/store/resourceStore';
import { waitFor } from '../../../helpers/wait';

const HOST_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHw644RFXGn3dCWlO/LGke7PmPudcM03Mw22SRBlM2AV';
const env = (name: string, spec: Record<string, unknown> = {}) =>
  ResourceApply.parse({
    kind: 'Environment',
    metadata: { name },
    spec: { source: { folder: '/src' }, ...spec },
  });

async function setup(t: { after(fn: () => unknown): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'devrig-sshcfg-'));
  const store = await ResourceStore.open(join(dir, 'store'));
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const paths = sshPaths(dir);
  await ensurePrivateDir(paths.dir);
  return { dir, store, paths };
}

test('ssh_config follows the environments in the store; known_hosts pins the host key', async (t) => {
  const { store, paths } = await setup(t);
  await store.apply(env('web'));
  const config = await maintainSshConfig({ store, paths, port: 2222, hostKey: HOST_KEY, log: () => {} });
  t.after(config.stop);
  assert.equal(readFileSync(paths.knownHosts, 'utf8'), `devrig-gateway ${HOST_KEY}\n`);
  assert.equal(statSync(paths.config).mode & 0o777, 0o600);
  assert.match(readFileSync(paths.config, 'utf8'), /Host devrig-web\n/);

  await store.apply(env('api'));
  await waitFor('api in ssh_config', () => readFileSync(paths.config, 'utf8').includes('Host devrig-api\n'));
  await store.delete('Environment', 'web');
  await waitFor('web gone from ssh_config', () => !readFileSync(paths.config, 'utf8').includes('devrig-web'));
  assert.match(
    readFileSync(paths.config, 'utf8'),
    /Host devrig-api\n {2}HostName 127\.0\.0\.1\n {2}Port 2222\n/,
  );
});

test('ssh_config is rendered once at start and again only when environments come or go', async (t) => {
  const { store, paths } = await setup(t);
  await store.apply(env('web'));
  await store.apply(env('api'));
  const renders: string[][] = [];
  const config = await maintainSshConfig({
    store,
    paths,
    port: 2222,
    hostKey: HOST_KEY,
    log: () => {},
    render: (names, port, p) => {
      renders.push([...names]);
      return sshConfigText(names, port, p);
    },
  });
  t.after(config.stop);
  assert.deepEqual(renders, [['api', 'web']], 'one render at start');

  // Status writes (the reconciler's progress, ports, activity) and spec edits change nothing here.
  const web = store.mustGet('Environment', 'web');
  await store.updateStatus('Environment', 'web', { ...web.status, phase: 'Running' });
  await store.updateStatus('Environment', 'web', { ...web.status, phase: 'Starting' });
  await store.apply(env('web', { state: 'Stopped' }));
  assert.equal(renders.length, 1);

  await store.apply(env('db'));
  await store.setFinalizers('Environment', 'api', ['devrig.dev/test']);
  await store.delete('Environment', 'api'); // marked for deletion: gone from ssh_config already
  await store.setFinalizers('Environment', 'api', []); // removed: nothing left to do
  assert.deepEqual(renders.slice(1), [
    ['api', 'db', 'web'],
    ['db', 'web'],
  ]);
  await waitFor('ssh_config to follow', () => {
    const text = readFileSync(paths.config, 'utf8');
    return text.includes('Host devrig-db\n') && !text.includes('devrig-api');
  });
});

test('flush: the file holds every environment when it resolves, even after it went missing', async (t) => {
  const { store, paths } = await setup(t);
  const config = await maintainSshConfig({ store, paths, port: 2222, hostKey: HOST_KEY, log: () => {} });
  t.after(config.stop);
  await store.apply(env('web'));
  await config.flush();
  assert.match(readFileSync(paths.config, 'utf8'), /Host devrig-web\n/);
  // Deleted behind the runner's back (a temp cleaner, a user): nothing comes or goes, yet it is back.
  rmSync(paths.config);
  await config.flush();
  assert.match(readFileSync(paths.config, 'utf8'), /Host devrig-web\n/);
  assert.equal(statSync(paths.config).mode & 0o777, 0o600);
});

test('start on connect: spec.state becomes Running; waiting ends on Running, Failed or deletion', async (t) => {
  const { store } = await setup(t);
  await store.apply(env('sleepy', { state: 'Stopped', startOnConnect: true }));
  await requestStart(store, 'sleepy');
  const applied = store.mustGet('Environment', 'sleepy');
  assert.equal(applied.spec.state, 'Running');
  assert.equal(applied.spec.startOnConnect, true);

  const running = waitUntilRunning(store, 'sleepy', 5_000);
  const status = applied.status;
  await store.updateStatus('Environment', 'sleepy', { ...status, phase: 'Starting' });
  await store.updateStatus('Environment', 'sleepy', {
    ...status,
    phase: 'Running',
    containerId: 'c1',
    observedGeneration: applied.metadata.generation,
  });
  assert.equal((await running).status.containerId, 'c1');

  await store.apply(env('broken'));
  const failed = waitUntilRunning(store, 'broken', 5_000);
  const b = store.mustGet('Environment', 'broken');
  await store.updateStatus('Environment', 'broken', {
    ...b.status,
    phase: 'Failed',
    lastError: 'image not found',
    observedGeneration: b.metadata.generation,
  });
  await assert.rejects(failed, /environment "broken" failed to start: image not found/);

  const gone = waitUntilRunning(store, 'sleepy-2', 5_000);
  await assert.rejects(gone, /was deleted/);
  await assert.rejects(waitUntilRunning(store, 'broken', 1), /failed to start/);
  await store.apply(env('pending'));
  await assert.rejects(waitUntilRunning(store, 'pending', 30), /did not start within 0 s/);
});
