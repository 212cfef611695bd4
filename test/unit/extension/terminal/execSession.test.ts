// A terminal closed at any moment leaves no shell behind in the environment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../../../runner/api';
import { ExecSession, type ExecSessionSink } from '../../../../extension/terminal/execSession';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setImmediate(r));

/** A runner client whose exec stream opens when the test says so. */
class FakeClient {
  opened = deferred<void>();
  streams = 0;
  cancelled = 0;
  calls: [string, Record<string, unknown>][] = [];
  onEvent: ((e: unknown) => void) | undefined;
  done = deferred<void>();

  stream = (async (_method: string, _params: unknown, onEvent: (e: unknown) => void) => {
    this.streams++;
    this.onEvent = onEvent;
    await this.opened.promise;
    return { id: 7, result: {}, done: this.done.promise, cancel: async () => void this.cancelled++ };
  }) as never;

  call = (async (method: string, params: Record<string, unknown>) => {
    this.calls.push([method, params]);
    return { ok: true };
  }) as never;
}

function sink() {
  const events: string[] = [];
  const s: ExecSessionSink = {
    output: (t) => events.push(`out:${t}`),
    exited: (code) => events.push(`exit:${code}`),
    failed: (m) => events.push(`failed:${m}`),
  };
  return { events, s };
}

test('closed while waiting for the runner: the wait is cancelled and no shell is opened', async () => {
  const client = new FakeClient();
  let signal: AbortSignal | undefined;
  const connected = deferred<FakeClient>();
  const { events, s } = sink();
  const session = new ExecSession(
    {
      name: 'e',
      client: (sig) => {
        signal = sig;
        sig.addEventListener('abort', () =>
          connected.reject(new ApiError('Unavailable', 'cancelled while waiting for the devrig runner')),
        );
        return connected.promise as never;
      },
    },
    s,
  );
  const opening = session.open({ columns: 80, rows: 24 });
  session.close();
  assert.equal(signal?.aborted, true);
  connected.resolve(client); // too late: already rejected
  await opening;
  assert.equal(client.streams, 0);
  assert.deepEqual(events, [], 'a closed terminal is told nothing');
});

test('closed while the stream opens: the shell is cancelled as soon as it exists', async () => {
  const client = new FakeClient();
  const { events, s } = sink();
  const session = new ExecSession({ name: 'e', client: async () => client as never }, s);
  const opening = session.open(undefined);
  await tick();
  assert.equal(client.streams, 1);
  session.input('ls\r');
  session.close();
  client.opened.resolve();
  await opening;
  assert.equal(client.cancelled, 1);
  assert.deepEqual(client.calls, [], 'queued input is not sent to a closed session');
  assert.deepEqual(events, []);
});

test('open: queued input and the latest size go out once the stream is open; output, then exit', async () => {
  const client = new FakeClient();
  const { events, s } = sink();
  const session = new ExecSession({ name: 'e', client: async () => client as never }, s);
  const opening = session.open({ columns: 80, rows: 24 });
  session.input('a');
  session.resize({ columns: 100, rows: 30 });
  client.opened.resolve();
  await opening;
  assert.deepEqual(
    client.calls.map(([m, p]) => [m, p.data ?? `${p.cols}x${p.rows}`]),
    [
      ['exec.input', Buffer.from('a').toString('base64')],
      ['exec.resize', '100x30'],
    ],
  );
  client.onEvent!({ kind: 'stdout', data: Buffer.from('héllo').toString('base64') });
  client.onEvent!({ kind: 'exit', code: 3 });
  client.done.resolve();
  await tick();
  assert.deepEqual(events, ['out:héllo', 'exit:3']);
  session.close();
  assert.equal(client.cancelled, 1, 'closing after the end still cancels (a no-op for the runner)');
});

test('a stream that cannot be opened is reported once', async () => {
  const { events, s } = sink();
  const session = new ExecSession(
    {
      name: 'e',
      client: async () =>
        ({
          stream: async () => {
            throw new ApiError('Unavailable', 'environment "e" is not running');
          },
        }) as never,
    },
    s,
  );
  await session.open(undefined);
  assert.deepEqual(events, ['failed:environment "e" is not running']);
});
