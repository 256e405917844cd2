// A virtualised list: a fixed-height scroller holds a spacer as tall as every row, and only the rows
// in view (plus an overscan above and below) exist, absolutely positioned. Rows still in view keep
// their elements across renders, so the focused row survives scrolling; rows that leave the view are
// recycled for the rows that enter it (a jump across a million rows creates no element).
import { h } from './dom';

export interface VirtualListOptions {
  rowHeight: number;
  overscan: number;
  /** Used when the DOM has no layout (unit tests); CSS gives the scroller its real height. */
  fallbackViewport: number;
  /** Fills (or refreshes) the element of row i. */
  renderRow(el: HTMLElement, i: number): void;
  createRow(): HTMLElement;
}

export class VirtualList {
  readonly scroller: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly body: HTMLElement;
  private rendered = new Map<number, HTMLElement>();
  private spare = new Map<number, HTMLElement>();
  private readonly free: HTMLElement[] = [];
  private readonly pool: HTMLElement[] = [];
  private count = 0;
  range: [number, number] = [0, 0];

  constructor(
    doc: Document,
    private readonly o: VirtualListOptions,
    attrs: Record<string, string | number>,
  ) {
    this.spacer = h(doc, 'div', { class: 'spacer' });
    this.body = h(doc, 'div', { class: 'rows', role: 'rowgroup' });
    this.scroller = h(doc, 'div', { class: 'scroller', ...attrs }, this.spacer, this.body);
    this.scroller.addEventListener('scroll', () => this.render());
  }

  get viewport(): number {
    return this.scroller.clientHeight || this.o.fallbackViewport;
  }

  setCount(n: number): void {
    this.count = n;
    this.spacer.style.height = `${n * this.o.rowHeight}px`;
  }

  render(): void {
    const { rowHeight, overscan } = this.o;
    const top = this.scroller.scrollTop;
    const first = Math.max(0, Math.floor(top / rowHeight) - overscan);
    const last = Math.min(this.count, Math.ceil((top + this.viewport) / rowHeight) + overscan);
    this.range = [first, last];
    // Two maps and one list swapped between frames: scrolling allocates no collections, and a row
    // that keeps its index keeps its position (no style write).
    const next = this.spare;
    next.clear();
    const free = this.free;
    free.length = 0;
    for (const [i, el] of this.rendered) if (i < first || i >= last) free.push(el);
    for (let i = first; i < last; i++) {
      const kept = this.rendered.get(i);
      const el = kept ?? free.pop() ?? this.pool.pop() ?? this.o.createRow();
      this.o.renderRow(el, i);
      if (!kept) el.style.transform = `translateY(${i * rowHeight}px)`;
      if (!el.parentNode) this.body.append(el);
      next.set(i, el);
    }
    // Rows no longer needed leave the DOM but are kept: the next taller range reuses them.
    for (const old of free) {
      old.remove();
      this.pool.push(old);
    }
    free.length = 0;
    this.spare = this.rendered;
    this.rendered = next;
  }

  /** Scrolls just enough to bring row i into view. */
  reveal(i: number): void {
    const top = i * this.o.rowHeight;
    if (top < this.scroller.scrollTop) this.scroller.scrollTop = top;
    else if (top + this.o.rowHeight > this.scroller.scrollTop + this.viewport) this.scroller.scrollTop = top + this.o.rowHeight - this.viewport;
  }

  element(i: number): HTMLElement | undefined {
    return this.rendered.get(i);
  }

  indexOf(el: Element): number | undefined {
    for (const [i, row] of this.rendered) if (row === el) return i;
    return undefined;
  }
}
