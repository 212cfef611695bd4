import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentSecurityPolicy, detailsHtml } from '../../../../extension/details/detailsHtml';

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';
const assets = {
  script: `${CSP_SOURCE}/ext/dist/webview.js`,
  stylesheet: `${CSP_SOURCE}/ext/dist/webview.css`,
  codicons: `${CSP_SOURCE}/ext/dist/codicons/codicon.css`,
};

test('the CSP allows only nonce scripts and the webview resource origin, nothing inline or remote', () => {
  const csp = contentSecurityPolicy(CSP_SOURCE, 'N0nce');
  assert.match(csp, /^default-src 'none'/);
  assert.match(csp, /script-src 'nonce-N0nce'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*|connect-src|http:/);
  for (const directive of csp.split('; ').slice(1)) {
    const sources = directive.split(' ').slice(1);
    for (const s of sources) assert.ok([CSP_SOURCE, "'nonce-N0nce'"].includes(s), `${directive}: ${s}`);
  }
});

test('the shell loads the bundle with the nonce and escapes everything it interpolates', () => {
  const html = detailsHtml({ name: 'api', nonce: 'N0nce', cspSource: CSP_SOURCE, assets });
  assert.match(
    html,
    /<script nonce="N0nce" src="https:\/\/file\+\.vscode-resource\.vscode-cdn\.net\/ext\/dist\/webview\.js"><\/script>/,
  );
  assert.match(
    html,
    /<link rel="stylesheet" id="vscode-codicon-stylesheet" href="[^"]+codicon\.css" nonce="N0nce">/,
  );
  assert.equal(html.match(/<script/g)?.length, 1, 'one script, no inline ones');
  assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handlers');

  const hostile = detailsHtml({
    name: '"><script>alert(1)</script>',
    nonce: 'N0nce',
    cspSource: CSP_SOURCE,
    assets: { ...assets, script: 'x" onload="alert(1)' },
  });
  assert.equal(hostile.match(/<script/g)?.length, 1);
  assert.doesNotMatch(hostile, /" onload="/);
  assert.match(hostile, /&#34;&#62;&#60;script&#62;/);
});
