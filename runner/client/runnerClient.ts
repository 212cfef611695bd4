import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
// Only modules without schemas at run time (types aside): the CLI loads this without zod.
import { ApiError } from '../api/apiError';
import { checkEvent, checkFrame, checkResult } from '../api/checks';
import type {
  EventOf,
  MethodName,
  ParamsOf,
  ResultOf,
  ServerFrame,
  StreamMethodName,
  UnaryMethodName,
} from '../api/protocol';
import { API_VERSION, VERSION, tokenHeaderValue } from '../api/version';

export interface StreamHandle<R> {
  id: number;
  result: R;
  /** Resolves when the runner ends the stream; rejects with its error. */
  done: Promise<void>;
  cancel(): Promise<void>;
}

interface Pending {
  method: MethodName;
  resolve(v: unknown): void;
  reject(e: Error): void;
  onEvent?: (e: unknown) => void;
  stream?: { resolveDone(): void; rejectDone(e: Error): void; started: boolean };
}

export interface ConnectOptions {
  port: number;
  token: string;
  client: string;
  timeoutMs?: number;
  /** This connection acts for an AI agent: the runner holds it to the agent policy. */
  agent?: ParamsOf<'hello'>['agent'];
}

/**
 * A typed connection to the runner. Every frame from the runner is validated
 * against the same schemas the runner uses.
 */
export class RunnerClient extends EventEmitter<{ close: [code: number, reason: string] }> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;
  runnerVersion = '';
  /** The API version the runner speaks; only hello and shutdown are sure to work when it is not ours. */
  runnerApiVersion = 0;
  runnerPid = 0;
  /** The agent session the runner holds this connection to (see ConnectOptions.agent). */
  agentSession: string | undefined;

  private constructor(private readonly ws: WebSocket) {
    super();
    ws.on('message', (data) => this.onMessage(data.toString()));
    ws.on('close', (code, reason) => {
      this.closed = true;
      const err = new ApiError(
        'Unavailable',
        `connection to the runner closed (${code} ${reason.toString()})`,
      );
      for (const p of this.pending.values()) {
        if (p.stream?.started) p.stream.rejectDone(err);
        else p.reject(err);
      }
      this.pending.clear();
      this.emit('close', code, reason.toString());
    });
    ws.on('error', () => {});
  }

  /**
   * Opens a connection and says hello. Any runner answers hello, whatever API version it speaks
   * (`runnerApiVersion`): callers decide what to do with one that speaks another. The socket is
   * closed whenever connecting fails.
   */
  static async connect(opts: ConnectOptions): Promise<RunnerClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${opts.port}/`, {
      headers: { authorization: tokenHeaderValue(opts.token) },
      handshakeTimeout: opts.timeoutMs ?? 5000,
      maxPayload: 64 * 1024 * 1024,
      // The runner does not compress (loopback): offering it only costs the handshake.
      perMessageDeflate: false,
    });
    ws.on('error', () => {});
    try {
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('unexpected-response', (_req, res) =>
          reject(
            new ApiError(
              res.statusCode === 401 ? 'Unauthorized' : 'Unavailable',
              `runner refused the connection: HTTP ${res.statusCode}`,
            ),
          ),
        );
        ws.once('error', (e) =>
          reject(
            new ApiError(
              'Unavailable',
              `cannot reach the runner on port ${opts.port}: ${e.message}`,
              undefined,
              { cause: e },
            ),
          ),
        );
      });
      const client = new RunnerClient(ws);
      const hello = await client.call('hello', {
        client: opts.client,
        version: VERSION,
        apiVersion: API_VERSION,
        ...(opts.agent ? { agent: opts.agent } : {}),
      });
      client.runnerVersion = hello.version;
      client.agentSession = hello.agent?.session;
      client.runnerApiVersion = hello.apiVersion;
      client.runnerPid = hello.pid;
      return client;
    } catch (e) {
      ws.terminate();
      throw e;
    }
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  call<M extends UnaryMethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    return new Promise((resolve, reject) => {
      const id = this.send(method, params, reject);
      if (id === undefined) return;
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject });
    });
  }

  stream<M extends StreamMethodName>(
    method: M,
    params: ParamsOf<M>,
    onEvent: (event: EventOf<M>) => void,
  ): Promise<StreamHandle<ResultOf<M>>> {
    return new Promise((resolve, reject) => {
      let resolveDone!: () => void;
      let rejectDone!: (e: Error) => void;
      const done = new Promise<void>((res, rej) => {
        resolveDone = res;
        rejectDone = rej;
      });
      done.catch(() => {});
      const id = this.send(method, params, reject);
      if (id === undefined) return;
      this.pending.set(id, {
        method,
        reject,
        onEvent: onEvent as (e: unknown) => void,
        stream: { resolveDone, rejectDone, started: false },
        resolve: (result) =>
          resolve({
            id,
            result: result as ResultOf<M>,
            done,
            cancel: async () => {
              if (!this.pending.has(id) || this.closed) return;
              await this.call('cancel', { id }).catch(() => {});
            },
          }),
      });
    });
  }

  close(): void {
    this.ws.close(1000, 'client closing');
  }

  private send(method: MethodName, params: unknown, reject: (e: Error) => void): number | undefined {
    if (this.closed || this.ws.readyState !== WebSocket.OPEN) {
      reject(new ApiError('Unavailable', 'not connected to the runner'));
      return undefined;
    }
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ id, method, params }));
    return id;
  }

  private onMessage(text: string): void {
    let frame: ServerFrame | undefined;
    try {
      frame = checkFrame(JSON.parse(text));
    } catch {
      frame = undefined;
    }
    if (!frame) {
      this.ws.close(1008, 'malformed frame from runner');
      return;
    }
    const p = this.pending.get(frame.id);
    if (!p) return;
    if ('error' in frame) {
      this.pending.delete(frame.id);
      const err = ApiError.from(frame.error);
      if (p.stream?.started) p.stream.rejectDone(err);
      else p.reject(err);
    } else if ('result' in frame) {
      const r = checkResult(p.method, frame.result);
      if (!r.ok) {
        this.pending.delete(frame.id);
        p.reject(new ApiError('Internal', `the runner sent an invalid ${p.method} result: ${r.message}`));
        return;
      }
      if (p.stream) p.stream.started = true;
      else this.pending.delete(frame.id);
      p.resolve(r.value);
    } else if ('event' in frame) {
      const e = checkEvent(p.method, frame.event);
      // A runner newer than us may send more; never act on what we cannot read.
      if (e !== undefined) p.onEvent?.(e);
    } else if ('end' in frame) {
      this.pending.delete(frame.id);
      if (frame.end.error) p.stream?.rejectDone(ApiError.from(frame.end.error));
      else p.stream?.resolveDone();
    }
  }
}
