// What every view is: an element and a function that brings it up to date with the state.
import type { PageMessage } from '../../src/shared/protocol';
import type { PageState, StateKey, Store } from '../state/store';

export interface View {
  el: HTMLElement;
  update(state: PageState, changed: ReadonlySet<StateKey>): void;
}

export interface ViewContext {
  doc: Document;
  store: Store;
  send(m: PageMessage): void;
}
