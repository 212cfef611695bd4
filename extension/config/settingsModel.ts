// The extension's settings, validated. Pure: the glue passes what `getConfiguration('devrig')` returned.

import nodePath, { type PlatformPath } from 'node:path';
import { Resources } from '../../runner/api';
import { resolveStateDir } from '../../runner/state/stateDir';
import type { AutoStartSetting } from '../autostart/autoStartDecision';
import { expandHome } from './paths';

export interface Settings {
  autoStart: AutoStartSetting;
  /** Where the runner keeps its state (and where it is found). */
  stateDir: string;
  runnerPath: string | undefined;
  defaultResources: Resources | undefined;
  /** Offer `devrig mcp` to VS Code's agent mode. */
  mcpEnabled: boolean;
  /** Settings that were ignored, for the log. */
  problems: string[];
}

export interface RawSettings {
  autoStart?: unknown;
  'runner.stateDir'?: unknown;
  'runner.path'?: unknown;
  defaultResources?: unknown;
  'mcp.enabled'?: unknown;
}

/**
 * `home` is os.homedir() (for `~/`); `path` the platform's path rules (absolute means `/…` on Linux and
 * macOS, `C:\…` or `\\server\share\…` on Windows).
 */
export function parseSettings(
  raw: RawSettings,
  env: NodeJS.ProcessEnv,
  home: string,
  path: PlatformPath = nodePath,
): Settings {
  const problems: string[] = [];
  const autoStart =
    raw.autoStart === 'off' || raw.autoStart === 'ask' || raw.autoStart === 'always' ? raw.autoStart : 'ask';
  if (raw.autoStart !== undefined && raw.autoStart !== autoStart) {
    problems.push(`devrig.autoStart must be off, ask or always; using "ask"`);
  }
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  let stateDir = resolveStateDir(env, home);
  const customState = str(raw['runner.stateDir']);
  if (customState) {
    const p = expandHome(customState, home, path);
    if (path.isAbsolute(p)) stateDir = path.normalize(p);
    else problems.push(`devrig.runner.stateDir must be an absolute path; using ${stateDir}`);
  }
  let defaultResources: Resources | undefined;
  const r = raw.defaultResources;
  if (r !== undefined && r !== null && !(typeof r === 'object' && Object.keys(r).length === 0)) {
    const parsed = Resources.safeParse(r);
    if (parsed.success) defaultResources = parsed.data;
    else
      problems.push(
        `devrig.defaultResources is invalid (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}); ignoring it`,
      );
  }
  const mcp = raw['mcp.enabled'];
  if (mcp !== undefined && typeof mcp !== 'boolean')
    problems.push('devrig.mcp.enabled must be true or false; using true');
  return {
    autoStart,
    stateDir,
    runnerPath: str(raw['runner.path']),
    defaultResources,
    mcpEnabled: mcp !== false,
    problems,
  };
}
