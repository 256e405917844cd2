// The panel's page may run only our script (by nonce) and load only what the webview serves from the
// extension; nothing remote, and a fresh nonce on every load.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentSecurityPolicy, createNonce, panelHtml } from '../../src/panel/html';

const input = { cspSource: 'https://file+.vscode-resource.vscode-cdn.net', scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js', styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.css' };

test('the CSP denies everything but our nonce-tagged script and the webview source', () => {
  const csp = contentSecurityPolicy(input.cspSource, 'N0NCE');
  assert.equal(
    csp,
    "default-src 'none'; script-src 'nonce-N0NCE'; style-src https://file+.vscode-resource.vscode-cdn.net 'nonce-N0NCE'; img-src https://file+.vscode-resource.vscode-cdn.net data:; font-src https://file+.vscode-resource.vscode-cdn.net",
  );
  assert.doesNotMatch(csp, /unsafe/);
});

test('the page carries the CSP, tags its script with the nonce, and references nothing else', () => {
  const html = panelHtml({ ...input, nonce: 'abc123' });
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'/);
  assert.match(html, /<script nonce="abc123" src="https:\/\/file\+\.vscode-resource[^"]*\/dist\/webview\.js"><\/script>/);
  assert.match(html, /<meta property="csp-nonce" content="abc123">/);
  const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(urls, [input.styleUri, input.scriptUri]);
  assert.doesNotMatch(html.replace(/https:\/\/file\+\.vscode-resource\.vscode-cdn\.net/g, ''), /https?:/);
});

test('each load gets a new nonce', () => {
  const a = createNonce();
  const b = createNonce();
  assert.notEqual(a, b);
  assert.match(a, /^[A-Za-z0-9]{16,}$/);
  assert.notEqual(panelHtml(input).match(/nonce-([A-Za-z0-9]+)/)![1], panelHtml(input).match(/nonce-([A-Za-z0-9]+)/)![1]);
});
