import type { Environment } from '../../../api';
import {
  agentLocalEnv,
  checkAgentSandbox,
  ConfigError,
  formatWarning,
  resolveDevcontainer,
  type ResolvedDevcontainer,
} from '../../../devcontainer';
import { localEnvFor } from '../../../devcontainer/localEnv';
import { allowancesOf } from '../../../policy/hostAccess';
import { TerminalError } from '../../controller';
import { stableHash } from '../containerSpec';
import type { StepContext } from './stepContext';
import type { SourceOutput } from './sourceStep';

/** The configuration each environment was last resolved to, by name (sessions read remoteEnv from it). */
export type ResolvedConfigs = Map<string, ResolvedDevcontainer>;

export interface ConfigDeps {
  /** The machine's environment for `${localEnv:...}`. */
  localEnv?: Record<string, string | undefined>;
  configs: ResolvedConfigs;
}

/**
 * Config: devcontainer.json (or the inline config) read, validated and resolved (ConfigValid); a
 * bad one is a terminal error, reported with where it is wrong.
 */
export async function configStep(
  ctx: StepContext,
  deps: ConfigDeps,
  source: SourceOutput,
): Promise<ResolvedDevcontainer> {
  const { env, draft } = ctx;
  try {
    const resolved = await resolveDevcontainer({
      folder: source.folder,
      configPath: env.spec.devcontainer?.path,
      inlineConfig: env.spec.devcontainer?.config,
      // An agent's environment reads nothing of this machine's environment.
      localEnv: agentLocalEnv(env, localEnvFor(env.spec, deps.localEnv)),
      devcontainerId: stableHash(env.metadata.uid),
      allowCompose: true,
      // A build context outside the workspace (or the home folder, /) reads this machine's files.
      allowHostContext: allowancesOf(env.spec).has('hostMounts'),
    });
    // Checked again at every reconcile (admission checked it too): a config edited on disk may reach out.
    checkAgentSandbox(env, resolved, source.folder);
    draft.set('ConfigValid', 'True', 'Valid', `using ${resolved.configFile}`);
    draft.status.configFile = resolved.configFile;
    draft.status.configName = resolved.configName?.trim() || undefined;
    // Until the container step says how it applies to the container (image metadata, Features), which
    // it does on every reconcile that gets that far: sessions never see the merged values go missing.
    if (!deps.configs.has(env.metadata.name)) deps.configs.set(env.metadata.name, resolved);
    return resolved;
  } catch (e) {
    if (e instanceof ConfigError) {
      const reason = e.code === 'NotFound' ? 'ConfigNotFound' : 'ConfigInvalid';
      draft.set('ConfigValid', 'False', reason, e.message);
      draft.set('Ready', 'False', reason, e.message);
      throw new TerminalError(e.message, { cause: e });
    }
    throw e;
  }
}

/** ConfigSupported: what in the configuration devrig does not do (or does differently), if anything. */
export function supportStep(ctx: StepContext, resolved: ResolvedDevcontainer, extra: string[]): void {
  const notes = [
    ...resolved.warnings.map(formatWarning),
    ...resolved.runArgs.warnings,
    ...resolved.runArgs.refused,
    ...extra,
  ];
  if (notes.length === 0)
    ctx.draft.set('ConfigSupported', 'True', 'Supported', 'every property in use is supported');
  else ctx.draft.set('ConfigSupported', 'False', 'UnsupportedProperties', notes.join('; '));
}

/** Forgets what was resolved for a deleted environment. */
export function forgetConfig(deps: ConfigDeps, env: Environment): void {
  deps.configs.delete(env.metadata.name);
}
