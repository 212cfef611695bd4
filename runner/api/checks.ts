// What a client checks in what it reads from the runner: WebSocket frames, method results and
// stream events, and runner.json. Checked against the schemas here; the CLI bundle swaps this
// module for checksCompiled.ts, the same checks compiled ahead of time from these same schemas
// (see compileChecks.ts), so that a CLI command does not have to load zod to start.
import { Methods, ServerFrame, type MethodName } from './protocol';
import { RunnerInfo } from './runnerInfo';

export type Checked = { ok: true; value: unknown } | { ok: false; message: string };

/** The frame, or undefined when it is not one. */
export function checkFrame(x: unknown): ServerFrame | undefined {
  const r = ServerFrame.safeParse(x);
  return r.success ? r.data : undefined;
}

export function checkResult(method: MethodName, x: unknown): Checked {
  const r = Methods[method].result.safeParse(x);
  return r.success ? { ok: true, value: r.data } : { ok: false, message: r.error.message };
}

/** The event, or undefined when it cannot be read (a newer runner may send more kinds). */
export function checkEvent(method: MethodName, x: unknown): unknown {
  const def = Methods[method];
  if (!('event' in def)) return undefined;
  const r = def.event.safeParse(x);
  return r.success ? r.data : undefined;
}

export function checkRunnerInfo(x: unknown): RunnerInfo | undefined {
  const r = RunnerInfo.safeParse(x);
  return r.success ? r.data : undefined;
}
