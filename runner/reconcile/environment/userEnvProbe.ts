import { randomBytes } from 'node:crypto';
import type { UserEnvProbe } from '../../devcontainer';
import { readContainerFile, writeContainerFile } from '../../providers/containerFile';
import type { ContainerProvider } from '../../providers/provider';

/** What devcontainer.json's userEnvProbe means when it is not written (the spec's default). */
export const DEFAULT_USER_ENV_PROBE: UserEnvProbe = 'loginInteractiveShell';

/** A shell profile waiting for input must not hold up the environment. */
export const PROBE_TIMEOUT_MS = 10_000;

const SHELL_FLAGS: Record<Exclude<UserEnvProbe, 'none'>, string> = {
  loginInteractiveShell: '-lic',
  loginShell: '-lc',
  interactiveShell: '-ic',
};

/**
 * The command that prints the user's environment as their shell sets it up, between two markers
 * (profiles may print banners around it): NUL-separated from /proc/self/environ, else printenv.
 */
export function probeCommand(probe: Exclude<UserEnvProbe, 'none'>, shell: string, marker: string): string[] {
  const body = `printf %s ${marker}; cat /proc/self/environ 2>/dev/null || printenv; printf %s ${marker}`;
  return [shell, SHELL_FLAGS[probe], body];
}

/**
 * The variables between the markers; NUL-separated (environ) or, without NULs, one per line
 * (printenv). PWD and the shell's bookkeeping (SHLVL, _) say nothing about the user's setup. Pure.
 */
export function parseProbeOutput(stdout: string, marker: string): Record<string, string> | undefined {
  const start = stdout.indexOf(marker);
  const end = stdout.lastIndexOf(marker);
  if (start < 0 || end <= start) return undefined;
  const body = stdout.slice(start + marker.length, end);
  const entries = body.includes('\0') ? body.split('\0') : body.split('\n');
  const env: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  for (const noise of ['PWD', 'OLDPWD', 'SHLVL', '_']) delete env[noise];
  return env;
}

/**
 * The probed PATH with the container's own entries it lacks put back where they were (a profile
 * that sets PATH from scratch must not lose the image's tools); sbin folders only for root, as in
 * the reference. Pure.
 */
export function mergePaths(probed: string, container: string, root: boolean): string {
  const out = probed.split(':');
  let at = 0;
  for (const dir of container.split(':')) {
    const found = out.indexOf(dir);
    if (found >= 0) at = found + 1;
    else if (root || !/\/sbin(\/|$)/.test(dir)) out.splice(at++, 0, dir);
  }
  return out.join(':');
}

/** `name:x:uid:gid:gecos:home:shell` → the login shell of `user` (by name or uid). */
export function loginShellOf(passwd: string, user: string): string | undefined {
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f.length >= 7 && (f[0] === user || f[2] === user) && f[6]) return f[6].trim();
  }
  return undefined;
}

export type ProbeResult = { env: Record<string, string>; note?: string };

/** Where a container keeps its probe result (lost with the container, as it should be). */
const CACHE_DIR = '/var/lib/devrig/userenv';

function cachePath(user: string, probe: UserEnvProbe): string {
  return `${CACHE_DIR}/${probe}-${user.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`;
}

async function execText(
  provider: ContainerProvider,
  containerId: string,
  cmd: string[],
  user: string,
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; timedOut: boolean }> {
  const p = await provider.exec(containerId, { cmd, user, tty: false, stdin: false });
  let stdout = '';
  p.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  p.stderr.resume();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void p.signal('KILL').catch(() => {});
  }, timeoutMs);
  try {
    const { code } = await p.wait();
    return { code, stdout, timedOut };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Probes the remote user's environment once per container start (bounded by `timeoutMs`) and keeps
 * it inside the container keyed by its StartedAt, so a restarted runner does not probe again. A probe
 * that fails or times out gives {} with a note saying why: sessions still work, without the profile.
 */
export async function probeUserEnv(
  provider: ContainerProvider,
  container: { id: string; startedAt: string; env?: Record<string, string> },
  opts: { user: string; probe?: UserEnvProbe; timeoutMs?: number },
): Promise<ProbeResult> {
  const probe = opts.probe ?? DEFAULT_USER_ENV_PROBE;
  if (probe === 'none') return { env: {} };
  const file = cachePath(opts.user, probe);
  const cached = await readContainerFile(provider, container.id, file).catch(() => undefined);
  if (cached) {
    try {
      const parsed = JSON.parse(cached) as { startedAt?: string; env?: Record<string, string> };
      if (parsed.startedAt === container.startedAt && parsed.env) return { env: parsed.env };
    } catch {
      /* a damaged cache is probed again */
    }
  }
  const timeoutMs = opts.timeoutMs ?? PROBE_TIMEOUT_MS;
  const passwd = await execText(provider, container.id, ['cat', '/etc/passwd'], 'root', timeoutMs);
  const shell = loginShellOf(passwd.stdout, opts.user.split(':')[0] ?? opts.user) ?? '/bin/sh';
  const marker = `devrig-${randomBytes(8).toString('hex')}`;
  const run = await execText(
    provider,
    container.id,
    probeCommand(probe, shell, marker),
    opts.user,
    timeoutMs,
  );
  if (run.timedOut) {
    return {
      env: {},
      note: `userEnvProbe: ${shell} ${SHELL_FLAGS[probe]} did not finish within ${timeoutMs / 1000} s (a profile waiting for input?); the profile's variables are not used`,
    };
  }
  const env = parseProbeOutput(run.stdout, marker);
  if (!env) return { env: {}, note: `userEnvProbe: ${shell} printed no environment (exit code ${run.code})` };
  const containerPath = container.env?.PATH;
  if (env.PATH && containerPath)
    env.PATH = mergePaths(env.PATH, containerPath, opts.user === 'root' || opts.user === '0');
  await writeContainerFile(
    provider,
    container.id,
    file,
    JSON.stringify({ startedAt: container.startedAt, env }),
    0o600,
  ).catch(() => {});
  return { env };
}
