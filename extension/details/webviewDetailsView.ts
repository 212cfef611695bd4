// The details webview (issue 5): one panel per environment, revealed when already open, and restored
// after a window reload by a serializer that reopens the environment the page last showed.

import * as vscode from 'vscode';
import { DETAILS_VIEW_TYPE, NAME_PATTERN } from '../../runner/api';
import { restoredName } from './messageGate';
import { DetailsPanel, detailsWebviewOptions } from './detailsPanel';
import type { DetailsView, DetailsViewFactory } from './detailsView';

export const webviewDetailsView: DetailsViewFactory = (services): DetailsView => {
  const panels = new Map<string, DetailsPanel>();
  const open = (name: string, panel: vscode.WebviewPanel) => {
    const details = new DetailsPanel(services, name, panel, () => {
      if (panels.get(name) === details) panels.delete(name);
    });
    panels.set(name, details);
  };

  const serializer = vscode.window.registerWebviewPanelSerializer(DETAILS_VIEW_TYPE, {
    async deserializeWebviewPanel(panel, state: unknown) {
      const name = restoredName(panel, state, (m) => services.log.warn(`details: ${m}`));
      if (!name || panels.has(name)) return void panel.dispose();
      open(name, panel);
    },
  });

  return {
    async show(name) {
      if (!NAME_PATTERN.test(name)) throw new Error(`invalid environment name ${JSON.stringify(name)}`);
      const existing = panels.get(name);
      if (existing) return existing.reveal();
      const panel = vscode.window.createWebviewPanel(
        DETAILS_VIEW_TYPE,
        `devrig: ${name}`,
        vscode.ViewColumn.Active,
        detailsWebviewOptions(services.context.extensionUri),
      );
      open(name, panel);
    },
    dispose() {
      serializer.dispose();
      for (const p of [...panels.values()]) p.dispose();
      panels.clear();
    },
  };
};
