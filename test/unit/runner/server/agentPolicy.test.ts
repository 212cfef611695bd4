import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AGENT_LABEL,
  ApiError,
  Methods,
  type AgentsConfig,
  type Environment,
  type ParamsOf,
  type Resource,
  type WatchEvent,
} from '../../../../runner/api';
import { EnvLogs } from '../../../../runner/logs/envLogs';
import { withAgentPolicy, summarizeArguments } from '../../../../runner/server/agentPolicy';
import { cappedResources, checkAgentGitUrl } from '../../../../runner/server/agentRules';
import { coreHandlers, type RunnerServices } from '../../../../runner/server/apiHandlers';

import type { CallContext, Handlers, StreamSink } from '../../../../runner/server/handlers';
import { ResourceStore } from '../../../../runner/store/resourceStore';
import { configValue, RunnerConfigError, withConfigValue } from '../../../../runner/config/runnerConfigFile';

/** The core's handlers, and the other parts' methods answering that they are not in this test. */
function apiHandlers(s: RunnerServices): Handlers {
  const absent = async (): Promise<never> => {
    throw new ApiError('Unavailable', 'not part of this test');
  };
  return {
    ...coreHandlers(s),
    sshInfo: absent,
    'host.acceptKey': absent,
    'automations.run': absent,
    'automations.start': absent,
    'automations.stop': absent,
    'secrets.set': absent,
    'secrets.delete': absent,
    'secrets.list': absent,
    stats: absent,
  };
}

