import { checkRunnerInfo } from '../api/checks';
import type { RunnerInfo } from '../api/runnerInfo';
import { readFileIfExists, writeFileAtomic } from './privateFile';

export async function readRunnerInfo(path: string): Promise<RunnerInfo | undefined> {
  const text = await readFileIfExists(path);
  if (!text) return undefined;
  try {
    return checkRunnerInfo(JSON.parse(text));
  } catch {
    return undefined;
  }
}

export async function writeRunnerInfo(path: string, info: RunnerInfo): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(info, null, 2) + '\n', 0o600);
}
