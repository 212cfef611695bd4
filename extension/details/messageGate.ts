// The doors from the details webview into the extension: a message is acted on only after the shared
// schema accepted it, anything else is logged (shortened, as inert JSON) and dropped; a restored panel's
// saved state is trusted the same way. Pure.

import { NAME_PATTERN, parseDetailsPanelState, parseViewMessage, type ViewMessage } from '../../runner/api';

const PREVIEW_CHARS = 200;

/** A short, single-line, JSON-quoted rendering of whatever arrived, safe to put in a log. */
export function previewMessage(raw: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(raw) ?? String(raw);
  } catch {
    text = `[unserialisable ${typeof raw}]`;
  }
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}… (${text.length} chars)` : text;
}

export function acceptViewMessage(raw: unknown, reject: (why: string) => void): ViewMessage | undefined {
  const r = parseViewMessage(raw);
  if (r.ok) return r.value;
  reject(`rejected a message from the details webview (${r.error}): ${previewMessage(raw)}`);
  return undefined;
}

/**
 * Which environment a restored panel showed: the title the extension itself gave the panel (VS Code keeps
 * it across reloads), else the page's saved state — which comes from the webview, so its name counts only
 * once the schema accepted it.
 */
export function restoredName(
  panel: { title: string },
  state: unknown,
  warn: (m: string) => void,
): string | undefined {
  const fromTitle = /^devrig: (.+)$/.exec(panel.title)?.[1];
  if (fromTitle && NAME_PATTERN.test(fromTitle)) return fromTitle;
  const parsed = parseDetailsPanelState(state);
  if (parsed.ok) return parsed.value.name;
  warn(`not restoring panel "${panel.title}": invalid state (${parsed.error}): ${previewMessage(state)}`);
  return undefined;
}
