// The agent policy's decisions: which environments an AI agent session sees, may delete and may
// create, and what the runner makes of what it applies. Pure; agentPolicy.ts applies them to the API.
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import {
  AGENT_LABEL,
  ApiError,
  agentSessionOf,
  parseBytes,
  type AgentIdentity,
  type AgentsConfig,
  type Environment,
  type EnvironmentSpec,
} from '../api';

export interface AgentView {
  identity: AgentIdentity;
  config: AgentsConfig;
}

/** Where the runner lives on this machine: never a workspace an agent may mount. */
export interface HostPaths {
  home: string;
  stateDir: string;
}

type EnvironmentApplyInput = {
  kind: 'Environment';
  metadata: { name: string; resourceVersion?: string; labels?: Record<string, string> };
  spec: EnvironmentSpec;
};

const HOW_TO_ALLOW = 'to let agents use one of yours: devrig config set agents.environments NAME,…';

export function forbidden(message: string): ApiError {
  return new ApiError('Forbidden', message);
}

/** Agent environments (any session's) and the user's environments listed in `agents.environments`. */
export function canSee(env: Environment, a: AgentView): boolean {
  return agentSessionOf(env) !== undefined || (a.config.environments ?? []).includes(env.metadata.name);
}

export function canDelete(env: Environment, a: AgentView): boolean {
  if (agentSessionOf(env) === a.identity.session) return true;
  return a.config.delete === 'visible' && canSee(env, a);
}

export function notVisible(name: string): ApiError {
  return forbidden(`environment "${name}" is not available to AI agents (${HOW_TO_ALLOW})`);
}

export function notDeletable(env: Environment): ApiError {
  const owner = agentSessionOf(env);
  return forbidden(
    `environment "${env.metadata.name}" was not created by this agent session` +
      `${owner ? ` (but by agent session ${owner})` : ''}: an agent deletes only what it created ` +
      '(devrig config set agents.delete visible lets it delete everything it can see)',
  );
}

function inside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** A folder that may never be an agent's workspace, nor a root for them: /, home, the runner's state. */
function hostSensitive(folder: string, host: HostPaths): string | undefined {
  if (folder === path.parse(folder).root) return 'the root folder';
  if (folder === path.resolve(host.home)) return 'your home folder';
  if (inside(host.stateDir, folder) || inside(folder, host.stateDir)) return "the runner's state folder";
  return undefined;
}

/** Where an agent may make environments from: the session's folders and `agents.folders`, minus sensitive ones. */
export function agentFolderRoots(a: AgentView, host: HostPaths): string[] {
  return [...a.identity.folders, ...(a.config.folders ?? [])]
    .map((f) => path.resolve(f))
    .filter((f) => hostSensitive(f, host) === undefined);
}

/**
 * Refuses a workspace folder outside the agent's roots (`realFolder` is the folder with symlinks
 * resolved: a link inside a root must not lead out of it).
 */
export function checkAgentFolder(realFolder: string, a: AgentView, host: HostPaths): void {
  const folder = path.resolve(realFolder);
  const sensitive = hostSensitive(folder, host);
  if (sensitive) throw forbidden(`spec.source.folder: ${folder} is ${sensitive}; agents may not mount it`);
  const roots = agentFolderRoots(a, host);
  if (roots.some((r) => inside(folder, r))) return;
  throw forbidden(
    `spec.source.folder: ${folder} is outside the folders this agent session may use` +
      ` (${roots.length ? roots.join(', ') : 'none'}); allow more with: devrig config set agents.folders DIR,…`,
  );
}

/** Network transports only: `file://`, local paths and `ext::` (which runs a command) stay out. */
export function checkAgentGitUrl(url: string): void {
  if (/^(https?|ssh|git):\/\/[^/]/i.test(url) || /^[\w.-]+@[\w.-]+:[^/]/.test(url)) return;
  throw forbidden(`spec.source.git.url: ${url}: agents may clone over https, ssh or git:// only`);
}

const CHANGEABLE_ON_USER_ENVIRONMENTS = ['state', 'restart', 'rebuild'] as const;

/**
 * What the runner applies for an agent: refused with a clear error when it is not allowed, else
 * the resource with the agent label (the creating session's, kept on updates), the configured
 * network and resource budgets in force.
 */
export function agentApply(
  input: EnvironmentApplyInput,
  existing: Environment | undefined,
  a: AgentView,
): EnvironmentApplyInput {
  const name = input.metadata.name;
  if (existing && !canSee(existing, a)) throw notVisible(name);
  if (existing && agentSessionOf(existing) === undefined) {
    // One of the user's own, listed for agents: start/stop/restart/rebuild it, nothing else.
    const strip = (s: EnvironmentSpec) => {
      // As the store compares: what a reload from disk would give (no undefined members).
      const copy = JSON.parse(JSON.stringify(s)) as Record<string, unknown>;
      for (const k of CHANGEABLE_ON_USER_ENVIRONMENTS) delete copy[k];
      return copy;
    };
    if (!isDeepStrictEqual(strip(input.spec), strip(existing.spec))) {
      throw forbidden(
        `environment "${name}" is yours: an agent may start, stop, restart or rebuild it, not change its spec`,
      );
    }
    return { ...input, metadata: { ...input.metadata, labels: undefined } };
  }
  const spec = { ...input.spec };
  if (spec.allowPrivileged) throw forbidden('spec.allowPrivileged: agents may not allow privileged options');
  if (a.config.network === 'none') spec.network = 'none';
  spec.resources = cappedResources(spec.resources, a.config.resources);
  const session = existing ? agentSessionOf(existing)! : a.identity.session;
  const labels = { ...(input.metadata.labels ?? existing?.metadata.labels ?? {}), [AGENT_LABEL]: session };
  return { ...input, spec, metadata: { ...input.metadata, labels } };
}

/** The agent's own budget request within `cap` (an error when above it); the cap when it asks for none. */
export function cappedResources(
  asked: EnvironmentSpec['resources'],
  cap: AgentsConfig['resources'],
): EnvironmentSpec['resources'] {
  if (!cap) return asked;
  const out = { ...asked };
  const over = (what: string, v: string | number, max: string | number) =>
    forbidden(`spec.resources.${what}: ${v} is more than agents may use (${max}, agents.resources.${what})`);
  if (cap.cpus !== undefined) {
    if (out.cpus !== undefined && out.cpus > cap.cpus) throw over('cpus', out.cpus, cap.cpus);
    out.cpus ??= cap.cpus;
  }
  if (cap.memory !== undefined) {
    if (out.memory !== undefined && (parseBytes(out.memory) ?? 0) > (parseBytes(cap.memory) ?? 0)) {
      throw over('memory', out.memory, cap.memory);
    }
    out.memory ??= cap.memory;
  }
  if (cap.pids !== undefined) {
    if (out.pids !== undefined && out.pids > cap.pids) throw over('pids', out.pids, cap.pids);
    out.pids ??= cap.pids;
  }
  return out;
}
