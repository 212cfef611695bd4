// The MCP server's connection to the runner, as an agent session: made when first needed (the
// runner is started if absent), made again after the runner restarted, and refused when the runner
// would not hold it to the agent policy.
import { ApiError } from '../../api/apiError';
import { connectRunner } from '../../client/launch';
import type { RunnerClient } from '../../client/runnerClient';

export interface AgentSession {
  /** Labels what this session creates (devrig.dev/agent). */
  id: string;
  /** Folders it may make environments from (besides agents.folders of the runner config). */
  folders: string[];
}

export class RunnerLink {
  private current?: Promise<RunnerClient>;
  /** Who the agent is, once its MCP client said so (initialize). */
  clientName = 'mcp';

  constructor(
    private readonly stateDir: string,
    readonly session: AgentSession,
  ) {}

  /**
   * The connection, made (again) when there is none. `autoStart: false` for what runs on its own
   * (the environment list watch): only an agent's call starts a runner the user stopped.
   */
  client(opts: { autoStart?: boolean } = {}): Promise<RunnerClient> {
    const c = this.current;
    if (c) {
      return c.then(
        (client) => (client.isOpen ? client : this.connect(opts.autoStart ?? true)),
        () => this.connect(opts.autoStart ?? true),
      );
    }
    return this.connect(opts.autoStart ?? true);
  }

  private connect(autoStart: boolean): Promise<RunnerClient> {
    this.current = (async () => {
      const client = await connectRunner({
        stateDir: this.stateDir,
        client: `devrig mcp (${this.clientName})`,
        autoStart,
        agent: { session: this.session.id, folders: this.session.folders, client: this.clientName },
      });
      if (client.agentSession !== this.session.id) {
        client.close();
        throw new ApiError(
          'Unavailable',
          `the running devrig runner (version ${client.runnerVersion}) does not hold agents to the agent ` +
            'policy; stop it with `devrig runner stop` so that this version starts',
        );
      }
      return client;
    })();
    return this.current;
  }

  close(): void {
    void this.current?.then(
      (c) => c.close(),
      () => {},
    );
  }
}
