import type { WebSocket } from 'ws';
import {
  ApiError,
  Methods,
  RequestFrame,
  invalid,
  isStreamMethod,
  type ErrorBody,
  type MethodName,
} from '../api';
import { clipName, MAX_FRAME_DEPTH, tooDeep } from '../api/limits';
import type { CallContext, Handlers, StreamControl } from './handlers';

/** Pauses a producer when a slow client lets this much pile up. */
const HIGH_WATER = 4 * 1024 * 1024;

interface OpenStream {
  abort: AbortController;
  control?: StreamControl;
  /** Ends the stream (one `end` frame, whoever ends it first). */
  end?: () => void;
}

/** One client: frames in, validated, dispatched; responses and stream events out. */
export class Connection {
  private readonly streams = new Map<number, OpenStream>();
  /** Set by a protocol error: frames still arriving before the close completes are not run. */
  private closing = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly handlers: Handlers,
    private readonly log: (msg: string) => void,
  ) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return this.protocolError('binary frames are not part of the protocol');
      void this.onFrame(data.toString());
    });
    ws.on('close', () => {
      for (const s of this.streams.values()) s.abort.abort();
      this.streams.clear();
    });
    // Oversized or malformed frames end this connection only (ws closes it after 'error').
    ws.on('error', (e) => this.log(`api: connection error: ${e.message}`));
  }

  private protocolError(message: string): void {
    this.closing = true;
    this.log(`api: closing a connection: ${message}`);
    this.ws.close(1008, message.slice(0, 120));
  }

  private send(frame: unknown): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(frame));
  }

  private async onFrame(text: string): Promise<void> {
    // A client that broke the protocol gets nothing more done, whatever it sent after.
    if (this.closing) return;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return this.protocolError('a frame is not JSON');
    }
    // Deeper than anything the protocol carries: copying or storing it would overflow the stack.
    const deep = tooDeep(raw, MAX_FRAME_DEPTH);
    if (deep) {
      const message = `the request is nested more than ${MAX_FRAME_DEPTH} objects or arrays deep (at ${clipName(deep.join('.'))})`;
      const id = (raw as { id?: unknown }).id;
      if (!Number.isInteger(id)) return this.protocolError(message);
      return this.send({ id, error: { code: 'BadRequest', message } });
    }
    const frame = RequestFrame.safeParse(raw);
    if (!frame.success) return this.protocolError('a frame is not a request');
    const { id, method } = frame.data;
    if (!Object.hasOwn(Methods, method)) {
      return this.send({ id, error: { code: 'BadRequest', message: `unknown method "${method}"` } });
    }
    const m = method as MethodName;
    const parsed = Methods[m].params.safeParse(frame.data.params ?? {});
    if (!parsed.success)
      return this.send({ id, error: invalid(`${method} parameters`, parsed.error).toBody() });
    if (isStreamMethod(m)) return this.startStream(id, m, parsed.data);
    try {
      const handler = this.handlers[m] as (p: unknown, ctx: CallContext) => Promise<unknown>;
      const result = await handler(parsed.data, this.context(id));
      this.send({ id, result });
    } catch (e) {
      this.send({ id, error: toErrorBody(e, this.log) });
    }
  }

  private context(id: number, signal?: AbortSignal): CallContext {
    return { id, connection: this, signal: signal ?? new AbortController().signal };
  }

  private async startStream(id: number, method: MethodName, params: unknown): Promise<void> {
    if (this.streams.has(id)) {
      return this.send({ id, error: { code: 'BadRequest', message: `stream ${id} is already open` } });
    }
    const abort = new AbortController();
    const open: OpenStream = { abort };
    this.streams.set(id, open);
    let started = false;
    let ended = false;
    const pending: unknown[] = [];
    open.end = () => sink.end();
    const sink = {
      event: (event: unknown) => {
        if (ended) return;
        if (!started) pending.push(event);
        else this.send({ id, event });
      },
      end: (error?: unknown) => {
        if (ended) return;
        ended = true;
        const finish = () => {
          this.streams.delete(id);
          this.send({ id, end: error ? { error: toErrorBody(error, this.log) } : {} });
          abort.abort();
        };
        if (started) finish();
        else pending.push(finish);
      },
      drained: () => waitForDrain(this.ws),
      attach: (control: StreamControl) => {
        open.control = control;
      },
    };
    try {
      const handler = this.handlers[method] as (
        p: unknown,
        ctx: CallContext,
        s: typeof sink,
      ) => Promise<unknown>;
      const result = await handler(params, this.context(id, abort.signal), sink);
      this.send({ id, result });
      started = true;
      for (const p of pending.splice(0)) {
        if (typeof p === 'function') p();
        else this.send({ id, event: p });
      }
    } catch (e) {
      this.streams.delete(id);
      abort.abort();
      this.send({ id, error: toErrorBody(e, this.log) });
    }
  }

  cancel(id: number): boolean {
    const s = this.streams.get(id);
    if (!s) return false;
    s.end?.();
    return true;
  }

  control(id: number): StreamControl {
    const c = this.streams.get(id)?.control;
    if (!c) throw new ApiError('NotFound', `no open exec stream ${id} on this connection`);
    return c;
  }
}

function waitForDrain(ws: WebSocket): Promise<void> | undefined {
  if (ws.bufferedAmount < HIGH_WATER || ws.readyState !== ws.OPEN) return undefined;
  return new Promise((resolve) => {
    // ws has no 'drain' event of its own; this only runs while a client is backed up.
    const timer = setInterval(() => {
      if (ws.bufferedAmount < HIGH_WATER / 2 || ws.readyState !== ws.OPEN) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
}

export function toErrorBody(e: unknown, log: (msg: string) => void): ErrorBody {
  if (e instanceof ApiError) return e.toBody();
  const err = e as Error;
  log(`api: internal error: ${err?.stack ?? String(e)}`);
  return { code: 'Internal', message: err?.message ?? String(e) };
}
