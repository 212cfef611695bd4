import { randomBytes } from 'node:crypto';
import { Duplex, PassThrough, type Readable } from 'node:stream';
import Docker from 'dockerode';
import type { StatsSample } from '../../api';
import type {
  ContainerEvent,
  ContainerObservation,
  ContainerProvider,
  ContainerSpec,
  ContainerState,
  ExecOptions,
  ExecProcess,
  HostInfo,
  ImageRequest,
  ImageResult,
  LogSink,
} from '../provider';
import { LABELS } from '../provider';
import { dockerCreateOptions } from './createOptions';
import { DockerImages } from './dockerImages';
import { removeLabelledImages } from './builtImages';
import { demux } from './demux';
import { EngineError, engineMessage, statusCode } from './errors';
import { relayCommand, relayStream, RELAY_ENV } from '../execRelay';
import { EXEC_MARKER, SIGNAL_MARKED_SCRIPT, signalMarkedArgs } from '../markedProcesses';
import { statsSample } from './stats';
import { lines, readLines } from '../../util/lines';

export interface DockerProviderOptions {
  /** dockerode/docker-modem options; default honours DOCKER_HOST like the docker CLI. */
  modem?: Docker.DockerOptions;
  name?: string;
  /**
   * Send this machine's registry credentials (~/.docker/config.json) with pulls. Off unless asked:
   * only the local engine may get them, never an engine on another machine.
   */
  useLocalCredentials?: boolean;
  /** An engine on another machine (over SSH): it cannot bind-mount this machine's folders. */
  remote?: boolean;
}

/** Container events that can change what a reconcile decides. */
const STATE_EVENTS = 'create start restart stop die kill oom pause unpause destroy rename update'.split(' ');

/** The container provider for a Docker engine, through dockerode. */
export class DockerProvider implements ContainerProvider {
  readonly docker: Docker;
  readonly name: string;
  readonly remote: boolean;
  private infoCache?: HostInfo;
  private readonly images: DockerImages;

  constructor(private readonly opts: DockerProviderOptions = {}) {
    this.docker = new Docker(opts.modem);
    this.name = opts.name ?? 'local';
    this.remote = opts.remote ?? false;
    this.images = new DockerImages(this.docker, () => this.usesLocalCredentials, this.remote === true);
  }

  /** Whether pulls carry this machine's registry credentials. */
  get usesLocalCredentials(): boolean {
    return this.opts.useLocalCredentials === true && !this.remote;
  }

  /** Engine facts (cached) after a live ping, so callers learn at once when the engine is gone. */
  async info(): Promise<HostInfo> {
    if (this.infoCache) {
      await this.ping();
      return this.infoCache;
    }
    try {
      const i = await this.docker.info();
      this.infoCache = {
        cpus: i.NCPU,
        memoryBytes: i.MemTotal,
        serverVersion: i.ServerVersion,
        os: `${i.OperatingSystem} (${i.Architecture})`,
        gpu: Object.keys((i as { Runtimes?: Record<string, unknown> }).Runtimes ?? {}).includes('nvidia'),
      };
      return this.infoCache;
    } catch (e) {
      throw new EngineError('cannot reach the Docker engine', e);
    }
  }

  async ping(): Promise<void> {
    try {
      await this.docker.ping();
    } catch (e) {
      throw new EngineError('cannot reach the Docker engine', e);
    }
  }

  /** Pulls or builds (see DockerImages), unless the engine has the image already. */
  ensureImage(req: ImageRequest, log: LogSink, signal?: AbortSignal): Promise<ImageResult> {
    return this.images.ensure(req, log, signal);
  }

  async ensureVolume(name: string, labels: Record<string, string>): Promise<boolean> {
    try {
      await this.docker.getVolume(name).inspect();
      return false;
    } catch (e) {
      if (statusCode(e) !== 404) throw new EngineError(`inspecting volume ${name}`, e);
    }
    try {
      await this.docker.createVolume({ Name: name, Labels: labels });
      return true;
    } catch (e) {
      throw new EngineError(`creating volume ${name}`, e);
    }
  }

  async removeVolume(name: string): Promise<void> {
    try {
      await this.docker.getVolume(name).remove();
    } catch (e) {
      if (statusCode(e) !== 404) throw new EngineError(`removing volume ${name}`, e);
    }
  }

  async listVolumes(labels: Record<string, string>): Promise<string[]> {
    const r = await this.docker.listVolumes({ filters: { label: labelFilters(labels) } });
    return (r.Volumes ?? []).map((v) => v.Name);
  }

