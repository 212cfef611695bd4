// One environment's details panel: feeds the page from the resource cache (watch stream), the runner
// connection and the environment's log and stats streams, and turns the page's validated messages into
// the extension's own commands.

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { Environment, HostMessage, RunnerLink, StatsSample } from '../../runner/api';
import { forwardedPort } from '../../runner/presentation/forwardedPort';
import { sshHostAlias } from '../../runner/sshConfig/remoteUri';
import type { CacheChange } from '../runner/resourceCache';
import type { RunnerState } from '../runner/runnerConnection';
import type { Services } from '../services';
import { detailsHtml } from './detailsHtml';
import { LiveFeeds } from './liveFeeds';
import { acceptViewMessage } from './messageGate';
import { panelAction } from './panelActions';

type PanelServices = Omit<Services, 'details'>;

/** Log text is posted in batches at most this often, so a chatty build does not flood the page. */
const LOG_FLUSH_MS = 100;

/** What the page may load: the bundle and the codicons copied next to it, nothing else. */
export function detailsWebviewOptions(
  extensionUri: vscode.Uri,
): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')],
    // The page rebuilds itself from a snapshot whenever it is shown; keeping it alive hidden costs memory.
    retainContextWhenHidden: false,
    enableFindWidget: true,
  };
}

export function runnerLink(state: RunnerState): RunnerLink {
  switch (state.kind) {
    case 'connected':
      return { state: 'connected' };
    case 'connecting':
      return { state: 'connecting' };
    case 'disconnected':
      return { state: 'disconnected', message: state.error };
    case 'disposed':
      return { state: 'disconnected', message: 'the extension is shutting down' };
  }
}

export class DetailsPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly feeds: LiveFeeds;
  private pendingLog = '';
  private pendingReset = false;
  private logTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(
    private readonly s: PanelServices,
    readonly name: string,
    readonly panel: vscode.WebviewPanel,
    onDispose: () => void,
  ) {
    const extensionUri = s.context.extensionUri;
    panel.title = `devrig: ${name}`;
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'resources', 'devrig.svg');
    const asset = (...p: string[]) =>
      panel.webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', ...p)).toString();
    panel.webview.html = detailsHtml({
      name,
      nonce: randomBytes(18).toString('base64'),
      cspSource: panel.webview.cspSource,
      assets: {
        script: asset('webview.js'),
        stylesheet: asset('webview.css'),
        codicons: asset('codicons', 'codicon.css'),
      },
    });

    this.feeds = new LiveFeeds(
      name,
      s.runner,
      { log: (data, reset) => this.queueLog(data, reset), stats: (sample) => this.postStats(sample) },
      { warn: (m) => s.log.debug(m) },
    );
    this.feeds.update(this.environment());

    const onCache = (c: CacheChange) => {
      if ('resource' in c && (c.resource.kind !== 'Environment' || c.resource.metadata.name !== name)) return;
      const env = this.environment();
      this.feeds.update(env);
      this.post({ type: 'environment', environment: env ?? null });
    };
    const onState = (st: RunnerState) => this.post({ type: 'runner', runner: runnerLink(st) });
    s.cache.on('change', onCache);
    s.runner.on('state', onState);
    this.disposables.push(
      { dispose: () => s.cache.off('change', onCache) },
      { dispose: () => s.runner.off('state', onState) },
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.onMessage(raw)),
      panel.onDidDispose(() => {
        this.dispose();
        onDispose();
      }),
    );
  }

  reveal(): void {
    this.panel.reveal();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.logTimer) clearTimeout(this.logTimer);
    this.feeds.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }

  private environment(): Environment | undefined {
    return this.s.cache.environment(this.name);
  }

  private post(message: HostMessage): void {
    if (this.disposed || !this.panel.visible) return; // a hidden page is rebuilt from a snapshot
    void this.panel.webview.postMessage(message);
  }

  private postSnapshot(): void {
    this.flushLog(); // anything queued is in the snapshot's log already
    const { log, stats } = this.feeds.snapshot();
    this.post({
      type: 'snapshot',
      name: this.name,
      environment: this.environment() ?? null,
      sshCommand: `ssh ${sshHostAlias(this.name)}`,
      runner: runnerLink(this.s.runner.state),
      log,
      stats,
    });
  }

  private postStats(sample: StatsSample): void {
    this.post({ type: 'stats', sample });
  }

  private queueLog(data: string, reset: boolean): void {
    if (reset) {
      this.pendingLog = '';
      this.pendingReset = true;
    }
    this.pendingLog += data;
    this.logTimer ??= setTimeout(() => this.flushLog(), LOG_FLUSH_MS);
  }

  private flushLog(): void {
    if (this.logTimer) clearTimeout(this.logTimer);
    this.logTimer = undefined;
    if (!this.pendingLog && !this.pendingReset) return;
    this.post({ type: 'log', data: this.pendingLog, reset: this.pendingReset });
    this.pendingLog = '';
    this.pendingReset = false;
  }

  private async onMessage(raw: unknown): Promise<void> {
    const message = acceptViewMessage(raw, (why) => this.s.log.warn(`details ${this.name}: ${why}`));
    if (!message) return;
    const action = panelAction(message, this.name);
    try {
      if (action.kind === 'snapshot') return this.postSnapshot();
      if (action.kind === 'command') {
        this.s.log.info(`details ${this.name}: ${action.command}`);
        await vscode.commands.executeCommand(action.command, ...action.args);
        return;
      }
      const { address } = forwardedPort(this.environment(), this.name, action.port);
      await vscode.env.clipboard.writeText(address);
      void vscode.window.showInformationMessage(`Copied "${address}" (port ${action.port} of ${this.name}).`);
    } catch (e) {
      void vscode.window.showErrorMessage(`devrig: ${(e as Error).message}`);
    }
  }
}
