// The extension offers `devrig mcp` to VS Code's agent mode: the manifest's contribution point and
// setting, the server definition it hands VS Code, and the provider against a fake `vscode` (with
// and without the API, which VS Code has from 1.101 only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter as NodeEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_LABEL } from '../../../runner/api';
import { registerMcpProvider, type McpHostApi } from '../../../extension/agents/mcpProvider';
import { devrigMcpServerSpec, MCP_PROVIDER_ID } from '../../../extension/agents/mcpServerSpec';
import { parseSettings } from '../../../extension/config/settingsModel';
import { environmentNode } from '../../../extension/tree/treeModel';
import { env } from '../../helpers/resources';

const ROOT = join(__dirname, '../../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

test('manifest: the MCP provider contribution, its activation event and the setting', () => {
  const providers = pkg.contributes.mcpServerDefinitionProviders as {
    id: string;
    label: string;
    when?: string;
  }[];
  assert.deepEqual(
    providers.map((p) => p.id),
    [MCP_PROVIDER_ID],
  );
  // VS Code drops an entry without a label (and with it the activation event it derives).
  assert.ok(providers[0]!.label.trim().length > 0);
  assert.equal(providers[0]!.when, 'config.devrig.mcp.enabled');
  assert.ok(pkg.activationEvents.includes(`onMcpCollection:${MCP_PROVIDER_ID}`));
  const setting = pkg.contributes.configuration.properties['devrig.mcp.enabled'];
  assert.equal(setting.type, 'boolean');
  assert.equal(setting.default, true);
  assert.ok(setting.markdownDescription.length > 40);
  // engines stays ^1.95: the API is used only where the editor has it.
  assert.equal(pkg.engines.vscode, '^1.95.0');
  // The server's bundle goes into the VSIX with the CLI that loads it.
  const ignore = readFileSync(join(ROOT, '.vscodeignore'), 'utf8');
  for (const f of ['dist/cli.js', 'dist/cli-main.js', 'dist/cli-mcp.js'])
    assert.match(ignore, new RegExp(`^!${f}$`, 'm'));
});

test('settings: devrig.mcp.enabled defaults to true; anything but a boolean is reported', () => {
  const parse = (raw: object) => parseSettings(raw, {}, '/home/u');
  assert.equal(parse({}).mcpEnabled, true);
  assert.equal(parse({ 'mcp.enabled': false }).mcpEnabled, false);
  const odd = parse({ 'mcp.enabled': 'no' });
  assert.equal(odd.mcpEnabled, true);
  assert.match(odd.problems.join('\n'), /devrig.mcp.enabled must be true or false/);
});

const electron = {
  execPath: '/usr/share/code/code',
  electronVersion: '34.0.0',
  env: { PATH: '/usr/bin', VSCODE_IPC_HOOK: '/run/x.sock', ELECTRON_NO_ATTACH_CONSOLE: '1', HOME: '/home/u' },
  homedir: '/home/u',
};

test("the server definition: the bundled CLI run by the editor's Node, the state folder, the open folders", () => {
  const spec = devrigMcpServerSpec({
    extensionPath: '/ext/devrig',
    stateDir: '/home/u/.devrig',
    host: electron,
    folders: ['/src/a', '/src/b'],
    version: '0.1.0',
  });
  assert.deepEqual(spec, {
    label: 'devrig',
    command: '/usr/share/code/code',
    args: ['/ext/devrig/dist/cli.js', 'mcp', '--folder', '/src/a', '--folder', '/src/b'],
    // Window-scoped variables removed (it may start the runner, which outlives the window).
    env: {
      VSCODE_IPC_HOOK: null,
      ELECTRON_NO_ATTACH_CONSOLE: null,
      ELECTRON_RUN_AS_NODE: '1',
      DEVRIG_STATE_DIR: '/home/u/.devrig',
    },
    version: '0.1.0',
    cwd: '/src/a',
  });
  const plainNode = devrigMcpServerSpec({
    extensionPath: '/ext/devrig',
    stateDir: '/s',
    host: { ...electron, execPath: '/usr/bin/node', electronVersion: undefined, env: { PATH: '/usr/bin' } },
    folders: [],
    version: '0.1.0',
  });
  assert.deepEqual(plainNode.args, ['/ext/devrig/dist/cli.js', 'mcp', '--no-folders']);
  assert.deepEqual(plainNode.env, { DEVRIG_STATE_DIR: '/s' });
  assert.equal(plainNode.cwd, undefined);
});

/** A fake `vscode` with just what the provider touches; `mcp: false` is an editor before 1.101. */
function fakeVscode(opts: { mcp: boolean; trusted?: boolean; folders?: string[] }) {
  const events = new NodeEmitter();
  const registered: {
    id: string;
    provider: Parameters<
      NonNullable<NonNullable<McpHostApi['lm']>['registerMcpServerDefinitionProvider']>
    >[1];
  }[] = [];
  let disposed = 0;
  const on = (name: string) => (listener: (e: unknown) => void) => {
    events.on(name, listener);
    return { dispose: () => events.off(name, listener) };
  };
  class EventEmitter<T> {
    private readonly l = new Set<(e: T) => void>();
    event = (listener: (e: T) => void) => {
      this.l.add(listener);
      return { dispose: () => this.l.delete(listener) };
    };
    fire(e: T) {
      for (const f of this.l) f(e);
    }
    dispose() {
      this.l.clear();
    }
  }
  class McpStdioServerDefinition {
    cwd?: unknown;
    constructor(
      readonly label: string,
      public command: string,
      public args: string[] = [],
      public env: Record<string, string | number | null> = {},
      public version?: string,
    ) {}
  }
  const api = {
    ...(opts.mcp
      ? {
          lm: {
            registerMcpServerDefinitionProvider: (
              id: string,
              provider: (typeof registered)[number]['provider'],
            ) => {
              registered.push({ id, provider });
              return { dispose: () => void disposed++ };
            },
          },
          McpStdioServerDefinition,
        }
      : { lm: {} }),
    EventEmitter,
    Uri: { file: (fsPath: string) => ({ fsPath, scheme: 'file' }) },
    workspace: {
      workspaceFolders: (opts.folders ?? []).map((f, index) => ({
        uri: { fsPath: f, scheme: 'file' },
        name: f,
        index,
      })),
      isTrusted: opts.trusted ?? true,
      onDidChangeWorkspaceFolders: on('folders'),
      onDidGrantWorkspaceTrust: on('trust'),
      onDidChangeConfiguration: on('config'),
    },
  } as unknown as McpHostApi;
  return { api, events, registered, disposed: () => disposed };
}

test('the provider: registered under the contributed id, one server, following the setting and folders', async () => {
  const fake = fakeVscode({ mcp: true, folders: ['/src/app'] });
  let enabled = true;
  const d = registerMcpProvider(fake.api, {
    extensionPath: '/ext',
    version: '9.9.9',
    host: { ...electron, env: {} },
    settings: () => ({ mcpEnabled: enabled, stateDir: '/state' }),
    log: () => assert.fail('nothing to complain about'),
  });
  assert.ok(d);
  assert.equal(fake.registered.length, 1);
  const { id, provider } = fake.registered[0]!;
  assert.equal(id, MCP_PROVIDER_ID);
  const defs = (await provider.provideMcpServerDefinitions({} as never)) ?? [];
  assert.equal(defs.length, 1);
  assert.equal(defs[0]!.label, 'devrig');
  assert.deepEqual(defs[0]!.args, ['/ext/dist/cli.js', 'mcp', '--folder', '/src/app']);
  assert.equal(defs[0]!.env.DEVRIG_STATE_DIR, '/state');
  assert.equal(defs[0]!.version, '9.9.9');
  assert.deepEqual(defs[0]!.cwd, { fsPath: '/src/app', scheme: 'file' });

  let changes = 0;
  provider.onDidChangeMcpServerDefinitions!(() => changes++);
  fake.events.emit('config', { affectsConfiguration: (s: string) => s === 'devrig.mcp' });
  fake.events.emit('config', { affectsConfiguration: () => false });
  fake.events.emit('folders', {});
  assert.equal(changes, 2);
  enabled = false;
  assert.deepEqual(await provider.provideMcpServerDefinitions({} as never), []);
  d.dispose();
  assert.equal(fake.disposed(), 1);
  fake.events.emit('folders', {});
  assert.equal(changes, 2, 'no events after dispose');
});

test('an untrusted window offers no folder to the agent', async () => {
  const fake = fakeVscode({ mcp: true, trusted: false, folders: ['/src/app'] });
  registerMcpProvider(fake.api, {
    extensionPath: '/ext',
    version: '1',
    host: { ...electron, env: {} },
    settings: () => ({ mcpEnabled: true, stateDir: '/state' }),
    log: () => {},
  });
  const defs = (await fake.registered[0]!.provider.provideMcpServerDefinitions({} as never)) ?? [];
  assert.deepEqual(defs[0]!.args, ['/ext/dist/cli.js', 'mcp', '--no-folders']);
});

test('an editor without the MCP API: nothing registered, one line in the log, no error', () => {
  const fake = fakeVscode({ mcp: false });
  const logged: string[] = [];
  const d = registerMcpProvider(fake.api, {
    extensionPath: '/ext',
    version: '1',
    host: electron,
    settings: () => ({ mcpEnabled: true, stateDir: '/state' }),
    log: (m) => logged.push(m),
  });
  assert.equal(d, undefined);
  assert.match(logged.join('\n'), /no MCP server definition API \(VS Code 1.101\+\)/);
});

test('the tree marks environments an agent created', () => {
  const mine = environmentNode(env('web', 'Running'));
  assert.equal(mine.description, 'Running');
  const e = env('agent-web', 'Running');
  e.metadata.labels = { [AGENT_LABEL]: 'mcp-1234abcd' };
  const node = environmentNode(e);
  assert.equal(node.description, 'agent · Running');
  assert.match(node.tooltip!, /Created by: an AI agent .*MCP session mcp\\-1234abcd/);
  assert.equal(node.contextValue, mine.contextValue, 'the same actions as any environment');
});
