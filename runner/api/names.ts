// No schemas here: the CLI's fast path checks names without loading zod.

/** Names become SSH host aliases (`devrig-<name>`), container and volume names: DNS-label rules. */
export const NAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;
export const NAME_RULE =
  'must be 1-40 characters of lowercase letters, digits and "-", starting and ending with a letter or digit';
