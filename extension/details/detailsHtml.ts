// The details page's HTML shell: everything it loads comes through asWebviewUri (passed in as strings),
// scripts and stylesheets carry the nonce, and the CSP allows nothing else — no inline script, no
// remote content, no connections. The page builds itself from dist/webview.js. Pure.

/** Text or attribute value → HTML with every markup character as an entity. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface DetailsAssets {
  script: string;
  stylesheet: string;
  codicons: string;
}

export interface DetailsHtmlInput {
  name: string;
  nonce: string;
  /** `webview.cspSource`: the origin asWebviewUri resources are served from. */
  cspSource: string;
  assets: DetailsAssets;
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    // Lit and vscode-elements style their shadow roots with constructable stylesheets; uPlot and
    // vscode-icon set element.style through the CSSOM. Neither needs 'unsafe-inline'.
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource}`,
  ].join('; ');
}

export function detailsHtml({ name, nonce, cspSource, assets }: DetailsHtmlInput): string {
  const e = escapeHtml;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${e(contentSecurityPolicy(cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" id="vscode-codicon-stylesheet" href="${e(assets.codicons)}" nonce="${e(nonce)}">
<link rel="stylesheet" href="${e(assets.stylesheet)}" nonce="${e(nonce)}">
<title>devrig: ${e(name)}</title>
</head>
<body>
<main id="app" data-name="${e(name)}" aria-live="polite">Loading ${e(name)}…</main>
<script nonce="${e(nonce)}" src="${e(assets.script)}"></script>
</body>
</html>`;
}
