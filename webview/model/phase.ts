// Phase → icon and tone, the same icons the tree uses (runner/presentation/phaseStyle.ts). Pure.

import type { EnvironmentPhase } from '../../runner/api';
import { ENVIRONMENT_ICONS, type IconSpec } from '../../runner/presentation/phaseStyle';

export type Tone = 'ok' | 'busy' | 'error' | 'warning' | 'idle';

export interface IconView {
  /** A codicon name, without the `~spin` modifier. */
  name: string;
  spin: boolean;
  /** A CSS colour (a `--vscode-*` variable) or empty for the default foreground. */
  color: string;
}

/** A tree IconSpec (`sync~spin`, theme colour `charts.green`) in the webview's terms. */
export function iconView(spec: IconSpec): IconView {
  const [name = spec.id, modifier] = spec.id.split('~');
  return { name, spin: modifier === 'spin', color: spec.color ? themeColorVar(spec.color) : '' };
}

/** `charts.green` → `var(--vscode-charts-green)`: a theme colour id as the CSS variable VS Code sets. */
export function themeColorVar(id: string): string {
  return `var(--vscode-${id.replace(/\./g, '-')})`;
}

const TONES: Record<EnvironmentPhase, Tone> = {
  Pending: 'busy',
  Building: 'busy',
  Starting: 'busy',
  Running: 'ok',
  Stopping: 'busy',
  Stopped: 'idle',
  Failed: 'error',
  Deleting: 'busy',
  Unreachable: 'warning',
};

export interface PhaseView {
  label: string;
  icon: IconView;
  tone: Tone;
}

export function phaseView(phase: EnvironmentPhase | undefined): PhaseView {
  if (!phase) return { label: 'Unknown', icon: { name: 'question', spin: false, color: '' }, tone: 'idle' };
  return { label: phase, icon: iconView(ENVIRONMENT_ICONS[phase]), tone: TONES[phase] };
}
