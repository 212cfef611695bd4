import type { EventOf, ParsedParamsOf, ResultOf, StreamMethodName, UnaryMethodName } from '../api';

/** What a handler may ask of the connection it answers on (server/connection.ts is one). */
export interface CallConnection {
  /** The controls a stream handler attached for stream `id` (exec input, resize, signals). */
  control(id: number): StreamControl;
  /** Cancels stream `id`. */
  cancel(id: number): void;
}

export interface CallContext {
  /** The request id (also the stream id for stream methods). */
  id: number;
  connection: CallConnection;
  /** Aborted when a stream is cancelled or its connection closes. */
  signal: AbortSignal;
}

/** What a stream handler may do besides sending events; exec uses it for input, resize and signals. */
export interface StreamControl {
  /** Resolves once the input was taken (backpressure for `exec.input`). */
  input?(data: Buffer | undefined, eof: boolean): void | Promise<void>;
  resize?(cols: number, rows: number): void;
  signal?(signal: string): void;
}

export interface StreamSink<E> {
  event(event: E): void;
  end(error?: unknown): void;
  /** undefined while the client keeps up; else resolves when its socket has room again. */
  drained(): Promise<void> | undefined;
  attach(control: StreamControl): void;
}

export type Handlers = {
  [M in UnaryMethodName]: (params: ParsedParamsOf<M>, ctx: CallContext) => Promise<ResultOf<M>>;
} & {
  [M in StreamMethodName]: (
    params: ParsedParamsOf<M>,
    ctx: CallContext,
    sink: StreamSink<EventOf<M>>,
  ) => Promise<ResultOf<M>>;
};

/** The methods the runner's add-ons and subsystems answer (the rest are the core's, apiHandlers.ts). */
export type SshMethod = 'sshInfo';
export type HostMethod = 'host.acceptKey';
export type AutomationsMethod = 'automations.run' | 'automations.start' | 'automations.stop';
export type SecretsMethod = 'secrets.set' | 'secrets.delete' | 'secrets.list';
export type StatsMethod = 'stats';
export type CoreMethod = Exclude<
  keyof Handlers,
  SshMethod | HostMethod | AutomationsMethod | SecretsMethod | StatsMethod
>;

/** The handlers for methods M (each part of the runner exports its own; the runner composes them). */
export type HandlersFor<M extends keyof Handlers> = Pick<Handlers, M>;
