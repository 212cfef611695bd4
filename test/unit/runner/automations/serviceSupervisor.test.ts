import { mock, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { ServiceSpec } from '../../../../runner/api';
import type { AutomationSink, AutomationTarget } from '../../../../runner/automations/automationTarget';
import type { RestartPolicy } from '../../../../runner/automations/restartBackoff';
import { ServiceSupervisor } from '../../../../runner/automations/serviceSupervisor';
import type { ContainerProvider, ExecOptions, ExecProcess } from '../../../../runner/providers/provider';

// The supervisor's state machine against a fake container that understands its scripts (launch,
// follow, stop the process tree) by their names, on mocked timers.

interface Run {
  token: string;
  command: string;
  alive: boolean;
  end(code: number): void;
  ended: Promise<number>;
}

function fakeProcess(
  body: (p: { stdout: PassThrough; stderr: PassThrough; aborted: Promise<void> }) => Promise<number | null>,
): ExecProcess {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let abort!: () => void;
  const aborted = new Promise<void>((r) => (abort = r));
  const done = (async () => {
    const code = await body({ stdout, stderr, aborted });
    const ends = [once(stdout, 'end'), once(stderr, 'end')];
    stdout.end();
    stderr.end();
    await Promise.all(ends);
    return { code };
  })();
  return {
    stdin: new PassThrough(),
    stdout,
    stderr,
    resize: async () => {},
    signal: async () => abort(),
    wait: () => done,
  };
}

class FakeContainer {
  readonly runs: Run[] = [];
  /** Launch execs fail (the stream broke) when their run ends, besides the follower seeing it. */
  launchExecFails = false;
  private gate?: Promise<void>;
  private openGate?: () => void;

  /** stopProcessTree waits until release(). */
  hold(): void {
    this.gate = new Promise((r) => (this.openGate = r));
  }
  release(): void {
    this.openGate?.();
    this.gate = undefined;
  }

  live(): Run[] {
    return this.runs.filter((r) => r.alive);
  }

  readonly provider = {
    exec: async (_id: string, opts: ExecOptions): Promise<ExecProcess> => {
      const [, , , name, ...args] = opts.cmd;
      if (name === 'devrig-service') {
        const [, , token, command] = args as [string, string, string, string];
        assert.equal(opts.env?.DEVRIG_SERVICE, token, 'the run carries its marker');
        let end!: (code: number) => void;
        const ended = new Promise<number>((r) => (end = r));
        const run: Run = { token, command, alive: true, ended, end: (code) => end(code) };
        void ended.then(() => (run.alive = false));
        this.runs.push(run);
        const fails = this.launchExecFails;
        return fakeProcess(async () => {
          const code = await ended;
          if (!fails) return code;
          // After the follower told the end.
          for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
          throw new Error('the exec stream broke');
        });
      }
      if (name === 'devrig-follow') {
        const [, , token] = args as [string, string, string];
        const run = this.runs.find((r) => r.token === token);
        return fakeProcess(async ({ stderr, aborted }) => {
          const code = run ? await Promise.race([run.ended, aborted.then(() => undefined)]) : '?';
          if (code === undefined) return null;
          stderr.write(`DEVRIG-EXIT ${code} ${token}\n`);
          return 0;
        });
      }
      if (name === 'devrig-stop-service') {
        const [token] = args as [string];
        const gate = this.gate;
        return fakeProcess(async () => {
          await gate;
          for (const r of this.runs) if (r.token === token && r.alive) r.end(143);
          return 0;
        });
      }
      // A ready probe or stop command: succeeds.
      return fakeProcess(async () => 0);
    },
  } as unknown as ContainerProvider;
}

const POLICY: RestartPolicy = { baseMs: 100, maxMs: 100, healthyAfterMs: 60_000 };

function spec(start: string): ServiceSpec {
  return { commands: { start }, triggeredBy: ['postEnvironmentStart'] } as ServiceSpec;
}

function harness(t: TestContext) {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  const c = new FakeContainer();
  const target: AutomationTarget = {
    provider: c.provider,
    containerId: 'container0123456789',
    user: 'dev',
    workdir: '/work',
    env: async () => ({}),
  };
  const sink: AutomationSink = { log: () => {}, changed: () => {}, now: () => new Date() };
  const s = new ServiceSupervisor('web', spec('serve'), target, sink, undefined, POLICY);
  t.after(() => s.dispose());
  return { c, s };
}

/** Lets every pending promise, stream event and exec of the fake run (no time passes). */
async function flush(): Promise<void> {
  for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r));
}

