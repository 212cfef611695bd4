// The command registry, package.json's contributes and the tree's contextValues must agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AutomationPhase as AutomationPhaseSchema,
  EnvironmentPhase as EnvironmentPhaseSchema,
  type EnvironmentPhase,
} from '../../../../runner/api';
import { COMMAND_IDS, COMMANDS, type CommandId } from '../../../../extension/commands/commandIds';
import {
  automationContextValue,
  automationPhases,
  automationVerbs,
  availableVerbs,
  canDo,
  ENVIRONMENT_VERBS,
  environmentContextValue,
  type AutomationVerb,
  type EnvironmentVerb,
  type VerbFacts,
} from '../../../../runner/presentation/verbs';
import { statusActions } from '../../../../extension/status/statusActions';
import { actionViews } from '../../../../webview/model/actions';
import { env } from '../../../helpers/resources';

interface Menu {
  command: string;
  when?: string;
  group?: string;
}
const pkg = JSON.parse(readFileSync(join(__dirname, '../../../../package.json'), 'utf8'));
const contributes = pkg.contributes;
const declared: string[] = contributes.commands.map((c: { command: string }) => c.command);
const menus: Record<string, Menu[]> = contributes.menus;
const PHASES: EnvironmentPhase[] = EnvironmentPhaseSchema.options;

test('every registered command is declared in package.json, and nothing else is', () => {
  assert.deepEqual([...declared].sort(), [...COMMAND_IDS].sort());
  assert.equal(new Set(declared).size, declared.length, 'no duplicates');
});

test('every command has a title and the devrig category', () => {
  for (const c of contributes.commands) {
    assert.ok(c.title, c.command);
    assert.equal(c.category, 'devrig', c.command);
  }
});

test('menus only reference declared commands', () => {
  for (const [where, items] of Object.entries(menus)) {
    for (const m of items) assert.ok(declared.includes(m.command), `${where} references ${m.command}`);
  }
});

test('viewsWelcome buttons and tree/status commands exist', () => {
  for (const w of contributes.viewsWelcome) {
    for (const [, id] of w.contents.matchAll(/\(command:([\w.]+)\)/g)) assert.ok(declared.includes(id), id);
  }
  for (const a of [
    ...statusActions(undefined, true, false),
    ...statusActions(env('e', 'Running'), true, true),
  ]) {
    assert.ok(declared.includes(a.command), a.command);
  }
});

/** The viewItem regexes/equalities a menu's `when` uses, evaluated against one contextValue. */
function menuShows(when: string | undefined, viewItem: string): boolean {
  if (!when) return true;
  const m = /viewItem =~ \/(.+?)\/(?:\s|$)/.exec(when);
  if (m) return new RegExp(m[1]!).test(viewItem);
  const eq = /viewItem == ([\w.]+)/.exec(when);
  return eq ? eq[1] === viewItem : true;
}

function itemMenu(viewItem: string): string[] {
  return menus['view/item/context']!.filter((m) => menuShows(m.when, viewItem)).map(
    (m) => `${m.command}@${m.group}`,
  );
}

/** The tree commands behind each verb (several for Open). */
const VERB_COMMANDS: Record<EnvironmentVerb, CommandId[]> = {
  start: [COMMANDS.start],
  retry: [COMMANDS.retry],
  stop: [COMMANDS.stop],
  restart: [COMMANDS.restart],
  rebuild: [COMMANDS.rebuild],
  delete: [COMMANDS.delete],
  open: [COMMANDS.openInRemoteSsh, COMMANDS.openInRemoteSshNewWindow],
  openTerminal: [COMMANDS.openTerminal],
  copySshCommand: [COMMANDS.copySshCommand],
  showLogs: [COMMANDS.showLogs],
  showDetails: [COMMANDS.showDetails],
  keepRunning: [COMMANDS.keepRunning],
};

const ALL_FACTS: VerbFacts[] = PHASES.flatMap((phase) => [
  { phase, idleStop: false },
  { phase, idleStop: true },
]);

