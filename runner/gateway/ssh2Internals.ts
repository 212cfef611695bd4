/**
 * The two things the gateway needs that ssh2's public server API lacks, reached through its
 * internals (ssh2 1.x: `_protocol`, `_chanMgr`). Both are feature-checked and degrade gracefully,
 * and both are covered by the integration tests, so an ssh2 upgrade that moves them shows up there.
 */
import type { Channel, Connection } from 'ssh2';

/** RFC 4254 §5.1 reason codes. */
export const OPEN_FAILURE = { administrativelyProhibited: 1, connectFailed: 2 } as const;

interface ProtocolInternals {
  channelOpenFail(recipient: number, reason: number, description: string): void;
  openssh_authAgent?(localChannel: number, window: number, packetSize: number): void;
}
interface ConnectionInternals {
  _protocol?: ProtocolInternals;
  _chanMgr?: { add(handler: unknown): number };
}

/**
 * ssh2's channel-open `reject()` always answers "connect failed" with no text. This returns a reject
 * that sends the given reason code and a description ssh prints ("open failed: administratively
 * prohibited: …"), by substituting them in the one failure message `reject()` sends synchronously.
 */
export function channelRejecter(
  client: Connection,
): (reject: () => void, reason: number, description: string) => void {
  const proto = (client as unknown as ConnectionInternals)._protocol;
  if (!proto || typeof proto.channelOpenFail !== 'function') return (reject) => reject();
  const original = proto.channelOpenFail.bind(proto);
  let override: { reason: number; description: string } | undefined;
  proto.channelOpenFail = (recipient, reason, description) =>
    override
      ? original(recipient, override.reason, override.description)
      : original(recipient, reason, description);
  return (reject, reason, description) => {
    override = { reason, description };
    try {
      reject();
    } finally {
      override = undefined;
    }
  };
}

/** ssh2's own channel window and packet size. */
const WINDOW = 2 * 1024 * 1024;
const PACKET_SIZE = 32 * 1024;

/**
 * Opens an `auth-agent@openssh.com` channel to the client (OpenSSH's agent forwarding): the server
 * side of what ssh2's client answers, which its server API has no method for.
 */
export function openAgentChannel(client: Connection): Promise<Channel> {
  const internals = client as unknown as ConnectionInternals;
  const proto = internals._protocol;
  const channels = internals._chanMgr;
  if (!proto?.openssh_authAgent || !channels) {
    return Promise.reject(new Error('this ssh2 version cannot open agent channels'));
  }
  return new Promise((resolve, reject) => {
    // ssh2 calls this back on CHANNEL_OPEN_CONFIRMATION (with a Channel of `type`) or on failure.
    const handler = (err: Error | undefined, channel: Channel) => (err ? reject(err) : resolve(channel));
    handler.type = 'auth-agent@openssh.com';
    const id = channels.add(handler);
    if (id === -1) {
      reject(new Error('no free SSH channels'));
      return;
    }
    proto.openssh_authAgent!(id, WINDOW, PACKET_SIZE);
  });
}
