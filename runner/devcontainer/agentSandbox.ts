// What an environment an AI agent created may not ask of its devcontainer.json: anything that reaches
// outside the container (the user's files, devices, namespaces, networks, commands on this machine).
// Checked when it is applied (admission) and again at every reconcile (the agent can edit the
// config inside its workspace). Pure.
import * as path from 'node:path';
import { isAgentEnvironment } from '../api/agentLabels';
import { ConfigError } from './errors';
import type { Mount } from './mounts';
import type { ResolvedDevcontainer } from './resolve';

/** Hardening options an agent environment may still set. */
const SAFE_SECURITY_OPT = /^no-new-privileges(?:[=:]true)?$/;
/** Networks that keep the container to itself (not the host's, not another container's or project's). */
const SAFE_NETWORKS = new Set(['bridge', 'default', 'none']);

function inside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function mountProblem(
  m: Mount,
  where: string,
  sourceFolder: string,
  isWorkspace: boolean,
): string | undefined {
  if (m.type === 'tmpfs') return undefined;
  if (m.type === 'bind') {
    if (isWorkspace && m.source && path.resolve(m.source) === path.resolve(sourceFolder)) return undefined;
    return `${where}: binds ${m.source ?? '?'} from the host into ${m.target}`;
  }
  // An anonymous volume is the container's own; a named one may be another container's data.
  if (m.source) return `${where}: mounts the named volume "${m.source}", which other containers can share`;
  return undefined;
}

/**
 * Every way `resolved` would reach outside an agent's sandbox, one sentence each; empty when none.
 * `sourceFolder` is the folder the config was resolved from (the workspace on the host).
 */
export function agentSandboxViolations(resolved: ResolvedDevcontainer, sourceFolder: string): string[] {
  const out: string[] = [];
  const ra = resolved.runArgs.options;
  if (resolved.lifecycle.initializeCommand.length) {
    out.push('initializeCommand: it would run on the host, outside the container');
  }
  if (resolved.workspaceMount) {
    const p = mountProblem(resolved.workspaceMount, 'workspaceMount', sourceFolder, true);
    if (p) out.push(p);
  }
  resolved.mounts.forEach((m, i) => {
    const p = mountProblem(m, `mounts[${i}]`, sourceFolder, false);
    if (p) out.push(p);
  });
  ra.mounts.forEach((m) => {
    const p = mountProblem(m, 'runArgs (-v/--mount)', sourceFolder, false);
    if (p) out.push(p);
  });
  if (resolved.privileged || ra.privileged) out.push('privileged: the container would have full host access');
  const caps = [...new Set([...resolved.capAdd, ...ra.capAdd])];
  if (caps.length) out.push(`capAdd: ${caps.join(', ')}`);
  const opts = [...resolved.securityOpt, ...ra.securityOpt].filter((o) => !SAFE_SECURITY_OPT.test(o));
  if (opts.length) out.push(`securityOpt: ${opts.join(', ')}`);
  if (ra.devices.length) out.push(`runArgs --device: ${ra.devices.join(', ')}`);
  if (ra.network && !SAFE_NETWORKS.has(ra.network)) {
    out.push(`runArgs --network ${ra.network}: only the default network or none`);
  }
  for (const ns of ['pid', 'ipc', 'userns'] as const) {
    const v = ra[ns];
    if (v === 'host' || v?.startsWith('container:')) out.push(`runArgs --${ns} ${v}`);
  }
  const build = resolved.build;
  if (build && !inside(build.context, sourceFolder)) {
    out.push(`build.context ${build.context} is outside the workspace ${sourceFolder}`);
  }
  if (build && !inside(build.dockerfile, sourceFolder)) {
    out.push(`build.dockerfile ${build.dockerfile} is outside the workspace ${sourceFolder}`);
  }
  return out;
}

/** The host environment variables `${localEnv:…}` may read: none for an agent's environment. */
export function agentLocalEnv(
  env: { metadata: { labels?: Record<string, string> } },
  localEnv: Record<string, string | undefined>,
): Record<string, string | undefined> {
  return isAgentEnvironment(env) ? {} : localEnv;
}

/** Throws a ConfigError naming every violation when `env` is an agent's and its config reaches outside. */
export function checkAgentSandbox(
  env: { metadata: { labels?: Record<string, string> } },
  resolved: ResolvedDevcontainer,
  sourceFolder: string,
): void {
  if (!isAgentEnvironment(env)) return;
  const problems = agentSandboxViolations(resolved, sourceFolder);
  if (problems.length === 0) return;
  throw new ConfigError({
    code: 'Invalid',
    file: resolved.configFile,
    message: `not allowed in an environment an AI agent created (only the workspace and the container itself): ${problems.join('; ')}`,
  });
}
