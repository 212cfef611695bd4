import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { Readable, type Duplex } from 'node:stream';
import type { StatsSample } from '../../api';
import {
  LABELS,
  type ContainerEvent,
  type ContainerObservation,
  type ContainerProvider,
  type ContainerSpec,
  type ExecOptions,
  type ExecProcess,
  type HostInfo,
  type ImageRequest,
  type ImageResult,
  type LogSink,
} from '../provider';
import {
  PROCESS_MARKER,
  SCRIPTS,
  STATE_DIR,
  containerDir,
  hostPath,
  matchesLabels,
  newRecord,
  observe,
  parseRecords,
  safeToRemove,
  statsFrom,
  volumePath,
  workspaceRootPath,
  type PlainContainerRecord,
  type PlainVolumeRecord,
} from './plainHost';
import { channelProcess, mustRun, runScript, shCommand } from './remoteShell';
import type { SshConnection } from './sshConnection';
import { readLines } from '../../util/lines';
import { EXEC_MARKER, signalMarkedArgs } from '../markedProcesses';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Environments on a host without Docker: a workspace folder and processes run as the SSH user,
 * behind the same ContainerProvider seam so reconcilers, the gateway and automations do not know.
 * The "container" is a record on the host (see plainHost.ts): created/started/stopped are states
 * in it; exec is an SSH session in the workspace folder with the environment's variables; a port
 * is the host's own 127.0.0.1:PORT; stop and remove end every process carrying the environment's
 * marker variable. There is no isolation: see the README.
 */
export class PlainProvider implements ContainerProvider {
  readonly remote = true;
  readonly plain = true;
  private homeDir?: string;
  private infoCache?: HostInfo;
  private readonly records = new Map<string, PlainContainerRecord>();

  constructor(
    private readonly conn: SshConnection,
    readonly name: string,
    private readonly workspaceRoot: string,
  ) {}

  async info(): Promise<HostInfo> {
    if (this.infoCache) {
      // A live round trip, so callers learn at once when the host is gone.
      await mustRun(this.conn, 'checking the host', 'true');
      return this.infoCache;
    }
    const lines = (await mustRun(this.conn, 'reading host facts', SCRIPTS.info)).toString('utf8').split('\n');
    this.homeDir = lines[3]?.trim() || undefined;
    this.infoCache = {
      cpus: Number(lines[0]) || 1,
      memoryBytes: Number(lines[1]) || 0,
      serverVersion: `plain (${lines[2]?.trim() ?? 'unknown'})`,
      os: lines[2]?.trim() ?? 'unknown',
    };
    return this.infoCache;
  }

  private async home(): Promise<string> {
    if (!this.homeDir) await this.info();
    if (!this.homeDir) throw new Error(`host ${this.name}: cannot tell the remote user's home folder`);
    return this.homeDir;
  }

  /** There are no images: commands run on the host itself. */
  async ensureImage(req: ImageRequest, log: LogSink): Promise<ImageResult> {
    const what = req.kind === 'image' ? `image ${req.ref}` : `Dockerfile ${req.dockerfile}`;
    log(
      `Plain host ${this.name}: the ${what} is not used; commands run directly on the host as ${this.conn.target.user}`,
    );
    return {
      ref: req.kind === 'image' ? req.ref : req.tag,
      id: 'plain',
      action: 'present',
      user: this.conn.target.user,
      env: {},
      labels: {},
    };
  }

  async inspectImage(): Promise<undefined> {
    return undefined;
  }

  async ensureVolume(name: string, labels: Record<string, string>): Promise<boolean> {
    const home = await this.home();
    const rec: PlainVolumeRecord = { name, labels, path: volumePath(home, this.workspaceRoot, name, labels) };
    const r = await runScript(this.conn, SCRIPTS.ensureVolume, [name, rec.path, JSON.stringify(rec)]);
    if (r.code === 45) return false;
    if (r.code !== 0) throw new Error(`creating ${rec.path} on host ${this.name} failed: ${r.stderr}`);
    return true;
  }

  async removeVolume(name: string): Promise<void> {
    const home = await this.home();
    const rec = (await this.volumes()).find((v) => v.name === name);
    if (!rec) return;
    const roots = [posix.join(home, STATE_DIR), workspaceRootPath(home, this.workspaceRoot)];
    if (!safeToRemove(rec.path, roots)) {
      throw new Error(
        `refusing to remove ${rec.path} on host ${this.name}: not inside ${roots.join(' or ')}`,
      );
    }
    await mustRun(this.conn, `removing ${rec.path}`, SCRIPTS.removeVolume, [name, rec.path]);
  }

