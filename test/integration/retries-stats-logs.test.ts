// What the runner tells people about an environment beyond its phase, against a real engine: the
// config's name, its retries (attempts and when the next one is, cleared once it works), a log whose
// lines carry the time they were logged, and resource-use samples kept from before anyone asked.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatsSample } from '../../runner/api';
import { humanCause } from '../../runner/presentation/engineErrors';
import { BASE_IMAGE, docker, requireDocker } from '../helpers/docker';
import { makeProject, removeProjects } from '../helpers/project';
import { cleanupRunner, startRunner, type TestRunner } from '../helpers/runnerProcess';
import { waitForPhase, watchUntil } from '../helpers/wait';

// Nothing listens on port 1: the pull fails at once, as with any unreachable registry.
const MISSING = `localhost:1/devrig-retry-test-${process.pid}:1`;

describe('retries, config name, timestamped logs and stats history on a real engine', () => {
  let r: TestRunner;
  const name = 'retrying';

  before(async () => {
    await requireDocker();
    r = await startRunner();
  });
  after(async () => {
    await docker
      .getImage(MISSING)
      .remove()
      .catch(() => {});
    await cleanupRunner(r);
    removeProjects();
  });

  test('a failing pull shows its attempts and the next one; fixed and retried, the retries are cleared', async () => {
    const folder = makeProject({ name: 'Retry Demo', image: MISSING });
    await r.client.call('apply', {
      resource: { kind: 'Environment', metadata: { name }, spec: { source: { folder } } },
    });
    const failing = await watchUntil(
      r.client,
      name,
      (e) => (e.status.retry?.attempts ?? 0) >= 2,
      'to have failed twice',
      60_000,
    );
    assert.equal(failing.status.phase, 'Failed');
    assert.equal(failing.status.configName, 'Retry Demo');
    const retry = failing.status.retry!;
    assert.ok(retry.nextAttemptAt, 'a pull failure is retried by the runner');
    assert.ok(Date.parse(retry.nextAttemptAt) > Date.parse(failing.status.conditions[0]!.lastTransitionTime));
    assert.match(retry.error, /connection refused/);
    assert.equal(humanCause(retry.error)?.kind, 'registryUnreachable');

    // Fixed (the image is there now) and retried as the extension's Retry does: a restart token.
    await docker.getImage(BASE_IMAGE).tag({ repo: MISSING.replace(/:1$/, ''), tag: '1' });
    const cur = await r.client.call('get', { kind: 'Environment', name });
    await r.client.call('apply', {
      resource: {
        kind: 'Environment',
        metadata: { name, resourceVersion: cur.metadata.resourceVersion },
        spec: { ...(cur.kind === 'Environment' ? cur.spec : { source: { folder } }), restart: 'retry-1' },
      },
    });
    const running = await waitForPhase(r.client, name, 'Running', 120_000);
    const cleared = running.status.retry
      ? await watchUntil(r.client, name, (e) => !e.status.retry, 'to clear its retries', 10_000)
      : running;
    assert.equal(cleared.status.retry, undefined);
  });

  test('logs keep the time of every line: `devrig logs -t` shows it, plain `devrig logs` does not', async () => {
    const plain = await r.cli(['logs', name]);
    const stamped = await r.cli(['logs', name, '-t']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(stamped.code, 0, stamped.stderr);
    const lines = stamped.stdout.trimEnd().split('\n');
    assert.ok(lines.length > 2);
    for (const l of lines) assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /);
    assert.equal(
      lines.map((l) => l.slice(25)).join('\n'),
      plain.stdout.trimEnd(),
      'the same lines, with the time in front',
    );
    assert.doesNotMatch(plain.stdout, /^\d{4}-\d\d-\d\dT/m);
  });

  test('stats: the runner kept samples before anyone asked, and sends them first', async () => {
    // Samples arrive about once a second from Ready on; wait for a few without asking for them.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const samples: StatsSample[] = [];
    const h = await r.client.stream('stats', { name, history: true }, (s) => samples.push(s));
    const asked = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await h.cancel();
    const before = samples.filter((s) => Date.parse(s.time) < asked - 1000);
    assert.ok(before.length >= 2, `${before.length} samples from before the request`);
    const times = samples.map((s) => Date.parse(s.time));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
      'oldest first',
    );
  });
});
