// The consent step of a reconcile: judges what the resolved configuration asks of this machine (host
// access, initializeCommand) against the spec, reports it, and stops before anything reaches the host
// without consent. The judging is runner/policy's; this is the glue to status and conditions.

import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { EnvironmentConditions as C, type Environment, type HostAccessItem } from '../../api';
import type { ResolvedDevcontainer } from '../../devcontainer';
import type { HostContext, LocatedContainerRequest } from '../../policy/containerRequest';
import { judgeHostAccess, type HostAccessDecision } from '../../policy/hostAccess';
import { initializeConsent, type InitializeConsent } from '../../policy/initializeConsent';
import type { ContainerAction } from './decide';
import { TerminalError } from '../controller';
import { cloneDir } from './source';
import type { StatusDraft } from './statusDraft';

export type ConsentCheck = { hostAccess: HostAccessDecision; initialize?: InitializeConsent };

/** Items kept in status, and named in a condition message, at most: the rest are counted. */
const MAX_ITEMS = 50;
const MAX_NAMED = 10;

/** The engine's unix socket when DOCKER_HOST names one (the default one is known by name). */
function dockerHostSocket(env: NodeJS.ProcessEnv): string[] {
  const host = env.DOCKER_HOST;
  return host?.startsWith('unix://') ? [host.slice('unix://'.length)] : [];
}

function realPath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/**
 * What the policy knows about the machine the container runs on. A remote host's paths are its own:
 * this machine's home, state folder and symlinks say nothing about them.
 */
export function hostContextFor(
  env: Environment,
  opts: { stateDir?: string; sourcesDir: string; remote: boolean; hostMemoryBytes: number },
): HostContext {
  const resources = env.spec.resources;
  const common: HostContext = {
    workspaceFolder: env.spec.source.folder ?? cloneDir(env, opts.sourcesDir),
    hostMemoryBytes: opts.hostMemoryBytes,
    budgetsSetBySpec: { memory: resources?.memory !== undefined, pids: resources?.pids !== undefined },
  };
  if (opts.remote) return common;
  return {
    ...common,
    home: homedir(),
    ...(opts.stateDir ? { stateDir: opts.stateDir } : {}),
    engineSockets: dockerHostSocket(process.env),
    ...(process.env.SSH_AUTH_SOCK ? { sshAuthSock: process.env.SSH_AUTH_SOCK } : {}),
    realPath,
  };
}

/** Judges the resolved configuration: one call, wherever its requests came from. */
export function checkConsent(
  env: Environment,
  resolved: ResolvedDevcontainer,
  ctx: HostContext,
): ConsentCheck {
  const initialize = initializeConsent(env.spec, resolved.lifecycle.initializeCommand);
  return {
    hostAccess: judgeHostAccess(resolved.hostRequests, env.spec, ctx),
    ...(initialize ? { initialize } : {}),
  };
}

/** The check again with `more` requests (a Compose project's services) judged beside the config's. */
export function withMoreRequests(
  check: ConsentCheck,
  env: Environment,
  resolved: ResolvedDevcontainer,
  more: readonly LocatedContainerRequest[],
  ctx: HostContext,
): ConsentCheck {
  return { ...check, hostAccess: judgeHostAccess([...resolved.hostRequests, ...more], env.spec, ctx) };
}

function listed(items: readonly HostAccessItem[]): string {
  const named = items.slice(0, MAX_NAMED).map((i) => i.message);
  const more = items.length - named.length;
  return named.join('; ') + (more > 0 ? `; and ${more} more (devrig get shows them all)` : '');
}

/**
 * Reports the check in status and conditions and throws a TerminalError (retried only once the spec
 * changes) when something that needs consent is about to happen without it: a container made with
 * refused host access, or initializeCommand run without consent to that exact command. Refusals that
 * nothing acts on now (an edited config while the container from before runs) are reported as Unknown:
 * they are what a rebuild or start will need.
 */
export function reportConsent(
  draft: StatusDraft,
  env: Environment,
  check: ConsentCheck,
  action: ContainerAction,
): void {
  const running = env.spec.state === 'Running';
  const makesContainer = running && (action.type === 'create' || action.type === 'recreate');
  const runsInitialize = running && (makesContainer || action.type === 'start' || action.type === 'restart');
  const { allowed, refused } = check.hostAccess;
  // Absent rather than undefined when empty: an unchanged status must compare equal (no write).
  if (allowed.length || refused.length) {
    draft.status.hostAccess = { allowed: allowed.slice(0, MAX_ITEMS), refused: refused.slice(0, MAX_ITEMS) };
  } else delete draft.status.hostAccess;
  let blocked: { reason: 'ConsentRequired' | 'Forbidden'; message: string } | undefined;
  if (refused.length === 0) {
    if (allowed.length === 0)
      draft.set(
        C.HostAccessAllowed,
        'True',
        'NothingRequested',
        'the configuration asks for no access to this machine',
      );
    else draft.set(C.HostAccessAllowed, 'True', 'Allowed', `allowed by the spec: ${listed(allowed)}`);
  } else {
    const reason = refused.some((i) => !i.allowance) ? ('Forbidden' as const) : ('ConsentRequired' as const);
    const message = `the configuration asks for access to this machine that the spec does not allow: ${listed(refused)}`;
    draft.set(C.HostAccessAllowed, makesContainer ? 'False' : 'Unknown', reason, message);
    if (makesContainer) blocked = { reason, message };
  }
  const init = check.initialize;
  if (!init) {
    delete draft.status.initializeCommand;
    draft.remove(C.InitializeCommandAllowed);
  } else if (init.allowed) {
    draft.status.initializeCommand = { text: init.text, hash: init.hash, allowed: true, why: init.why };
    draft.set(
      C.InitializeCommandAllowed,
      'True',
      'Allowed',
      `you allowed ${init.why} to run this initializeCommand on this machine: ${init.text}`,
    );
  } else {
    draft.status.initializeCommand = { text: init.text, hash: init.hash, allowed: false, why: init.why };
    const message =
      `${init.why} wants to run this initializeCommand on this machine, as you: ${init.text} — ` +
      `if you trust it, allow exactly this command with spec.allowInitializeCommand: "${init.hash}" (devrig start --allow-initialize)`;
    draft.set(C.InitializeCommandAllowed, runsInitialize ? 'False' : 'Unknown', 'ConsentRequired', message);
    if (runsInitialize) blocked ??= { reason: 'ConsentRequired', message };
  }
  if (!blocked) return;
  // Refused before anything reached the host: no image work, no container, nothing run.
  draft.set(C.Ready, 'False', blocked.reason, blocked.message);
  throw new TerminalError(blocked.message);
}

/** The last guard where initializeCommand runs: never without consent when its source needs it. */
export function assertInitializeAllowed(check: ConsentCheck): void {
  const init = check.initialize;
  if (init && !init.allowed) throw new TerminalError(`initializeCommand of ${init.why} needs consent`);
}
