// A ContainerProvider in memory, for unit tests of one reconcile: it records every call that
// changes the world, answers the reads from what those calls made, and lets a test play the world
// changing behind the reconciler's back (a container removed, crashed, paused) or an engine call
// failing. Archives (markers, files) are real tars, as an engine's are.

import { PassThrough, Readable, type Duplex } from 'node:stream';
import { extract, pack } from 'tar-stream';
import type {
  ContainerObservation,
  ContainerProvider,
  ContainerSpec,
  ExecOptions,
  ExecProcess,
  HostInfo,
  ImageDetails,
  ImageRequest,
  ImageResult,
  LogSink,
} from '../../runner/providers/provider';
import type { StatsSample } from '../../runner/api';

interface FakeContainer {
  obs: ContainerObservation;
  spec: ContainerSpec;
  files: Map<string, string>;
}

type Method = keyof ContainerProvider;

export class FakeContainerProvider implements ContainerProvider {
  readonly name = 'fake';
  remote = false;
  /** Calls that change the world, in order: `createContainer devrig-web-…`, `startContainer c1`. */
  readonly calls: string[] = [];
  readonly containers = new Map<string, FakeContainer>();
  readonly volumes = new Map<string, Record<string, string>>();
  readonly images = new Set<string>();
  /** What an image is (its labels, user) by reference, before or after it is pulled or built. */
  readonly imageDetails = new Map<string, Pick<ImageDetails, 'labels' | 'user'>>();
  /** Makes the next call of a method fail with this error (once). */
  readonly failNext = new Map<Method, Error>();
  /** What a command run with exec prints and exits with (default: nothing, 0). */
  onExec: (id: string, opts: ExecOptions) => { code: number; stdout?: string } = () => ({ code: 0 });
  private nextId = 1;
  private clock = Date.parse('2030-01-01T00:00:00Z');

  /** Every container's id (in creation order). */
  ids(): string[] {
    return [...this.containers.keys()];
  }

  /** Plays the world: the container is gone (someone ran docker rm). */
  removedBehindOurBack(id: string): void {
    this.containers.delete(id);
  }

  /** Plays the world: the container's process exited. */
  exited(id: string, exitCode = 137, oomKilled = false): void {
    const c = this.must(id);
    Object.assign(c.obs, { state: 'exited', running: false, exitCode, oomKilled, finishedAt: this.tick() });
  }

  async info(): Promise<HostInfo> {
    this.fail('info');
    return { cpus: 4, memoryBytes: 8 * 1024 ** 3, serverVersion: '99.0-fake', os: 'linux' };
  }

  async ensureImage(req: ImageRequest, log: LogSink): Promise<ImageResult> {
    const ref = req.kind === 'image' ? req.ref : req.tag;
    this.calls.push(`ensureImage ${ref}`);
    this.fail('ensureImage');
    const present = this.images.has(ref);
    this.images.add(ref);
    if (req.kind === 'build') this.imageDetails.set(ref, { labels: { ...req.labels }, user: '' });
    log(`${ref}: ${present ? 'present' : 'done'}`);
    return {
      ...this.details(ref),
      ref,
      action: present ? 'present' : req.kind === 'image' ? 'pulled' : 'built',
    };
  }

  async inspectImage(ref: string): Promise<ImageDetails | undefined> {
    const known = [...this.images].find((i) => i === ref || this.details(i).id === ref);
    return known === undefined ? undefined : this.details(known);
  }

  private details(ref: string): ImageDetails {
    const d = this.imageDetails.get(ref);
    return {
      id: `sha256:${Buffer.from(ref).toString('hex').padEnd(64, '0').slice(0, 64)}`,
      user: d?.user ?? '',
      env: {},
      labels: { ...d?.labels },
    };
  }

  async ensureVolume(name: string, labels: Record<string, string>): Promise<boolean> {
    if (this.volumes.has(name)) return false;
    this.calls.push(`ensureVolume ${name}`);
    this.volumes.set(name, labels);
    return true;
  }

  async removeVolume(name: string): Promise<void> {
    this.calls.push(`removeVolume ${name}`);
    this.volumes.delete(name);
  }

  async listVolumes(labels: Record<string, string>): Promise<string[]> {
    return [...this.volumes].filter(([, l]) => matches(l, labels)).map(([n]) => n);
  }

