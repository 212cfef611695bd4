import { utils, type AuthContext, type ParsedKey } from 'ssh2';
import type { ResourceStore } from '../store/resourceStore';
import { readFileIfExists } from '../state/privateFile';
import { isAuthorized, parseAuthorizedKeys, type AuthorizedKey } from '../sshConfig/authorizedKeys';
import { accessFor } from '../client/environmentAccess';
import { requestStart } from './startOnConnect';
import { fingerprint } from '../sshConfig/sshKeyFormat';

export interface AuthDeps {
  store: ResourceStore;
  /** devrig's own key (always allowed) and the user's extra authorized_keys file. */
  identityBlob: Buffer;
  authorizedKeysFile: string;
  log(msg: string): void;
}

export type AuthDecision =
  /** Logged in; `start` when the environment is stopped and starts on connect. */
  | { kind: 'accept'; start: boolean }
  /** The client asked whether a key would do (before signing with it): yes. */
  | { kind: 'keyOk' }
  /** `reason` goes to the runner log (none for the `none` probe every client starts with). */
  | { kind: 'reject'; reason?: string };

/**
 * Key-only authentication where the SSH user names the environment. Decides one attempt:
 * a key the user did not authorise, a password or keyboard-interactive attempt, an unknown
 * environment or a stopped one (unless it starts on connect) are refused with a reason for the log.
 */
export async function decideAuth(ctx: AuthContext, deps: AuthDeps): Promise<AuthDecision> {
  if (ctx.method === 'none') return { kind: 'reject' };
  if (ctx.method !== 'publickey') {
    return { kind: 'reject', reason: `${ctx.method} authentication refused: devrig accepts keys only` };
  }
  const keys = await allowedKeys(deps);
  if (!isAuthorized(ctx.key.data, keys)) {
    return { kind: 'reject', reason: `key ${fingerprint(ctx.key.data)} is not authorised` };
  }
  const access = accessFor(deps.store.get('Environment', ctx.username), ctx.username);
  if (access.kind === 'refuse') return { kind: 'reject', reason: access.reason };
  // The client first asks whether the key would do, then signs: only the signed attempt logs in.
  if (!ctx.signature || !ctx.blob) return { kind: 'keyOk' };
  const key = utils.parseKey(ctx.key.data);
  const parsed = (Array.isArray(key) ? key[0] : key) as ParsedKey | Error | undefined;
  if (!parsed || parsed instanceof Error || parsed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) {
    return { kind: 'reject', reason: `bad signature for key ${fingerprint(ctx.key.data)}` };
  }
  return { kind: 'accept', start: access.kind === 'start' };
}

async function allowedKeys(deps: AuthDeps): Promise<AuthorizedKey[]> {
  const own: AuthorizedKey = { type: 'ssh-ed25519', blob: deps.identityBlob, comment: 'devrig' };
  const text = await readFileIfExists(deps.authorizedKeysFile).catch(() => undefined);
  return [own, ...(text ? parseAuthorizedKeys(text).keys : [])];
}

/** Applies a decision to ssh2's context; starts a stopped environment that allows it. */
export function applyAuth(ctx: AuthContext, decision: AuthDecision, deps: AuthDeps): void {
  if (decision.kind === 'reject') {
    ctx.reject(['publickey']);
    return;
  }
  if (decision.kind === 'accept' && decision.start) {
    void requestStart(deps.store, ctx.username).catch((e: Error) =>
      deps.log(`ssh gateway: cannot start environment "${ctx.username}": ${e.message}`),
    );
  }
  // For a key query (no signature) ssh2 answers PK_OK; for a signed attempt, success.
  ctx.accept();
}
