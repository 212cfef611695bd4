// The page's side of the channel to the extension: typed posts, validated receipts, persisted UI state.

import {
  parseDetailsPanelState,
  parseHostMessage,
  type DetailsPanelState,
  type HostMessage,
  type ViewMessage,
} from '../runner/api';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

export function post(message: ViewMessage): void {
  vscode.postMessage(message);
}

/** Calls `handler` with every message from the extension the schema accepts; drops (and reports) the rest. */
export function onHostMessage(handler: (m: HostMessage) => void): void {
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const r = parseHostMessage(event.data);
    if (r.ok) handler(r.value);
    else console.warn(`devrig details: ignored an invalid message from the extension: ${r.error}`);
  });
}

/** What the page kept before it was hidden or the window reloaded, if it is still valid. */
export function savedState(): DetailsPanelState | undefined {
  const r = parseDetailsPanelState(vscode.getState());
  return r.ok ? r.value : undefined;
}

export function saveState(state: DetailsPanelState): void {
  vscode.setState(state);
}
