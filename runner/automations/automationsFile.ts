import { isMap, isScalar, LineCounter, parseDocument, type Document, type Node, type YAMLError } from 'yaml';
import type { z } from 'zod';
import { AutomationsSpec } from '../api';
import { clipName, MAX_AUTOMATIONS_BYTES, MAX_CONFIG_DEPTH, MAX_LISTED_ISSUES, tooDeep } from '../api/limits';
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
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_AUTOMATIONS_BYTES) {
    throw new AutomationsError([
      {
        where: file,
        message: `the file is larger than ${MAX_AUTOMATIONS_BYTES / 1024} KiB; devrig does not read automations files that big`,
      },
    ]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const position = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return `${file}:${p.line}:${p.col}`;
  };
  if (doc.errors.length > 0) {
    throw new AutomationsError(
      listed(doc.errors).map((e) =>
        e === MORE
          ? { where: file, message: `… and ${doc.errors.length - MAX_LISTED_ISSUES} more problems` }
          : { where: position(e.pos[0]), message: yamlErrorMessage(e) },
      ),
      { cause: doc.errors[0] },
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  const locate: Locate = (path, at) => {
    const offset = offsetOf(doc, path, at);
    return offset === undefined ? file : position(offset);
  };
  const deep = tooDeep(raw, MAX_CONFIG_DEPTH);
  if (deep) {
    throw new AutomationsError([{ where: locate(deep), message: `${clipName(dotted(deep))}: ${TOO_DEEP}` }]);
  }
  const parsed = AutomationsSpec.safeParse(raw);
  if (!parsed.success) throw schemaError(parsed.error, locate);
  return parsed.data;
}

/** Checks what the schema cannot: dependencies name tasks, and they form no cycle. */
export function checkTaskGraph(spec: AutomationsSpec, locate: Locate): void {
  const unknown = unknownDependencies(spec.tasks);
  const issues: AutomationsIssue[] = listed(unknown).map((u) =>
    u === MORE
      ? {
          where: locate([]),
          message: `… and ${unknown.length - MAX_LISTED_ISSUES} more unknown dependencies`,
        }
      : {
          where: locate(['tasks', u.task, 'dependsOn']),
          message: `tasks.${u.task}.dependsOn: "${u.dependency}" is not a task`,
        },
  );
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
  let inFile: Locate | undefined;
  checkTaskGraph(merged, (path) => {
    if (inlineTasks.has(String(path[1])) || src.fileText === undefined) return inlineLocation(path);
    // Positions again (cheap: this only runs for a broken graph).
    inFile ??= fileLocator(src.fileText, src.file);
    return inFile(path);
  });
  return merged;
}

function fileLocator(text: string, file: string): Locate {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  return (path) => {
    const offset = offsetOf(doc, path);
    if (offset === undefined) return file;
    const p = lineCounter.linePos(offset);
    return `${file}:${p.line}:${p.col}`;
  };
}

const TOO_DEEP = `nested more than ${MAX_CONFIG_DEPTH} levels deep; devrig does not read files nested that deeply`;

/** Stands for the problems past MAX_LISTED_ISSUES, which are only counted. */
const MORE = Symbol('more');

/** The first MAX_LISTED_ISSUES items, and MORE when there are others: a message stays a screenful. */
function listed<T>(items: readonly T[]): (T | typeof MORE)[] {
  return items.length <= MAX_LISTED_ISSUES ? [...items] : [...items.slice(0, MAX_LISTED_ISSUES), MORE];
}

function yamlErrorMessage(e: YAMLError): string {
  // The parser reports running out of stack on deep nesting; say what that means.
  return e.code === 'RESOURCE_EXHAUSTION' && /call stack/i.test(e.message) ? TOO_DEEP : firstLine(e.message);
}

function schemaError(error: z.ZodError, locate: Locate): AutomationsError {
  // Only the listed issues are located: finding each is a walk through the document.
  const issues = listed(error.issues).map((i) => {
    if (i === MORE) {
      return { where: locate([]), message: `… and ${error.issues.length - MAX_LISTED_ISSUES} more problems` };
    }
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