  async listVolumes(labels: Record<string, string>): Promise<string[]> {
    return (await this.volumes()).filter((v) => matchesLabels(v.labels, labels)).map((v) => v.name);
  }

  private async volumes(): Promise<PlainVolumeRecord[]> {
    return parseRecords<PlainVolumeRecord>(
      (await mustRun(this.conn, 'listing volumes', SCRIPTS.listVolumes)).toString(),
    );
  }

  async findContainers(labels: Record<string, string>): Promise<ContainerObservation[]> {
    const text = (await mustRun(this.conn, 'listing environments', SCRIPTS.listContainers)).toString();
    const bootId = text.split('\n')[0]!.trim();
    return parseRecords<PlainContainerRecord>(text)
      .filter((r) => matchesLabels(r.labels, labels))
      .map((r) => {
        this.records.set(r.id, r);
        return observe(r, bootId);
      });
  }

  async inspectContainer(id: string): Promise<ContainerObservation | undefined> {
    const r = await this.read(id);
    return r && observe(r.record, r.bootId);
  }

  private async read(id: string): Promise<{ record: PlainContainerRecord; bootId: string } | undefined> {
    const r = await runScript(this.conn, SCRIPTS.inspectContainer, [id]);
    if (r.code === 44) return undefined;
    if (r.code !== 0) throw new Error(`reading environment ${id} on host ${this.name} failed: ${r.stderr}`);
    const text = r.stdout.toString();
    const record = parseRecords<PlainContainerRecord>(text)[0];
    if (!record) throw new Error(`the record of ${id} on host ${this.name} is unreadable`);
    this.records.set(id, record);
    return { record, bootId: text.split('\n')[0]!.trim() };
  }

  private async write(r: PlainContainerRecord): Promise<void> {
    await mustRun(
      this.conn,
      `recording ${r.name}`,
      SCRIPTS.writeContainer,
      [r.id, r.workspace],
      JSON.stringify(r) + '\n',
    );
    this.records.set(r.id, r);
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    if (spec.labels[LABELS.managed] !== 'true')
      throw new Error('refusing to create an environment without devrig labels');
    const home = await this.home();
    const target = spec.labels[LABELS.workspaceFolder];
    const wsMount = spec.mounts.find((m) => m.target === target && m.type === 'volume' && m.source);
    const wsVolume = wsMount && (await this.volumes()).find((v) => v.name === wsMount.source);
    const workspace =
      wsVolume?.path ??
      volumePath(home, this.workspaceRoot, `${spec.name}-workspace`, {
        [LABELS.kind]: 'workspace',
        [LABELS.environment]: spec.labels[LABELS.environment] ?? spec.name,
      });
    const ignored = [
      `image ${spec.image}`,
      ...spec.mounts.filter((m) => m !== wsMount).map((m) => `mount ${m.source ?? ''}:${m.target}`),
      ...(spec.privileged ? ['privileged'] : []),
      ...(spec.capAdd.length ? [`capAdd ${spec.capAdd.join(',')}`] : []),
    ];
    const record = newRecord({
      id: `${spec.name}-${randomBytes(3).toString('hex')}`,
      name: spec.name,
      // The environment lives where the host puts it, as the SSH user: say so where people look.
      labels: {
        ...spec.labels,
        [LABELS.workspaceFolder]: workspace,
        [LABELS.remoteUser]: this.conn.target.user,
      },
      env: Object.fromEntries(Object.entries(spec.env).filter(([k]) => ENV_NAME.test(k))),
      workspace,
      ignored,
    });
    await this.write(record);
    return record.id;
  }

  async startContainer(id: string): Promise<void> {
    // The record and the host's boot id come back together: one round trip.
    const { record: r, bootId } = await this.mustRead(id);
    if (r.state === 'running' && r.bootId === bootId) return;
    await this.write({ ...r, state: 'running', startedAt: new Date().toISOString(), bootId, exitCode: 0 });
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const r = await this.read(id);
    if (!r) return;
    await mustRun(this.conn, 'stopping processes', SCRIPTS.stopMarked, [
      `${PROCESS_MARKER}=${id}`,
      String(Math.max(1, Math.round(timeoutSeconds))),
    ]);
    if (r.record.state === 'running') {
      await this.write({ ...r.record, state: 'exited', finishedAt: new Date().toISOString(), exitCode: 0 });
    }
  }

