// The journey's decisions (issue 15): which next step after a start the user asked for, which buttons
// the auto-start prompt shows, what a failure notification says and offers, what progress says, and the
// machine settings that keep VS Code from forwarding a port the runner already holds.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autoStartPrompt, MAX_BUTTON_LABEL } from '../../../../extension/autostart/autoStartPrompt';
import { decideNextStep, nextStepMessage } from '../../../../extension/journey/nextStep';
import { failureNotice } from '../../../../extension/failures/failureActions';
import { progressMessage, lastLine } from '../../../../extension/environments/progressText';
import { machineSettingsPath, withAutoForwardOff } from '../../../../extension/journey/machineSettings';
import { summarizeFailure } from '../../../../runner/presentation/failureSummary';
import { displayName, displayWithId } from '../../../../runner/presentation/displayName';
import { env } from '../../../helpers/resources';

test('auto-start prompt: at most three short buttons, the rest in More…', () => {
  for (const what of ['create', 'start'] as const) {
    for (const remote of [false, true]) {
      const p = autoStartPrompt(what, remote, 'My App');
      assert.ok(p.buttons.length <= 3, `${what} remote=${remote}`);
      for (const b of p.buttons) assert.ok(b.label.length <= MAX_BUTTON_LABEL, b.label);
      // Every answer is reachable: a button or an entry of More….
      const answers = new Set([...p.buttons, ...p.more].map((c) => c.answer));
      for (const a of ['start', 'notNow', 'never'] as const) assert.ok(answers.has(a), `${a} reachable`);
      assert.equal(answers.has('startAndReopen'), remote, 'Reopen only with Remote-SSH');
      assert.equal(
        p.buttons.some((b) => b.answer === 'more'),
        p.more.length > 0,
      );
    }
  }
  assert.deepEqual(
    autoStartPrompt('create', false).buttons.map((b) => b.label),
    ['Create & Start', 'Not Now', "Don't Ask Again"],
  );
  assert.deepEqual(
    autoStartPrompt('start', true).buttons.map((b) => b.label),
    ['Start', 'Start & Reopen', 'More…'],
  );
  assert.match(autoStartPrompt('start', false, 'My App').message, /My App for this folder is stopped/);
});

test('next step: Reopen first with Remote-SSH, a terminal without; a remembered choice is done at once', () => {
  const offer = decideNextStep({ remoteSsh: true, inside: false, remembered: undefined });
  assert.equal(offer.kind, 'offer');
  if (offer.kind !== 'offer') return;
  assert.deepEqual(
    offer.buttons.map((b) => b.label),
    ['Reopen', 'Terminal', 'More…'],
  );
  assert.ok(offer.more.some((c) => c.step === 'newWindow'));
  assert.ok(offer.more.some((c) => c.remember === 'none' && c.step === undefined));
  const plain = decideNextStep({ remoteSsh: false, inside: false, remembered: undefined });
  assert.ok(plain.kind === 'offer' && plain.buttons[0]!.step === 'terminal');
  assert.ok(plain.kind === 'offer' && plain.buttons.length <= 3);
  assert.deepEqual(decideNextStep({ remoteSsh: true, inside: false, remembered: 'reopen' }), {
    kind: 'do',
    step: 'reopen',
  });
  // Remembered Reopen without Remote-SSH cannot be done: offer again instead.
  assert.equal(decideNextStep({ remoteSsh: false, inside: false, remembered: 'reopen' }).kind, 'offer');
  assert.deepEqual(decideNextStep({ remoteSsh: false, inside: false, remembered: 'terminal' }), {
    kind: 'do',
    step: 'terminal',
  });
  assert.equal(decideNextStep({ remoteSsh: true, inside: false, remembered: 'none' }).kind, 'none');
  assert.equal(decideNextStep({ remoteSsh: true, inside: true, remembered: undefined }).kind, 'none');
  assert.match(nextStepMessage('My App', true), /My App is ready\. Reopen this window/);
});

test('failure notice: a config error says where and offers Open Config first', () => {
  const f = summarizeFailure('ConfigInvalid', '/w/.devcontainer/devcontainer.json:3:5: expected a comma');
  const n = failureNotice(f, { who: 'my-app', environment: false, consent: false, now: 0 });
  assert.deepEqual(n.actions, ['openConfig', 'retry', 'showLog']);
  assert.match(n.message, /^devrig: my-app: Config invalid in devcontainer\.json at line 3, column 5/);
  assert.match(n.message, /expected a comma/);
});

