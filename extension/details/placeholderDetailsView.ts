// A minimal details panel until the real webview (issue 5) lands: one panel per environment, live from
// the resource cache, no scripts.

import * as vscode from 'vscode';
import type { CacheChange } from '../runner/resourceCache';
import type { DetailsView, DetailsViewFactory } from './detailsView';
import { placeholderHtml } from './placeholderHtml';

export const placeholderDetailsView: DetailsViewFactory = (services): DetailsView => {
  const panels = new Map<string, vscode.WebviewPanel>();
  const render = (name: string) => {
    const panel = panels.get(name);
    if (panel) panel.webview.html = placeholderHtml(name, services.cache.environment(name), panel.webview.cspSource);
  };
  const onChange = (c: CacheChange) => {
    if ('resource' in c) render(c.resource.metadata.name);
    else for (const name of panels.keys()) render(name);
  };
  services.cache.on('change', onChange);
  return {
    async show(name) {
      const existing = panels.get(name);
      if (existing) return existing.reveal();
      const panel = vscode.window.createWebviewPanel('devrig.details', `devrig: ${name}`, vscode.ViewColumn.Active, {
        enableScripts: false,
      });
      panels.set(name, panel);
      panel.onDidDispose(() => panels.delete(name));
      render(name);
    },
    dispose() {
      services.cache.off('change', onChange);
      for (const p of panels.values()) p.dispose();
    },
  };
};
