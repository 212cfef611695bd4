// The command registry, package.json's contributes and the tree's contextValues must agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentPhase as EnvironmentPhaseSchema, type EnvironmentPhase } from '../../runner/api';
import { COMMAND_IDS, COMMANDS } from '../../extension/commands/commandIds';
import { environmentContextValue } from '../../extension/tree/phaseStyle';
import { statusActions } from '../../extension/status/statusActions';
import { env } from '../helpers/resources';

interface Menu {
  command: string;
  when?: string;
  group?: string;
}
const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8'));
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

test('context menus fit the state: stop only when running-ish, start only when stopped/failed', () => {
  const has = (phase: EnvironmentPhase, cmd: string) =>
    itemMenu(environmentContextValue(phase)).some((x) => x.startsWith(cmd + '@') && !x.includes('inline'));
  assert.ok(has('Running', COMMANDS.stop));
  assert.ok(!has('Running', COMMANDS.start));
  assert.ok(has('Stopped', COMMANDS.start));
  assert.ok(!has('Stopped', COMMANDS.stop));
  assert.ok(has('Failed', COMMANDS.start) && has('Failed', COMMANDS.restart));
  assert.ok(has('Running', COMMANDS.openInRemoteSsh) && has('Running', COMMANDS.openTerminal));
  for (const p of PHASES) {
    assert.ok(has(p, COMMANDS.delete), `delete for ${p}`);
    assert.ok(has(p, COMMANDS.showDetails), `details for ${p}`);
  }
  // Later tags after the phase keep matching.
  assert.ok(itemMenu('environment.running.ports').some((x) => x.startsWith(COMMANDS.stop)));
  assert.ok(!itemMenu('environment.runningx').some((x) => x.startsWith(COMMANDS.stop)));
});

test('every view/item/context entry matches some contextValue the tree can produce', () => {
  const producible = [
    ...PHASES.map(environmentContextValue),
    'port.forwarded',
    'host.local',
    'host.remote.ready',
    'host.remote.pending.keyPending',
    'automation.task.pending',
    'automation.service.ready',
  ];
  for (const m of menus['view/item/context']!) {
    assert.ok(
      producible.some((v) => menuShows(m.when, v)),
      `${m.command} (${m.when}) matches nothing`,
    );
    assert.match(m.when ?? '', /view == devrig\.environments/, `${m.command} is scoped to the devrig view`);
  }
});

test('automation rows: run a stopped task or service, stop a running one', () => {
  const shows = (viewItem: string, cmd: string) => itemMenu(viewItem).some((x) => x.startsWith(cmd + '@'));
  assert.ok(shows('automation.task.succeeded', COMMANDS.runAutomation));
  assert.ok(shows('automation.service.stopped', COMMANDS.runAutomation));
  assert.ok(!shows('automation.service.ready', COMMANDS.runAutomation));
  assert.ok(shows('automation.service.ready', COMMANDS.stopAutomation));
  assert.ok(!shows('automation.task.succeeded', COMMANDS.stopAutomation));
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
    readFileSync(join(__dirname, '../..', contributes.viewsContainers.activitybar[0].icon), 'utf8').includes(
      '<svg',
    ),
  );
});
