// The Environments view: rebuilds the pure tree model whenever the cache or the connection changes and
// maps its nodes onto TreeItems. Updates come from the watch stream; nothing polls.

import * as vscode from 'vscode';
import type { ResourceCache } from '../runner/resourceCache';
import type { RunnerConnection, RunnerState } from '../runner/runnerConnection';
import { RefreshPacer } from './refreshPacer';
import { buildTree, type ConnectionSummary, type ViewNode } from './treeModel';

export class EnvironmentsTreeProvider implements vscode.TreeDataProvider<ViewNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ViewNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: ViewNode[] = [];
  /** The rendered model, to skip changes nobody would see (they would only delay the next real one). */
  private rendered = '';
  private scheduled = false;
  private readonly pacer = new RefreshPacer(() => this.changed.fire(undefined));
  private readonly unsubscribe: () => void;

  constructor(
    private readonly cache: ResourceCache,
    private readonly runner: RunnerConnection,
  ) {
    const refresh = () => this.scheduleRefresh();
    cache.on('change', refresh);
    runner.on('state', refresh);
    this.unsubscribe = () => {
      cache.off('change', refresh);
      runner.off('state', refresh);
    };
    this.rebuild();
  }

  /** Coalesces the watch events of one tick into one model update; paces what VS Code is told. */
  private scheduleRefresh(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      if (this.rebuild()) this.pacer.request();
    });
  }

  /** Rebuilds the model; whether it differs from what the view shows. */
  private rebuild(): boolean {
    this.roots = buildTree({
      connection: summarize(this.runner.state),
      hasData: this.cache.hasData,
      environments: this.cache.environments(),
      hosts: this.cache.hosts(),
    });
    const rendered = JSON.stringify(this.roots);
    if (rendered === this.rendered) return false;
    this.rendered = rendered;
    return true;
  }

  getChildren(node?: ViewNode): ViewNode[] {
    return node ? node.children : this.roots;
  }

  getParent(node: ViewNode): ViewNode | undefined {
    const find = (list: ViewNode[], parent?: ViewNode): ViewNode | undefined => {
      for (const n of list) {
        if (n.id === node.id) return parent;
        const hit = find(n.children, n);
        if (hit) return hit;
      }
      return undefined;
    };
    return find(this.roots);
  }

  getTreeItem(node: ViewNode): vscode.TreeItem {
    const item = new vscode.TreeItem(node.label, collapsible(node.collapsible));
    item.id = node.id;
    item.description = node.description;
    item.contextValue = node.contextValue;
    if (node.icon) {
      item.iconPath = new vscode.ThemeIcon(
        node.icon.id,
        node.icon.color ? new vscode.ThemeColor(node.icon.color) : undefined,
      );
    }
    if (node.tooltip) {
      const md = new vscode.MarkdownString(node.tooltip, true);
      md.isTrusted = false;
      item.tooltip = md;
    }
    if (node.command)
      item.command = { command: node.command.id, title: node.command.title, arguments: node.command.args };
    return item;
  }

  dispose(): void {
    this.pacer.dispose();
    this.unsubscribe();
    this.changed.dispose();
  }
}

function collapsible(c: ViewNode['collapsible']): vscode.TreeItemCollapsibleState {
  return c === 'none'
    ? vscode.TreeItemCollapsibleState.None
    : c === 'expanded'
      ? vscode.TreeItemCollapsibleState.Expanded
      : vscode.TreeItemCollapsibleState.Collapsed;
}

export function summarize(s: RunnerState): ConnectionSummary {
  switch (s.kind) {
    case 'connected':
      return { kind: 'connected' };
    case 'disconnected':
      return { kind: 'disconnected', error: s.error };
    default:
      return { kind: 'connecting' };
  }
}