  async findContainers(labels: Record<string, string>): Promise<ContainerObservation[]> {
    this.fail('findContainers');
    return [...this.containers.values()]
      .filter((c) => matches(c.obs.labels, labels))
      .map((c) => ({ ...c.obs }));
  }

  async inspectContainer(id: string): Promise<ContainerObservation | undefined> {
    const c = this.containers.get(id);
    return c && { ...c.obs };
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    this.calls.push(`createContainer ${spec.name}`);
    this.fail('createContainer');
    const id = `c${this.nextId++}`;
    this.containers.set(id, {
      spec,
      files: new Map(),
      obs: {
        id,
        name: spec.name,
        state: 'created',
        running: false,
        startedAt: '0001-01-01T00:00:00Z',
        finishedAt: '0001-01-01T00:00:00Z',
        exitCode: 0,
        oomKilled: false,
        labels: { ...spec.labels },
        imageId: spec.image,
      },
    });
    return id;
  }

  async startContainer(id: string): Promise<void> {
    this.calls.push(`startContainer ${id}`);
    this.fail('startContainer');
    Object.assign(this.must(id).obs, {
      state: 'running',
      running: true,
      startedAt: this.tick(),
      exitCode: 0,
    });
  }

  async stopContainer(id: string): Promise<void> {
    this.calls.push(`stopContainer ${id}`);
    this.exited(id, 0);
  }

  async unpauseContainer(id: string): Promise<void> {
    this.calls.push(`unpauseContainer ${id}`);
    Object.assign(this.must(id).obs, { state: 'running', running: true });
  }

  async removeContainer(id: string): Promise<void> {
    this.calls.push(`removeContainer ${id}`);
    this.containers.delete(id);
  }

  async exec(id: string, opts: ExecOptions): Promise<ExecProcess> {
    this.must(id);
    const { code, stdout = '' } = this.onExec(id, opts);
    const out = Readable.from(stdout ? [Buffer.from(stdout)] : []);
    return {
      stdin: new PassThrough(),
      stdout: out,
      stderr: Readable.from([]),
      resize: async () => {},
      signal: async () => {},
      wait: async () => ({ code }),
    };
  }

  async putArchive(id: string, path: string, tar: Readable): Promise<void> {
    const c = this.must(id);
    const ex = extract();
    ex.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (d) => chunks.push(d as Buffer));
      stream.on('end', () => {
        if (header.type === 'file') c.files.set(join(path, header.name), Buffer.concat(chunks).toString());
        next();
      });
    });
    await new Promise<void>((resolve, reject) => {
      ex.on('finish', resolve);
      ex.on('error', reject);
      tar.pipe(ex);
    });
  }

  async getArchive(id: string, path: string): Promise<Readable | undefined> {
    const c = this.must(id);
    const prefix = path.replace(/\/+$/, '') + '/';
    const files = [...c.files].filter(([p]) => p === path || p.startsWith(prefix));
    if (files.length === 0) return undefined;
    const base = path.split('/').pop()!;
    const p = pack();
    for (const [file, text] of files) p.entry({ name: `${base}${file.slice(path.length)}` }, text);
    p.finalize();
    return p as unknown as Readable;
  }

  /** A file in the container (markers live in /var/lib/devrig/markers). */
  file(id: string, path: string): string | undefined {
    return this.containers.get(id)?.files.get(path);
  }

  async connectTcp(): Promise<Duplex> {
    throw new Error('the fake provider has no network');
  }

  // eslint-disable-next-line require-yield
  async *stats(): AsyncIterable<StatsSample> {
    return;
  }

  watchEvents(): { close(): void } {
    return { close: () => {} };
  }

  private must(id: string): FakeContainer {
    const c = this.containers.get(id);
    if (!c) throw new Error(`no such container: ${id}`);
    return c;
  }

  private fail(method: Method): void {
    const e = this.failNext.get(method);
    if (!e) return;
    this.failNext.delete(method);
    throw e;
  }

  private tick(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }
}

function matches(labels: Record<string, string>, want: Record<string, string>): boolean {
  return Object.entries(want).every(([k, v]) => labels[k] === v);
}

function join(dir: string, name: string): string {
  return `${dir.replace(/\/+$/, '')}/${name.replace(/^\/+/, '')}`;
}