// The agent policy against the runner's real handlers, store and logs: what an agent connection may
// see and do, and that a user's connection is untouched. Connections are plain objects (the policy
// only tells them apart).
describe('agent policy', () => {
  let dir: string;
  let store: ResourceStore;
  let logs: EnvLogs;
  let handlers: Handlers;
  let config: AgentsConfig = {};
  const runnerLog: string[] = [];
  let root: string;
  let home: string;
  let stateDir: string;

  const user = { connection: {} };
  const agentA = { connection: {} };
  const agentB = { connection: {} };
  const ctx = (c: { connection: object }, id = 1): CallContext =>
    ({ id, connection: c.connection, signal: new AbortController().signal }) as unknown as CallContext;

  /** A method called as the API server calls it: parameters parsed by the protocol first. */
  async function call<M extends keyof typeof Methods>(
    who: { connection: object },
    method: M,
    params: ParamsOf<M>,
    sink?: StreamSink<unknown>,
  ): Promise<unknown> {
    const parsed = Methods[method].params.parse(params);
    const h = handlers[method] as (p: unknown, c: CallContext, s?: unknown) => Promise<unknown>;
    return h(parsed, ctx(who), sink);
  }
  const hello = (who: { connection: object }, session?: string, folders: string[] = []) =>
    call(who, 'hello', {
      client: 'test',
      version: '1',
      apiVersion: 1,
      ...(session ? { agent: { session, folders } } : {}),
    });
  const project = (name: string, config: object = { image: 'debian' }) => {
    const p = join(root, name);
    mkdirSync(join(p, '.devcontainer'), { recursive: true });
    writeFileSync(join(p, '.devcontainer/devcontainer.json'), JSON.stringify(config));
    return p;
  };
  const applyEnv = (who: { connection: object }, name: string, folder: string, spec: object = {}) =>
    call(who, 'apply', {
      resource: { kind: 'Environment', metadata: { name }, spec: { source: { folder }, ...spec } },
    }) as Promise<Environment>;
  const rejects = async (p: Promise<unknown>, code: string, re: RegExp) =>
    assert.rejects(p, (e: unknown) => e instanceof ApiError && e.code === code && re.test(e.message));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'devrig-agent-policy-'));
    root = join(dir, 'projects');
    home = join(dir, 'home');
    stateDir = join(home, '.devrig');
    mkdirSync(root);
    mkdirSync(stateDir, { recursive: true });
    store = await ResourceStore.open(join(dir, 'store'));
    logs = new EnvLogs({ dir: join(dir, 'logs') });
    handlers = withAgentPolicy(
      apiHandlers({
        store,
        logs,
        environments: undefined as never,
        sessionTarget: async () => undefined,
        startedAt: 'now',
        localEnv: {},
        shutdown: () => {},
      }),
      {
        store,
        logs,
        readConfig: async () => config,
        host: { home, stateDir },
        log: (m) => runnerLog.push(m),
      },
    );
    await hello(user);
    assert.deepEqual((await hello(agentA, 'sess-a', [root])) as { agent: unknown }, {
      ...((await hello({ connection: {} })) as object),
      agent: { session: 'sess-a' },
    });
    await hello(agentB, 'sess-b', [root]);
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("an agent's environment carries its session's label, whatever labels it sent", async () => {
    const env = await call(agentA, 'apply', {
      resource: {
        kind: 'Environment',
        metadata: { name: 'a1', labels: { [AGENT_LABEL]: 'someone-else', team: 'x' } },
        spec: { source: { folder: project('a1') } },
      },
    });
    assert.deepEqual((env as Environment).metadata.labels, { [AGENT_LABEL]: 'sess-a', team: 'x' });
    assert.match(runnerLog.join('\n'), /agent sess-a: apply .*"name":"a1"/);
  });

  test("agents see agent environments and listed ones only; the user's connection sees everything", async () => {
    await applyEnv(user, 'mine', project('mine'));
    await applyEnv(user, 'shared', project('shared'));
    config = { environments: ['shared'] };
    const names = async (who: { connection: object }) =>
      ((await call(who, 'list', { kind: 'Environment' })) as { items: Resource[] }).items.map(
        (r) => r.metadata.name,
      );
    assert.deepEqual(await names(agentB), ['a1', 'shared']);
    assert.deepEqual(await names(user), ['a1', 'mine', 'shared']);
    await rejects(
      call(agentB, 'get', { kind: 'Environment', name: 'mine' }),
      'Forbidden',
      /not available to AI agents/,
    );
    await rejects(call(agentB, 'logs', { name: 'mine' }, sinkOf([])), 'Forbidden', /"mine"/);
    await rejects(call(agentB, 'exec', { name: 'mine', command: ['id'] }, sinkOf([])), 'Forbidden', /"mine"/);
    await rejects(call(agentB, 'list', { kind: 'Host' }), 'Forbidden', /hosts/);
  });

  test('a listed environment may be stopped by an agent, not changed, not taken over', async () => {
    const shared = store.mustGet('Environment', 'shared');
    const stopped = await call(agentA, 'apply', {
      resource: {
        kind: 'Environment',
        metadata: { name: 'shared' },
        spec: { ...shared.spec, state: 'Stopped' },
      },
    });
    assert.equal((stopped as Environment).spec.state, 'Stopped');
    assert.deepEqual((stopped as Environment).metadata.labels, {});
    await rejects(
      call(agentA, 'apply', {
        resource: {
          kind: 'Environment',
          metadata: { name: 'shared' },
          spec: { ...shared.spec, env: { X: '1' } },
        },
      }),
      'Forbidden',
      /is yours: an agent may start, stop, restart or rebuild it/,
    );
    await rejects(applyEnv(agentA, 'mine', project('mine2')), 'Forbidden', /"mine" is not available/);
  });

  test('a session deletes only what it created, unless agents.delete is visible', async () => {
    await rejects(
      call(agentB, 'delete', { kind: 'Environment', name: 'a1' }),
      'Forbidden',
      /agent session sess-a/,
    );
    await rejects(
      call(agentA, 'delete', { kind: 'Environment', name: 'shared' }),
      'Forbidden',
      /not created by/,
    );
    assert.ok(store.get('Environment', 'a1'));
    config = { environments: ['shared'], delete: 'visible' };
    await applyEnv(agentA, 'a2', project('a2'));
    await call(agentB, 'delete', { kind: 'Environment', name: 'a2' });
    assert.equal(store.get('Environment', 'a2'), undefined);
    config = { environments: ['shared'] };
    await call(agentA, 'delete', { kind: 'Environment', name: 'a1' });
    assert.equal(store.get('Environment', 'a1'), undefined);
    assert.match(runnerLog.join('\n'), /agent sess-b: refused delete: environment "a1" was not created/);
  });

  test("folders: only below the session's or configured roots, never home, / or the state folder, no link out", async () => {
    const outside = mkdtempSync(join(tmpdir(), 'devrig-outside-'));
    writeFileSync(join(outside, '.devcontainer.json'), '{"image":"debian"}');
    try {
      await rejects(
        applyEnv(agentA, 'o1', outside),
        'Forbidden',
        /outside the folders this agent session may use/,
      );
      symlinkSync(outside, join(root, 'link-out'));
      await rejects(applyEnv(agentA, 'o2', join(root, 'link-out')), 'Forbidden', /is outside the folders/);
      config = { folders: [outside] };
      await applyEnv(agentA, 'o3', outside);
      config = { folders: [home] };
      writeFileSync(join(home, '.devcontainer.json'), '{"image":"debian"}');
      await rejects(applyEnv(agentA, 'o4', home), 'Forbidden', /your home folder/);
      await rejects(applyEnv(agentA, 'o5', stateDir), 'Forbidden', /state folder/);
      await rejects(applyEnv(agentA, 'o6', '/'), 'Forbidden', /the root folder/);
      assert.equal(store.get('Environment', 'o4'), undefined);
    } finally {
      config = {};
      await call(user, 'delete', { kind: 'Environment', name: 'o3' }).catch(() => {});
      rmSync(outside, { recursive: true, force: true });
    }
  });

  test("the runner config's network and budgets are in force; privileges and sandbox escapes are refused", async () => {
    config = { network: 'none', resources: { cpus: 2, memory: '1g' } };
    const env = await applyEnv(agentA, 'n1', project('n1'), {
      network: 'default',
      resources: { memory: '512m' },
    });
    assert.equal(env.spec.network, 'none');
    assert.deepEqual(env.spec.resources, { cpus: 2, memory: '512m' });
    await rejects(
      applyEnv(agentA, 'n2', project('n2'), { resources: { cpus: 4 } }),
      'Forbidden',
      /cpus: 4 is more than agents may use \(2/,
    );
    await rejects(
      applyEnv(agentA, 'n3', project('n3'), { allowPrivileged: true }),
      'Forbidden',
      /allowPrivileged/,
    );
    await rejects(
      applyEnv(agentA, 'n4', project('n4', { image: 'debian', mounts: ['type=bind,source=/etc,target=/e'] })),
      'Invalid',
      /AI agent created .*binds \/etc/,
    );
    // The same config from the user's connection is the user's business.
    await applyEnv(
      user,
      'n5',
      project('n5', { image: 'debian', mounts: ['type=bind,source=/etc,target=/e'] }),
    );
    config = {};
  });

  test('watch streams only what the agent may see', async () => {
    const events: WatchEvent[] = [];
    await call(agentB, 'watch', {}, sinkOf(events));
    const seen = new Set(events.map((e) => e.object.metadata.name));
    assert.ok(seen.has('n1'));
    assert.ok(!seen.has('mine') && !seen.has('n5'));
    assert.ok(events.every((e) => e.object.kind === 'Environment'));
  });

  test('runner-wide and secret methods are refused to agents; an agent cannot shed its identity', async () => {
    await rejects(call(agentA, 'shutdown', {}), 'Forbidden', /stopping the runner/);
    await rejects(call(agentA, 'secrets.list', {}), 'Forbidden', /secrets/);
    await rejects(call(agentA, 'sshInfo', {}), 'Forbidden', /SSH gateway/);
    await rejects(hello(agentA), 'Forbidden', /keeps its identity/);
    await rejects(hello(agentA, 'other'), 'Forbidden', /keeps its identity/);
    await rejects(call(user, 'agent.audit', { tool: 'exec' }), 'BadRequest', /agent sessions/);
  });

  test("agent.audit writes the tool and its arguments (values of env hidden) to the environment's log", async () => {
    await call(agentA, 'agent.audit', {
      tool: 'exec',
      environment: 'n1',
      arguments: { command: 'echo hi', env: { TOKEN: 'abcd1234' } },
    });
    const text = await logs.read('n1');
    assert.match(text, /\[agent sess-a\] exec \{"command":"echo hi","env":\{"TOKEN":"\*\*\*"\}\}/);
    assert.doesNotMatch(text, /abcd1234/);
    await rejects(call(agentA, 'agent.audit', { tool: 'exec', environment: 'mine' }), 'Forbidden', /"mine"/);
    assert.ok(readFileSync(join(dir, 'logs', 'n1.log'), 'utf8').includes('[agent sess-a] exec'));
  });
});

