// The folder this window is about: the first local workspace folder with a devcontainer config (else the
// first local folder), whether it has a config, and its environment. Local means on this machine (file
// scheme), where the runner can read it.

import { EventEmitter } from 'node:events';
import * as vscode from 'vscode';
import type { Environment } from '../../runner/api';
import { devcontainerConfigsIn } from '../autostart/devcontainerPresence';
import { environmentOfRemoteWindow } from '../autostart/autoStartDecision';
import { environmentForFolder } from '../environments/naming';
import type { ResourceCache } from '../runner/resourceCache';

export interface FolderInfo {
  folder: vscode.WorkspaceFolder;
  path: string;
  configs: string[];
}

export class WorkspaceFolderState extends EventEmitter<{ change: [] }> {
  private info: FolderInfo | undefined;
  private scanned = false;
  private scan: Promise<void> | undefined;

  constructor(private readonly cache: ResourceCache) {
    super();
  }

  /** Scans the folders now and again whenever they or their devcontainer files change. */
  start(): vscode.Disposable {
    const rescan = () => void this.rescan();
    const watcher = vscode.workspace.createFileSystemWatcher(
      '**/{.devcontainer.json,.devcontainer/**/devcontainer.json}',
    );
    const subs = [
      vscode.workspace.onDidChangeWorkspaceFolders(rescan),
      watcher,
      watcher.onDidCreate(rescan),
      watcher.onDidDelete(rescan),
    ];
    rescan();
    return vscode.Disposable.from(...subs);
  }

  /** Resolves once the first scan is done. */
  async ready(): Promise<void> {
    if (!this.scanned) await (this.scan ?? this.rescan());
  }

  get folder(): FolderInfo | undefined {
    return this.info;
  }

  /** The environment built from this folder, if any. */
  environment(): Environment | undefined {
    const inside = this.insideEnvironment();
    if (inside) return this.cache.environment(inside);
    return this.info ? environmentForFolder(this.cache.environments(), this.info.path) : undefined;
  }

  /** The environment this (Remote-SSH) window is connected to, if it is a devrig one. */
  insideEnvironment(): string | undefined {
    const first = vscode.workspace.workspaceFolders?.[0];
    return environmentOfRemoteWindow(vscode.env.remoteName, first?.uri.authority);
  }

  private rescan(): Promise<void> {
    this.scan = (async () => {
      const local = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
      const infos = await Promise.all(
        local.map(async (folder) => ({
          folder,
          path: folder.uri.fsPath,
          configs: await devcontainerConfigsIn(folder.uri.fsPath),
        })),
      );
      this.info = infos.find((i) => i.configs.length > 0) ?? infos[0];
      this.scanned = true;
      this.emit('change');
    })();
    return this.scan;
  }
}
