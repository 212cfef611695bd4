import { ConfigError } from '../devcontainer/errors';
import { formatPropertyPath, type PropertyPath } from '../devcontainer/propertyPath';
import type { SourceMap } from '../devcontainer/sourceMap';
import type { FeatureOption, FeatureOptionsValue } from './featureMetadata';

/** Option values a Feature's install.sh gets, in the order they are written to its env file. */
export type OptionValues = Record<string, string | boolean>;

/** Where a Feature's option values were written: devcontainer.json, or a Feature's `dependsOn`. */
export type OptionsSource = {
  file: string;
  sourceMap: SourceMap;
  /** Path to the Feature's value, e.g. `["features", "./hello"]` or `["dependsOn", "./base"]`. */
  at: PropertyPath;
};

/**
 * The variable an option becomes, exactly as the reference names it: every character that is not a
 * letter, digit or `_` becomes `_`, leading digits and underscores collapse to one `_`, upper case.
 */
export function optionEnvName(option: string): string {
  return option
    .replace(/[^\w_]/g, '_')
    .replace(/^[\d_]+/g, '_')
    .toUpperCase();
}

/**
 * `NAME="value"` lines for the Feature's devcontainer-features.env, sourced by `sh` with `set -a`. The
 * reference writes values unescaped; quotes, backslashes and backticks are escaped here so a value
 * cannot end the string or run a command (`$VAR` still expands, as with the reference).
 */
export function optionEnvLines(values: OptionValues): string[] {
  return Object.entries(values).map(([name, value]) => {
    const text = String(value).replace(/["\\`]/g, '\\$&');
    return `${optionEnvName(name)}="${text}"`;
  });
}

function defaults(declared: Record<string, FeatureOption>): OptionValues {
  const out: OptionValues = {};
  for (const [name, option] of Object.entries(declared)) {
    if (option.default !== undefined) out[name] = option.default;
  }
  return out;
}

type Checked = { ok: true; value: string | boolean } | { ok: false; problem: string };

function checkValue(option: FeatureOption, value: unknown): Checked {
  if (option.type === 'boolean') {
    if (typeof value === 'boolean') return { ok: true, value };
    // The env file gets the same text either way; real configs write "true" often enough.
    if (value === 'true' || value === 'false') return { ok: true, value };
    return { ok: false, problem: `must be true or false, not ${JSON.stringify(value)}` };
  }
  if (typeof value === 'number') return { ok: false, problem: `must be a string (write "${value}")` };
  if (typeof value !== 'string')
    return { ok: false, problem: `must be a string, not ${JSON.stringify(value)}` };
  if (option.enum && !option.enum.includes(value)) {
    const allowed = option.enum.map((v) => JSON.stringify(v)).join(', ');
    return { ok: false, problem: `must be one of ${allowed}, not ${JSON.stringify(value)}` };
  }
  return { ok: true, value };
}

export type ResolvedOptions = { values: OptionValues; warnings: string[] };

/**
 * Checks what was written for a Feature against the options it declares and adds their defaults. A
 * string is the shorthand for the `version` option (as in the reference); `true`/`false` mean "the
 * defaults". An unknown option or a value of the wrong type is a ConfigError at its file:line:col.
 */
export function resolveOptions(
  feature: string,
  declared: Record<string, FeatureOption> | undefined,
  value: FeatureOptionsValue | undefined,
  source: OptionsSource,
): ResolvedOptions {
  const options = declared ?? {};
  const values = defaults(options);
  const warnings: string[] = [];
  const fail = (at: PropertyPath, message: string, useKey: boolean): never => {
    const property = formatPropertyPath(at);
    throw new ConfigError({
      code: 'Invalid',
      file: source.file,
      message: `"${property}" ${message}`,
      position: useKey ? source.sourceMap.keyAt(at) : source.sourceMap.valueAt(at),
      property,
    });
  };
  if (value === undefined || typeof value === 'boolean') {
    if (value === false) {
      warnings.push(
        `Feature ${feature} is set to false, which does not leave it out (as in the reference); remove the entry to leave it out`,
      );
    }
    return { values, warnings };
  }
  if (typeof value === 'string') {
    const version = options['version'];
    if (!version) {
      warnings.push(
        `Feature ${feature}: a string value sets the "version" option, which this Feature does not have; "${value}" was ignored`,
      );
      return { values, warnings };
    }
    const checked = checkValue(version, value);
    if (!checked.ok) fail(source.at, `(the "version" option of ${feature}) ${checked.problem}`, false);
    return { values: { ...values, version: value }, warnings };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(source.at, 'must be an object of option values, a version string, or true', false);
  }
  for (const [name, given] of Object.entries(value)) {
    const at = [...source.at, name];
    const option = options[name];
    if (!option) {
      const known = Object.keys(options);
      const list = known.length ? `; its options are ${known.join(', ')}` : '; it has no options';
      fail(at, `is not an option of Feature ${feature}${list}`, true);
    } else {
      const checked = checkValue(option, given);
      if (!checked.ok) fail(at, checked.problem, false);
      else values[name] = checked.value;
    }
  }
  return { values, warnings };
}
