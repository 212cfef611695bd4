import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { encodeFrame, FrameDecoder, type Frame } from '../../../../runner/gateway/agentFrames';
import { AGENT_RELAY_ENV, agentRelayCommand } from '../../../../runner/gateway/agentRelayScript';

test('agent frames round-trip whatever the chunking', () => {
  const frames = [
    encodeFrame('P', 0, Buffer.from('/tmp/x/agent.sock')),
    encodeFrame('O', 1),
    encodeFrame('D', 1, Buffer.alloc(70_000, 7)),
    encodeFrame('C', 1),
  ];
  const bytes = Buffer.concat(frames);
  for (const size of [1, 5, 9, 1000, bytes.length]) {
    const d = new FrameDecoder();
    const got: Frame[] = [];
    for (let i = 0; i < bytes.length; i += size) got.push(...d.push(bytes.subarray(i, i + size)));
    assert.deepEqual(
      got.map((f) => [f.type, f.id, f.payload.length]),
      [
        ['P', 0, 17],
        ['O', 1, 0],
        ['D', 1, 70_000],
        ['C', 1, 0],
      ],
      `chunks of ${size}`,
    );
  }
  assert.throws(() => new FrameDecoder().push(Buffer.from('X\0\0\0\0\0\0\0\0')), /unknown frame type/);
  const huge = encodeFrame('D', 1);
  huge.writeUInt32BE(1 << 30, 5);
  assert.throws(() => new FrameDecoder().push(huge), /byte frame/);
});

test('the agent relay script carries a socket connection over its stdin/stdout and cleans up', async (t) => {
  const [sh, ...args] = agentRelayCommand();
  const relay = spawn(sh!, args, {
    env: { ...process.env, ...AGENT_RELAY_ENV },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  t.after(() => {
    relay.kill();
  });
  const decoder = new FrameDecoder();
  const frames: Frame[] = [];
  const waiters: (() => void)[] = [];
  relay.stdout.on('data', (d: Buffer) => {
    frames.push(...decoder.push(d));
    waiters.splice(0).forEach((w) => w());
  });
  const next = async (type: string): Promise<Frame> => {
    for (;;) {
      const i = frames.findIndex((f) => f.type === type);
      if (i >= 0) return frames.splice(i, 1)[0]!;
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  const path = (await next('P')).payload.toString();
  assert.match(path, /\/devrig-agent-[^/]+\/agent\.sock$/);

  const sock = connect(path);
  const opened = await next('O');
  sock.write('request');
  const data = await next('D');
  assert.deepEqual([data.id, data.payload.toString()], [opened.id, 'request']);
  const reply = new Promise<string>((r) => sock.once('data', (d) => r(d.toString())));
  relay.stdin.write(encodeFrame('D', opened.id, Buffer.from('answer')));
  assert.equal(await reply, 'answer');
  sock.end();
  assert.equal((await next('C')).id, opened.id);

  const exited = new Promise((r) => relay.once('exit', r));
  relay.stdin.end();
  assert.equal(await exited, 0);
  assert.equal(existsSync(dirname(path)), false, 'socket folder removed');
});