function sinkOf<E>(events: E[]): StreamSink<E> {
  return { event: (e) => void events.push(e), end: () => {}, drained: () => undefined, attach: () => {} };
}

test('budgets: within the cap kept, missing ones set to it, above it refused', () => {
  assert.deepEqual(cappedResources({ pids: 10 }, { cpus: 1, pids: 100 }), { cpus: 1, pids: 10 });
  assert.deepEqual(cappedResources(undefined, undefined), undefined);
  assert.throws(() => cappedResources({ memory: '2g' }, { memory: '1g' }), /memory: 2g is more than/);
});

test('git sources: network transports only', () => {
  for (const ok of [
    'https://github.com/a/b.git',
    'ssh://git@host/a.git',
    'git@github.com:a/b.git',
    'git://h/r',
  ]) {
    assert.doesNotThrow(() => checkAgentGitUrl(ok), ok);
  }
  for (const bad of ['file:///home/me/repo', '/home/me/repo', 'ext::sh -c touch% /tmp/x', '../repo']) {
    assert.throws(() => checkAgentGitUrl(bad), /https, ssh or git:\/\/ only/, bad);
  }
});

test('argument summaries hide values and cut long text', () => {
  assert.equal(
    summarizeArguments({ env: { A: 'secret' }, value: 'v', data: 'aGVsbG8=' }),
    '{"env":{"A":"***"},"value":"***","data":"<5 bytes>"}',
  );
  assert.ok(summarizeArguments({ s: 'x'.repeat(5000) }).length < 400);
});

