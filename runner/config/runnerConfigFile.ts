import { stat } from 'node:fs/promises';
import type { z } from 'zod';
import { RUNNER_CONFIG_KEYS, RunnerConfig, zodDetails, type RunnerConfigKey } from '../api';
import { readFileIfExists, writeFileAtomic } from '../state/privateFile';

/** A config file that cannot be used, named with what is wrong. */
export class RunnerConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RunnerConfigError';
  }
}

/** Reads `<state>/config.json`; missing means empty. See RunnerConfigReader for frequent looks. */
export async function readRunnerConfig(path: string): Promise<RunnerConfig> {
  const text = await readFileIfExists(path);
  if (text === undefined || !text.trim()) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new RunnerConfigError(`${path} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  const parsed = RunnerConfig.safeParse(raw);
  if (!parsed.success) {
    throw new RunnerConfigError(`${path} is invalid: ${describeIssues(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/**
 * readRunnerConfig for callers that look often (every reconcile): the file is read and parsed
 * again only when it changed (inode, size, mtime or ctime differ; writes replace it atomically),
 * else a stat is all. A file that is invalid stays an error until it changes.
 */
export class RunnerConfigReader {
  private cached?: { version: string; config?: RunnerConfig; error?: RunnerConfigError };

  constructor(readonly path: string) {}

  /** The current config; do not modify what it returns (it is shared until the file changes). */
  async read(): Promise<RunnerConfig> {
    const version = await fileVersion(this.path);
    if (this.cached?.version !== version) {
      // Stat first, then read: a write in between is seen by the next stat, never missed.
      try {
        this.cached = { version, config: await readRunnerConfig(this.path) };
      } catch (e) {
        if (!(e instanceof RunnerConfigError)) throw e;
        this.cached = { version, error: e };
      }
    }
    if (this.cached.error) throw this.cached.error;
    return this.cached.config!;
  }
}

async function fileVersion(path: string): Promise<string> {
  try {
    const s = await stat(path, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw e;
  }
}

export async function writeRunnerConfig(path: string, config: RunnerConfig): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(config, null, 2) + '\n', 0o600);
}

export function isConfigKey(key: string): key is RunnerConfigKey {
  return key in RUNNER_CONFIG_KEYS;
}

/** A copy of `config` with `key` (dotted) set to `value`, or removed when `value` is undefined. */
export function withConfigValue(
  config: RunnerConfig,
  key: RunnerConfigKey,
  value: string | undefined,
): RunnerConfig {
  const next = structuredClone(config) as Record<string, unknown>;
  const parts = key.split('.');
  let node = next;
  for (const part of parts.slice(0, -1)) {
    const child = node[part];
    node = (node[part] = child && typeof child === 'object' ? child : {}) as Record<string, unknown>;
  }
  const last = parts[parts.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  // Dotfiles without a repository are nothing: unsetting it unsets them all.
  if (value === undefined && (Object.keys(node).length === 0 || key === 'dotfiles.repository')) {
    delete next[parts[0]!];
  }
  const parsed = RunnerConfig.safeParse(next);
  if (!parsed.success) {
    throw new RunnerConfigError(`cannot set ${key}: ${describeIssues(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

export function configValue(config: RunnerConfig, key: RunnerConfigKey): string | undefined {
  let node: unknown = config;
  for (const part of key.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  // Lists (agents.folders) and numbers (agents.resources.cpus) read back as they are set.
  if (Array.isArray(node)) return node.join(',');
  return typeof node === 'string' || typeof node === 'number' ? String(node) : undefined;
}

function describeIssues(error: z.ZodError): string {
  return zodDetails(error)
    .map((d) => `${d.path}: ${d.message}`)
    .join('; ');
}
