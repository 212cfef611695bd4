// What the details panel shows, computed from the environment resource and the runner link: plain data
// the renderer turns into elements. Pure: no DOM, no vscode, so it is table-tested under Node.

import { BUSY_PHASES } from '../runner/presentation/phaseStyle';
import { shortReason } from '../runner/presentation/reasonText';
import type { Environment, RunnerLink } from '../runner/api';
import { actionViews, type ActionView } from './model/actions';
import { conditionRows, type ConditionRow } from './model/conditions';
import { historyRows, type HistoryRow } from './model/history';
import { phaseView, type PhaseView } from './model/phase';
import { portRows, type PortRow } from './model/ports';
import { absoluteTime, relativeTime } from './model/time';

export interface OverviewRow {
  label: string;
  value: string;
  /** Tooltip, e.g. the absolute time behind a relative one. */
  title?: string;
  /** Rendered in a monospace font (paths, commands, ids). */
  code?: boolean;
}

export interface DetailsViewModel {
  name: string;
  /** False until the runner has told us about the environment, and after it was deleted. */
  known: boolean;
  phase: PhaseView;
  /** `preparing the image`, `image not found`: what the phase alone does not say. */
  phaseDetail: string;
  /** A banner: the runner is away, the environment is gone, or it failed. */
  notice?: { tone: 'error' | 'warning' | 'info'; text: string };
  overview: OverviewRow[];
  sshCommand: string;
  actions: ActionView[];
  conditions: ConditionRow[];
  history: HistoryRow[];
  ports: PortRow[];
  /** Whether resource use can be sampled now (stats come only from a running container). */
  statsLive: boolean;
}

export interface DetailsInput {
  name: string;
  environment: Environment | null;
  runner: RunnerLink;
  sshCommand: string;
  now: number;
}

export function detailsViewModel(input: DetailsInput): DetailsViewModel {
  const { name, environment: env, runner, sshCommand, now } = input;
  const connected = runner.state === 'connected';
  const phase = env?.status.phase;
  return {
    name,
    known: env !== null,
    phase: phaseView(phase),
    phaseDetail: env ? shortReason(env, 120) : '',
    notice: notice(env, runner),
    overview: env ? overviewRows(env, now) : [],
    sshCommand,
    actions: actionViews(phase, connected),
    conditions: env ? conditionRows(env.status.conditions, BUSY_PHASES.has(env.status.phase), now) : [],
    history: env ? historyRows(env.status.history, now) : [],
    ports: env ? portRows(env.status.ports) : [],
    statsLive: connected && phase === 'Running',
  };
}

function notice(env: Environment | null, runner: RunnerLink): DetailsViewModel['notice'] {
  if (runner.state !== 'connected') {
    const why = runner.message ? `: ${runner.message}` : '';
    return {
      tone: 'warning',
      text: `Not connected to the devrig runner (${runner.state}${why}). Showing the last known state.`,
    };
  }
  if (!env)
    return { tone: 'info', text: 'The runner does not know this environment (it may have been deleted).' };
  if (env.status.phase === 'Failed' && env.status.lastError)
    return { tone: 'error', text: env.status.lastError };
  return undefined;
}

function overviewRows(env: Environment, now: number): OverviewRow[] {
  const s = env.status;
  const rows: OverviewRow[] = [
    { label: 'Host', value: s.host ?? env.spec.host ?? 'local' },
    { label: 'Image', value: s.image ?? '', code: true },
    { label: 'Workspace folder', value: s.workspaceFolder ?? '', code: true },
    { label: 'Source', value: env.spec.source.folder ?? gitSource(env), code: true },
    { label: 'Desired state', value: env.spec.state },
  ];
  if (s.containerName || s.containerId) {
    const id = s.containerId ? s.containerId.slice(0, 12) : '';
    rows.push({
      label: 'Container',
      value: [s.containerName, id && `(${id})`].filter(Boolean).join(' '),
      code: true,
    });
  }
  if (s.remoteUser) rows.push({ label: 'Remote user', value: s.remoteUser, code: true });
  if (s.startedAt && s.phase === 'Running') {
    rows.push({ label: 'Started', value: relativeTime(s.startedAt, now), title: absoluteTime(s.startedAt) });
  }
  if (s.idleStopAt) {
    rows.push({
      label: 'Idle stop',
      value: relativeTime(s.idleStopAt, now),
      title: absoluteTime(s.idleStopAt),
    });
  }
  // Each Feature installed in the image: its version and digest; the options in the tooltip.
  for (const f of s.features?.items ?? []) {
    const version = f.version ? ` ${f.version}` : '';
    const options = Object.entries(f.options).map(([k, v]) => `${k}=${String(v)}`);
    rows.push({
      label: 'Feature',
      value: `${f.id}${version} (${f.digest.replace(/^sha256:/, '').slice(0, 12)})`,
      title: [
        options.length ? `options: ${options.join(', ')}` : 'default options',
        ...(f.requiredBy ? [`required by ${f.requiredBy}`] : []),
        ...(f.asks?.length ? [`asks for ${f.asks.join(', ')}`] : []),
      ].join('\n'),
      code: true,
    });
  }
  return rows.filter((r) => r.value !== '');
}

function gitSource(env: Environment): string {
  const g = env.spec.source.git;
  return g ? (g.ref ? `${g.url}#${g.ref}` : g.url) : '';
}
