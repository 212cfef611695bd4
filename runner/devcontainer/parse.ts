import { clipName, MAX_CONFIG_DEPTH, MAX_LISTED_ISSUES, tooDeep } from '../api/limits';
import { comparePositions, ConfigError, formatLocation, type ConfigWarning } from './errors';
import { configIssues, issueMessage, type ConfigIssue } from './issues';
import { ParseCache } from './parseCache';
import { propertyWarnings } from './properties';
import { formatPropertyPath } from './propertyPath';
import { DevcontainerConfigSchema, type DevcontainerConfig } from './schema';
import { NO_SOURCE_MAP, type Located, type SourceMap } from './sourceMap';
import { readJsonc, type TopLevelKey } from './syntax';

export type ParsedDevcontainer = {
  config: DevcontainerConfig;
  warnings: ConfigWarning[];
  /** Where properties are written in the file, for messages about them later on. */
  sourceMap: SourceMap;
  /** The source map's data, for a config parsed from a file (it can cross to another thread). */
  located?: Located;
};

/** The top-level properties the schema reads; others are only warned about, never validated or built. */
// Features are validated where they are resolved (runner/features, with positions): read and mapped
// here, not checked by the schema.
const READ = new Set([
  ...Object.keys(DevcontainerConfigSchema.shape),
  'features',
  'overrideFeatureInstallOrder',
]);
const isRead = (key: string) => READ.has(key);

function describe(issue: ConfigIssue): string {
  return issue.path.length === 0
    ? 'the configuration must be a JSON object'
    : `"${clipName(formatPropertyPath(issue.path))}" ${issue.message}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The properties the schema reads, so validating costs nothing for thousands of unknown keys. */
function readProperties(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of READ) if (Object.hasOwn(value, key)) out[key] = value[key];
  return out;
}

function validate(
  value: unknown,
  file: string,
  sourceMap: SourceMap,
  topLevelKeys: readonly TopLevelKey[],
): ParsedDevcontainer {
  const read = isRecord(value) ? readProperties(value) : value;
  const result = DevcontainerConfigSchema.safeParse(read, { error: issueMessage });
  if (!result.success) {
    const located = configIssues(result.error)
      .map((issue) => ({ ...issue, position: sourceMap.valueAt(issue.path) }))
      .sort((a, b) => comparePositions(a.position, b.position));
    const [first, ...rest] = located;
    // Every issue is listed, one per line, each with its own location; the first is the error's own.
    // Past a screenful they are only counted: a message is stored and sent with every status.
    const listed = rest.slice(0, MAX_LISTED_ISSUES - 1);
    const more = listed.map((issue) => `\n${formatLocation(file, issue.position)}: ${describe(issue)}`);
    if (rest.length > listed.length) more.push(`\n… and ${rest.length - listed.length} more problems`);
    throw new ConfigError(
      {
        code: 'Invalid',
        file,
        message: (first ? describe(first) : 'invalid configuration') + more.join(''),
        position: first?.position,
        property: first ? formatPropertyPath(first.path) : undefined,
      },
      { cause: result.error },
    );
  }
  // The input, not the output, keeps the keys in the order they were written.
  const written = isRecord(read) ? read : {};
  return {
    config: result.data,
    warnings: propertyWarnings(topLevelKeys, written, file, sourceMap),
    sourceMap,
  };
}

/** Parses and validates the text of a devcontainer.json; errors and warnings point at file:line:col. */
export function parseDevcontainerText(text: string, file: string): ParsedDevcontainer {
  const { value, sourceMap, located, topLevelKeys } = readJsonc(text, file, { readTopLevel: isRead });
  return { ...validate(value, file, sourceMap, topLevelKeys), located };
}

/** Parses a config elsewhere (another thread), with the same outcome as parseDevcontainerText. */
export type ConfigParser = (text: string, file: string) => Promise<ParsedDevcontainer>;

/** Configs at least this long go to the parser set with parseLargeConfigsWith (real ones are a few KiB). */
const LARGE_CONFIG_CHARS = 64 * 1024;
let parseLarge: ConfigParser | undefined;

/** The runner parses large configs on a thread of their own, so its API and SSH gateway keep answering. */
export function parseLargeConfigsWith(parser: ConfigParser | undefined): void {
  parseLarge = parser;
}

const parsedFiles = new ParseCache<Promise<ParsedDevcontainer>>();

/**
 * parseDevcontainerText, remembered by file and content: a resync of an unchanged config does
 * not parse it again (nor does the reconcile after the admission that parsed it). The result is
 * shared: callers must not change it.
 */
export function parseDevcontainerTextCached(text: string, file: string): Promise<ParsedDevcontainer> {
  return parsedFiles.get(file, text, (t) => {
    const parsed =
      parseLarge && t.length >= LARGE_CONFIG_CHARS
        ? parseLarge(t, file)
        : new Promise<ParsedDevcontainer>((resolve) => resolve(parseDevcontainerText(t, file)));
    // A config that fails is remembered failing; whoever asks handles it.
    parsed.catch(() => {});
    return parsed;
  });
}

const parsedObjects = new WeakMap<object, { value?: ParsedDevcontainer; error?: unknown }>();

/**
 * parseDevcontainerObject, remembered for a frozen value (the store's objects are frozen and replaced
 * on every change): a resync of an unchanged inline config does not validate it again.
 */
export function parseDevcontainerObjectCached(value: unknown, source: string): ParsedDevcontainer {
  if (typeof value !== 'object' || value === null || !Object.isFrozen(value)) {
    return parseDevcontainerObject(value, source);
  }
  let outcome = parsedObjects.get(value);
  if (!outcome) {
    try {
      outcome = { value: parseDevcontainerObject(value, source) };
    } catch (error) {
      outcome = { error };
    }
    parsedObjects.set(value, outcome);
  }
  if (!outcome.value) throw outcome.error;
  return outcome.value;
}

/** Validates a config given as a value (e.g. inline in an Environment); messages name paths only. */
export function parseDevcontainerObject(value: unknown, source: string): ParsedDevcontainer {
  const deep = tooDeep(value, MAX_CONFIG_DEPTH);
  if (deep) {
    const property = formatPropertyPath(deep);
    throw new ConfigError({
      code: 'Invalid',
      file: source,
      message: `"${clipName(property)}" is nested more than ${MAX_CONFIG_DEPTH} objects or arrays deep; devrig does not read configs nested that deeply`,
      property,
    });
  }
  return validate(
    value,
    source,
    NO_SOURCE_MAP,
    isRecord(value) ? Object.keys(value).map((key) => ({ key })) : [],
  );
}