test('failure notice: an engine error gets its human cause first, the raw text kept, Retry Now while a retry is due', () => {
  const retry = { attempts: 3, nextAttemptAt: new Date(20_000).toISOString(), error: 'x' };
  const raw = 'pull access denied for nope/missing, repository does not exist or may require docker login';
  const f = summarizeFailure('PullFailed', raw, { retry });
  const n = failureNotice(f, { who: 'api', environment: true, consent: false, now: 0 });
  assert.equal(n.actions[0], 'retryNow');
  assert.ok(n.actions.includes('showLog') && n.actions.length <= 3);
  assert.ok(n.message.indexOf(f.headline) < n.message.indexOf('pull access denied'), n.message);
  assert.match(n.message, /3 attempts failed · next try in 20s/);
  // Once the retry is not pending any more: plain Retry.
  assert.equal(
    failureNotice(f, { who: 'api', environment: true, consent: false, now: 60_000 }).actions[0],
    'retry',
  );
  // A very long raw message is cut, not the headline.
  const long = failureNotice(summarizeFailure('BuildFailed', 'x'.repeat(2000)), {
    who: 'api',
    environment: true,
    consent: false,
    now: 0,
  });
  assert.ok(long.message.length < 600 && long.message.endsWith('…'));
});

test('failure notice: consent offers Review Access… only when there is something to allow', () => {
  const f = summarizeFailure('ConsentRequired', 'the build context needs a host mount');
  assert.equal(
    failureNotice(f, { who: 'a', environment: true, consent: true, now: 0 }).actions[0],
    'reviewAccess',
  );
  assert.ok(
    !failureNotice(f, { who: 'a', environment: true, consent: false, now: 0 }).actions.includes(
      'reviewAccess',
    ),
  );
});

test('progress: the step the environment is on and the last log line, cut to one line', () => {
  const building = env('e', 'Building');
  const m = progressMessage(building, 1, 'Running', '\x1b[32mStep 3/7 : RUN apt-get install -y curl\x1b[0m');
  assert.match(m, / — Step 3\/7 : RUN apt-get install -y curl$/);
  assert.ok(!m.includes('\x1b'));
  assert.ok(progressMessage(building, 1, 'Running', 'y'.repeat(500)).length <= 140);
  assert.equal(progressMessage(undefined, 1, 'Running', undefined), 'Waiting for the runner');
  assert.equal(lastLine('one\ntwo\r\n\n'), 'two');
  assert.equal(lastLine('\n \n'), undefined);
});

test('machine settings: auto-forwarding off, other settings and comments kept, nothing written twice', () => {
  assert.equal(machineSettingsPath('Visual Studio Code'), '.vscode-server/data/Machine/settings.json');
  assert.equal(
    machineSettingsPath('Visual Studio Code - Insiders'),
    '.vscode-server-insiders/data/Machine/settings.json',
  );
  assert.deepEqual(JSON.parse(withAutoForwardOff('')!), { 'remote.autoForwardPorts': false });
  const kept = withAutoForwardOff('{\n  // mine\n  "editor.tabSize": 4\n}')!;
  assert.match(kept, /\/\/ mine/);
  assert.match(kept, /"editor.tabSize": 4/);
  assert.match(kept, /"remote.autoForwardPorts": false/);
  assert.equal(withAutoForwardOff(kept), undefined);
  assert.deepEqual(JSON.parse(withAutoForwardOff('[1,2')!), { 'remote.autoForwardPorts': false });
});

test("display name: devcontainer.json's name when it gives one, the id otherwise", () => {
  const named = env('my-app', 'Running', { status: { configName: 'My App' } });
  assert.equal(displayName(named), 'My App');
  assert.equal(displayWithId(named), 'My App (my-app)');
  assert.equal(displayName(env('my-app', 'Running')), 'my-app');
  assert.equal(displayWithId(env('my-app', 'Running')), 'my-app');
  assert.equal(displayName(undefined, 'x'), 'x');
});

test("tree and status bar show devcontainer.json's name; the id stays in the tooltip", async () => {
  const { environmentStatus } = await import('../../../../extension/status/statusModel');
  const { environmentTooltip } = await import('../../../../extension/tree/tooltips');
  const named = env('my-app', 'Stopped', { status: { configName: 'My App' } });
  assert.equal(environmentStatus(named, true)!.text, '$(debug-stop) My App · Stopped');
  assert.ok(environmentTooltip(named).startsWith('**My App \\(my\\-app\\)** — Stopped'));
});
