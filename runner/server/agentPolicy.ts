// The agent policy, enforced by the runner: a connection that says in its hello that it acts for an
// AI agent (`devrig mcp`) is held, call by call, to what agentRules.ts allows — whatever the agent
// asks its MCP server to do. Every method needs a decision here (the table is complete), so a new
// API method cannot reach agents by accident.
import { realpath } from 'node:fs/promises';
import {
  ApiError,
  Methods,
  type AgentIdentity,
  type AgentsConfig,
  type Environment,
  type EventOf,
  type MethodName,
  type ParsedParamsOf,
  type ResultOf,
  type StreamMethodName,
  type UnaryMethodName,
} from '../api';
import type { EnvLogs } from '../logs/envLogs';
import type { ResourceStore } from '../store/resourceStore';
import {
  agentApply,
  canDelete,
  canSee,
  checkAgentFolder,
  checkAgentGitUrl,
  forbidden,
  notDeletable,
  notVisible,
  type AgentView,
  type HostPaths,
} from './agentRules';
import type { CallContext, Handlers, StreamSink } from './handlers';

export interface AgentPolicyDeps {
  store: ResourceStore;
  logs: EnvLogs;
  /** `agents` of the runner config; read at every agent call (a change applies at once). */
  readConfig(): Promise<AgentsConfig>;
  host: HostPaths;
  /** The runner log (secrets are redacted there). */
  log(msg: string): void;
}

type Rules = {
  [M in UnaryMethodName]: (a: AgentView, p: ParsedParamsOf<M>, ctx: CallContext) => Promise<ResultOf<M>>;
} & {
  [M in StreamMethodName]: (
    a: AgentView,
    p: ParsedParamsOf<M>,
    ctx: CallContext,
    sink: StreamSink<EventOf<M>>,
  ) => Promise<ResultOf<M>>;
};

/** One line for a log: secrets' and environment variables' values hidden, long text cut. */
export function summarizeArguments(value: unknown, max = 1500): string {
  let text =
    JSON.stringify(value, (key, v: unknown) => {
      if ((key === 'env' || key === 'containerEnv' || key === 'remoteEnv') && v && typeof v === 'object') {
        return Object.fromEntries(Object.keys(v).map((k) => [k, '***']));
      }
      if (key === 'value') return '***';
      if (key === 'data' && typeof v === 'string') return `<${Buffer.byteLength(v, 'base64')} bytes>`;
      if (typeof v === 'string' && v.length > 300) return `${v.slice(0, 300)}…`;
      return v;
    }) ?? '';
  if (text.length > max) text = `${text.slice(0, max)}…`;
  return text;
}

