// Build time only (esbuild.mjs, and the test that holds the two together): compiles checks.ts's
// checks ahead of time, from the same zod schemas by way of JSON Schema, into plain JavaScript
// that needs neither zod nor ajv to run. The CLI bundle uses it (checksCompiled.ts).
import Ajv2020 from 'ajv/dist/2020';
import standaloneCode from 'ajv/dist/standalone';
import { z } from 'zod';
import { checkName } from './checkName';
import { Environment } from './environment';
import { Host } from './host';
import { Methods, ServerFrame, type MethodName } from './protocol';
import { RunnerInfo } from './runnerInfo';

/**
 * JSON Schemas of everything checks.ts checks, by id, shared parts by reference; and which id
 * checks each method's result and event (methods sharing a schema share its id).
 */
function checkSchemas(): {
  schemas: Record<string, Record<string, unknown>>;
  checks: Record<string, string>;
} {
  const registry = z.registry<{ id: string }>();
  const ids = new Map<z.ZodType, string>();
  const add = (schema: z.ZodType, id: string): string => {
    const known = ids.get(schema);
    if (known) return known;
    ids.set(schema, id);
    registry.add(schema, { id });
    return id;
  };
  // Referenced rather than repeated in every message that carries them.
  add(Environment, 'Environment');
  add(Host, 'Host');
  const checks: Record<string, string> = {
    frame: add(ServerFrame, 'frame'),
    runnerInfo: add(RunnerInfo, 'runnerInfo'),
  };
  for (const [method, def] of Object.entries(Methods) as [MethodName, (typeof Methods)[MethodName]][]) {
    checks[checkName('result', method)] = add(def.result, checkName('result', method));
    if ('event' in def) checks[checkName('event', method)] = add(def.event, checkName('event', method));
  }
  const { schemas } = z.toJSONSchema(registry, {
    io: 'output',
    unrepresentable: 'any',
    uri: (id) => `${id}.json`,
  });
  // zod strips keys it does not know; here they are let through (a newer runner may send more).
  return {
    schemas: Object.fromEntries(
      Object.entries(schemas).map(([id, s]) => [id, lenient(s) as Record<string, unknown>]),
    ),
    checks,
  };
}

function lenient(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(lenient);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'additionalProperties' && v === false) continue;
    out[k] = lenient(v);
  }
  return out;
}

/**
 * The compiled checks as a CommonJS module: one export per check name (`frame`, `runnerInfo`,
 * `result_<method>`, `event_<method>`), each `(data) => boolean` with `.errors` after a failure.
 */
export function compiledChecksSource(): string {
  const { schemas, checks } = checkSchemas();
  const ajv = new Ajv2020({
    code: { source: true, esm: false, lines: false, optimize: true },
    strict: false,
    allErrors: false,
    // Formats and unicode mode would check more (or otherwise) than zod does.
    validateFormats: false,
    unicodeRegExp: false,
    // One function per shared schema (Environment, Host) instead of a copy wherever it is used.
    inlineRefs: false,
    messages: false,
  });
  for (const [id, s] of Object.entries(schemas)) ajv.addSchema(s, `${id}.json`);
  return standaloneCode(
    ajv,
    Object.fromEntries(Object.entries(checks).map(([name, id]) => [name, `${id}.json`])),
  );
}
