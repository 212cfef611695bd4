import { stat } from 'node:fs/promises';
import { ApiError, type ResourceApply } from '../api';
import { agentLocalEnv, checkAgentSandbox, ConfigError, resolveDevcontainer } from '../devcontainer';
import { localEnvFor } from '../devcontainer/localEnv';
import { allowancesOf } from '../policy/hostAccess';
import type { z } from 'zod';
import type { ResourceApply as ResourceApplySchema } from '../api';

type Parsed = z.infer<typeof ResourceApplySchema>;

/**
 * Checks what can only be checked on this machine before anything is stored, so bad
 * input is refused with where it is wrong and the stored object stays as it was.
 */
export async function admit(input: Parsed, localEnv: Record<string, string | undefined>): Promise<void> {
  if (input.kind !== 'Environment') return;
  const { source, devcontainer } = input.spec;
  if (!source.folder) return;
  const s = await stat(source.folder).catch(() => undefined);
  if (!s) {
    throw new ApiError('Invalid', `spec.source.folder: ${source.folder} does not exist`, [
      { path: 'spec.source.folder', message: `${source.folder} does not exist` },
    ]);
  }
  if (!s.isDirectory()) {
    throw new ApiError('Invalid', `spec.source.folder: ${source.folder} is not a folder`, [
      { path: 'spec.source.folder', message: 'not a folder' },
    ]);
  }
  try {
    const resolved = await resolveDevcontainer({
      folder: source.folder,
      configPath: devcontainer?.path,
      inlineConfig: devcontainer?.config,
      localEnv: agentLocalEnv(input, localEnvFor(input.spec, localEnv)),
      devcontainerId: 'admission',
      allowHostContext: allowancesOf(input.spec).has('hostMounts'),
    });
    checkAgentSandbox(input, resolved, source.folder);
  } catch (e) {
    if (e instanceof ConfigError) {
      const where = e.line !== undefined ? `${e.file}:${e.line}:${e.column ?? 1}` : e.file;
      throw new ApiError('Invalid', e.message, [{ path: where, message: e.detail }], { cause: e });
    }
    throw e;
  }
}

export type { ResourceApply };