test('service supervisor: a run whose end is seen twice (launch exec and follower) restarts once', async (t) => {
  const { c, s } = harness(t);
  c.launchExecFails = true;
  s.start();
  await flush();
  assert.equal(c.runs.length, 1);
  assert.equal(s.status.phase, 'Ready');
  c.runs[0]!.end(1);
  await flush();
  assert.equal(s.status.phase, 'Failed');
  mock.timers.tick(POLICY.maxMs);
  await flush();
  assert.equal(c.runs.length, 2, 'one restart, not two');
  assert.equal(c.live().length, 1);
  assert.equal(s.status.restarts, 1);
  assert.equal(s.status.phase, 'Ready');
  mock.timers.tick(10 * POLICY.maxMs);
  await flush();
  assert.equal(c.runs.length, 2, 'and no late second one');
});

test('service supervisor: stop during the restart backoff (also while the dead run is cleaned up)', async (t) => {
  const { c, s } = harness(t);
  s.start();
  await flush();
  c.runs[0]!.end(1);
  await flush();
  assert.equal(s.status.phase, 'Failed');
  await s.stop();
  assert.equal(s.status.phase, 'Stopped');
  mock.timers.tick(10 * POLICY.maxMs);
  await flush();
  assert.equal(c.runs.length, 1, 'the pending restart is cancelled');

  // Started again; dies; the restart timer fires while the dead run's leftovers are being
  // stopped; a stop then must win over that restart.
  s.start();
  await flush();
  assert.equal(c.runs.length, 2);
  c.hold();
  c.runs[1]!.end(1);
  await flush();
  mock.timers.tick(POLICY.maxMs);
  await flush();
  await s.stop();
  c.release();
  await flush();
  assert.equal(c.runs.length, 2, 'not restarted after the stop');
  assert.equal(s.status.phase, 'Stopped');
});

test('service supervisor: a start while a stop goes on runs the service once the stop is done', async (t) => {
  const { c, s } = harness(t);
  s.start();
  await flush();
  c.hold();
  const stopped = s.stop();
  await flush();
  assert.equal(s.status.phase, 'Stopping');
  s.start();
  c.release();
  await stopped;
  await flush();
  assert.equal(c.runs.length, 2, 'started again');
  assert.equal(c.live().length, 1);
  assert.equal(c.live()[0]!.token, c.runs[1]!.token);
  assert.equal(s.status.phase, 'Ready');
});

test('service supervisor: a changed definition restarts a running service, unless it is stopped meanwhile', async (t) => {
  const { c, s } = harness(t);
  s.start();
  await flush();
  s.update(spec('serve --v2'));
  await flush();
  assert.deepEqual(
    c.runs.map((r) => [r.command, r.alive]),
    [
      ['serve', false],
      ['serve --v2', true],
    ],
  );
  assert.equal(s.status.phase, 'Ready');
  assert.equal(s.status.restarts, 0, 'a restart for a new definition is no failure');

  c.hold();
  s.update(spec('serve --v3'));
  await flush();
  assert.equal(s.status.phase, 'Stopping');
  const stopped = s.stop();
  c.release();
  await stopped;
  await flush();
  assert.equal(c.runs.length, 2, 'the stop wins: v3 does not start');
  assert.equal(c.live().length, 0);
  assert.equal(s.status.phase, 'Stopped');
});
