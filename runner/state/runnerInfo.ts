import { z } from 'zod';
import { readFileIfExists, writeFileAtomic } from './privateFile';

/** What a client needs to find the runner; written once the runner listens. */
export const RunnerInfo = z.object({
  pid: z.number().int(),
  /** The runner process's start time (Linux), so a later process reusing the pid is not taken for it. */
  pidStartTime: z.string().optional(),
  port: z.number().int(),
  sshPort: z.number().int().optional(),
  version: z.string(),
  startedAt: z.string(),
});
export type RunnerInfo = z.infer<typeof RunnerInfo>;

export async function readRunnerInfo(path: string): Promise<RunnerInfo | undefined> {
  const text = await readFileIfExists(path);
  if (!text) return undefined;
  try {
    return RunnerInfo.parse(JSON.parse(text));
  } catch {
    return undefined;
  }
}

export async function writeRunnerInfo(path: string, info: RunnerInfo): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(info, null, 2) + '\n', 0o600);
}
