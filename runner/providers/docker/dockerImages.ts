import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { ImageDetails, ImageRequest, ImageResult, LogSink } from '../provider';
import { packContext } from './buildContext';
import { EngineError, statusCode } from './errors';
import { ProgressFormatter, type ProgressEvent } from './progress';
import { registryAuthFor, withCredentialsHint } from './registryAuth';
import { engineBuildParams } from './buildParams';
import { coalescedBy } from '../../util/coalesce';

/** Adds `:latest` when a reference has neither tag nor digest (the Engine would pull every tag). */
export function normaliseImageRef(ref: string): string {
  if (ref.includes('@')) return ref;
  const lastSlash = ref.lastIndexOf('/');
  return ref.slice(lastSlash + 1).includes(':') ? ref : `${ref}:latest`;
}

/** Images on a Docker engine: found, pulled (with progress in the log) or built from a context. */
export class DockerImages {
  constructor(
    private readonly docker: Docker,
    /** Whether pulls carry this machine's registry credentials (see DockerProviderOptions). */
    private readonly usesLocalCredentials: () => boolean,
    /** On another machine (an engine behind SSH): said in a refused pull's hint. */
    private readonly remote = false,
  ) {}

  /** Many environments of one image made at once ask about it once. */
  private readonly inspectShared = coalescedBy((ref) => this.inspectEngine(ref));

  async ensure(req: ImageRequest, log: LogSink, signal?: AbortSignal): Promise<ImageResult> {
    if (req.kind === 'image') {
      const ref = normaliseImageRef(req.ref);
      const present = await this.inspect(ref);
      if (present) return { ...present, ref, action: 'present' };
      await this.pull(ref, log, signal, req.platform);
      const pulled = await this.inspect(ref);
      if (!pulled) throw new Error(`pulled ${ref} but the engine does not have it`);
      return { ...pulled, ref, action: 'pulled' };
    }
    if (!req.noCache) {
      const present = await this.inspect(req.tag);
      if (present) return { ...present, ref: req.tag, action: 'present' };
    }
    await this.build(req, log, signal);
    const built = await this.inspect(req.tag);
    if (!built) throw new Error(`built ${req.tag} but the engine does not have it`);
    return { ...built, ref: req.tag, action: 'built' };
  }

  /** The image's id and configuration, or undefined when the engine does not have it. */
  inspect(ref: string): Promise<ImageDetails | undefined> {
    // A copy each: callers may change what they get.
    return this.inspectShared(ref).then((r) => r && structuredClone(r));
  }

  private async inspectEngine(ref: string): Promise<ImageDetails | undefined> {
    try {
      const i = await this.docker.getImage(ref).inspect();
      const env: Record<string, string> = {};
      for (const kv of i.Config?.Env ?? []) {
        const eq = kv.indexOf('=');
        if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
      }
      const config = i.Config as (typeof i.Config & { Entrypoint?: string[] | string | null }) | undefined;
      const entrypoint = config?.Entrypoint;
      return {
        id: i.Id,
        user: config?.User ?? '',
        env,
        labels: config?.Labels ?? {},
        ...(entrypoint ? { entrypoint: typeof entrypoint === 'string' ? [entrypoint] : entrypoint } : {}),
        ...(config?.Cmd?.length ? { cmd: config.Cmd } : {}),
      };
    } catch (e) {
      if (statusCode(e) === 404) return undefined;
      throw new EngineError(`inspecting image ${ref}`, e);
    }
  }

  private async pull(ref: string, log: LogSink, signal?: AbortSignal, platform?: string): Promise<void> {
    log(`Pulling ${ref}${platform ? ` for ${platform}` : ''}`);
    const usesLocalCredentials = this.usesLocalCredentials();
    const auth = usesLocalCredentials ? await registryAuthFor(ref) : undefined;
    try {
      let stream: Readable;
      try {
        stream = (await this.docker.pull(ref, {
          abortSignal: signal,
          ...(platform ? { platform } : {}),
          ...(auth ? { authconfig: auth } : {}),
        })) as Readable;
      } catch (e) {
        throw new EngineError(`pulling ${ref}`, e);
      }
      await this.follow(stream, log, `pulling ${ref}`);
    } catch (e) {
      // A refused pull says which credentials went with it (and how to give some).
      throw withCredentialsHint(e, ref, {
        remote: this.remote,
        usesLocalCredentials,
        sent: auth !== undefined,
      });
    }
  }

  private async build(req: Extract<ImageRequest, { kind: 'build' }>, log: LogSink, signal?: AbortSignal) {
    log(`Building ${req.tag} from ${req.dockerfile}`);
    const { tar, dockerfileInTar } = await packContext(req);
    let stream: Readable;
    try {
      stream = (await this.docker.buildImage(tar, {
        ...engineBuildParams(req, dockerfileInTar),
        abortSignal: signal,
      } as Docker.ImageBuildOptions)) as Readable;
    } catch (e) {
      throw new EngineError(`building ${req.tag}`, e);
    }
    await this.follow(stream, log, `building ${req.tag}`);
  }

  /** Follows a pull/build progress stream; an error event in it is a failure. */
  private follow(stream: Readable, log: LogSink, what: string): Promise<void> {
    const fmt = new ProgressFormatter();
    return new Promise((resolve, reject) => {
      let failure: string | undefined;
      this.docker.modem.followProgress(
        stream,
        (err: Error | null) => {
          if (err) reject(new EngineError(what, err));
          else if (failure) reject(new Error(`${what}: ${failure}`));
          else resolve();
        },
        (e: ProgressEvent) => {
          if (e.error) failure = (e.errorDetail?.message ?? e.error).trim();
          for (const line of fmt.format(e)) log(line);
        },
      );
    });
  }
}
