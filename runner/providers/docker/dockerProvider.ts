import type { Duplex, Readable } from 'node:stream';
import Docker from 'dockerode';
import type { StatsSample } from '../../api';
import type {
  ContainerEvent,
  ContainerObservation,
  ContainerProvider,
  ContainerSpec,
  ContainerLogsOptions,
  EngineEndpoint,
  ExecOptions,
  ExecProcess,
  HostInfo,
  ImageDetails,
  ImageRequest,
  ImageResult,
  LogSink,
} from '../provider';
import { LABELS } from '../provider';
import { dockerCreateOptions } from './createOptions';
import { DockerImages } from './dockerImages';
import { dockerContainerLogs, dockerExec } from './dockerExec';
import { watchDockerEvents } from './dockerEvents';
import { removeLabelledImages } from './builtImages';
import { EngineError, engineMessage, statusCode } from './errors';
import { relayCommand, relayStream, RELAY_ENV } from '../execRelay';
import { statsSample } from './stats';
import { localProcessOf, readMountedFile } from './localAccess';
import { readLines } from '../../util/lines';
import { coalesced } from '../../util/coalesce';
import { ContainerLookup, labelFilters } from './containerLookup';

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
  /** How programs on this machine reach the engine (an engine behind SSH: a forwarded socket). */
  engineEndpoint?: () => Promise<EngineEndpoint>;
}

/** The container provider for a Docker engine, through dockerode. */
export class DockerProvider implements ContainerProvider {
  readonly docker: Docker;
  readonly name: string;
  readonly remote: boolean;
  private infoCache?: HostInfo;
  private readonly images: DockerImages;
  private readonly containers: ContainerLookup;
  /** Every reconcile asks whether the engine answers: one ping for all who ask at once. */
  private readonly sharedPing: () => Promise<unknown>;

  constructor(private readonly opts: DockerProviderOptions = {}) {
    this.docker = new Docker(opts.modem);
    this.name = opts.name ?? 'local';
    this.remote = opts.remote ?? false;
    this.images = new DockerImages(this.docker, () => this.usesLocalCredentials, this.remote === true);
    this.containers = new ContainerLookup(this.docker);
    this.sharedPing = coalesced(() => this.docker.ping());
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
      await this.sharedPing();
    } catch (e) {
      throw new EngineError('cannot reach the Docker engine', e);
    }
  }

  /** Pulls or builds (see DockerImages), unless the engine has the image already. */
  ensureImage(req: ImageRequest, log: LogSink, signal?: AbortSignal): Promise<ImageResult> {
    return this.images.ensure(req, log, signal);
  }

  inspectImage(ref: string): Promise<ImageDetails | undefined> {
    return this.images.inspect(ref);
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

  findContainers(labels: Record<string, string>): Promise<ContainerObservation[]> {
    return this.containers.find(labels);
  }

  inspectContainer(id: string): Promise<ContainerObservation | undefined> {
    return this.containers.inspect(id);
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

  exec(id: string, opts: ExecOptions): Promise<ExecProcess> {
    return dockerExec(this.docker, id, opts);
  }

  /** A container's own output (what `docker logs` shows), both streams, line by line. */
  containerLogs(id: string, opts: ContainerLogsOptions, onLine: (line: string) => void): Promise<void> {
    return dockerContainerLogs(this.docker, id, opts, onLine);
  }

  /** Where the Compose CLI on this machine reaches this engine (see ContainerProvider.engineEndpoint). */
  engineEndpoint(): Promise<EngineEndpoint> {
    return this.opts.engineEndpoint?.() ?? Promise.resolve({});
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

  /** An engine on another machine: never. Else see localAccess.ts. */
  async localProcess(id: string): Promise<string | false | undefined> {
    return this.remote ? false : localProcessOf(this.docker, id);
  }

  async readMountedFile(id: string, path: string): Promise<string | undefined | false> {
    return this.remote ? false : readMountedFile(this.docker, id, path);
  }

  async connectTcp(id: string, port: number, host?: string): Promise<Duplex> {
    const p = await this.exec(id, {
      cmd: relayCommand({ port, ...(host ? { host } : {}) }),
      env: RELAY_ENV,
      tty: false,
      stdin: true,
    });
    return relayStream(p, host ? `${host}:${port} from the environment` : `port ${port} in the environment`);
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
    return watchDockerEvents(this.docker, onEvent, onReconnect);
  }
}
