// The seam for the environment details panel (issue 5). main.ts builds one DetailsView from
// createDetailsView() in ./index.ts; the real webview replaces the placeholder there, nothing else changes.

import type * as vscode from 'vscode';
import type { Services } from '../services';

export interface DetailsView extends vscode.Disposable {
  /** Opens (or reveals) the panel of environment `name`. */
  show(name: string): Promise<void>;
}

/** Everything a details panel may use; it gets the services minus itself. */
export type DetailsViewFactory = (services: Omit<Services, 'details'>) => DetailsView;
