// The "demo model ready" notification: its text and the actions it offers. Offering Open Experts
// Panel while the panel is already open asks the user to open what they are looking at.
import { int } from '../shared/format';

export const OPEN_PANEL_ACTION = 'Open Experts Panel';

export function demoReadyMessage(experts: number, reused: boolean, panelOpen: boolean): { text: string; actions: string[] } {
  return {
    text: `AurA: demo model ready, ${int(experts)} expert neurons found${reused ? ' (cached profile)' : ''}${panelOpen ? '; the experts panel shows them' : ''}.`,
    actions: panelOpen ? [] : [OPEN_PANEL_ACTION],
  };
}
