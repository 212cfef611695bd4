import type Docker from 'dockerode';
import { coalesced } from '../../util/coalesce';
import { LABELS, type ContainerObservation, type ContainerState } from '../provider';
import { EngineError, statusCode } from './errors';

/**
 * Finds and inspects containers by their labels. Many reconciles look at once (a runner starting,
 * many environments applied together): their lists of one runner's containers are one request to
 * the engine, shared by everyone who asked while the one before it ran (never an older answer than
 * the moment they asked), filtered here by the rest of their labels.
 */
export class ContainerLookup {
  private readonly byRunner = new Map<string, () => Promise<Docker.ContainerInfo[]>>();

  constructor(private readonly docker: Docker) {}

  async find(labels: Record<string, string>): Promise<ContainerObservation[]> {
    let list: Docker.ContainerInfo[];
    try {
      list = await this.list(labels);
    } catch (e) {
      throw new EngineError('listing containers', e);
    }
    const matching = list.filter((c) => Object.entries(labels).every(([k, v]) => c.Labels?.[k] === v));
    const out: ContainerObservation[] = [];
    for (const c of matching) {
      const o = await this.inspect(c.Id);
      if (o) out.push(o);
    }
    return out;
  }

  private list(labels: Record<string, string>): Promise<Docker.ContainerInfo[]> {
    const runner = labels[LABELS.runner];
    if (runner === undefined) {
      return this.docker.listContainers({ all: true, filters: { label: labelFilters(labels) } });
    }
    let shared = this.byRunner.get(runner);
    if (!shared) {
      shared = coalesced(() =>
        this.docker.listContainers({
          all: true,
          filters: { label: labelFilters({ [LABELS.runner]: runner }) },
        }),
      );
      this.byRunner.set(runner, shared);
    }
    return shared();
  }

  async inspect(id: string): Promise<ContainerObservation | undefined> {
    try {
      const i = await this.docker.getContainer(id).inspect();
      return {
        id: i.Id,
        name: i.Name.replace(/^\//, ''),
        state: i.State.Status as ContainerState,
        running: i.State.Running,
        startedAt: i.State.StartedAt,
        finishedAt: i.State.FinishedAt,
        exitCode: i.State.ExitCode,
        oomKilled: i.State.OOMKilled,
        labels: i.Config.Labels ?? {},
        imageId: i.Image,
        volumes: (i.Mounts ?? []).flatMap((m) => (m.Type === 'volume' && m.Name ? [m.Name] : [])),
        env: envRecord(i.Config.Env),
      };
    } catch (e) {
      if (statusCode(e) === 404) return undefined;
      throw new EngineError(`inspecting container ${id.slice(0, 12)}`, e);
    }
  }
}

function envRecord(list: string[] | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const kv of list ?? []) {
    const eq = kv.indexOf('=');
    if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return env;
}

export function labelFilters(labels: Record<string, string>): string[] {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`);
}
