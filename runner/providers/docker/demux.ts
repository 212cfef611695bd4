import { PassThrough, type Readable } from 'node:stream';

/**
 * Splits Docker's multiplexed attach stream (8-byte header: type, 0, 0, 0, size
 * big-endian) into stdout and stderr, pausing the source while a consumer is slow.
 */
export function demux(source: Readable): { stdout: PassThrough; stderr: PassThrough } {
  const stdout = new PassThrough({ highWaterMark: 1 << 20 });
  const stderr = new PassThrough({ highWaterMark: 1 << 20 });
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let frameType = -1;
  let frameLeft = 0;

  const take = (n: number): Buffer => {
    const all = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    pending = rest.length ? [rest] : [];
    pendingBytes = rest.length;
    return out;
  };

  const resume = () => source.resume();
  stdout.on('drain', resume);
  stderr.on('drain', resume);

  source.on('data', (chunk: Buffer) => {
    pending.push(chunk);
    pendingBytes += chunk.length;
    let ok = true;
    for (;;) {
      if (frameLeft === 0) {
        if (pendingBytes < 8) break;
        const header = take(8);
        frameType = header[0]!;
        frameLeft = header.readUInt32BE(4);
        continue;
      }
      if (pendingBytes === 0) break;
      const n = Math.min(frameLeft, pendingBytes);
      const data = take(n);
      frameLeft -= n;
      const target = frameType === 2 ? stderr : stdout;
      if (!target.write(data)) ok = false;
    }
    if (!ok) source.pause();
  });
  const end = () => {
    stdout.end();
    stderr.end();
  };
  source.on('end', end);
  source.on('close', end);
  source.on('error', (e) => {
    stdout.destroy(e);
    stderr.destroy(e);
  });
  return { stdout, stderr };
}
