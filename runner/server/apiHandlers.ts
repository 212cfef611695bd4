import {
  API_VERSION,
  ApiError,
  DELETE_VOLUMES_FINALIZER,
  stripStamps,
  VERSION,
  type Environment,
} from '../api';
import type { EnvLogs } from '../logs/envLogs';
import type { Controller } from '../reconcile/controller';
import type { SessionTarget } from '../reconcile/environment/sessions';
import type { ContainerProvider } from '../providers/provider';
import { once } from 'node:events';
import { loginShellCommand } from '../sessions/loginShell';
import { hangUp, onAbort } from '../sessions/hangUp';
import type { ResourceStore } from '../store/resourceStore';
import { admit } from './admission';
import { serviceLogs } from './serviceLogs';
import type { CoreMethod, HandlersFor } from './handlers';

export interface RunnerServices {
  store: ResourceStore;
  logs: EnvLogs;
  environments: Controller;
  sessionTarget(env: Environment): Promise<SessionTarget | undefined>;
  /** The engine an environment runs on (a Compose service's logs). */
  providerFor?(env: Environment): Promise<ContainerProvider | undefined>;
  startedAt: string;
  localEnv: Record<string, string | undefined>;
  shutdown(): void;
  onActivity?(name: string): void;
  /** Runs postAttachCommand for a tool attaching. */
  attach?(name: string): Promise<void>;
}

async function readyTarget(s: RunnerServices, name: string): Promise<SessionTarget> {
  const env = s.store.mustGet('Environment', name);
  if (env.status.phase !== 'Running' || !env.status.containerId) {
    throw new ApiError('Unavailable', `environment "${name}" is not running (phase ${env.status.phase})`);
  }
  const target = await s.sessionTarget(env);
  if (!target) throw new ApiError('Unavailable', `environment "${name}" has no reachable container`);
  return target;
}

/**
 * The runner's core API, method by method; parameters arrive validated. The SSH gateway, hosts,
 * automations and secrets answer their own methods (the runner composes the whole table).
 */
export function coreHandlers(s: RunnerServices): HandlersFor<CoreMethod> {
  return {
    // Answered whatever API version the client speaks: hello and shutdown keep their shape, so a
    // client of another version learns ours and can still stop this runner.
    hello: async () => ({
      version: VERSION,
      apiVersion: API_VERSION,
      pid: process.pid,
      startedAt: s.startedAt,
    }),
    apply: async (p) => {
      await admit(p.resource, s.localEnv);
      return s.store.apply(p.resource);
    },
    get: async (p) => s.store.mustGet(p.kind, p.name),
    list: async (p) => ({ items: s.store.list(p.kind, p.labels), resourceVersion: s.store.resourceVersion }),
    delete: async (p) =>
      s.store.delete(
        p.kind,
        p.name,
        p.resourceVersion,
        p.volumes && p.kind === 'Environment' ? [DELETE_VOLUMES_FINALIZER] : [],
      ),
    watch: async (p, ctx, sink) => {
      const stop = s.store.watch(p, (e) => sink.event({ type: e.type, object: e.object }));
      onAbort(ctx.signal, stop);
      return { resourceVersion: s.store.resourceVersion };
    },
    logs: async (p, ctx, sink) => {
      const env = s.store.mustGet('Environment', p.name);
      if (p.service) {
        const provider = await s.providerFor?.(env);
        const done = serviceLogs(env, p.service, provider, { ...p, signal: ctx.signal }, (data) =>
          sink.event({ data }),
        );
        // Following: the call is answered at once, the output streams until the client cancels.
        if (p.follow)
          void done.then(
            () => sink.end(),
            (e: unknown) => sink.end(e),
          );
        else {
          await done;
          sink.end();
        }
        return {};
      }
      const shown = p.timestamps ? (t: string) => t : stripStamps;
      if (!p.follow) {
        const text = await s.logs.read(p.name, p.tail, p.source);
        if (text) sink.event({ data: shown(text) });
        sink.end();
        return {};
      }
      const stop = await s.logs.readThenFollow(p.name, p.tail, p.source, (data) =>
        sink.event({ data: shown(data) }),
      );
      onAbort(ctx.signal, stop);
      return {};
    },
    exec: async (p, ctx, sink) => {
      const t = await readyTarget(s, p.name);
      const proc = await t.provider.exec(t.containerId, {
        cmd: p.command && p.command.length ? p.command : loginShellCommand(),
        tty: p.tty,
        cols: p.cols,
        rows: p.rows,
        stdin: true,
        user: p.user ?? t.user,
        workdir: p.workdir ?? t.workspaceFolder,
        env: { ...t.env, ...(p.tty ? { TERM: p.env?.TERM ?? 'xterm-256color' } : {}), ...p.env },
      });
      s.onActivity?.(p.name);
      let finished = false;
      const pipe = (stream: NodeJS.ReadableStream, kind: 'stdout' | 'stderr') => {
        stream.on('data', (d: Buffer) => {
          s.onActivity?.(p.name);
          sink.event({ kind, data: d.toString('base64') });
          // Backpressure from a slow client: pause only when its socket is backed up.
          const drained = sink.drained();
          if (drained) {
            stream.pause();
            void drained.then(() => stream.resume());
          }
        });
      };
      pipe(proc.stdout, 'stdout');
      pipe(proc.stderr, 'stderr');
      proc.stdin.on('error', () => {});
      sink.attach({
        input: async (data, eof) => {
          s.onActivity?.(p.name);
          // Answer only once the process took it: a fast sender cannot pile input up in the runner.
          if (data?.length && !proc.stdin.write(data)) await once(proc.stdin, 'drain');
          if (eof) proc.stdin.end();
        },
        resize: (cols, rows) => void proc.resize(cols, rows),
        signal: (sig) => void proc.signal(sig).catch(() => {}),
      });
      // The client cancelled or went away: the same as a dropped SSH session.
      onAbort(ctx.signal, () => {
        if (!finished) hangUp(proc, p.tty);
      });
      void proc.wait().then(
        ({ code }) => {
          finished = true;
          sink.event({ kind: 'exit', code });
          sink.end();
        },
        (e) => {
          finished = true;
          sink.end(e);
        },
      );
      return {};
    },
    'exec.input': async (p, ctx) => {
      const c = ctx.connection.control(p.id);
      await c.input?.(p.data ? Buffer.from(p.data, 'base64') : undefined, p.eof ?? false);
      return { ok: true };
    },
    'exec.resize': async (p, ctx) => {
      ctx.connection.control(p.id).resize?.(p.cols, p.rows);
      return { ok: true };
    },
    'exec.signal': async (p, ctx) => {
      ctx.connection.control(p.id).signal?.(p.signal);
      return { ok: true };
    },
    cancel: async (p, ctx) => {
      ctx.connection.cancel(p.id);
      return { ok: true };
    },
    shutdown: async () => {
      setImmediate(() => s.shutdown());
      return { ok: true };
    },
    attach: async (p) => {
      await readyTarget(s, p.name);
      await s.attach?.(p.name);
      return { ok: true };
    },
    keepalive: async (p) => {
      s.store.mustGet('Environment', p.name);
      s.onActivity?.(p.name);
      return { ok: true };
    },
    // Agent connections are answered by the agent policy (agentPolicy.ts), before this table.
    'agent.audit': async () => {
      throw new ApiError('BadRequest', 'agent.audit is for agent sessions (devrig mcp) only');
    },
  };
}
