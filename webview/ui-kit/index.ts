// The page's components, by role. Buttons are the toolkit's <vscode-button> (defined by register.ts;
// before that, and in unit tests, they are plain clickable elements). Inputs that users and tests type
// into (select, range, number, textarea) stay native elements, styled with VS Code's theme variables
// in panel.css. A successor library replaces this folder and nothing else.

export interface ButtonOptions {
  appearance?: 'primary' | 'secondary' | 'icon';
  title?: string;
  testId?: string;
  onClick?: () => void;
}

export function button(doc: Document, label: string, o: ButtonOptions = {}): HTMLElement {
  const b = doc.createElement('vscode-button');
  b.textContent = label;
  b.setAttribute('appearance', o.appearance ?? 'secondary');
  b.setAttribute('role', 'button');
  if (o.title) b.setAttribute('title', o.title);
  if (o.testId) b.setAttribute('data-testid', o.testId);
  if (o.onClick) b.addEventListener('click', () => !isDisabled(b) && o.onClick?.());
  return b;
}

export function setDisabled(el: HTMLElement, disabled: boolean): void {
  el.toggleAttribute('disabled', disabled);
  el.setAttribute('aria-disabled', String(disabled));
}

function isDisabled(el: HTMLElement): boolean {
  return el.hasAttribute('disabled');
}

/** A small label ("demo", "layer 3"), styled as the toolkit's tag in panel.css. */
export function tag(doc: Document, text: string): HTMLElement {
  const t = doc.createElement('span');
  t.className = 'tag';
  t.textContent = text;
  return t;
}
