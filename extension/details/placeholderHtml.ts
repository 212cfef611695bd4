// The placeholder details page: static HTML (no script), every value escaped, strict CSP. Pure.

import type { Environment } from '../../runner/api';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function placeholderHtml(name: string, env: Environment | undefined, cspSource: string): string {
  const e = escapeHtml;
  const rows = env
    ? [
        ['Phase', env.status.phase],
        ['Desired state', env.spec.state],
        ['Source', env.spec.source.folder ?? env.spec.source.git?.url ?? ''],
        ['Image', env.status.image ?? ''],
        ['Workspace', env.status.workspaceFolder ?? ''],
        ['SSH', `ssh devrig-${env.metadata.name}`],
      ]
    : [['Phase', 'not found']];
  const conditions = (env?.status.conditions ?? [])
    .map((c) => `<tr><td>${e(c.type)}</td><td>${e(c.status)}</td><td>${e(c.reason)}</td><td>${e(c.message)}</td></tr>`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'unsafe-inline';">
<title>${e(name)}</title>
<style>
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 1em; }
td, th { text-align: left; padding: 2px 12px 2px 0; vertical-align: top; }
th { color: var(--vscode-descriptionForeground); font-weight: normal; }
</style></head>
<body>
<h2>${e(name)}</h2>
<table>${rows.map(([k, v]) => `<tr><th>${e(k!)}</th><td>${e(v!)}</td></tr>`).join('')}</table>
<h3>Conditions</h3>
<table><tr><th>Type</th><th>Status</th><th>Reason</th><th>Message</th></tr>${conditions}</table>
</body></html>`;
}
