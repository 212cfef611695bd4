/**
 * Framing between the gateway and the agent relay inside the environment (one exec's stdin/stdout
 * carrying every agent connection): `type(1) id(4, BE) length(4, BE) payload`. Pure.
 *
 * relay → gateway: P (id 0, payload = socket path, once), O (a client connected), D (data), C (closed).
 * gateway → relay: D (data), C (close that connection).
 */
export type FrameType = 'P' | 'O' | 'D' | 'C';

export interface Frame {
  type: FrameType;
  id: number;
  payload: Buffer;
}

const HEADER = 9;
/** Agent messages are at most 256 KiB; anything much larger is a broken stream. */
export const MAX_PAYLOAD = 1 << 20;

export function encodeFrame(type: FrameType, id: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(HEADER);
  header.write(type, 0, 'latin1');
  header.writeUInt32BE(id, 1);
  header.writeUInt32BE(payload.length, 5);
  return Buffer.concat([header, payload]);
}

/** Accumulates bytes and yields whole frames; throws on a frame that cannot be valid. */
export class FrameDecoder {
  private buffered: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    const frames: Frame[] = [];
    while (this.buffered.length >= HEADER) {
      const type = String.fromCharCode(this.buffered[0]!);
      const length = this.buffered.readUInt32BE(5);
      if (!'PODC'.includes(type))
        throw new Error(`agent relay sent an unknown frame type ${JSON.stringify(type)}`);
      if (length > MAX_PAYLOAD) throw new Error(`agent relay sent a ${length}-byte frame`);
      if (this.buffered.length < HEADER + length) break;
      frames.push({
        type: type as FrameType,
        id: this.buffered.readUInt32BE(1),
        payload: this.buffered.subarray(HEADER, HEADER + length),
      });
      this.buffered = this.buffered.subarray(HEADER + length);
    }
    return frames;
  }
}