test('runner config: agents.* keys are set as text (lists comma-separated) and read back the same', () => {
  let c = withConfigValue({}, 'agents.network', 'none');
  c = withConfigValue(c, 'agents.folders', '/src/a, /src/b');
  c = withConfigValue(c, 'agents.resources.cpus', '1.5');
  assert.deepEqual(c, {
    agents: { network: 'none', folders: ['/src/a', '/src/b'], resources: { cpus: 1.5 } },
  });
  assert.equal(configValue(c, 'agents.folders'), '/src/a,/src/b');
  assert.equal(configValue(c, 'agents.resources.cpus'), '1.5');
  assert.throws(() => withConfigValue(c, 'agents.network', 'off'), /agents.network/);
  assert.throws(() => withConfigValue(c, 'agents.folders', 'relative/dir'), /absolute path/);
});

test('a runner config that cannot be read refuses agents, saying why; users are unaffected', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'devrig-agent-config-'));
  const store = await ResourceStore.open(join(dir, 'store'));
  try {
    const logs = new EnvLogs({ dir: join(dir, 'logs') });
    const h = withAgentPolicy(
      apiHandlers({
        store,
        logs,
        environments: undefined as never,
        sessionTarget: async () => undefined,
        startedAt: 'now',
        localEnv: {},
        shutdown: () => {},
      }),
      {
        store,
        logs,
        readConfig: async () => {
          throw new RunnerConfigError(`${dir}/config.json is invalid: agents.network: Invalid option`);
        },
        host: { home: dir, stateDir: join(dir, 'state') },
        log: () => {},
      },
    );
    const ctx = (connection: object) =>
      ({ id: 1, connection, signal: new AbortController().signal }) as unknown as CallContext;
    const agent = {};
    const user = {};
    const hello = Methods.hello.params.parse({
      client: 't',
      version: '1',
      apiVersion: 1,
      agent: { session: 's1' },
    });
    await h.hello(hello, ctx(agent));
    const list = Methods.list.params.parse({ kind: 'Environment' });
    await assert.rejects(
      h.list(list, ctx(agent)),
      (e: unknown) =>
        e instanceof ApiError &&
        e.code === 'Unavailable' &&
        /refused until the runner config is fixed: .*agents.network: Invalid option/.test(e.message),
    );
    assert.deepEqual((await h.list(list, ctx(user))).items, []);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
