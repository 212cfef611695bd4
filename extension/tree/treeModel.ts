// Resources → the Environments tree: hosts → environments → ports, automations and unhealthy
// conditions. Pure (no `vscode`): the TreeDataProvider only maps these nodes onto TreeItems.

import { agentSessionOf } from '../../runner/api/agentLabels';
import {
  LOCAL_HOST,
  type AutomationStatus,
  type Condition,
  type Environment,
  type Host,
  type PortStatus,
  type ServiceStatus,
} from '../../runner/api';
import { mdCode, mdText } from './markdown';
import { forwardOf } from '../../runner/presentation/forwardedPort';
import { displayName } from '../../runner/presentation/displayName';
import { automationContextValue, environmentContextValue } from '../../runner/presentation/verbs';
import {
  AUTOMATION_ICONS,
  ENVIRONMENT_ICONS,
  HOST_ICONS,
  SERVICE_ICONS,
  type IconSpec,
} from '../../runner/presentation/phaseStyle';
import {
  humanizeReason,
  phaseDescription,
  truncate,
  unhealthyConditions,
} from '../../runner/presentation/reasonText';
import { environmentTooltip, hostTooltip } from './tooltips';

export type NodeKind = 'message' | 'host' | 'environment' | 'service' | 'port' | 'automation' | 'condition';

export interface ViewNode {
  /** Stable across updates, so VS Code keeps selection and expansion. */
  id: string;
  kind: NodeKind;
  label: string;
  description?: string;
  /** Markdown. */
  tooltip?: string;
  icon?: IconSpec;
  contextValue: string;
  collapsible: 'none' | 'collapsed' | 'expanded';
  children: ViewNode[];
  /** What a click runs. */
  command?: { id: string; title: string; args: unknown[] };
  /** The environment (for environment nodes and their children) or host it belongs to. */
  environment?: string;
  host?: string;
  port?: PortStatus;
  automation?: { kind: 'service' | 'task'; id: string };
}

export type ConnectionSummary =
  { kind: 'connecting' } | { kind: 'connected' } | { kind: 'disconnected'; error: string };

export interface TreeInput {
  connection: ConnectionSummary;
  /** Whether the resources have been listed at least once (they may be stale now). */
  hasData: boolean;
  environments: readonly Environment[];
  hosts: readonly Host[];
}

export const LOCAL_HOST_LABEL = 'Local Docker';

/**
 * The root nodes. Empty only when connected, listed, and there is nothing at all: then (and only then)
 * VS Code shows the view's welcome content (package.json `viewsWelcome`). Otherwise a banner says what
 * the connection is doing.
 */
export function buildTree(input: TreeInput): ViewNode[] {
  const { connection, hasData } = input;
  const banner = connectionBanner(connection, hasData);
  if (!hasData) return [banner ?? message('connection', 'Loading environments…', { id: 'sync~spin' })];
  if (input.environments.length === 0 && input.hosts.length === 0 && !banner) return [];
  const hosts = hostNodes(input.environments, input.hosts);
  return banner ? [banner, ...hosts] : hosts;
}

function connectionBanner(c: ConnectionSummary, hasData: boolean): ViewNode | undefined {
  if (c.kind === 'connected') return undefined;
  if (c.kind === 'connecting') {
    return message(
      'connection',
      hasData ? 'Reconnecting to the devrig runner…' : 'Connecting to the devrig runner…',
      { id: 'sync~spin' },
    );
  }
  return {
    ...message(
      'connection',
      hasData ? 'Runner disconnected, reconnecting…' : 'Cannot reach the devrig runner',
      { id: 'debug-disconnect', color: 'list.warningForeground' },
    ),
    description: truncate(c.error, 80),
    tooltip: `${mdText(c.error)}\n\nClick to show the runner log.`,
    command: { id: 'devrig.runner.showLog', title: 'Show Runner Log', args: [] },
  };
}

function message(id: string, label: string, icon: IconSpec): ViewNode {
  return {
    id: `message:${id}`,
    kind: 'message',
    label,
    icon,
    contextValue: 'message',
    collapsible: 'none',
    children: [],
  };
}

function hostOf(env: Environment): string {
  return env.spec.host ?? env.status.host ?? LOCAL_HOST;
}

function hostNodes(envs: readonly Environment[], hosts: readonly Host[]): ViewNode[] {
  const byHost = new Map<string, Environment[]>();
  for (const e of envs) byHost.set(hostOf(e), [...(byHost.get(hostOf(e)) ?? []), e]);
  const names = new Set<string>([LOCAL_HOST, ...hosts.map((h) => h.metadata.name), ...byHost.keys()]);
  const ordered = [LOCAL_HOST, ...[...names].filter((n) => n !== LOCAL_HOST).sort()];
  return ordered.map((name) => {
    const host = hosts.find((h) => h.metadata.name === name);
    const children = (byHost.get(name) ?? [])
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
      .map(environmentNode);
    return hostNode(name, host, children);
  });
}

function hostNode(name: string, host: Host | undefined, children: ViewNode[]): ViewNode {
  const local = name === LOCAL_HOST && !host;
  const keyPending = !!host && !host.spec.hostKey && !!host.status.observedHostKey;
  const phase = host?.status.phase;
  const count = `${children.length} environment${children.length === 1 ? '' : 's'}`;
  return {
    id: `host:${name}`,
    kind: 'host',
    label: local ? LOCAL_HOST_LABEL : name,
    description: local
      ? count
      : [phase, keyPending ? 'host key to accept' : undefined, count].filter(Boolean).join(' · '),
    tooltip: hostTooltip(host, local ? LOCAL_HOST_LABEL : name),
    icon: local ? HOST_ICONS.Local : phase ? HOST_ICONS[phase] : { id: 'question' },
    contextValue: local
      ? 'host.local'
      : `host.remote.${(phase ?? 'unknown').toLowerCase()}${keyPending ? '.keyPending' : ''}`,
    collapsible: 'expanded',
    children,
    host: name,
  };
}

