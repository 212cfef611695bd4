// The folder this window is about: the first local workspace folder with a devcontainer config (else the
// first local folder), whether it has a config, and its environment. Local means on this machine (file
// scheme), where the runner can read it.

import { EventEmitter } from 'node:events';
import * as vscode from 'vscode';
import type { Environment } from '../../runner/api';
import { devcontainerConfigsIn } from '../autostart/devcontainerPresence';
import { environmentOfRemoteWindow } from '../autostart/autoStartDecision';
import { environmentForFolder } from '../../runner/client/naming';
import type { ResourceCache } from '../runner/resourceCache';
import { LatestScan } from './latestScan';

export interface FolderInfo {
  folder: vscode.WorkspaceFolder;
  path: string;
  configs: string[];
}

/** Where a folder's devcontainer configs can be (see runner/devcontainer/find), and the folder holding them. */
const CONFIG_GLOB =
  '{.devcontainer.json,.devcontainer,.devcontainer/devcontainer.json,.devcontainer/*/devcontainer.json}';

export class WorkspaceFolderState extends EventEmitter<{ change: [] }> {
  /** Numbered scans, the latest wins; 'change' is emitted after each one that is kept. */
  private readonly scans = new LatestScan<FolderInfo | undefined>(() => this.emit('change'));

  constructor(private readonly cache: ResourceCache) {
    super();
  }

  /**
   * Scans the folders now and again whenever they change or a devcontainer config appears or goes, in
   * the places a config can be at the top of each local folder (one watcher per folder).
   */
  start(): vscode.Disposable {
    const rescan = () => void this.rescan().catch(() => {});
    let watchers: vscode.Disposable[] = [];
    const watch = () => {
      for (const w of watchers) w.dispose();
      watchers = localFolders().flatMap((folder) => {
        const w = vscode.workspace.createFileSystemWatcher(
          new vscode.RelativePattern(folder, CONFIG_GLOB),
          false,
          true, // contents do not matter, only whether the file exists
          false,
        );
        return [w, w.onDidCreate(rescan), w.onDidDelete(rescan)];
      });
    };
    watch();
    const folders = vscode.workspace.onDidChangeWorkspaceFolders(() => {
      watch();
      rescan();
    });
    rescan();
    return new vscode.Disposable(() => {
      folders.dispose();
      for (const w of watchers) w.dispose();
    });
  }

  /** Resolves once the latest scan is done (also one started while waiting). */
  ready(): Promise<void> {
    return this.scans.ready(scanFolders);
  }

  get folder(): FolderInfo | undefined {
    return this.scans.value;
  }

  /** The environment built from this folder, if any. */
  environment(): Environment | undefined {
    const inside = this.insideEnvironment();
    if (inside) return this.cache.environment(inside);
    const info = this.scans.value;
    return info ? environmentForFolder(this.cache.environments(), info.path) : undefined;
  }

  /** The environment this (Remote-SSH) window is connected to, if it is a devrig one. */
  insideEnvironment(): string | undefined {
    const first = vscode.workspace.workspaceFolders?.[0];
    return environmentOfRemoteWindow(vscode.env.remoteName, first?.uri.authority);
  }

  private rescan(): Promise<void> {
    return this.scans.run(scanFolders);
  }
}

function localFolders(): vscode.WorkspaceFolder[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
}

/** The first local folder with a devcontainer config, else the first local folder. */
async function scanFolders(): Promise<FolderInfo | undefined> {
  const infos = await Promise.all(
    localFolders().map(async (folder) => ({
      folder,
      path: folder.uri.fsPath,
      configs: await devcontainerConfigsIn(folder.uri.fsPath),
    })),
  );
  return infos.find((i) => i.configs.length > 0) ?? infos[0];
}
