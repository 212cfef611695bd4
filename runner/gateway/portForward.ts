import type { Duplex } from 'node:stream';
import type { Connection, ServerChannel } from 'ssh2';
import type { SessionTarget } from '../reconcile/environment/sessions';
import { tcpForwardDecision } from './forwardPolicy';
import { channelRejecter, OPEN_FAILURE } from './ssh2Internals';
import { connectUnixSocket } from './unixSocketRelay';
import { atMostEvery } from '../util/throttle';

export interface ForwardContext {
  envName: string;
  resolveTarget(): Promise<SessionTarget>;
  activity(): void;
  log(msg: string): void;
}

/**
 * `ssh -L` into the environment: `direct-tcpip` to its own loopback (through the provider's relay
 * in the container's network namespace) and `direct-streamlocal@openssh.com` to unix sockets in it.
 * The channel opens only once the far side is connected, so a closed port is an open failure.
 */
export function servePortForwards(client: Connection, ctx: ForwardContext): void {
  const rejectWith = channelRejecter(client);
  // Relays still open when the client goes away (or that connect after it did) are closed with it.
  const relays = new Set<Duplex>();
  let gone = false;
  client.once('close', () => {
    gone = true;
    for (const r of relays) r.destroy();
  });

  client.on('tcpip', (accept, reject, info) => {
    const decision = tcpForwardDecision(info.destIP, info.destPort);
    if (!decision.allow) {
      ctx.log(`ssh gateway: ${ctx.envName}: refused forward: ${decision.reason}`);
      rejectWith(reject, OPEN_FAILURE.administrativelyProhibited, decision.reason);
      return;
    }
    void open(
      accept,
      (msg) => rejectWith(reject, OPEN_FAILURE.connectFailed, msg),
      async () => {
        const t = await ctx.resolveTarget();
        return t.provider.connectTcp(t.containerId, decision.port);
      },
      `port ${decision.port}`,
    );
  });

  client.on('openssh.streamlocal', (accept, reject, info) => {
    void open(
      accept,
      (msg) => rejectWith(reject, OPEN_FAILURE.connectFailed, msg),
      async () => connectUnixSocket(await ctx.resolveTarget(), info.socketPath),
      info.socketPath,
    );
  });

  async function open(
    accept: () => ServerChannel,
    reject: (msg: string) => void,
    connect: () => Promise<Duplex>,
    what: string,
  ): Promise<void> {
    let remote: Duplex;
    try {
      remote = await connect();
    } catch (e) {
      ctx.log(`ssh gateway: ${ctx.envName}: forward to ${what} failed: ${(e as Error).message}`);
      reject((e as Error).message);
      return;
    }
    let channel: ServerChannel | undefined;
    try {
      if (!gone) channel = accept();
    } catch {
      channel = undefined;
    }
    if (!channel) {
      remote.destroy(); // the client went away meanwhile
      return;
    }
    relays.add(remote);
    remote.once('close', () => relays.delete(remote));
    ctx.activity();
    join(channel, remote, ctx.activity);
  }
}

/** Copies both ways with backpressure; either side closing or failing closes the other. */
function join(channel: ServerChannel, remote: Duplex, activity: () => void): void {
  const touch = atMostEvery(5_000, activity);
  channel.on('data', touch);
  remote.on('data', touch);
  channel.pipe(remote);
  remote.pipe(channel);
  const teardown = () => {
    remote.destroy();
    channel.destroy();
  };
  channel.on('error', teardown).on('close', () => remote.destroy());
  remote.on('error', teardown).on('close', () => channel.end());
}
