// Offers `devrig mcp` to VS Code's agent mode (Copilot) through the MCP server definition provider
// API, so agents can use devrig environments with no setup. That API is VS Code 1.101+: on older
// editors (engines stays ^1.95) nothing is registered, and `devrig mcp` can be configured by hand.
// Takes the `vscode` namespace as a parameter (no import of it here), so it is tested with a fake.

import type * as vscode from 'vscode';
import { devrigMcpServerSpec, MCP_PROVIDER_ID, type McpServerSpec } from './mcpServerSpec';
import type { HostProcess } from '../runner/launchSpec';

/** vscode.McpStdioServerDefinition, as far as devrig uses it (not in @types/vscode 1.95). */
export interface McpStdioServerDefinitionLike {
  readonly label: string;
  command: string;
  args: string[];
  env: Record<string, string | number | null>;
  version?: string;
  cwd?: vscode.Uri;
}

interface McpServerDefinitionProviderLike {
  onDidChangeMcpServerDefinitions?: vscode.Event<void>;
  provideMcpServerDefinitions(
    token: vscode.CancellationToken,
  ): vscode.ProviderResult<McpStdioServerDefinitionLike[]>;
}

/** The parts of the `vscode` namespace the provider needs; the MCP ones may be missing. */
export interface McpHostApi {
  lm?: {
    registerMcpServerDefinitionProvider?(
      id: string,
      provider: McpServerDefinitionProviderLike,
    ): vscode.Disposable;
  };
  McpStdioServerDefinition?: new (
    label: string,
    command: string,
    args?: string[],
    env?: Record<string, string | number | null>,
    version?: string,
  ) => McpStdioServerDefinitionLike;
  EventEmitter: typeof vscode.EventEmitter;
  Uri: Pick<typeof vscode.Uri, 'file'>;
  workspace: Pick<
    typeof vscode.workspace,
    | 'workspaceFolders'
    | 'isTrusted'
    | 'onDidChangeWorkspaceFolders'
    | 'onDidGrantWorkspaceTrust'
    | 'onDidChangeConfiguration'
  >;
}

export interface McpProviderDeps {
  extensionPath: string;
  version: string;
  host: HostProcess;
  /** Current settings: whether to offer the server, and the runner's state folder. */
  settings(): { mcpEnabled: boolean; stateDir: string };
  log(message: string): void;
}

/** The server definition VS Code should start now, or none (turned off). */
export function currentSpec(api: McpHostApi, deps: McpProviderDeps): McpServerSpec | undefined {
  const s = deps.settings();
  if (!s.mcpEnabled) return undefined;
  // An untrusted folder is not offered to the agent as a source (its own environments still are).
  const folders = api.workspace.isTrusted
    ? (api.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath)
    : [];
  return devrigMcpServerSpec({
    extensionPath: deps.extensionPath,
    stateDir: s.stateDir,
    host: deps.host,
    folders,
    version: deps.version,
  });
}

/** Registers the provider where the editor has the API; undefined (and a log line) where it has not. */
export function registerMcpProvider(api: McpHostApi, deps: McpProviderDeps): vscode.Disposable | undefined {
  const register = api.lm?.registerMcpServerDefinitionProvider;
  const Definition = api.McpStdioServerDefinition;
  if (typeof register !== 'function' || typeof Definition !== 'function') {
    deps.log(
      'this editor has no MCP server definition API (VS Code 1.101+): devrig is not offered to agent mode; ' +
        'configure `devrig mcp` by hand (see the README)',
    );
    return undefined;
  }
  const changed = new api.EventEmitter<void>();
  const fire = () => changed.fire();
  const subscriptions: vscode.Disposable[] = [
    changed,
    api.workspace.onDidChangeWorkspaceFolders(fire),
    api.workspace.onDidGrantWorkspaceTrust(fire),
    api.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('devrig.mcp') || e.affectsConfiguration('devrig.runner')) fire();
    }),
  ];
  const registration = register.call(api.lm, MCP_PROVIDER_ID, {
    onDidChangeMcpServerDefinitions: changed.event,
    provideMcpServerDefinitions: () => {
      const spec = currentSpec(api, deps);
      if (!spec) return [];
      const def = new Definition(spec.label, spec.command, spec.args, spec.env, spec.version);
      if (spec.cwd) def.cwd = api.Uri.file(spec.cwd);
      return [def];
    },
  });
  return {
    dispose: () => {
      registration.dispose();
      for (const d of subscriptions) d.dispose();
    },
  };
}
