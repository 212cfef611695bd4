import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { homedir } from 'node:os';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { devrigMcpServerSpec } from '../../extension/agents/mcpServerSpec';
import { AGENT_LABEL, type Environment } from '../../runner/api';
import { statePaths } from '../../runner/state/stateDir';
import { BASE_IMAGE, containersWith, docker, requireDocker } from '../helpers/docker';
import { startMcp, textOf, type McpSession } from '../helpers/mcp';
import { removeProjects, tempDir } from '../helpers/project';
import { cleanupRunner, ROOT, startRunner, type TestRunner } from '../helpers/runnerProcess';
import { waitFor } from '../helpers/wait';

/** A secret of the user's for all environments: not for an agent's. */
const SECRET = 'user-wide-s3cret-5c1e';
/** One the user gave the agent's environment itself. */
const ENV_SECRET = 'for-the-agent-s3cret-77d0';
/** What the build stamps into the bundles (the sources say 0.0.0-dev). */
const VERSION: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;

// `devrig mcp` driven by the MCP SDK's own client over stdio, against a real runner and Docker:
// what an agent in VS Code or Claude Code does, and what the runner lets it do.
describe('devrig mcp: an MCP server for AI agents', () => {
  let r: TestRunner;
  let root: string;
  let a: McpSession;
  let b: McpSession;
  let sessionA = '';
  let envName = '';

  /** A project folder below `root` (the folder the agent sessions may use). */
  const project = (name: string, config: object) => {
    const dir = join(root, name);
    mkdirSync(join(dir, '.devcontainer'), { recursive: true, mode: 0o777 });
    chmodSync(dir, 0o777);
    writeFileSync(join(dir, '.devcontainer/devcontainer.json'), JSON.stringify(config));
    return dir;
  };

  before(async () => {
    await requireDocker();
    r = await startRunner();
    root = tempDir('devrig-mcp-');
    a = await startMcp(r, ['--folder', root], 'agent-a');
    b = await startMcp(r, ['--folder', root], 'agent-b');
    await r.client.call('secrets.set', { name: 'API_TOKEN', value: SECRET });
  });
  after(async () => {
    await a?.close().catch(() => {});
    await b?.close().catch(() => {});
    await cleanupRunner(r);
    removeProjects();
  });

  test('initialize → tools/list: every tool with input and output schemas that compile', async () => {
    assert.equal(a.client.getServerVersion()?.name, 'devrig');
    assert.match(a.client.getInstructions() ?? '', /sandbox/);
    const { tools } = await a.client.listTools();
    const names = tools.map((t) => t.name).sort();
    assert.deepEqual(names, [
      'delete',
      'exec',
      'list_environments',
      'logs',
      'ports',
      'run_task',
      'stop',
      'up',
    ]);
    const ajv = new Ajv({ strict: false });
    for (const t of tools) {
      assert.ok(t.description && t.description.length > 20, `${t.name} has a description`);
      assert.equal(t.inputSchema.type, 'object');
      assert.doesNotThrow(() => ajv.compile(t.inputSchema), `${t.name} input schema`);
      assert.ok(t.outputSchema, `${t.name} has an output schema`);
      assert.doesNotThrow(() => ajv.compile(t.outputSchema!), `${t.name} output schema`);
    }
    const exec = tools.find((t) => t.name === 'exec')!;
    assert.deepEqual(exec.inputSchema.required, ['environment', 'command']);
  });

  test('up a folder: progress notifications, Ready, labelled for this agent session', async () => {
    const folder = project('web', {
      image: BASE_IMAGE,
      remoteUser: 'vscode',
      postStartCommand: 'echo started',
    });
    const progress: string[] = [];
    const res = await a.call(
      'up',
      { folder },
      { onprogress: (p) => progress.push((p as { message?: string }).message ?? '') },
    );
    assert.equal(res.isError, undefined, textOf(res));
    const s = res.structuredContent!;
    envName = String(s.name);
    assert.match(envName, /^agent-web/);
    assert.equal(s.phase, 'Running');
    assert.equal(s.created, true);
    assert.equal(s.createdBy, 'this-session');
    assert.match(textOf(res), /is ready \(created\)/);
    assert.ok(
      progress.some((m) => /Running/.test(m)),
      `progress: ${progress.join(' | ')}`,
    );
    const env = (await r.client.call('get', { kind: 'Environment', name: envName })) as Environment;
    sessionA = env.metadata.labels[AGENT_LABEL]!;
    await r.client.call('secrets.set', { name: 'AGENT_TOKEN', value: ENV_SECRET, environment: envName });
    assert.match(sessionA, /^mcp-[0-9a-f]{8}$/);
    assert.match(a.stderr(), new RegExp(`agent session ${sessionA}`));
  });

  test('exec `echo x; exit 3` returns x and exit code 3; stderr apart; only the environment’s own secrets', async () => {
    const res = await a.call('exec', { environment: envName, command: 'echo x; exit 3' });
    assert.equal(res.isError, undefined, textOf(res));
    assert.equal(res.structuredContent!.stdout, 'x\n');
    assert.equal(res.structuredContent!.exitCode, 3);
    assert.match(textOf(res), /^\$ echo x; exit 3\nx\n\[exit code 3\]$/);
    const both = await a.call('exec', {
      environment: envName,
      command: `echo out; echo err >&2; id -un; test "$API_TOKEN" = ${SECRET} || echo no-user-secret; echo "$AGENT_TOKEN"`,
    });
    assert.equal(both.structuredContent!.stdout, `out\nvscode\nno-user-secret\n${ENV_SECRET}\n`);
    assert.equal(both.structuredContent!.stderr, 'err\n');
    assert.equal(both.structuredContent!.exitCode, 0);
  });

  test("logs: the environment's log records each call with its tool and arguments, secrets redacted", async () => {
    const res = await a.call('logs', { environment: envName, tail: 50 });
    assert.equal(res.isError, undefined, textOf(res));
    const log = String(res.structuredContent!.log);
    assert.match(log, new RegExp(`\\[agent ${sessionA}\\] up \\{"folder":"[^"]+/web"`));
    assert.match(
      log,
      new RegExp(`\\[agent ${sessionA}\\] exec \\{"environment":"${envName}","command":"echo x; exit 3"`),
    );
    assert.ok(!log.includes(SECRET), 'the secret is redacted in the environment log');
    assert.match(log, /test \\"\$API_TOKEN\\" = \*\*\* \|\| echo no-user-secret/);
    // The runner log has every API call of the session, and every tool.
    const runnerLog = r.log();
    for (const tool of ['up', 'exec', 'logs']) {
      assert.match(runnerLog, new RegExp(`agent ${sessionA}: tool ${tool} on ${envName}`));
    }
    assert.match(
      runnerLog,
      new RegExp(`agent ${sessionA}: exec \\{"name":"${envName}","command":\\["/bin/sh","-c"`),
    );
    assert.ok(!runnerLog.includes(SECRET), 'the secret is redacted in the runner log');
  });

  test('ports and resources: status and log of each environment the session may see', async () => {
    const ports = await a.call('ports', { environment: envName });
    assert.equal(ports.isError, undefined, textOf(ports));
    assert.deepEqual(ports.structuredContent!.ports, []);
    const { resources } = await a.client.listResources();
    const uris = resources.map((x) => x.uri);
    assert.ok(uris.includes(`devrig://environments/${envName}/status`), uris.join(' '));
    assert.ok(uris.includes(`devrig://environments/${envName}/log`));
    const status = await a.client.readResource({ uri: `devrig://environments/${envName}/status` });
    const body = JSON.parse((status.contents[0] as { text: string }).text);
    assert.equal(body.phase, 'Running');
    assert.ok(body.conditions.some((c: { type: string }) => c.type === 'Ready'));
    const log = await a.client.readResource({ uri: `devrig://environments/${envName}/log` });
    assert.match((log.contents[0] as { text: string }).text, /\[agent .*\] exec/);
  });

  test('output caps and timeouts hold: 50 MB is cut with a note, a command past its timeout is ended', async () => {
    const big = await a.call('exec', {
      environment: envName,
      command: "head -c 52428800 /dev/zero | tr '\\0' a; echo; echo last-line",
      maxOutputBytes: 10_000,
    });
    assert.equal(big.isError, undefined, textOf(big));
    const s = big.structuredContent!;
    assert.equal(s.exitCode, 0);
    assert.equal(s.truncated, true);
    assert.equal(s.stdoutBytes, 52_428_800 + 11);
    const out = String(s.stdout);
    assert.ok(out.length < 11_000, `kept ${out.length} characters`);
    assert.match(out, /^a{5000}\n\[devrig: stdout cut: 52428811 bytes written, 52418811 left out here; /);
    assert.match(out, /a+\nlast-line\n$/);

    const started = Date.now();
    const slow = await a.call('exec', {
      environment: envName,
      command: 'echo begun; sleep 300; echo never',
      timeoutSeconds: 2,
    });
    const took = Date.now() - started;
    assert.equal(slow.structuredContent!.ended, 'timeout');
    assert.equal(slow.structuredContent!.stdout, 'begun\n');
    assert.match(textOf(slow), /ended after the 2 s timeout/);
    assert.ok(took < 20_000, `ended within ${took} ms`);
    const left = await a.call('exec', {
      environment: envName,
      command: "ps -eo args | grep -c '^sleep 300' || true",
    });
    assert.equal(left.structuredContent!.stdout, '0\n', 'the command is gone from the environment');
  });

  test('bad arguments get MCP errors, not crashes, and the server goes on', async () => {
    const missing = await a.call('exec', { environment: envName });
    assert.equal(missing.isError, true);
    assert.match(textOf(missing), /Input validation error.*command/);
    const unknown = await a.call('exec', { environment: envName, command: 'true', shell: 'zsh' });
    assert.match(textOf(unknown), /Unrecognized key.*shell/);
    const wrongType = await a.call('logs', { environment: envName, tail: 'ten' });
    assert.match(textOf(wrongType), /Input validation error.*tail/);
    const badName = await a.call('exec', { environment: 'No Such!', command: 'true' });
    assert.equal(badName.isError, true);
    assert.match(textOf(badName), /Input validation error.*lowercase letters.*environment/s);
    const noTool = await a.call('format_disk', {});
    assert.equal(noTool.isError, true);
    assert.match(textOf(noTool), /Tool format_disk not found/);
    await assert.rejects(
      a.client.readResource({ uri: 'devrig://environments/nope/status' }),
      (e: unknown) => e instanceof McpError && e.code === -32602 && /not found/.test(e.message),
    );
    const neither = await a.call('up', {});
    assert.match(textOf(neither), /give a folder or a gitUrl/);
    // Still serving.
    assert.equal((await a.call('list_environments', {})).isError, undefined);
  });

  test("a second session sees the environment but cannot delete it; the user's own stay hidden", async () => {
    const listed = await b.call('list_environments', {});
    const envs = listed.structuredContent!.environments as { name: string; createdBy: string }[];
    assert.deepEqual(
      envs.map((e) => [e.name, e.createdBy]),
      [[envName, 'another-agent-session']],
    );
    const del = await b.call('delete', { environment: envName });
    assert.equal(del.isError, true);
    assert.match(
      textOf(del),
      new RegExp(`Forbidden: environment "${envName}" was not created by this agent session`),
    );
    assert.ok(await r.client.call('get', { kind: 'Environment', name: envName }));

    const mine = project('mine', { image: BASE_IMAGE });
    await r.client.call('apply', {
      resource: {
        kind: 'Environment',
        metadata: { name: 'users-own' },
        spec: { source: { folder: mine }, state: 'Stopped' },
      },
    });
    const hidden = await b.call('exec', { environment: 'users-own', command: 'true' });
    assert.match(textOf(hidden), /Forbidden: environment "users-own" is not available to AI agents/);
    const names = (
      (await b.call('list_environments', {})).structuredContent!.environments as { name: string }[]
    ).map((e) => e.name);
    assert.ok(!names.includes('users-own'));
    assert.match(r.log(), /refused delete: environment "agent-web/);
  });

  test('sandbox: a config asking for a host mount is refused; agents.network none cuts the network', async () => {
    const escape = project('escape', {
      image: BASE_IMAGE,
      mounts: ['type=bind,source=/etc,target=/host-etc'],
    });
    const refused = await b.call('up', { folder: escape });
    assert.equal(refused.isError, true);
    assert.match(
      textOf(refused),
      /Invalid: .*not allowed in an environment an AI agent created.*binds \/etc/,
    );
    const outside = tempDir('devrig-mcp-outside-');
    const notAllowed = await b.call('up', { folder: outside });
    assert.match(textOf(notAllowed), /outside the folders this agent session may use/);

    writeFileSync(statePaths(r.stateDir).config, JSON.stringify({ agents: { network: 'none' } }));
    const off = await b.call('up', { folder: project('offline', { image: BASE_IMAGE }) });
    assert.equal(off.isError, undefined, textOf(off));
    assert.equal(off.structuredContent!.network, 'none');
    const env = (await r.client.call('get', {
      kind: 'Environment',
      name: String(off.structuredContent!.name),
    })) as Environment;
    const c = await docker.getContainer(env.status.containerId!).inspect();
    assert.equal(c.HostConfig.NetworkMode, 'none');
    const ifaces = await b.call('exec', { environment: env.metadata.name, command: 'ls /sys/class/net' });
    assert.equal(ifaces.structuredContent!.stdout, 'lo\n');
    // Its creator may delete it.
    const del = await b.call('delete', { environment: env.metadata.name });
    assert.equal(del.isError, undefined, textOf(del));
  });

  test("the definition the extension gives VS Code's agent mode starts this server", async () => {
    const spec = devrigMcpServerSpec({
      extensionPath: ROOT,
      stateDir: r.stateDir,
      host: { execPath: process.execPath, electronVersion: undefined, env: process.env, homedir: homedir() },
      folders: [root],
      version: VERSION,
    });
    // As VS Code does: the editor's environment, with the definition's variables set or removed.
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, ...spec.env }))
      if (typeof v === 'string') env[k] = v;
    const client = new Client({ name: 'vscode-agent-mode', version: '1.101.0' });
    await client.connect(
      new StdioClientTransport({ command: spec.command, args: spec.args, env, cwd: spec.cwd }),
    );
    try {
      assert.equal(client.getServerVersion()?.version, VERSION);
      const res = await client.callTool({ name: 'list_environments', arguments: {} });
      const names = (res.structuredContent as { environments: { name: string }[] }).environments.map(
        (e) => e.name,
      );
      assert.ok(names.includes(envName), names.join(' '));
    } finally {
      await client.close();
    }
  });

  test('delete: the creating session removes its environment and its container', async () => {
    const res = await a.call('delete', { environment: envName });
    assert.equal(res.isError, undefined, textOf(res));
    assert.equal(res.structuredContent!.deleted, true);
    const runnerId = readFileSync(statePaths(r.stateDir).runnerId, 'utf8').trim();
    await waitFor('the container to be gone', async () =>
      (await containersWith({ 'devrig.environment': envName, 'devrig.runner': runnerId })).length === 0
        ? true
        : undefined,
    );
    const gone = await a.call('exec', { environment: envName, command: 'true' });
    assert.match(textOf(gone), /NotFound/);
  });
});
