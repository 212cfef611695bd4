import { randomBytes } from 'node:crypto';
import { chmod, cp, mkdir, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { ContainerProvider, ImageRequest, ImageResult, LogSink } from '../providers/provider';
import { FEATURES_FOLDER, type FeatureBuildPlan } from './buildPlan';

/** A Feature's install.sh failed: which Feature, its exit code and the end of its output. */
export class FeatureInstallError extends Error {
  constructor(
    readonly userId: string,
    readonly exitCode: number | undefined,
    readonly tail: string[],
    options?: ErrorOptions,
  ) {
    const last = tail.slice(-5).join(' | ');
    super(
      `Feature ${userId} failed to install (exit code ${exitCode ?? 'unknown'})${last ? `: ${last}` : ''}`,
      options,
    );
    this.name = 'FeatureInstallError';
  }
}

/** The build request for a plan whose context was written to `context`. */
export function featureImageRequest(
  plan: FeatureBuildPlan,
  context: string,
): Extract<ImageRequest, { kind: 'build' }> {
  return {
    kind: 'build',
    tag: plan.tag,
    context,
    dockerfile: path.join(context, 'Dockerfile'),
    args: {},
    labels: plan.labels,
  };
}

/** Writes the plan's build context (Dockerfile, each Feature's files plus its generated ones) into `folder`. */
export async function writeBuildContext(plan: FeatureBuildPlan, folder: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, 'Dockerfile'), plan.dockerfile);
  for (const feature of plan.features) {
    await cp(feature.source, path.join(folder, feature.dir), { recursive: true });
  }
  // Generated files last: they replace any file of the same name a Feature shipped (as in the reference).
  for (const file of plan.files) {
    const target = path.join(folder, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    // A Feature's own file of that name may be a link: replace it, never write through it.
    await rm(target, { force: true });
    await writeFile(target, file.content);
    await chmod(target, file.mode);
  }
}

const STEP = /^Step (\d+)\/(\d+) : (.*)$/;
const FEATURE_RUN = new RegExp(`^RUN chmod -R 0755 ${FEATURES_FOLDER.replace(/[/.-]/g, '\\$&')}/(\\S+)`);
const FAILED = /returned a non-zero code: (\d+)/;
const TAIL_LINES = 30;
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/**
 * Follows the engine's build output: names the Feature being installed ("Installing Feature x (2/4)"),
 * says when its layer came from the cache, and keeps the last lines each Feature printed.
 */
export class FeatureBuildProgress {
  private current?: string;
  private readonly tails = new Map<string, string[]>();
  private readonly byDir: Map<string, { userId: string; index: number }>;

  constructor(
    private readonly plan: FeatureBuildPlan,
    private readonly log: LogSink,
    /** Told when each Feature's install starts (its layer may then come from the cache). */
    private readonly onInstall?: (userId: string, index: number, total: number) => void,
  ) {
    this.byDir = new Map(plan.features.map((f, index) => [f.dir, { userId: f.userId, index }]));
  }

  readonly sink: LogSink = (line) => {
    const step = STEP.exec(line);
    if (step) {
      const dir = FEATURE_RUN.exec(step[3] ?? '')?.[1];
      const feature = dir === undefined ? undefined : this.byDir.get(dir);
      this.current = feature?.userId;
      if (feature) {
        const total = this.plan.features.length;
        this.log(`Installing Feature ${feature.userId} (${feature.index + 1}/${total})`);
        this.onInstall?.(feature.userId, feature.index, total);
      }
      this.log(line);
      return;
    }
    if (this.current && line.trim() === '---> Using cache')
      this.log(`Feature ${this.current}: layer reused from the cache`);
    this.log(line);
    // The classic builder colours stderr red; the tail is for messages, so plain text.
    const text = line.replace(ANSI, '').trimEnd();
    if (
      this.current &&
      text &&
      !/^\s*--->/.test(text) &&
      !text.startsWith('Removing intermediate container')
    ) {
      const tail = this.tails.get(this.current) ?? [];
      tail.push(text);
      if (tail.length > TAIL_LINES) tail.shift();
      this.tails.set(this.current, tail);
    }
  };

  /** The build error as a FeatureInstallError when it was a Feature's RUN that failed, else as it is. */
  explain(error: unknown): unknown {
    const message = (error as Error)?.message ?? String(error);
    const dir = new RegExp(`${FEATURES_FOLDER.replace(/[/.-]/g, '\\$&')}/(\\S+)`).exec(message)?.[1];
    const userId = (dir && this.byDir.get(dir)?.userId) ?? (FAILED.test(message) ? this.current : undefined);
    if (!userId) return error;
    const code = FAILED.exec(message)?.[1];
    const tail = (this.tails.get(userId) ?? []).filter((l) => !l.startsWith('error: '));
    return new FeatureInstallError(userId, code === undefined ? undefined : Number(code), tail, {
      cause: error,
    });
  }
}

/**
 * Builds (or finds: the tag is a content hash) the Feature image through the provider's ordinary build
 * path. The build context is written to a private folder under `workDir` and removed afterwards.
 * A failing install.sh rejects with a FeatureInstallError.
 */
export async function buildFeatureImage(
  provider: ContainerProvider,
  plan: FeatureBuildPlan,
  workDir: string,
  log: LogSink,
  signal?: AbortSignal,
  onInstall?: (userId: string, index: number, total: number) => void,
): Promise<ImageResult> {
  const context = path.join(workDir, `${plan.hash.slice(0, 16)}-${randomBytes(4).toString('hex')}`);
  const progress = new FeatureBuildProgress(plan, log, onInstall);
  try {
    await writeBuildContext(plan, context);
    return await provider.ensureImage(featureImageRequest(plan, context), progress.sink, signal);
  } catch (error) {
    throw progress.explain(error);
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}
