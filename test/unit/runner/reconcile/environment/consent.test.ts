// Consent in the runner: initializeCommand's hash-bound consent, and the reconcile step that reports
// what is allowed and refused and stops before anything reaches the host (clients: consent-clients).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { derivePhase, Environment, type HostAccessItem } from '../../../../../runner/api';
import type { LifecycleCommand } from '../../../../../runner/devcontainer';
import {
  initializeCommandHash,
  initializeCommandText,
  initializeConsent,
} from '../../../../../runner/policy/initializeConsent';
import { reportConsent, type ConsentCheck } from '../../../../../runner/reconcile/environment/consent';
import { StatusDraft } from '../../../../../runner/reconcile/environment/statusDraft';
import { TerminalError } from '../../../../../runner/reconcile/controller';

const phaseOf = (draft: StatusDraft) =>
  derivePhase({ desired: 'Running', deleting: false, conditions: draft.status.conditions });

const touch: LifecycleCommand[] = [{ name: 'initializeCommand', shell: 'touch /tmp/marker' }];

function environment(spec: Record<string, unknown>, status: Record<string, unknown> = {}): Environment {
  return Environment.parse({
    kind: 'Environment',
    metadata: { name: 'web', uid: 'u-1', generation: 2, resourceVersion: '5', creationTimestamp: 'x' },
    spec: { source: { git: { url: 'https://example.invalid/r.git' } }, ...spec },
    status,
  });
}

// initializeCommand consent ------------------------------------------------------------------------

test('a git source needs consent to the exact initializeCommand; a changed command needs it again', () => {
  const git = { source: { git: { url: 'https://example.invalid/r.git' } } };
  const c = initializeConsent(git, touch)!;
  assert.equal(c.text, 'touch /tmp/marker');
  assert.match(c.hash, /^sha256:[0-9a-f]{64}$/);
  assert.equal(c.allowed, false);
  assert.equal(c.why, 'the git source https://example.invalid/r.git');
  assert.equal(initializeConsent({ ...git, allowInitializeCommand: c.hash }, touch)!.allowed, true);
  const changed = [{ name: 'initializeCommand', shell: 'touch /tmp/marker; curl evil' }];
  assert.notEqual(initializeCommandHash(changed), c.hash);
  assert.equal(initializeConsent({ ...git, allowInitializeCommand: c.hash }, changed)!.allowed, false);
});

test('a folder given by its user needs no consent (as the reference CLI); an untrusted one does', () => {
  assert.equal(initializeConsent({ source: { folder: '/src/web' } }, touch), undefined);
  const c = initializeConsent({ source: { folder: '/src/web', untrusted: true } }, touch)!;
  assert.equal(c.why, 'the folder /src/web, which is not trusted');
  assert.equal(
    initializeConsent({ source: { git: { url: 'x' } } }, []),
    undefined,
    'no command, nothing to ask',
  );
});

test('the text shows every command as it will run; argv is quoted, named commands are named', () => {
  assert.equal(
    initializeCommandText([{ name: 'initializeCommand', argv: ['sh', '-c', "echo 'hi' > x"] }]),
    `sh -c 'echo '\\''hi'\\'' > x'`,
  );
  assert.equal(
    initializeCommandText([
      { name: 'a', shell: 'make a' },
      { name: 'b', argv: ['make', 'b c'] },
    ]),
    "a: make a\nb: make 'b c'",
  );
  // argv and shell forms of the same words are different commands.
  assert.notEqual(
    initializeCommandHash([{ name: 'initializeCommand', shell: 'ls' }]),
    initializeCommandHash([{ name: 'initializeCommand', argv: ['ls'] }]),
  );
});

// The reconcile step -------------------------------------------------------------------------------

const item = (allowance: HostAccessItem['allowance'], detail = 'x'): HostAccessItem => ({
  ...(allowance ? { allowance } : {}),
  origin: 'runArgs',
  property: 'runArgs[0]',
  location: '/p/devcontainer.json:3:4',
  detail,
  message: `/p/devcontainer.json:3:4: runArgs[0] asks for ${detail}; allow it with spec.allow: [${allowance}]`,
});

function check(
  refused: HostAccessItem[],
  allowed: HostAccessItem[] = [],
  init?: ConsentCheck['initialize'],
): ConsentCheck {
  return { hostAccess: { allowed, refused }, ...(init ? { initialize: init } : {}) };
}

const cond = (d: StatusDraft, type: string) => d.status.conditions.find((c) => c.type === type);

test('refused host access stops a reconcile that would make a container, before anything else', () => {
  const env = environment({ source: { folder: '/p' } });
  const draft = new StatusDraft(env, () => new Date(0));
  assert.throws(
    () =>
      reportConsent(draft, env, check([item('hostNetwork', "this machine's network")]), {
        type: 'create',
        reason: 'no container',
      }),
    TerminalError,
  );
  assert.equal(cond(draft, 'HostAccessAllowed')?.status, 'False');
  assert.equal(cond(draft, 'HostAccessAllowed')?.reason, 'ConsentRequired');
  assert.match(
    cond(draft, 'HostAccessAllowed')!.message,
    /runArgs\[0\] asks for this machine's network; allow it with/,
  );
  assert.equal(cond(draft, 'Ready')?.reason, 'ConsentRequired');
  assert.equal(draft.status.hostAccess?.refused.length, 1);
  assert.equal(phaseOf(draft), 'Failed');
});