export function environmentNode(env: Environment): ViewNode {
  const name = env.metadata.name;
  const children = [
    ...(env.status.services ?? []).map((s) => serviceNode(name, s)),
    ...env.status.ports.map((p) => portNode(name, p)),
    ...env.status.automations.map((a) => automationNode(name, a)),
    ...unhealthyConditions(env).map((c) => conditionNode(name, c)),
  ];
  return {
    id: `env:${name}`,
    kind: 'environment',
    // devcontainer.json's `name` when it gives one; the id stays in the tooltip and in every command.
    label: displayName(env),
    // An agent's environment says so first: the phase follows.
    description: agentSessionOf(env) ? `agent · ${phaseDescription(env)}` : phaseDescription(env),
    tooltip: environmentTooltip(env),
    icon: ENVIRONMENT_ICONS[env.status.phase],
    contextValue: environmentContextValue(env),
    // A failure is worth seeing without a click.
    collapsible: children.length === 0 ? 'none' : env.status.phase === 'Failed' ? 'expanded' : 'collapsed',
    children,
    command: { id: 'devrig.showDetails', title: 'Show Details', args: [name] },
    environment: name,
  };
}

/** A Docker Compose service of the environment, with its container's state. */
function serviceNode(env: string, s: ServiceStatus): ViewNode {
  const state = s.state === 'missing' && !s.wanted ? 'not started (not in runServices)' : s.state;
  const exit = s.exitCode !== undefined && s.state === 'exited' ? ` (exit code ${s.exitCode})` : '';
  return {
    id: `env:${env}/service:${s.name}`,
    kind: 'service',
    label: s.name,
    description: `${s.dev ? 'dev service · ' : ''}${state}${exit}`,
    tooltip: [
      `Compose service ${mdCode(s.name)} in ${mdText(env)}: ${mdText(state + exit)}`,
      s.containerName ? `Container ${mdCode(s.containerName)}` : '',
      s.startedAt ? `Started ${mdText(s.startedAt)}` : '',
    ]
      .filter(Boolean)
      .join('  \n'),
    icon: SERVICE_ICONS[s.state],
    contextValue: `composeService.${s.state}`,
    collapsible: 'none',
    children: [],
    environment: env,
  };
}

function portNode(env: string, p: PortStatus): ViewNode {
  const forward = forwardOf(p);
  const label = p.label ? `${p.port} (${p.label})` : String(p.port);
  return {
    id: `env:${env}/port:${p.port}`,
    kind: 'port',
    label,
    description: forward
      ? forward.address
      : `${p.state.toLowerCase()}${p.message ? ` · ${truncate(p.message, 40)}` : ''}`,
    tooltip: [
      `Port ${mdCode(String(p.port))} in ${mdText(env)} (${p.source === 'config' ? 'from forwardPorts' : 'detected'})`,
      forward ? `Forwarded to ${mdCode(forward.url)}` : mdText(p.state),
      p.message ? mdText(p.message) : '',
    ]
      .filter(Boolean)
      .join('  \n'),
    icon: forward
      ? { id: 'plug' }
      : p.state === 'Error'
        ? { id: 'warning', color: 'list.warningForeground' }
        : { id: 'circle-outline' },
    contextValue: `port.${p.state.toLowerCase()}`,
    collapsible: 'none',
    children: [],
    ...(forward ? { command: { id: 'devrig.openPort', title: 'Open in Browser', args: [env, p.port] } } : {}),
    environment: env,
    port: p,
  };
}

function automationNode(env: string, a: AutomationStatus): ViewNode {
  return {
    id: `env:${env}/${a.kind}:${a.id}`,
    kind: 'automation',
    label: a.name || a.id,
    description: [
      a.phase,
      a.message ? truncate(a.message, 40) : '',
      a.restarts ? `${a.restarts} restarts` : '',
    ]
      .filter(Boolean)
      .join(' · '),
    tooltip: [
      `${a.kind === 'service' ? 'Service' : 'Task'} ${mdCode(a.id)}: ${mdText(a.phase)}`,
      a.message ? mdText(a.message) : '',
      a.exitCode !== undefined ? `Exit code ${a.exitCode}` : '',
    ]
      .filter(Boolean)
      .join('  \n'),
    icon: AUTOMATION_ICONS[a.phase],
    contextValue: automationContextValue(a),
    collapsible: 'none',
    children: [],
    environment: env,
    automation: { kind: a.kind, id: a.id },
  };
}

function conditionNode(env: string, c: Condition): ViewNode {
  return {
    id: `env:${env}/condition:${c.type}`,
    kind: 'condition',
    label: `${c.type}: ${humanizeReason(c.reason)}`,
    description: truncate(c.message, 80),
    tooltip: `**${mdText(c.type)}** ${mdText(c.status)} (${mdText(c.reason)}) since ${mdText(c.lastTransitionTime)}\n\n${mdText(c.message)}`,
    icon:
      c.status === 'False'
        ? { id: 'error', color: 'errorForeground' }
        : { id: 'warning', color: 'list.warningForeground' },
    contextValue: `condition.${c.status.toLowerCase()}`,
    collapsible: 'none',
    children: [],
    environment: env,
  };
}
