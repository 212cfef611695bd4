import type { Environment } from '../../api';
import type { ResolvedBuild, ResolvedDevcontainer } from '../../devcontainer';
import { stableHash } from './containerSpec';
import { TimedMemo } from './timedMemo';

/** Hashes a Dockerfile build's inputs (its context's files, the Dockerfile, args, target). */
export type BuildInputsHasher = (build: ResolvedBuild) => Promise<string>;

export interface InputHashesValue {
  /** The resolved config with its build inputs: a container labelled otherwise has drifted (UpToDate). */
  config: string;
  /** The build inputs alone, when the config builds an image. */
  build?: string;
}

/**
 * What a container is made from, hashed. Walking and hashing a large build context on every resync
 * is costly: a build hash is reused while younger than the caller's `maxAgeMs`.
 */
export class InputHashes {
  private readonly builds = new TimedMemo<string>();

  constructor(private readonly hashBuild: BuildInputsHasher) {}

  async of(env: Environment, resolved: ResolvedDevcontainer, maxAgeMs: number): Promise<InputHashesValue> {
    // What only points at things (positions, the config as written, the substitution's whole environment).
    const { warnings: _w, hostRequests: _h, written: _s, ...rest } = resolved;
    const b = resolved.build;
    const build = b
      ? await this.builds.get(env.metadata.uid, stableHash(b), maxAgeMs, () => this.hashBuild(b))
      : undefined;
    return { config: stableHash({ config: rest, build }), build };
  }

  forget(env: Environment): void {
    this.builds.forget(env.metadata.uid);
  }
}
