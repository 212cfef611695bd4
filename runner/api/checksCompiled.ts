// checks.ts for the CLI bundle (esbuild.mjs puts this in its place): the same checks, compiled
// ahead of time from the same schemas (compileChecks.ts), so a CLI command starts without zod.
import compiled, { type CompiledCheck } from 'devrig:compiled-checks';
import type { Checked } from './checks';
import { checkName } from './checkName';
import type { MethodName, ServerFrame } from './protocol';
import type { RunnerInfo } from './runnerInfo';

function why(check: CompiledCheck): string {
  const e = check.errors?.[0];
  return e ? `${e.instancePath || '(root)'}: failed ${e.keyword}` : 'does not match';
}

export function checkFrame(x: unknown): ServerFrame | undefined {
  return compiled.frame!(x) ? (x as ServerFrame) : undefined;
}

export function checkResult(method: MethodName, x: unknown): Checked {
  const check = compiled[checkName('result', method)];
  if (!check) return { ok: false, message: `no check for ${method}` };
  return check(x) ? { ok: true, value: x } : { ok: false, message: why(check) };
}

export function checkEvent(method: MethodName, x: unknown): unknown {
  const check = compiled[checkName('event', method)];
  return check?.(x) ? x : undefined;
}

export function checkRunnerInfo(x: unknown): RunnerInfo | undefined {
  return compiled.runnerInfo!(x) ? (x as RunnerInfo) : undefined;
}