  removeImages(labels: Record<string, string>, keep: (ref: string) => boolean): Promise<string[]> {
    return removeLabelledImages(this.docker, labelFilters(labels), keep);
  }

  async findContainers(labels: Record<string, string>): Promise<ContainerObservation[]> {
    let list: Docker.ContainerInfo[];
    try {
      list = await this.docker.listContainers({ all: true, filters: { label: labelFilters(labels) } });
    } catch (e) {
      throw new EngineError('listing containers', e);
    }
    const out: ContainerObservation[] = [];
    for (const c of list) {
      const o = await this.inspectContainer(c.Id);
      if (o) out.push(o);
    }
    return out;
  }

  async inspectContainer(id: string): Promise<ContainerObservation | undefined> {
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

  async createContainer(spec: ContainerSpec): Promise<string> {
    if (spec.labels[LABELS.managed] !== 'true')
      throw new Error('refusing to create a container without devrig labels');
    if (spec.platform)
      await this.requireApi('1.41', `--platform ${spec.platform} (a platform for the container)`);
    try {
      const c = await this.docker.createContainer(dockerCreateOptions(spec));
      return c.id;
    } catch (e) {
      throw new EngineError(`creating container ${spec.name}`, e);
    }
  }

  /** Older engines ignore parameters they do not know: what devrig asks for must not be dropped silently. */
  private async requireApi(minimum: string, what: string): Promise<void> {
    let version: string;
    try {
      version = (await this.docker.version()).ApiVersion;
    } catch (e) {
      throw new EngineError('asking the Docker engine for its API version', e);
    }
    const [major = 0, minor = 0] = version.split('.').map(Number);
    const [needMajor = 0, needMinor = 0] = minimum.split('.').map(Number);
    if (major < needMajor || (major === needMajor && minor < needMinor)) {
      throw new Error(`${what} needs Docker Engine API ${minimum} or newer; this engine has ${version}`);
    }
  }

  async startContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).start();
    } catch (e) {
      if (statusCode(e) === 304) return;
      throw new EngineError(`starting container ${id.slice(0, 12)}`, e);
    }
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    try {
      await this.docker.getContainer(id).stop({ t: timeoutSeconds });
    } catch (e) {
      if (statusCode(e) === 304 || statusCode(e) === 404) return;
      throw new EngineError(`stopping container ${id.slice(0, 12)}`, e);
    }
  }

  async unpauseContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).unpause();
    } catch (e) {
      throw new EngineError(`unpausing container ${id.slice(0, 12)}`, e);
    }
  }

  async removeContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: false });
    } catch (e) {
      if (statusCode(e) === 404) return;
      // 409: removal already in progress
      if (statusCode(e) === 409 && /already in progress/.test(engineMessage(e))) return;
      throw new EngineError(`removing container ${id.slice(0, 12)}`, e);
    }
  }

  async exec(id: string, opts: ExecOptions): Promise<ExecProcess> {
    const container = this.docker.getContainer(id);
    // A marker in the process environment lets signal() find the process tree inside
    // the container, the same way for a local engine and a remote one.
    const marker = randomBytes(8).toString('hex');
    const env = { ...opts.env, [EXEC_MARKER]: marker };
    let exec: Docker.Exec;
    let stream: Duplex;
    try {
      exec = await container.exec({
        Cmd: opts.cmd,
        AttachStdin: opts.stdin,
        AttachStdout: true,
        AttachStderr: true,
        Tty: opts.tty,
        Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
        User: opts.user,
        WorkingDir: opts.workdir,
      });
      stream = (await exec.start({ hijack: true, stdin: opts.stdin, Tty: opts.tty })) as Duplex;
    } catch (e) {
      throw new EngineError(`exec in container ${id.slice(0, 12)}`, e);
    }
    stream.on('error', () => {});
    if (opts.tty && opts.cols && opts.rows) await exec.resize({ h: opts.rows, w: opts.cols }).catch(() => {});
    let stdout: Readable;
    let stderr: Readable;
    if (opts.tty) {
      stdout = stream;
      stderr = new PassThrough();
      (stderr as PassThrough).end();
    } else {
      ({ stdout, stderr } = demux(stream));
    }
    // A failing or destroyed attach stream errors these; unheard, that would crash the runner.
    stdout.on('error', () => {});
    stderr.on('error', () => {});
    if (!opts.stdin) stream.end();
    const ended = new Promise<void>((resolve) => {
      let n = 0;
      const one = () => {
        if (++n === 2) resolve();
      };
      stdout.once('end', one).once('close', one).once('error', one);
      stream.once('close', () => resolve());
    });
    let exitPromise: Promise<{ code: number | null }> | undefined;
    return {
      stdin: stream,
      stdout,
      stderr,
      resize: async (cols, rows) => {
        await exec.resize({ h: rows, w: cols }).catch(() => {});
      },
      signal: async (signal) => {
        await this.signalMarked(id, marker, signal, opts.user);
      },
      wait: () => {
        exitPromise ??= (async () => {
          await ended;
          // The stream can close a moment before the engine records the exit code.
          for (let i = 0; i < 50; i++) {
            const info = await exec.inspect().catch(() => undefined);
            if (!info) return { code: null };
            if (!info.Running) return { code: info.ExitCode ?? null };
            await new Promise((r) => setTimeout(r, 20));
          }
          return { code: null };
        })();
        return exitPromise;
      },
    };
  }

  private async signalMarked(id: string, marker: string, signal: string, user?: string): Promise<void> {
    const p = await this.exec(id, {
      cmd: ['/bin/sh', '-c', SIGNAL_MARKED_SCRIPT, 'devrig-signal', ...signalMarkedArgs(signal, marker)],
      tty: false,
      stdin: false,
      // As the session's own user: without CAP_SYS_PTRACE (Docker's default) even root cannot
      // read another user's /proc/PID/environ, where the marker is.
      user,
    });
    p.stdout.resume();
    p.stderr.resume();
    await p.wait();
  }

  async putArchive(id: string, path: string, tar: Readable): Promise<void> {
    try {
      await this.docker.getContainer(id).putArchive(tar, { path });
    } catch (e) {
      throw new EngineError(`copying files into ${path}`, e);
    }
  }

  async getArchive(id: string, path: string): Promise<Readable | undefined> {
    try {
      return (await this.docker.getContainer(id).getArchive({ path })) as unknown as Readable;
    } catch (e) {
      if (statusCode(e) === 404) return undefined;
      throw new EngineError(`reading ${path} from the container`, e);
    }
  }

  async connectTcp(id: string, port: number): Promise<Duplex> {
    const p = await this.exec(id, { cmd: relayCommand({ port }), env: RELAY_ENV, tty: false, stdin: true });
    return relayStream(p, `port ${port} in the environment`);
  }

  async *stats(id: string, signal: AbortSignal): AsyncIterable<StatsSample> {
    let stream: Readable;
    try {
      stream = (await this.docker
        .getContainer(id)
        .stats({ stream: true, abortSignal: signal } as never)) as unknown as Readable;
    } catch (e) {
      throw new EngineError('reading container stats', e);
    }
    signal.addEventListener('abort', () => stream.destroy(), { once: true });
    try {
      for await (const line of readLines(stream)) {
        if (line.trim()) yield statsSample(JSON.parse(line));
      }
    } catch (e) {
      if (!signal.aborted) throw e;
    }
  }

  watchEvents(onEvent: (e: ContainerEvent) => void, onReconnect: () => void): { close(): void } {
    let closed = false;
    let current: Readable | undefined;
    let delay = 250;
    const connect = async () => {
      if (closed) return;
      try {
        const stream = (await this.docker.getEvents({
          filters: {
            type: ['container'],
            label: [`${LABELS.managed}=true`],
            // State changes only: execs and archive reads (ports, automations) would each queue a
            // reconcile that reads again, without end.
            event: STATE_EVENTS,
          },
        })) as unknown as Readable;
        current = stream;
        delay = 250;
        onReconnect();
        lines(stream, (line) => {
          if (!line.trim()) return;
          try {
            const ev = JSON.parse(line) as {
              Action?: string;
              status?: string;
              id?: string;
              Actor?: { ID?: string; Attributes?: Record<string, string> };
            };
            onEvent({
              action: (ev.Action ?? ev.status ?? '').split(':')[0]!,
              containerId: ev.Actor?.ID ?? ev.id ?? '',
              labels: ev.Actor?.Attributes ?? {},
            });
          } catch {
            /* a partial line from a torn stream */
          }
        });
        const again = () => {
          if (current !== stream) return;
          current = undefined;
          retry();
        };
        stream.once('end', again);
        stream.once('close', again);
        stream.once('error', again);
      } catch {
        retry();
      }
    };
    const retry = () => {
      if (closed) return;
      const t = setTimeout(() => void connect(), delay);
      t.unref?.();
      delay = Math.min(delay * 2, 10_000);
    };
    void connect();
    return {
      close: () => {
        closed = true;
        current?.destroy();
      },
    };
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

function labelFilters(labels: Record<string, string>): string[] {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`);
}
