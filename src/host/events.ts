// A minimal event emitter with disposable subscriptions, shaped like vscode.EventEmitter so services
// stay free of the vscode module (and testable in plain Node) while VS Code code can subscribe alike.

export interface Disposable {
  dispose(): void;
}

export type Event<T> = (listener: (value: T) => void) => Disposable;

export class Emitter<T> implements Disposable {
  private listeners = new Set<(value: T) => void>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const l of [...this.listeners]) l(value);
  }

  dispose(): void {
    this.listeners.clear();
  }
}

/** Owns disposables and releases them together, last registered first. */
export class DisposableStore implements Disposable {
  private items: Disposable[] = [];

  add<D extends Disposable>(d: D): D {
    this.items.push(d);
    return d;
  }

  dispose(): void {
    const items = this.items.reverse();
    this.items = [];
    for (const d of items) d.dispose();
  }
}
