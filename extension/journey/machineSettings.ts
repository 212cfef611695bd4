// The VS Code server's machine settings in an environment (what a Remote-SSH window reads there): devrig
// turns VS Code's own port auto-forwarding off, because the runner already forwards every port the
// environment listens on — a second forward by VS Code would take another local port for the same thing.
// The user's other machine settings are kept as they are (comments too). Pure.

import { applyEdits, modify, parse, type ParseError } from 'jsonc-parser';

export const AUTO_FORWARD_SETTING = 'remote.autoForwardPorts';

/** Where the VS Code server keeps its data, by the client's product (appName). */
export function serverDataFolder(appName: string): string {
  if (/insiders/i.test(appName)) return '.vscode-server-insiders';
  if (/vscodium/i.test(appName)) return '.vscodium-server';
  if (/cursor/i.test(appName)) return '.cursor-server';
  return '.vscode-server';
}

/** `~/<folder>/data/Machine/settings.json`, relative to the remote user's home. */
export function machineSettingsPath(appName: string): string {
  return `${serverDataFolder(appName)}/data/Machine/settings.json`;
}

/**
 * `text` (the current file, '' when there is none) with auto-forwarding off; undefined when it says so
 * already. A file that is not a JSON object is replaced (VS Code could not read it either).
 */
export function withAutoForwardOff(text: string): string | undefined {
  const errors: ParseError[] = [];
  const value: unknown = text.trim() ? parse(text, errors, { allowTrailingComma: true }) : {};
  const usable = errors.length === 0 && !!value && typeof value === 'object' && !Array.isArray(value);
  if (usable && (value as Record<string, unknown>)[AUTO_FORWARD_SETTING] === false) return undefined;
  const base = usable ? text : '{}';
  const edits = modify(base, [AUTO_FORWARD_SETTING], false, {
    formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' },
  });
  return applyEdits(base, edits);
}
