// The extension's settings, validated. Pure: the glue passes what `getConfiguration('devrig')` returned.

import { join } from 'node:path';
import { Resources } from '../../runner/api';
import { resolveStateDir } from '../../runner/state/stateDir';
import type { AutoStartSetting } from '../autostart/autoStartDecision';

export interface Settings {
  autoStart: AutoStartSetting;
  /** Where the runner keeps its state (and where it is found). */
  stateDir: string;
  runnerPath: string | undefined;
  defaultResources: Resources | undefined;
  /** Settings that were ignored, for the log. */
  problems: string[];
}

export interface RawSettings {
  autoStart?: unknown;
  'runner.stateDir'?: unknown;
  'runner.path'?: unknown;
  defaultResources?: unknown;
}

export function parseSettings(raw: RawSettings, env: NodeJS.ProcessEnv): Settings {
  const problems: string[] = [];
  const autoStart =
    raw.autoStart === 'off' || raw.autoStart === 'ask' || raw.autoStart === 'always' ? raw.autoStart : 'ask';
  if (raw.autoStart !== undefined && raw.autoStart !== autoStart) {
    problems.push(`devrig.autoStart must be off, ask or always; using "ask"`);
  }
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  const home = env.HOME;
  const expand = (p: string) => (p.startsWith('~/') && home ? join(home, p.slice(2)) : p);
  let stateDir = resolveStateDir(env);
  const customState = str(raw['runner.stateDir']);
  if (customState) {
    const p = expand(customState);
    if (p.startsWith('/')) stateDir = p;
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
  return { autoStart, stateDir, runnerPath: str(raw['runner.path']), defaultResources, problems };
}