/** `handlers` with agent connections held to the agent policy; other connections are untouched. */
export function withAgentPolicy(inner: Handlers, deps: AgentPolicyDeps): Handlers {
  const sessions = new WeakMap<object, AgentIdentity>();
  const { store } = deps;
  const call = inner as unknown as Record<
    MethodName,
    (p: unknown, ctx: CallContext, sink?: unknown) => Promise<never>
  >;
  const pass =
    <M extends MethodName>(m: M) =>
    (_a: AgentView, p: unknown, ctx: CallContext, sink?: unknown) =>
      call[m](p, ctx, sink);
  const refuse = (what: string) => async () => {
    throw forbidden(`${what} is not available to AI agents`);
  };
  const visible = (a: AgentView, name: string): Environment => {
    const env = store.mustGet('Environment', name);
    if (!canSee(env, a)) throw notVisible(name);
    return env;
  };
  const named =
    <M extends MethodName>(m: M) =>
    async (a: AgentView, p: { name: string }, ctx: CallContext, sink?: unknown) => {
      visible(a, p.name);
      return call[m](p, ctx, sink);
    };
  const noHosts = (kind: string | undefined) => {
    if (kind === 'Host') throw forbidden('hosts are not available to AI agents');
  };

  const rules: Rules = {
    hello: pass('hello'),
    apply: async (a, p, ctx) => {
      if (p.resource.kind !== 'Environment') throw forbidden('hosts are not available to AI agents');
      const existing = store.get('Environment', p.resource.metadata.name);
      const resource = agentApply(p.resource, existing, a);
      if (resource.metadata.labels) {
        // An agent's own environment: its source must be somewhere it may use.
        const { folder, git } = resource.spec.source;
        if (folder) checkAgentFolder(await realpath(folder).catch(() => folder), a, deps.host);
        if (git) checkAgentGitUrl(git.url);
      }
      return call.apply({ resource }, ctx);
    },
    get: async (a, p, ctx) => {
      noHosts(p.kind);
      visible(a, p.name);
      return call.get(p, ctx);
    },
    list: async (a, p, ctx) => {
      noHosts(p.kind);
      const all = await inner.list(p, ctx);
      return { ...all, items: all.items.filter((r) => r.kind === 'Environment' && canSee(r, a)) };
    },
    delete: async (a, p, ctx) => {
      noHosts(p.kind);
      const env = store.mustGet('Environment', p.name);
      if (!canSee(env, a)) throw notVisible(p.name);
      if (!canDelete(env, a)) throw notDeletable(env);
      return call.delete(p, ctx);
    },
    watch: async (a, p, ctx, sink) => {
      noHosts(p.kind);
      const env = p.name ? store.get('Environment', p.name) : undefined;
      if (env && !canSee(env, a)) throw notVisible(env.metadata.name);
      const filtered: StreamSink<EventOf<'watch'>> = {
        event: (e) => {
          if (e.object.kind === 'Environment' && canSee(e.object, a)) sink.event(e);
        },
        end: (e) => sink.end(e),
        drained: () => sink.drained(),
        attach: (c) => sink.attach(c),
      };
      return inner.watch({ ...p, kind: 'Environment' }, ctx, filtered);
    },
    logs: named('logs'),
    exec: named('exec'),
    'exec.input': pass('exec.input'),
    'exec.resize': pass('exec.resize'),
    'exec.signal': pass('exec.signal'),
    stats: named('stats'),
    cancel: pass('cancel'),
    shutdown: refuse('stopping the runner'),
    sshInfo: refuse('the SSH gateway'),
    'host.acceptKey': refuse('remote hosts'),
    keepalive: named('keepalive'),
    attach: named('attach'),
    'automations.run': named('automations.run'),
    'automations.start': named('automations.start'),
    'automations.stop': named('automations.stop'),
    'secrets.set': refuse('secrets'),
    'secrets.delete': refuse('secrets'),
    'secrets.list': refuse('secrets'),
    'agent.audit': async (a, p) => {
      const env = p.environment ? store.get('Environment', p.environment) : undefined;
      if (env && !canSee(env, a)) throw notVisible(env.metadata.name);
      const line = `[agent ${a.identity.session}] ${p.tool} ${summarizeArguments(p.arguments ?? {})}`;
      deps.log(`agent ${a.identity.session}: tool ${p.tool}${p.environment ? ` on ${p.environment}` : ''}`);
      // Only an existing environment gets a log: a refused create leaves none behind.
      if (env) await deps.logs.append(env.metadata.name, line);
      return { ok: true as const };
    },
  };

  const wrapped = {} as Record<MethodName, unknown>;
  for (const m of Object.keys(Methods) as MethodName[]) {
    const rule = rules[m] as (a: AgentView, p: unknown, ctx: CallContext, sink?: unknown) => Promise<unknown>;
    wrapped[m] = async (p: unknown, ctx: CallContext, sink?: unknown) => {
      if (m === 'hello') return hello(p as ParsedParamsOf<'hello'>, ctx);
      const identity = sessions.get(ctx.connection);
      if (!identity) return call[m](p, ctx, sink);
      deps.log(`agent ${identity.session}: ${m} ${summarizeArguments(p, 500)}`);
      try {
        return await rule({ identity, config: await agentsConfig() }, p, ctx, sink);
      } catch (e) {
        if (e instanceof ApiError && e.code === 'Forbidden') {
          deps.log(`agent ${identity.session}: refused ${m}: ${e.message}`);
        }
        throw e;
      }
    };
  }

  /** A broken config refuses agents (fails closed) with what is wrong in it. */
  async function agentsConfig(): Promise<AgentsConfig> {
    try {
      return await deps.readConfig();
    } catch (e) {
      if (e instanceof ApiError) throw e;
      throw new ApiError(
        'Unavailable',
        `agents are refused until the runner config is fixed: ${(e as Error).message}`,
        undefined,
        {
          cause: e,
        },
      );
    }
  }

  async function hello(p: ParsedParamsOf<'hello'>, ctx: CallContext): Promise<ResultOf<'hello'>> {
    const before = sessions.get(ctx.connection);
    if (before && p.agent?.session !== before.session) {
      throw forbidden('an agent session keeps its identity for as long as its connection is open');
    }
    const result = await inner.hello(p, ctx);
    if (!p.agent) return result;
    sessions.set(ctx.connection, p.agent);
    deps.log(
      `agent ${p.agent.session}: connected (${p.agent.client ?? p.client}; folders: ${p.agent.folders.join(', ') || 'none'})`,
    );
    return { ...result, agent: { session: p.agent.session } };
  }

  return wrapped as Handlers;
}
