// The one consent policy for everything that reaches the host. Pure: normalised requests (from any
// source, see hostAccessRequests.ts) and what the spec allows in; what is allowed and what is refused,
// each with a sentence for people (where, what, how to allow it) out.

import { ALLOWANCES, type Allowance } from '../api/allowances';
import type { HostAccessItem } from '../api/consent';
import type { EnvironmentSpec } from '../api/environment';
import type {
  HostAccessRequest,
  HostContext,
  LocatedContainerRequest,
  RequestSource,
} from './containerRequest';
import { hostAccessRequests } from './hostAccessRequests';

export type HostAccessDecision = { allowed: HostAccessItem[]; refused: HostAccessItem[] };

/** What a privileged container has anyway: allowing `privileged` allows these too. */
const PRIVILEGED_INCLUDES: readonly Allowance[] = ['privileged', 'capabilities', 'devices', 'unconfined'];

/** The allowances a spec grants: `allow`, widened by what `privileged` includes; `allowPrivileged` is all. */
export function allowancesOf(
  spec: Pick<EnvironmentSpec, 'allow' | 'allowPrivileged'>,
): ReadonlySet<Allowance> {
  if (spec.allowPrivileged) return new Set(ALLOWANCES);
  const granted = new Set<Allowance>(spec.allow ?? []);
  if (granted.has('privileged')) for (const a of PRIVILEGED_INCLUDES) granted.add(a);
  return granted;
}

/** `file:line:col`, the file alone, or undefined. */
export function sourceLocation(source: RequestSource): string | undefined {
  if (!source.file) return undefined;
  return source.line === undefined ? source.file : `${source.file}:${source.line}:${source.col ?? 1}`;
}

/** `runArgs[2] "--network host"`, `feature "ghcr.io/…/docker-in-docker:2"`, `Compose service "db"`. */
export function describeSource(source: RequestSource): string {
  const written = source.written ? ` "${source.written}"` : '';
  const property = source.property ? `${source.property}${written}` : written.trim();
  switch (source.origin) {
    case 'feature':
      return `feature "${source.name ?? '?'}"${property ? ` ${property}` : ''}`;
    case 'compose':
      return `Compose service "${source.name ?? '?'}"${property ? ` ${property}` : ''}`;
    case 'imageMetadata':
      return `the image${source.name ? ` ${source.name}` : ''}'s metadata${property ? ` ${property}` : ''}`;
    default:
      return property || source.origin;
  }
}

function howToAllow(allowance: Allowance | undefined): string {
  if (!allowance) return 'nothing can allow it: it holds the runner token and devrig’s SSH keys';
  return `allow it with spec.allow: [${allowance}] (devrig up --allow ${allowance})`;
}

function item(
  request: HostAccessRequest,
  allowance: Allowance | undefined,
  allowed: boolean,
): HostAccessItem {
  const location = sourceLocation(request.source);
  const where = describeSource(request.source);
  const head = `${location ? `${location}: ` : ''}${where} asks for ${request.detail}`;
  return {
    ...(allowance ? { allowance } : {}),
    origin: request.source.origin,
    ...(request.source.name !== undefined ? { name: request.source.name } : {}),
    ...(request.source.property !== undefined ? { property: request.source.property } : {}),
    ...(location ? { location } : {}),
    detail: request.detail,
    message: allowed ? `${head} (allowed: ${allowance})` : `${head}; ${howToAllow(allowance)}`,
  };
}

/**
 * Judges normalised requests against what the spec allows. The state folder is refused whatever is
 * allowed. The same request written twice (a repeated flag) is reported once.
 */
export function evaluateHostAccess(
  requests: readonly HostAccessRequest[],
  allowances: ReadonlySet<Allowance>,
): HostAccessDecision {
  const decision: HostAccessDecision = { allowed: [], refused: [] };
  const seen = new Set<string>();
  for (const request of requests) {
    const allowance = request.kind === 'stateFolder' ? undefined : request.kind;
    const ok = allowance !== undefined && allowances.has(allowance);
    const judged = item(request, allowance, ok);
    if (seen.has(judged.message)) continue;
    seen.add(judged.message);
    (ok ? decision.allowed : decision.refused).push(judged);
  }
  return decision;
}

/** The whole policy in one call: every located request from every source, judged against the spec. */
export function judgeHostAccess(
  requests: readonly LocatedContainerRequest[],
  spec: Pick<EnvironmentSpec, 'allow' | 'allowPrivileged'>,
  ctx: HostContext = {},
): HostAccessDecision {
  const normalised = requests.flatMap((r) => hostAccessRequests(r.request, r.source, ctx));
  return evaluateHostAccess(normalised, allowancesOf(spec));
}
