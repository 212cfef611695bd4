// Which details panel the extension uses: the webview of issue 5.

import type { DetailsViewFactory } from './detailsView';
import { webviewDetailsView } from './webviewDetailsView';

export const createDetailsView: DetailsViewFactory = webviewDetailsView;
