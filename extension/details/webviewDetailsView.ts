// The environment details panels: one webview per environment, revealed when already open, and restored
// after a window reload by a serializer that reopens the environment the page last showed.

import * as vscode from 'vscode';
import { DETAILS_VIEW_TYPE, NAME_PATTERN } from '../../runner/api';
import type { DetailsView, Services } from '../services';
import { restoredName } from './messageGate';
import { DetailsPanel, detailsWebviewOptions } from './detailsPanel';

/** The panels get every service but themselves. */
export function createDetailsView(services: Omit<Services, 'details'>): DetailsView {
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
      // The options were saved with the panel, its resource root too: after an update that root is the
      // old extension folder, so they are set again (a new panel gets them from createWebviewPanel).
      panel.webview.options = detailsWebviewOptions(services.context.extensionUri);
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
}
