import { z } from 'zod';
import { ConfigError } from '../devcontainer/errors';
import { configIssues, issueMessage } from '../devcontainer/issues';
import { formatPropertyPath } from '../devcontainer/propertyPath';
import { LifecycleCommandSchema, MountObjectSchema } from '../devcontainer/schema';
import { NO_SOURCE_MAP, type SourceMap } from '../devcontainer/sourceMap';
import { readJsonc } from '../devcontainer/syntax';

export const FEATURE_METADATA_FILE = 'devcontainer-feature.json';

const OptionValue = z.union([z.string(), z.boolean()], { error: 'must be a string or true/false' });

export const FeatureOptionSchema = z.looseObject({
  type: z.enum(['string', 'boolean']),
  default: OptionValue.optional(),
  enum: z.array(z.string()).optional(),
  proposals: z.array(z.string()).optional(),
  description: z.string().optional(),
});
export type FeatureOption = z.infer<typeof FeatureOptionSchema>;

/** What `dependsOn` (and devcontainer.json's `features`) give a Feature: shorthand or option values. */
export const FeatureOptionsValueSchema = z.union([
  z.string(),
  z.boolean(),
  z.record(z.string(), z.unknown()),
]);
export type FeatureOptionsValue = z.infer<typeof FeatureOptionsValueSchema>;

/** devcontainer-feature.json (https://containers.dev/implementors/features/), loosely: unknown keys are kept. */
export const FeatureMetadataSchema = z.looseObject({
  id: z.string().min(1),
  version: z.string().optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  documentationURL: z.string().optional(),
  options: z.record(z.string(), FeatureOptionSchema).optional(),
  containerEnv: z.record(z.string(), z.string()).optional(),
  mounts: z.array(z.union([z.string(), MountObjectSchema])).optional(),
  init: z.boolean().optional(),
  privileged: z.boolean().optional(),
  capAdd: z.array(z.string()).optional(),
  securityOpt: z.array(z.string()).optional(),
  entrypoint: z.string().optional(),
  customizations: z.record(z.string(), z.unknown()).optional(),
  dependsOn: z.record(z.string(), FeatureOptionsValueSchema).optional(),
  installsAfter: z.array(z.string()).optional(),
  legacyIds: z.array(z.string()).optional(),
  currentId: z.string().optional(),
  deprecated: z.boolean().optional(),
  onCreateCommand: LifecycleCommandSchema.optional(),
  updateContentCommand: LifecycleCommandSchema.optional(),
  postCreateCommand: LifecycleCommandSchema.optional(),
  postStartCommand: LifecycleCommandSchema.optional(),
  postAttachCommand: LifecycleCommandSchema.optional(),
});
export type FeatureMetadata = z.infer<typeof FeatureMetadataSchema>;

/** A parsed devcontainer-feature.json with where it came from, for messages about it. */
export type ParsedFeatureMetadata = {
  metadata: FeatureMetadata;
  /** A file path, or a description such as `localhost:5000/ns/id@sha256:… (manifest annotation)`. */
  file: string;
  sourceMap: SourceMap;
};

function validate(value: unknown, file: string, sourceMap: SourceMap): ParsedFeatureMetadata {
  const result = FeatureMetadataSchema.safeParse(value, { error: issueMessage });
  if (result.success) return { metadata: result.data, file, sourceMap };
  const issues = configIssues(result.error);
  const first = issues[0];
  const words = issues.map((i) =>
    i.path.length ? `"${formatPropertyPath(i.path)}" ${i.message}` : i.message,
  );
  throw new ConfigError(
    {
      code: 'Invalid',
      file,
      message: `not a valid ${FEATURE_METADATA_FILE}: ${words.join('; ')}`,
      position: first ? sourceMap.valueAt(first.path) : undefined,
      property: first ? formatPropertyPath(first.path) : undefined,
    },
    { cause: result.error },
  );
}

/** Parses devcontainer-feature.json text (JSONC, like the reference reads it); errors point at file:line:col. */
export function parseFeatureMetadataText(text: string, file: string): ParsedFeatureMetadata {
  const { value, sourceMap } = readJsonc(text, file);
  return validate(value, file, sourceMap);
}

/** Parses metadata that came without a file (the OCI manifest's `dev.containers.metadata` annotation). */
export function parseFeatureMetadataJson(text: string, source: string): ParsedFeatureMetadata {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      {
        code: 'Syntax',
        file: source,
        message: `Feature metadata is not valid JSON: ${(error as Error).message}`,
      },
      { cause: error },
    );
  }
  return validate(value, source, NO_SOURCE_MAP);
}
