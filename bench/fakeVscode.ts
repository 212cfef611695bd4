// Just enough of the `vscode` module for activate() to run in plain Node (bench/activation.ts): every
// call activate makes succeeds and records nothing; async UI answers "dismissed".

/* eslint-disable @typescript-eslint/no-explicit-any */
type Listener = (e: any) => void;

class EventEmitter {
  private listeners = new Set<Listener>();
  event = (l: Listener) => {
    this.listeners.add(l);
    return new Disposable(() => this.listeners.delete(l));
  };
  fire(e?: unknown) {
    for (const l of this.listeners) l(e);
  }
  dispose() {
    this.listeners.clear();
  }
}

class Disposable {
  constructor(private readonly fn: () => void = () => {}) {}
  static from(...ds: { dispose(): unknown }[]) {
    return new Disposable(() => ds.forEach((d) => d.dispose()));
  }
  dispose() {
    this.fn();
  }
}

const event = () => new Disposable();

/** Unknown `registerX`/`onDidX` members of a namespace are no-ops returning a Disposable (others stay undefined). */
function lenient<T extends object>(ns: T): T {
  return new Proxy(ns, {
    get(target, prop, receiver) {
      if (prop in target) return Reflect.get(target, prop, receiver);
      if (typeof prop === 'string' && /^(register|on[A-Z])/.test(prop)) return event;
      return undefined;
    },
  });
}
const noop = () => {};
const dismissed = async () => undefined;

export function fakeVscode(opts: { folder: string; settings: Record<string, unknown> }) {
  const uri = (p: string) => ({
    scheme: 'file',
    fsPath: p,
    path: p,
    authority: '',
    toString: () => `file://${p}`,
  });
  return {
    version: '1.95.0-bench',
    EventEmitter,
    Disposable,
    ThemeIcon: class {
      constructor(
        readonly id: string,
        readonly color?: unknown,
      ) {}
    },
    ThemeColor: class {
      constructor(readonly id: string) {}
    },
    MarkdownString: class {
      constructor(
        readonly value = '',
        readonly supportThemeIcons = false,
      ) {}
    },
    TreeItem: class {
      constructor(
        readonly label: string,
        readonly collapsibleState?: number,
      ) {}
    },
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    QuickPickItemKind: { Separator: -1, Default: 0 },
    ViewColumn: { Active: -1 },
    CancellationError: class extends Error {},
    RelativePattern: class {
      constructor(
        readonly base: unknown,
        readonly pattern: string,
      ) {}
    },
    Uri: { file: uri, parse: (s: string) => uri(s) },
    env: { remoteName: undefined, appName: 'bench', clipboard: { writeText: dismissed } },
    extensions: { getExtension: () => undefined },
    commands: lenient({ registerCommand: () => new Disposable(), executeCommand: dismissed }),
    window: lenient({
      createOutputChannel: () => ({
        info: noop,
        warn: noop,
        error: noop,
        debug: noop,
        trace: noop,
        append: noop,
        appendLine: noop,
        show: noop,
        dispose: noop,
      }),
      createTreeView: () => new Disposable(),
      createStatusBarItem: () => ({ show: noop, hide: noop, dispose: noop }),
      showInformationMessage: dismissed,
      showWarningMessage: dismissed,
      showErrorMessage: dismissed,
      withProgress: (_o: unknown, task: (p: unknown, t: unknown) => Promise<unknown>) =>
        task({ report: noop }, { onCancellationRequested: event }),
    }),
    workspace: lenient({
      isTrusted: true,
      workspaceFolders: [{ uri: uri(opts.folder), name: 'bench', index: 0 }],
      getConfiguration: (section: string) => ({ get: (k: string) => opts.settings[`${section}.${k}`] }),
      onDidChangeConfiguration: event,
      onDidChangeWorkspaceFolders: event,
      createFileSystemWatcher: () => ({
        onDidCreate: event,
        onDidDelete: event,
        onDidChange: event,
        dispose: noop,
      }),
    }),
  };
}