test("the tree's context menus offer exactly the verbs availableVerbs allows, for every phase", () => {
  for (const facts of ALL_FACTS) {
    const viewItem = environmentContextValue(facts);
    const menu = itemMenu(viewItem);
    for (const verb of ENVIRONMENT_VERBS) {
      for (const command of VERB_COMMANDS[verb]) {
        const inMenu = menu.some((x) => x.startsWith(command + '@') && !x.includes('@inline'));
        assert.equal(inMenu, canDo(facts, verb), `${command} in the menu of ${viewItem}`);
        // Inline buttons are a subset: the most likely next step only.
        const inline = menu.some((x) => x.startsWith(command + '@inline'));
        if (inline) assert.ok(canDo(facts, verb), `inline ${command} on ${viewItem}`);
      }
    }
  }
  // Later tags after the phase keep matching; a longer word does not.
  assert.ok(itemMenu('environment.running.ports').some((x) => x.startsWith(COMMANDS.stop)));
  assert.ok(!itemMenu('environment.runningx').some((x) => x.startsWith(COMMANDS.stop)));
});

test('verbs: what each state allows', () => {
  const verbs = (phase: EnvironmentPhase, idleStop = false) => availableVerbs({ phase, idleStop });
  assert.deepEqual(verbs('Running', true), [
    'stop',
    'restart',
    'rebuild',
    'delete',
    'open',
    'openTerminal',
    'copySshCommand',
    'showLogs',
    'showDetails',
    'keepRunning',
  ]);
  assert.ok(!verbs('Running').includes('keepRunning'), 'nothing to postpone without an idle stop');
  assert.deepEqual(verbs('Deleting'), ['showLogs', 'showDetails'], 'nothing can change while deleting');
  assert.ok(!verbs('Unreachable').includes('stop'), 'not stoppable while the host is unreachable');
  assert.ok(!verbs('Stopping').includes('start'), 'no start while stopping');
  // A failed environment is meant to run already: it is offered Retry, not Start.
  assert.ok(verbs('Failed').includes('retry') && verbs('Failed').includes('stop'));
  assert.ok(!verbs('Failed').includes('start') && !verbs('Stopped').includes('retry'));
  assert.ok(verbs('Failed').includes('restart'), 'restart does not depend on spec.state');
  // The environment form reads the same facts.
  const running = env('e', 'Running', { status: { idleStopAt: '2026-01-01T10:30:00.000Z' } });
  assert.deepEqual(availableVerbs(running), verbs('Running', true));
  assert.equal(environmentContextValue(running), 'environment.running.idleStop');
  assert.equal(environmentContextValue(env('e', 'Stopped')), 'environment.stopped');
});

test('the status bar offers the verbs the tree does, for every phase', () => {
  const byCommand = new Map<string, EnvironmentVerb>();
  for (const v of ENVIRONMENT_VERBS) for (const c of VERB_COMMANDS[v]) byCommand.set(c, v);
  // The status bar opens the folder's own environment in this window: Reopen in Environment.
  byCommand.set(COMMANDS.reopenInEnvironment, 'open');
  for (const facts of ALL_FACTS) {
    const e = env('e', facts.phase, {
      status: facts.idleStop ? { idleStopAt: '2026-01-01T10:30:00.000Z' } : {},
    });
    const offered = statusActions(e, true, true).map((a) => byCommand.get(a.command));
    assert.ok(!offered.includes(undefined), 'only environment verbs');
    assert.deepEqual(
      [...new Set(offered)].sort(),
      availableVerbs(facts).sort(),
      `status bar for ${facts.phase}${facts.idleStop ? ' (idle stop)' : ''}`,
    );
  }
});

test("the details panel's buttons follow the same verbs", () => {
  const PANEL: Record<string, EnvironmentVerb> = {
    start: 'start',
    retry: 'retry',
    stop: 'stop',
    restart: 'restart',
    rebuild: 'rebuild',
    openInRemoteSsh: 'open',
    openTerminal: 'openTerminal',
    showLogs: 'showLogs',
  };
  for (const phase of PHASES) {
    for (const a of actionViews(phase, true)) {
      assert.equal(a.enabled, canDo({ phase, idleStop: false }, PANEL[a.command]!), `${a.command} ${phase}`);
    }
  }
});

