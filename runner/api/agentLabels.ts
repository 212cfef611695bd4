// No schemas here: the extension's tree and the CLI read it without loading zod.

/** On every environment an AI agent session created; the value is the session's id. */
export const AGENT_LABEL = 'devrig.dev/agent';

interface Labelled {
  metadata: { labels?: Record<string, string> };
}

/** The agent session that created `r`, if one did. */
export function agentSessionOf(r: Labelled): string | undefined {
  return r.metadata.labels?.[AGENT_LABEL] || undefined;
}

/** Environments an agent created are sandboxed: see runner/devcontainer/agentSandbox.ts. */
export function isAgentEnvironment(r: Labelled): boolean {
  return agentSessionOf(r) !== undefined;
}
