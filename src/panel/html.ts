// The panel's HTML: a strict Content-Security-Policy (nothing but our own script, by nonce, and our
// own stylesheet), a fresh nonce per load, and no remote resource of any kind. The toolkit (FAST)
// reads the nonce from the csp-nonce meta tag for the few <style> elements it creates.
import { randomBytes } from 'node:crypto';

export interface PanelHtmlInput {
  /** webview.cspSource */
  cspSource: string;
  /** webview.asWebviewUri of dist/webview.js and dist/webview.css, as strings. */
  scriptUri: string;
  styleUri: string;
  nonce?: string;
}

export function createNonce(): string {
  return randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

export function panelHtml(input: PanelHtmlInput): string {
  const nonce = input.nonce ?? createNonce();
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(input.cspSource, nonce)}">
  <meta property="csp-nonce" content="${nonce}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" nonce="${nonce}" href="${escapeAttr(input.styleUri)}">
  <title>AurA Experts</title>
</head>
<body>
  <div id="app" role="application" aria-label="AurA experts panel"></div>
  <script nonce="${nonce}" src="${escapeAttr(input.scriptUri)}"></script>
</body>
</html>`;
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
