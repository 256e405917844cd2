// Messages from the host are validated on arrival (parseHostMessage) and invalid ones dropped with a
// warning; messages to the host are typed by the protocol.
import { describeRejection, HostMessageSchema, parseHostMessage } from '../src/shared/protocol';
import type { HostMessage, PageMessage } from '../src/shared/protocol';
import type { VsCodeApi } from './vscode-api';

export class HostConnection {
  private readonly listener = (e: Event) => this.receive((e as MessageEvent).data);

  constructor(
    private readonly api: VsCodeApi,
    private readonly win: Pick<Window, 'addEventListener' | 'removeEventListener'>,
    private readonly onMessage: (m: HostMessage) => void,
    private readonly warn: (message: string) => void = (m) => console.warn(m),
  ) {
    win.addEventListener('message', this.listener);
  }

  send(m: PageMessage): void {
    this.api.postMessage(m);
  }

  dispose(): void {
    this.win.removeEventListener('message', this.listener);
  }

  private receive(raw: unknown): void {
    const m = parseHostMessage(raw);
    if (!m) {
      this.warn(`AurA panel: ignored an invalid message from the host (${describeRejection(HostMessageSchema, raw)})`);
      return;
    }
    this.onMessage(m);
  }
}