test('automation rows: the menus offer exactly the verbs each kind and phase allows', () => {
  const VERB_COMMAND: Record<AutomationVerb, CommandId> = {
    run: COMMANDS.runAutomation,
    stop: COMMANDS.stopAutomation,
  };
  for (const kind of ['service', 'task'] as const) {
    for (const phase of AutomationPhaseSchema.options) {
      const viewItem = automationContextValue({ kind, phase });
      const menu = itemMenu(viewItem);
      for (const verb of ['run', 'stop'] as const) {
        const want = automationVerbs({ kind, phase }).includes(verb);
        for (const where of ['inline', '1_automation']) {
          const shown = menu.some((x) => x.startsWith(`${VERB_COMMAND[verb]}@${where}`));
          assert.equal(shown, want, `${VERB_COMMAND[verb]} (${where}) on ${viewItem}`);
        }
      }
    }
  }
  // What the runner reports (runner/automations): a crash-looping service can be stopped; phases a kind
  // never reports have no menu at all.
  assert.deepEqual(automationVerbs({ kind: 'service', phase: 'Failed' }), ['stop']);
  assert.deepEqual(automationVerbs({ kind: 'task', phase: 'Running' }), ['stop']);
  assert.deepEqual(automationPhases('task').sort(), ['Failed', 'Pending', 'Running', 'Succeeded']);
  for (const phase of ['Starting', 'Stopped', 'Ready', 'Stopping'] as const) {
    assert.deepEqual(automationVerbs({ kind: 'task', phase }), [], `task ${phase} does not occur`);
  }
  assert.deepEqual(
    automationVerbs({ kind: 'service', phase: 'Pending' }),
    [],
    'service Pending does not occur',
  );
});

test('the welcome view and the context keys menus read are the ones the extension sets', () => {
  const keysSet = [
    ...readFileSync(join(__dirname, '../../../../extension/contextKeys.ts'), 'utf8').matchAll(
      /'(devrig\.\w+)'/g,
    ),
  ].map((m) => m[1]!);
  const whens = [
    ...contributes.viewsWelcome.map((w: { when?: string }) => w.when ?? ''),
    ...Object.values(menus).flatMap((items) => items.map((m) => m.when ?? '')),
  ].join(' ');
  const keysRead = new Set([...whens.matchAll(/\b(devrig\.\w+)\b(?!\.)/g)].map((m) => m[1]!));
  for (const k of keysRead)
    if (!k.startsWith('devrig.environments')) assert.ok(keysSet.includes(k), `${k} is set`);
  for (const k of keysSet) assert.ok(keysRead.has(k), `${k} is read by some when clause`);
  // One welcome entry: the tree shows a banner whenever it is not connected, so only "connected" is empty.
  assert.equal(contributes.viewsWelcome.length, 1);
});

test('every view/item/context entry matches some contextValue the tree can produce', () => {
  const producible = [
    ...ALL_FACTS.map(environmentContextValue),
    'port.forwarded',
    'host.local',
    'host.remote.ready',
    'host.remote.pending.keyPending',
    ...(['service', 'task'] as const).flatMap((kind) =>
      automationPhases(kind).map((phase) => automationContextValue({ kind, phase })),
    ),
  ];
  for (const m of menus['view/item/context']!) {
    assert.ok(
      producible.some((v) => menuShows(m.when, v)),
      `${m.command} (${m.when}) matches nothing`,
    );
    assert.match(m.when ?? '', /view == devrig\.environments/, `${m.command} is scoped to the devrig view`);
  }
});

test('item-only commands are hidden from the command palette', () => {
  const hidden = menus.commandPalette!.filter((m) => m.when === 'false').map((m) => m.command);
  for (const id of [
    COMMANDS.openPort,
    COMMANDS.runAutomation,
    COMMANDS.stopAutomation,
    COMMANDS.acceptHostKey,
    COMMANDS.removeHost,
    COMMANDS.statusBarActions,
  ]) {
    assert.ok(hidden.includes(id), id);
  }
});

test('the manifest: activation, extensionKind, view container, untrusted workspaces', () => {
  assert.deepEqual(pkg.extensionKind, ['ui', 'workspace']);
  for (const e of [
    'workspaceContains:.devcontainer/devcontainer.json',
    'workspaceContains:.devcontainer.json',
    'onView:devrig.environments',
  ]) {
    assert.ok(pkg.activationEvents.includes(e), e);
  }
  assert.equal(pkg.main, './dist/extension.js');
  assert.equal(contributes.viewsContainers.activitybar[0].id, 'devrig');
  assert.equal(contributes.views.devrig[0].id, 'devrig.environments');
  assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
  const props = contributes.configuration.properties;
  assert.deepEqual(props['devrig.autoStart'].enum, ['off', 'ask', 'always']);
  assert.equal(props['devrig.runner.path'].scope, 'machine', 'a workspace must not pick the runner binary');
  assert.equal(props['devrig.runner.stateDir'].scope, 'machine');
  assert.ok(props['devrig.defaultResources'].properties.memory);
  assert.ok(
    readFileSync(
      join(__dirname, '../../../..', contributes.viewsContainers.activitybar[0].icon),
      'utf8',
    ).includes('<svg'),
  );
});
