import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay } from '../../../../runner/util/backoff';
import { runnerLaunchSpec, runnerScriptPath } from '../../../../extension/runner/launchSpec';
import { compareVersions, runnerIsOutdated } from '../../../../extension/runner/versionCompare';
import { posix, win32 } from 'node:path';
import { parseSettings } from '../../../../extension/config/settingsModel';
import { expandHome } from '../../../../extension/config/paths';
import { replaceRunnerBecause } from '../../../../extension/runner/versionCompare';

test('backoff: exponential, capped, jittered within bounds', () => {
  const opts = { initialMs: 200, maxMs: 5000, factor: 2, jitter: 0 };
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 10].map((a) => backoffDelay(a, opts)),
    [200, 400, 800, 1600, 3200, 5000, 5000],
  );
  const j = { ...opts, jitter: 0.5 };
  assert.equal(
    backoffDelay(3, j, () => 0),
    800,
  );
  assert.equal(
    backoffDelay(3, j, () => 1),
    600,
  );
  for (let i = 0; i < 100; i++) {
    const d = backoffDelay(20, j);
    assert.ok(d >= 3750 && d <= 5000, String(d));
  }
});

test('compareVersions / runnerIsOutdated', () => {
  const rows: [string, string, number][] = [
    ['0.1.0', '0.1.0', 0],
    ['0.1.0', '0.2.0', -1],
    ['1.0.0', '0.9.9', 1],
    ['0.10.0', '0.9.0', 1],
    ['0.1.0-rc.1', '0.1.0', -1],
    ['0.1.0-alpha', '0.1.0-beta', -1],
    ['0.0.0-dev', '0.1.0', -1],
    ['v1.2', '1.2.0', 0],
    ['garbage', '0.0.1', -1],
  ];
  for (const [a, b, want] of rows) {
    assert.equal(compareVersions(a, b), want, `${a} vs ${b}`);
    assert.equal(compareVersions(b, a), want === 0 ? 0 : -want, `${b} vs ${a}`);
  }
  assert.equal(runnerIsOutdated('0.0.9', '0.1.0'), true);
  assert.equal(runnerIsOutdated('0.1.0', '0.1.0'), false);
  assert.equal(runnerIsOutdated('0.2.0', '0.1.0'), false, 'a newer runner is kept');
});

test('runnerLaunchSpec: Electron needs ELECTRON_RUN_AS_NODE; window-scoped variables are dropped', () => {
  const env = {
    PATH: '/bin',
    HOME: '/home/u',
    VSCODE_IPC_HOOK: '/tmp/x.sock',
    ELECTRON_NO_ATTACH_CONSOLE: '1',
    DOCKER_HOST: 'tcp://h:2375',
  };
  const desktop = runnerLaunchSpec({
    extensionPath: '/ext',
    runnerPathSetting: undefined,
    host: { execPath: '/usr/share/code/code', electronVersion: '32.2.1', env, homedir: '/home/u' },
  });
  assert.deepEqual(desktop, {
    runnerScript: '/ext/dist/runner.js',
    nodePath: '/usr/share/code/code',
    env: { PATH: '/bin', HOME: '/home/u', DOCKER_HOST: 'tcp://h:2375', ELECTRON_RUN_AS_NODE: '1' },
  });
  const server = runnerLaunchSpec({
    extensionPath: '/ext',
    runnerPathSetting: '',
    host: { execPath: '/opt/node24/bin/node', electronVersion: undefined, env, homedir: '/home/u' },
  });
  assert.equal(server.nodePath, '/opt/node24/bin/node');
  assert.equal(server.env.ELECTRON_RUN_AS_NODE, undefined, 'plain Node (code-server) runs the script as is');
});

test('runnerScriptPath: bundled, absolute, ~/, and refuses relative paths', () => {
  assert.equal(runnerScriptPath('/ext', undefined, '/home/u'), '/ext/dist/runner.js');
  assert.equal(runnerScriptPath('/ext', '/opt/devrig/runner.js', '/home/u'), '/opt/devrig/runner.js');
  assert.equal(
    runnerScriptPath('/ext', '~/src/devrig/dist/runner.js', '/home/u'),
    '/home/u/src/devrig/dist/runner.js',
  );
  assert.throws(() => runnerScriptPath('/ext', 'dist/runner.js', '/home/u'), /absolute/);
});

