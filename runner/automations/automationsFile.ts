import { isMap, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { AutomationsSpec } from '../api';
import { findCycle, unknownDependencies } from './taskGraph';

export interface AutomationsIssue {
  /** `file:line:col`, `file`, or an API path such as `spec.automations.tasks.build`. */
  where: string;
  message: string;
}

/** Automations that cannot be used, with every place that says why. */
export class AutomationsError extends Error {
  constructor(
    readonly issues: AutomationsIssue[],
    options?: ErrorOptions,
  ) {
    super(issues.map((i) => `${i.where}: ${i.message}`).join('; '), options);
    this.name = 'AutomationsError';
  }
}

type PathPart = string | number;
type Locate = (path: PathPart[], at?: 'key') => string;

/** Parses automations.yaml; bad YAML and schema violations throw an AutomationsError with file:line:col. */
export function parseAutomationsFile(text: string, file: string): AutomationsSpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const position = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return `${file}:${p.line}:${p.col}`;
  };
  if (doc.errors.length > 0) {
    throw new AutomationsError(
      doc.errors.map((e) => ({ where: position(e.pos[0]), message: firstLine(e.message) })),
      { cause: doc.errors[0] },
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  const locate: Locate = (path, at) => {
    const offset = offsetOf(doc, path, at);
    return offset === undefined ? file : position(offset);
  };
  const parsed = AutomationsSpec.safeParse(raw);
  if (!parsed.success) throw schemaError(parsed.error, locate);
  return parsed.data;
}

/** Checks what the schema cannot: dependencies name tasks, and they form no cycle. */
export function checkTaskGraph(spec: AutomationsSpec, locate: Locate): void {
  const issues: AutomationsIssue[] = unknownDependencies(spec.tasks).map(({ task, dependency }) => ({
    where: locate(['tasks', task, 'dependsOn']),
    message: `tasks.${task}.dependsOn: "${dependency}" is not a task`,
  }));
  const cycle = findCycle(spec.tasks);
  if (cycle) {
    issues.push({
      where: locate(['tasks', cycle[0]!, 'dependsOn']),
      message: `tasks depend on each other in a cycle: ${cycle.join(' → ')}`,
    });
  }
  if (issues.length) throw new AutomationsError(issues);
}

/** Where `spec.automations` paths are reported. */
export const inlineLocation: Locate = (path) => ['spec', 'automations', ...path].join('.');

export interface AutomationsSources {
  /** The automations file's text, when there is one. */
  fileText?: string;
  /** How the file is named in messages. */
  file: string;
  inline?: AutomationsSpec;
}

/**
 * The automations in effect: the file's, with spec.automations laid over them (an inline service
 * or task replaces the file's one of the same id). Throws an AutomationsError when unusable.
 */
export function loadAutomations(src: AutomationsSources): AutomationsSpec {
  const fromFile = src.fileText === undefined ? undefined : parseAutomationsFile(src.fileText, src.file);
  const merged: AutomationsSpec = {
    services: { ...fromFile?.services, ...src.inline?.services },
    tasks: { ...fromFile?.tasks, ...src.inline?.tasks },
  };
  const inlineTasks = new Set(Object.keys(src.inline?.tasks ?? {}));
  checkTaskGraph(merged, (path) => {
    if (inlineTasks.has(String(path[1])) || src.fileText === undefined) return inlineLocation(path);
    // Positions again (cheap: this only runs for a broken graph).
    return locateInFile(src.fileText, src.file, path);
  });
  return merged;
}

function locateInFile(text: string, file: string, path: PathPart[]): string {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const offset = offsetOf(doc, path);
  if (offset === undefined) return file;
  const p = lineCounter.linePos(offset);
  return `${file}:${p.line}:${p.col}`;
}

function schemaError(error: z.ZodError, locate: Locate): AutomationsError {
  const issues = error.issues.map((i) => {
    const path = i.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    if (i.code === 'unrecognized_keys') {
      const key = i.keys[0]!;
      const where = [...path, key];
      const names = i.keys.map((k) => `"${k}"`).join(', ');
      return {
        where: locate(where, 'key'),
        message: `${dotted(path) || '(top level)'}: unknown key ${names}`,
      };
    }
    const missing = /^Invalid input: expected (\w+), received undefined$/.exec(i.message);
    // A bad record key (an id): zod's own message is only "Invalid key in record".
    const keyIssue = i.code === 'invalid_key' ? i.issues[0]?.message : undefined;
    const message = missing ? `is required (${missing[1]})` : (keyIssue ?? i.message);
    return { where: locate(path), message: `${dotted(path) || '(top level)'}: ${message}` };
  });
  return new AutomationsError(issues, { cause: error });
}

/** The offset of the node at `path`, or of its nearest ancestor that exists; keys for map entries. */
function offsetOf(doc: Document, path: PathPart[], at?: 'key'): number | undefined {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0];
  for (const part of path) {
    if (!isMap(node)) {
      const child = (node as { items?: unknown[] } | undefined)?.items?.[part as number];
      if (!child) break;
      node = child;
      offset = (child as Node).range?.[0] ?? offset;
      continue;
    }
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(part));
    if (!pair) break;
    offset = (pair.key as Node).range?.[0] ?? offset;
    node = pair.value;
  }
  // A wrong scalar is pointed at itself; anything else at its key.
  if (at !== 'key' && isScalar(node) && path.length && offsetReached(doc, path)) {
    return node.range?.[0] ?? offset;
  }
  return offset;
}

/** Whether every part of `path` exists (offsetOf did not stop at an ancestor). */
function offsetReached(doc: Document, path: PathPart[]): boolean {
  return doc.getIn(path, true) !== undefined;
}

function dotted(path: PathPart[]): string {
  return path.reduce<string>(
    (out, p) => (typeof p === 'number' ? `${out}[${p}]` : out ? `${out}.${p}` : p),
    '',
  );
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
