import type { IncomingMessage } from 'node:http';
import { TOKEN_HEADER } from '../api';
import { tokensEqual } from '../state/token';

export type UpgradeVerdict = { ok: true } | { ok: false; status: 401 | 403; reason: string };

/**
 * Who may open the API: a local process holding the token. Browsers always send an
 * Origin on WebSocket upgrades, so any Origin is refused (this also stops DNS rebinding).
 */
export function checkUpgrade(req: Pick<IncomingMessage, 'headers'>, token: string): UpgradeVerdict {
  if (req.headers.origin !== undefined) {
    return { ok: false, status: 403, reason: 'browser origins are refused' };
  }
  const header = req.headers[TOKEN_HEADER];
  const value = Array.isArray(header) ? header[0] : header;
  const m = value ? /^Bearer (\S+)$/.exec(value) : null;
  if (!m) return { ok: false, status: 401, reason: 'missing token' };
  if (!tokensEqual(m[1]!, token)) return { ok: false, status: 401, reason: 'wrong token' };
  return { ok: true };
}
