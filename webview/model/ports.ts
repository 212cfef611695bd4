// Ports as rows with what can be done with each. Pure.

import type { PortStatus } from '../../runner/api';
import { forwardOf } from '../../runner/presentation/forwardedPort';
import { themeColorVar, type IconView, type Tone } from './phase';

export interface PortRow {
  port: number;
  label: string;
  source: PortStatus['source'];
  state: PortStatus['state'];
  icon: IconView;
  tone: Tone;
  /** `127.0.0.1:43121` where the forward listens; empty when not forwarded. */
  address: string;
  message: string;
  canOpen: boolean;
  canCopy: boolean;
}

const LOOKS: Record<PortStatus['state'], { icon: IconView; tone: Tone }> = {
  Forwarded: { icon: { name: 'radio-tower', spin: false, color: themeColorVar('charts.green') }, tone: 'ok' },
  Pending: { icon: { name: 'sync', spin: true, color: '' }, tone: 'busy' },
  Error: { icon: { name: 'error', spin: false, color: themeColorVar('errorForeground') }, tone: 'error' },
  Ignored: { icon: { name: 'circle-slash', spin: false, color: '' }, tone: 'idle' },
};

export function portRows(ports: readonly PortStatus[]): PortRow[] {
  return [...ports]
    .sort((a, b) => a.port - b.port)
    .map((p) => {
      const forward = forwardOf(p);
      return {
        port: p.port,
        label: p.label ?? '',
        source: p.source,
        state: p.state,
        ...LOOKS[p.state],
        address: forward?.address ?? '',
        message: p.message ?? '',
        canOpen: forward !== undefined,
        canCopy: forward !== undefined,
      };
    });
}