  async unpauseContainer(): Promise<void> {
    /* a plain environment is never paused */
  }

  async removeContainer(id: string): Promise<void> {
    await mustRun(this.conn, 'stopping processes', SCRIPTS.stopMarked, [`${PROCESS_MARKER}=${id}`, '1']);
    await mustRun(this.conn, `removing ${id}`, SCRIPTS.removeContainer, [id]);
    this.records.delete(id);
  }

  private async mustRead(id: string): Promise<{ record: PlainContainerRecord; bootId: string }> {
    const r = await this.read(id);
    if (!r) throw new Error(`environment ${id} does not exist on host ${this.name}`);
    return r;
  }

  async exec(id: string, opts: ExecOptions): Promise<ExecProcess> {
    const record = this.records.get(id) ?? (await this.mustRead(id)).record;
    const marker = randomBytes(8).toString('hex');
    const env = { ...record.env, ...opts.env, [PROCESS_MARKER]: id, [EXEC_MARKER]: marker };
    const assignments = Object.entries(env)
      .filter(([k, v]) => ENV_NAME.test(k) && !v.includes('\0'))
      .map(([k, v]) => `${k}=${v}`);
    const command = shCommand(SCRIPTS.exec, [
      opts.workdir ?? record.workspace,
      ...assignments,
      '--',
      ...opts.cmd,
    ]);
    return channelProcess(this.conn, command, {
      tty: opts.tty,
      stdin: opts.stdin,
      pty: { cols: opts.cols ?? 80, rows: opts.rows ?? 24, term: opts.env?.TERM ?? 'xterm-256color' },
      signal: async (sig) => {
        await mustRun(this.conn, 'signalling', SCRIPTS.signalMarked, signalMarkedArgs(sig, marker));
      },
    });
  }

  async putArchive(id: string, path: string, tar: Readable): Promise<void> {
    const dir = hostPath(path, await this.home(), containerDir(await this.home(), id));
    await mustRun(this.conn, `copying files into ${dir}`, SCRIPTS.putArchive, [dir], tar);
  }

  async getArchive(id: string, path: string): Promise<Readable | undefined> {
    const p = hostPath(path, await this.home(), containerDir(await this.home(), id));
    const r = await runScript(this.conn, SCRIPTS.getArchive, [p]);
    if (r.code === 44) return undefined;
    if (r.code !== 0) throw new Error(`reading ${p} on host ${this.name} failed: ${r.stderr}`);
    return Readable.from([r.stdout]);
  }

  /** The environment shares the host's network: its port is the host's own 127.0.0.1:PORT. */
  async connectTcp(_id: string, port: number): Promise<Duplex> {
    try {
      return await this.conn.openTcp(port);
    } catch (e) {
      throw new Error(`cannot connect to port ${port} in the environment: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }

  /** Whole-host figures: processes of an environment are not accounted separately. */
  async *stats(_id: string, signal: AbortSignal): AsyncIterable<StatsSample> {
    // The host's figures, not a liveness check (info() checks again when cached).
    const { cpus } = this.infoCache ?? (await this.info());
    const p = await channelProcess(this.conn, shCommand(SCRIPTS.stats, []), {
      tty: false,
      stdin: false,
      signal: async () => {},
    });
    signal.addEventListener('abort', () => p.stdout.destroy(), { once: true });
    let block: string[] = [];
    let prev: { busy: number; total: number } | undefined;
    try {
      // One sample a second: /proc/stat's cpu line and meminfo lines, then a line holding ".".
      for await (const line of readLines(p.stdout)) {
        if (line !== '.') {
          block.push(line);
          continue;
        }
        const cpuLine = block.find((l) => l.startsWith('cpu ')) ?? '';
        const kib = (k: string) => Number(block.find((l) => l.startsWith(k))?.split(/\s+/)[1] ?? 0);
        block = [];
        const s = statsFrom(prev, cpuLine, kib('MemTotal:'), kib('MemAvailable:'), cpus);
        const first = !prev;
        prev = s.cpu;
        if (!first) yield { time: new Date().toISOString(), ...s.sample };
      }
    } catch (e) {
      if (!signal.aborted) throw e;
    }
  }

  /** No event stream on a plain host: the host controller's health checks and resyncs cover it. */
  watchEvents(_onEvent: (e: ContainerEvent) => void, _onReconnect: () => void): { close(): void } {
    return { close: () => {} };
  }
}
