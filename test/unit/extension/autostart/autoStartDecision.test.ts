import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decideAutoStart,
  environmentOfRemoteWindow,
  type AutoStartFacts,
} from '../../../../extension/autostart/autoStartDecision';
import { env } from '../../../helpers/resources';

const base: AutoStartFacts = {
  setting: 'ask',
  hasConfig: true,
  trusted: true,
  environment: undefined,
  insideEnvironment: false,
  neverForFolder: false,
  handledThisSession: false,
};

test('auto start decisions (table)', () => {
  const rows: [string, Partial<AutoStartFacts>, string][] = [
    ['ask, no environment', {}, 'ask create'],
    ['always, no environment', { setting: 'always' }, 'do create'],
    ['off', { setting: 'off' }, 'none'],
    ['ask, stopped environment', { environment: env('e', 'Stopped') }, 'ask start'],
    ['always, stopped environment', { setting: 'always', environment: env('e', 'Stopped') }, 'do start'],
    ['always, running', { setting: 'always', environment: env('e', 'Running') }, 'none'],
    ['always, starting', { setting: 'always', environment: env('e', 'Starting') }, 'none'],
    ['always, failed (not retried unasked)', { setting: 'always', environment: env('e', 'Failed') }, 'none'],
    [
      'always, being deleted',
      { setting: 'always', environment: env('e', 'Stopped', { deleting: true }) },
      'none',
    ],
    ['no config, no environment', { hasConfig: false }, 'none'],
    [
      'no config any more, but a stopped environment',
      { hasConfig: false, environment: env('e', 'Stopped') },
      'ask start',
    ],
    ['already inside the environment', { setting: 'always', insideEnvironment: true }, 'none'],
    ['untrusted folder', { setting: 'always', trusted: false }, 'none'],
    ['never for this folder', { neverForFolder: true }, 'none'],
    ['never for this folder wins over always', { setting: 'always', neverForFolder: true }, 'none'],
    ['asked before in this session', { handledThisSession: true }, 'none'],
  ];
  for (const [what, facts, want] of rows) {
    const a = decideAutoStart({ ...base, ...facts });
    assert.equal(a.kind === 'none' ? 'none' : `${a.kind} ${a.what}`, want, what);
  }
});

test('a "none" decision says why (for the log)', () => {
  const a = decideAutoStart({ ...base, setting: 'off' });
  assert.equal(a.kind, 'none');
  assert.match(a.kind === 'none' ? a.why : '', /off/);
});

test('environmentOfRemoteWindow: only ssh-remote windows on devrig-<name> hosts', () => {
  const rows: [string | undefined, string | undefined, string | undefined][] = [
    ['ssh-remote', 'ssh-remote+devrig-api', 'api'],
    ['ssh-remote', 'ssh-remote+devrig-my-env-2', 'my-env-2'],
    ['ssh-remote', 'ssh-remote+other-host', undefined],
    ['ssh-remote', undefined, undefined],
    ['wsl', 'wsl+devrig-api', undefined],
    [undefined, '', undefined],
    [undefined, 'localhost:8080', undefined],
  ];
  for (const [remote, authority, want] of rows)
    assert.equal(environmentOfRemoteWindow(remote, authority), want, `${remote} ${authority}`);
});
