// Which ports of the window's environment to announce, and how, as they become available (forwarded by
// the runner and listened on): `onAutoForward` from portsAttributes decides — notify (the default) shows
// a notification with Open in Browser, openBrowser opens it, openBrowserOnce opens it the first time
// only, openPreview opens it in VS Code, silent and ignore say nothing. Ports already available when the
// window first sees the environment are not announced (they are not new). Pure.

import type { Environment, PortStatus } from '../../runner/api';
import { forwardOf } from '../../runner/presentation/forwardedPort';

export type PortNoticeAction = 'notify' | 'openBrowser' | 'openPreview';

export interface PortNotice {
  port: PortStatus;
  url: string;
  action: PortNoticeAction;
}

export interface PortNoticeState {
  /** The environment these are about (another one starts afresh). */
  uid: string;
  /** Ports available at the last look. */
  available: ReadonlySet<number>;
  /** Ports opened once already (openBrowserOnce). */
  openedOnce: ReadonlySet<number>;
}

function available(env: Environment): Map<number, PortStatus> {
  const out = new Map<number, PortStatus>();
  for (const p of env.status.ports) if (forwardOf(p) && p.listening === true) out.set(p.port, p);
  return out;
}

/** What to announce now, and the state for the next look. `prev` undefined: the first look. */
export function portNotices(
  prev: PortNoticeState | undefined,
  env: Environment | undefined,
): { notices: PortNotice[]; next: PortNoticeState | undefined } {
  if (!env) return { notices: [], next: undefined };
  const now = available(env);
  const first = !prev || prev.uid !== env.metadata.uid;
  const openedOnce = new Set(first ? [] : prev.openedOnce);
  const notices: PortNotice[] = [];
  if (!first) {
    for (const [port, p] of now) {
      if (prev.available.has(port)) continue;
      const url = forwardOf(p)!.url;
      switch (p.onAutoForward ?? 'notify') {
        case 'notify':
          notices.push({ port: p, url, action: 'notify' });
          break;
        case 'openBrowser':
          notices.push({ port: p, url, action: 'openBrowser' });
          break;
        case 'openBrowserOnce':
          if (!openedOnce.has(port)) notices.push({ port: p, url, action: 'openBrowser' });
          openedOnce.add(port);
          break;
        case 'openPreview':
          notices.push({ port: p, url, action: 'openPreview' });
          break;
        default: // silent, ignore
      }
    }
  }
  return { notices, next: { uid: env.metadata.uid, available: new Set(now.keys()), openedOnce } };
}

/** `Port 3000 (web) in my-app is available at 127.0.0.1:43121.` */
export function portNoticeMessage(display: string, p: PortStatus): string {
  const f = forwardOf(p);
  const label = p.label ? ` (${p.label})` : '';
  return `devrig: port ${p.port}${label} in ${display} is available${f ? ` at ${f.address}` : ''}.`;
}