test('parseSettings: defaults, overrides, and problems instead of crashes', () => {
  const env = { HOME: '/home/u' };
  const d = parseSettings({}, env, '/home/u', posix);
  assert.deepEqual(d, {
    autoStart: 'ask',
    stateDir: '/home/u/.devrig',
    runnerPath: undefined,
    defaultResources: undefined,
    mcpEnabled: true,
    problems: [],
  });
  assert.equal(
    parseSettings({}, { ...env, DEVRIG_STATE_DIR: '/s' }, '/home/u', posix).stateDir,
    '/s',
    'same state dir as the CLI',
  );
  const s = parseSettings(
    {
      autoStart: 'always',
      'runner.stateDir': '~/state',
      'runner.path': ' /r.js ',
      defaultResources: { cpus: 2, memory: '4g', pids: 512 },
    },
    env,
    '/home/u',
    posix,
  );
  assert.deepEqual(s, {
    autoStart: 'always',
    stateDir: '/home/u/state',
    runnerPath: '/r.js',
    defaultResources: { cpus: 2, memory: '4g', pids: 512 },
    mcpEnabled: true,
    problems: [],
  });
  const bad = parseSettings(
    { autoStart: 'sometimes', 'runner.stateDir': 'relative', defaultResources: { memory: 'lots' } },
    env,
    '/home/u',
    posix,
  );
  assert.equal(bad.autoStart, 'ask');
  assert.equal(bad.stateDir, '/home/u/.devrig');
  assert.equal(bad.defaultResources, undefined);
  assert.equal(bad.problems.length, 3);
});

test('parseSettings on Windows: drive and UNC paths are absolute, ~ is the home folder (not $HOME)', () => {
  const state = (v: string, env: NodeJS.ProcessEnv = { DEVRIG_STATE_DIR: 'C:\\default' }) =>
    parseSettings({ 'runner.stateDir': v }, env, 'C:\\Users\\u', win32);
  assert.equal(state('D:\\devrig\\state').stateDir, 'D:\\devrig\\state');
  assert.equal(state('d:/devrig/state').stateDir, 'd:\\devrig\\state');
  assert.equal(state('\\\\server\\share\\devrig').stateDir, '\\\\server\\share\\devrig');
  assert.equal(state('~\\devrig').stateDir, 'C:\\Users\\u\\devrig');
  assert.equal(state('~/devrig').stateDir, 'C:\\Users\\u\\devrig');
  const rel = state('devrig\\state');
  assert.equal(rel.stateDir, 'C:\\default');
  assert.match(rel.problems[0]!, /absolute/);
  // The home folder comes from the caller (os.homedir()), not from HOME.
  assert.equal(
    parseSettings({ 'runner.stateDir': '~/s' }, { HOME: '/wrong' }, '/home/u', posix).stateDir,
    '/home/u/s',
  );
});

test('expandHome: ~ and ~/ everywhere, ~\\ only where \\ separates paths', () => {
  assert.equal(expandHome('~', '/home/u', posix), '/home/u');
  assert.equal(expandHome('~/a/b', '/home/u', posix), '/home/u/a/b');
  assert.equal(expandHome('~\\a', '/home/u', posix), '~\\a');
  assert.equal(expandHome('~\\a', 'C:\\Users\\u', win32), 'C:\\Users\\u\\a');
  assert.equal(expandHome('~user/a', '/home/u', posix), '~user/a', 'other users are not expanded');
  assert.equal(expandHome('~/a', undefined, posix), '~/a', 'unknown home: unchanged');
  assert.equal(runnerScriptPath('/ext', '~', '/home/u'), '/home/u');
});

test('replaceRunnerBecause: older runners and runners of another API version are replaced', () => {
  const ours = { version: '0.2.0', apiVersion: 2 };
  assert.equal(replaceRunnerBecause({ version: '0.2.0', apiVersion: 2 }, ours), undefined);
  assert.equal(replaceRunnerBecause({ version: '0.3.0', apiVersion: 2 }, ours), undefined, 'newer, same API');
  assert.match(replaceRunnerBecause({ version: '0.1.0', apiVersion: 2 }, ours)!, /older/);
  assert.match(replaceRunnerBecause({ version: '0.3.0', apiVersion: 3 }, ours)!, /API version 3/);
  assert.match(replaceRunnerBecause({ version: '0.2.0', apiVersion: 1 }, ours)!, /API version 1/);
  assert.equal(replaceRunnerBecause({ version: '0.2.0' }, ours), undefined, 'no API version reported');
});
