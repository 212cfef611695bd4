import type { Duplex } from 'node:stream';
import type { ExecProcess } from '../providers/provider';
import type { SessionTarget } from '../reconcile/environment/sessions';
import { encodeFrame, FrameDecoder, type Frame } from './agentFrames';
import { AGENT_RELAY_ENV, agentRelayCommand } from './agentRelayScript';

export interface AgentForward {
  /** SSH_AUTH_SOCK for the session. */
  socketPath: string;
  close(): void;
}

/**
 * Makes the user's ssh-agent reachable inside the environment for one session: starts the relay
 * (agentRelayScript.ts) as the remote user and joins each connection to it with a fresh agent
 * channel to the client from `openChannel`.
 */
export async function startAgentForward(
  target: SessionTarget,
  openChannel: () => Promise<Duplex>,
  log: (msg: string) => void,
  timeoutMs = 15_000,
): Promise<AgentForward> {
  const proc = await target.provider.exec(target.containerId, {
    cmd: agentRelayCommand(),
    env: AGENT_RELAY_ENV,
    user: target.user,
    tty: false,
    stdin: true,
  });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  proc.stdin.on('error', () => {});
  const channels = new Map<number, Duplex | Buffer[]>();
  const send = (type: 'D' | 'C', id: number, payload?: Buffer) => {
    if (proc.stdin.writable) proc.stdin.write(encodeFrame(type, id, payload));
  };
  const close = () => {
    for (const c of channels.values()) if (!Array.isArray(c)) c.destroy();
    channels.clear();
    proc.stdin.end();
  };

  const onFrame = (f: Frame, ready: (path: string) => void) => {
    if (f.type === 'P') return ready(f.payload.toString());
    if (f.type === 'O') return void connect(f.id);
    const c = channels.get(f.id);
    if (!c) return;
    if (f.type === 'D') {
      if (Array.isArray(c)) c.push(Buffer.from(f.payload));
      else c.write(f.payload);
    } else {
      channels.delete(f.id);
      if (!Array.isArray(c)) c.end();
    }
  };

  const connect = async (id: number) => {
    const queued: Buffer[] = [];
    channels.set(id, queued);
    let channel: Duplex;
    try {
      channel = await openChannel();
    } catch (e) {
      log(`ssh gateway: agent forwarding: the client refused an agent channel: ${(e as Error).message}`);
      channels.delete(id);
      send('C', id);
      return;
    }
    if (channels.get(id) !== queued) {
      channel.destroy(); // the connection inside closed meanwhile
      return;
    }
    channels.set(id, channel);
    for (const b of queued) channel.write(b);
    channel.on('data', (d: Buffer) => send('D', id, d));
    const gone = () => {
      if (channels.get(id) !== channel) return;
      channels.delete(id);
      send('C', id);
    };
    channel.on('end', gone).on('close', gone).on('error', gone);
  };

  const socketPath = await new Promise<string>((resolve, reject) => {
    const decoder = new FrameDecoder();
    const timer = setTimeout(() => fail(new Error('the agent relay did not start in time')), timeoutMs);
    const fail = (e: Error) => {
      clearTimeout(timer);
      close();
      reject(e);
    };
    proc.stdout.on('data', (d: Buffer) => {
      try {
        for (const f of decoder.push(d))
          onFrame(f, (path) => {
            clearTimeout(timer);
            resolve(path);
          });
      } catch (e) {
        log(`ssh gateway: agent forwarding: ${(e as Error).message}`);
        fail(e as Error);
      }
    });
    proc.stdout.once('end', () => fail(new Error(stderr.trim() || 'the agent relay exited')));
  });
  void waitQuietly(proc);
  return { socketPath, close };
}

async function waitQuietly(proc: ExecProcess): Promise<void> {
  await proc.wait().catch(() => {});
}
