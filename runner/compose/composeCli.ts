import * as path from 'node:path';
import { lastLines, ProgramNotFoundError, runProcess, type ProcessRunner } from './composeProcess';

/** How to run Docker Compose v2: `command ...args <compose arguments>`. */
export interface ComposeCli {
  command: string;
  /** `['compose']` for the docker CLI plugin, `[]` for a standalone binary. */
  args: string[];
  version: string;
  kind: 'plugin' | 'standalone';
}

export type ComposeVersion = { major: number; minor: number; patch: number };

/** `v2.26.1`, `2.26.1-4` (Debian), `1.29.2`, `docker-compose version 1.29.2, build …` → numbers. */
export function parseComposeVersion(text: string): ComposeVersion | undefined {
  const match = /v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? 0) };
}

/** Compose cannot be used: none was found, or only v1 (the Python one, which devrig does not drive). */
export class ComposeUnavailableError extends Error {
  constructor(
    readonly reason: 'ComposeNotFound' | 'ComposeUnsupported',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ComposeUnavailableError';
  }
}

type Candidate = { label: string; command: string; args: string[]; kind: ComposeCli['kind'] };

/** What was tried and what it answered, for the message when nothing fits. */
type Attempt = { label: string; outcome: 'missing' | 'failed' | 'v1'; detail: string };

export interface FindComposeOptions {
  /** A configured program (runner config `compose.path`): a docker-compose binary, or a docker CLI. */
  configured?: string;
  env?: NodeJS.ProcessEnv;
  run?: ProcessRunner;
}

function candidates(configured: string | undefined): Candidate[] {
  if (configured) {
    const plugin = path.basename(configured) === 'docker';
    return [
      {
        label: plugin ? `${configured} compose` : configured,
        command: configured,
        args: plugin ? ['compose'] : [],
        kind: plugin ? 'plugin' : 'standalone',
      },
    ];
  }
  return [
    { label: 'docker compose', command: 'docker', args: ['compose'], kind: 'plugin' },
    { label: 'docker-compose', command: 'docker-compose', args: [], kind: 'standalone' },
  ];
}

async function probe(
  candidate: Candidate,
  run: ProcessRunner,
  env: NodeJS.ProcessEnv | undefined,
): Promise<ComposeCli | Attempt> {
  let result;
  try {
    result = await run(candidate.command, [...candidate.args, 'version', '--short'], {
      env,
      timeoutMs: 20_000,
    });
  } catch (e) {
    if (e instanceof ProgramNotFoundError)
      return { label: candidate.label, outcome: 'missing', detail: 'not found' };
    return { label: candidate.label, outcome: 'failed', detail: (e as Error).message };
  }
  const text = result.stdout.trim();
  const version = parseComposeVersion(text);
  if (result.code !== 0 || !version) {
    // `docker compose` without the plugin: docker says "'compose' is not a docker command".
    return {
      label: candidate.label,
      outcome: 'failed',
      detail: lastLines(result.stderr || text) || `exit code ${result.code}`,
    };
  }
  if (version.major < 2) return { label: candidate.label, outcome: 'v1', detail: text };
  return {
    command: candidate.command,
    args: candidate.args,
    version: text.replace(/^v/, ''),
    kind: candidate.kind,
  };
}

/**
 * Finds Docker Compose v2: a configured program, else the docker CLI's compose plugin, else a
 * standalone `docker-compose` on PATH. Compose v1 is refused by name. Throws ComposeUnavailableError
 * saying what was tried.
 */
export async function findComposeCli(opts: FindComposeOptions = {}): Promise<ComposeCli> {
  const run = opts.run ?? runProcess;
  const attempts: Attempt[] = [];
  for (const candidate of candidates(opts.configured)) {
    const found = await probe(candidate, run, opts.env);
    if ('command' in found) return found;
    attempts.push(found);
  }
  const tried = attempts.map(
    (a) => `${a.label}: ${a.outcome === 'v1' ? `Compose v1 (${a.detail})` : a.detail}`,
  );
  const v1 = attempts.find((a) => a.outcome === 'v1');
  if (v1) {
    throw new ComposeUnavailableError(
      'ComposeUnsupported',
      `only Docker Compose v1 was found (${tried.join('; ')}); devrig needs Compose v2: install the docker compose plugin or a docker-compose v2 binary`,
    );
  }
  throw new ComposeUnavailableError(
    'ComposeNotFound',
    `Docker Compose v2 was not found (${tried.join('; ')}); install the docker compose plugin or a docker-compose v2 binary, or name it with \`devrig config set compose.path PATH\``,
  );
}