test('the state folder is Forbidden; allowed items are reported True with what was allowed', () => {
  const env = environment({ source: { folder: '/p' } });
  const forbidden = new StatusDraft(env, () => new Date(0));
  assert.throws(() =>
    reportConsent(forbidden, env, check([item(undefined)]), { type: 'recreate', reason: 'x' }),
  );
  assert.equal(cond(forbidden, 'HostAccessAllowed')?.reason, 'Forbidden');
  const ok = new StatusDraft(env, () => new Date(0));
  reportConsent(ok, env, check([], [item('privileged')]), { type: 'create', reason: 'x' });
  assert.equal(cond(ok, 'HostAccessAllowed')?.status, 'True');
  assert.equal(cond(ok, 'HostAccessAllowed')?.reason, 'Allowed');
  assert.deepEqual(
    ok.status.hostAccess?.allowed.map((i) => i.allowance),
    ['privileged'],
  );
  const none = new StatusDraft(env, () => new Date(0));
  reportConsent(none, env, check([]), { type: 'create', reason: 'x' });
  assert.equal(cond(none, 'HostAccessAllowed')?.reason, 'NothingRequested');
  assert.equal(none.status.hostAccess, undefined);
});

test('an edited config asking for more while the container from before runs is reported, not enforced', () => {
  const env = environment({ source: { folder: '/p' } });
  for (const action of [{ type: 'none' }, { type: 'start', reason: 'x' }] as const) {
    const draft = new StatusDraft(env, () => new Date(0));
    reportConsent(draft, env, check([item('hostNetwork')]), action);
    assert.equal(cond(draft, 'HostAccessAllowed')?.status, 'Unknown');
    assert.notEqual(phaseOf(draft), 'Failed');
  }
  const stopped = environment({ source: { folder: '/p' }, state: 'Stopped' });
  const draft = new StatusDraft(stopped, () => new Date(0));
  reportConsent(draft, stopped, check([item('hostNetwork')]), { type: 'create', reason: 'x' });
  assert.equal(cond(draft, 'HostAccessAllowed')?.status, 'Unknown');
});

test('initializeCommand without consent stops create, start and restart, and is asked together with host access', () => {
  const env = environment({});
  const init = initializeConsent(env.spec, touch)!;
  for (const type of ['create', 'recreate', 'start', 'restart'] as const) {
    const draft = new StatusDraft(env, () => new Date(0));
    assert.throws(
      () => reportConsent(draft, env, check([item('engineSocket')], [], init), { type, reason: 'x' }),
      TerminalError,
    );
    assert.equal(cond(draft, 'InitializeCommandAllowed')?.status, 'False');
    assert.match(cond(draft, 'InitializeCommandAllowed')!.message, /touch \/tmp\/marker/);
    assert.match(
      cond(draft, 'InitializeCommandAllowed')!.message,
      new RegExp(`spec.allowInitializeCommand: "${init.hash}"`),
    );
    assert.deepEqual(draft.status.initializeCommand, {
      text: 'touch /tmp/marker',
      hash: init.hash,
      allowed: false,
      why: init.why,
    });
  }
  const running = new StatusDraft(env, () => new Date(0));
  reportConsent(running, env, check([], [], init), { type: 'none' });
  assert.equal(cond(running, 'InitializeCommandAllowed')?.status, 'Unknown', 'nothing runs it now');
  const allowed = environment({ allowInitializeCommand: init.hash });
  const draft = new StatusDraft(allowed, () => new Date(0));
  reportConsent(draft, allowed, check([], [], initializeConsent(allowed.spec, touch)), {
    type: 'create',
    reason: 'x',
  });
  assert.equal(cond(draft, 'InitializeCommandAllowed')?.status, 'True');
});

test('the same check on an unchanged environment changes nothing in its status (no write)', () => {
  for (const c of [check([]), check([], [item('privileged')]), check([item('hostNetwork')])]) {
    const env = environment({ source: { folder: '/p' } });
    const first = new StatusDraft(env, () => new Date(0));
    reportConsent(first, env, c, { type: 'none' });
    // What the store hands back is parsed JSON: undefined-valued keys are gone.
    const stored = Environment.parse(JSON.parse(JSON.stringify({ ...env, status: first.status })));
    const again = new StatusDraft(stored, () => new Date(1));
    reportConsent(again, stored, c, { type: 'none' });
    assert.deepEqual(
      JSON.parse(JSON.stringify(again.patch(true))),
      JSON.parse(JSON.stringify(first.patch(true))),
    );
  }
});
