// The only place the page touches @vscode/webview-ui-toolkit (no longer maintained): the rest of the
// page asks for elements by role through ui-kit/index.ts, so moving to a successor component library
// means rewriting this folder alone. The toolkit is imported here only, by main.ts: importing it
// touches `document`, which the page's unit tests (in a DOM without the toolkit) do not need.
import { provideVSCodeDesignSystem, vsCodeButton } from '@vscode/webview-ui-toolkit';

let registered = false;

/**
 * Defines the toolkit's custom elements; until then they render as plain (still clickable) elements.
 * Only the button is registered: the toolkit's badge and tag templates bind a `style` attribute,
 * which the panel's Content-Security-Policy (no inline styles) refuses, so tags are native here.
 */
export function registerKit(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(vsCodeButton());
}
