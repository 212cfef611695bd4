// How VS Code reaches an environment through Remote-SSH: the `devrig-<env>` host alias (defined in
// devrig's own ssh_config) and the `vscode-remote://ssh-remote+<alias>/<path>` folder URI. Pure: no
// `vscode` import, so the CLI can print the same URIs.

import { posix } from 'node:path';
import { NAME_PATTERN } from '../api/names';

/** Prefix of every environment's SSH host alias. */
export const HOST_ALIAS_PREFIX = 'devrig-';

/** The SSH host alias of an environment: `devrig-<env>`. Throws for a name that is not a valid environment name. */
export function sshHostAlias(envName: string): string {
  if (!NAME_PATTERN.test(envName)) {
    throw new Error(
      `invalid environment name ${JSON.stringify(envName)}: must be 1-40 lowercase letters, digits and "-"`,
    );
  }
  return HOST_ALIAS_PREFIX + envName;
}

/**
 * The authority of a Remote-SSH URI. Remote-SSH writes `ssh-remote+<host>` for plain host names and
 * `ssh-remote+<hex of {"hostName":...} JSON>` for anything else; our aliases are always `[a-z0-9-]`, so
 * the plain form applies.
 */
export function remoteSshAuthority(envName: string): string {
  const alias = sshHostAlias(envName);
  if (!/^[a-z0-9-]+$/.test(alias)) throw new Error(`unexpected host alias ${alias}`);
  return `ssh-remote+${alias}`;
}

/**
 * `vscode-remote://ssh-remote+devrig-<env>/<path>` for an absolute POSIX folder inside the environment.
 * The path is normalised (no `//`, `.`, `..` or trailing `/`) and each segment is percent-encoded the way
 * VS Code's `Uri.toString()` does (everything except `A-Z a-z 0-9 - . _ ~`).
 */
export function remoteSshUri(envName: string, workspaceFolder: string): string {
  if (!workspaceFolder.startsWith('/')) {
    throw new Error(`workspace folder must be an absolute path inside the environment: ${workspaceFolder}`);
  }
  if (workspaceFolder.includes('\0')) throw new Error('workspace folder contains a NUL character');
  const normalized = posix.normalize(workspaceFolder).replace(/\/+$/, '');
  const path = normalized
    .split('/')
    .slice(1)
    .map((segment) => '/' + encodeSegment(segment))
    .join('');
  return `vscode-remote://${remoteSshAuthority(envName)}${path || '/'}`;
}

function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[!'()*]/g,
    (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase(),
  );
}

export interface RemoteSshOpenArgs {
  /** Pass through `vscode.Uri.parse()`. */
  uri: string;
  options: { forceNewWindow: boolean };
}

/** What to pass to `vscode.commands.executeCommand('vscode.openFolder', Uri.parse(uri), options)`. */
export function remoteSshOpenArgs(
  envName: string,
  workspaceFolder: string,
  newWindow: boolean,
): RemoteSshOpenArgs {
  return { uri: remoteSshUri(envName, workspaceFolder), options: { forceNewWindow: newWindow } };
}
