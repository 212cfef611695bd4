import { comparePositions, ConfigError, formatLocation, type ConfigWarning } from './errors';
import { configIssues, issueMessage, type ConfigIssue } from './issues';
import { propertyWarnings } from './properties';
import { formatPropertyPath } from './propertyPath';
import { DevcontainerConfigSchema, type DevcontainerConfig } from './schema';
import { NO_SOURCE_MAP, type SourceMap } from './sourceMap';
import { readJsonc } from './syntax';

export type ParsedDevcontainer = {
  config: DevcontainerConfig;
  warnings: ConfigWarning[];
  /** Where properties are written in the file, for messages about them later on. */
  sourceMap: SourceMap;
};

function describe(issue: ConfigIssue): string {
  return issue.path.length === 0
    ? 'the configuration must be a JSON object'
    : `"${formatPropertyPath(issue.path)}" ${issue.message}`;
}

function validate(value: unknown, file: string, sourceMap: SourceMap): ParsedDevcontainer {
  const result = DevcontainerConfigSchema.safeParse(value, { error: issueMessage });
  if (!result.success) {
    const located = configIssues(result.error)
      .map((issue) => ({ ...issue, position: sourceMap.valueAt(issue.path) }))
      .sort((a, b) => comparePositions(a.position, b.position));
    const [first, ...rest] = located;
    // Every issue is listed, one per line, each with its own location; the first is the error's own.
    const more = rest.map((issue) => `\n${formatLocation(file, issue.position)}: ${describe(issue)}`);
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
  const written = value as Record<string, unknown>;
  return { config: result.data, warnings: propertyWarnings(written, file, sourceMap), sourceMap };
}

/** Parses and validates the text of a devcontainer.json; errors and warnings point at file:line:col. */
export function parseDevcontainerText(text: string, file: string): ParsedDevcontainer {
  const { value, sourceMap } = readJsonc(text, file);
  return validate(value, file, sourceMap);
}

/** Validates a config given as a value (e.g. inline in an Environment); messages name paths only. */
export function parseDevcontainerObject(value: unknown, source: string): ParsedDevcontainer {
  return validate(value, source, NO_SOURCE_MAP);
}
