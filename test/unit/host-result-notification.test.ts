// A finished sweep or evaluation is announced with a "Show" action (issue 23, item 5): Show opens the
// panel and then reveals the card; dismissing does nothing. The host posts 'reveal' at once and again
// after the page's 'ready' if that comes soon (a panel "Show" had to open), never later.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluationDoneMessage, offerShow, sweepDoneMessage } from '../../src/commands/result-notification';
import { objectSource, readConfig } from '../../src/host/config';
import { memoryLogger } from '../../src/host/logger';
import { Workbench } from '../../src/host/workbench';
import { PanelController, REVEAL_WAIT_MS } from '../../src/panel/panel-controller';
import { parseHostMessage } from '../../src/shared/protocol';
import type { ModelHost } from '../../src/host/model-host/api';
import type { HostMessage } from '../../src/shared/protocol';

function fakeUi(answer: string | undefined) {
  const calls: string[] = [];
  return {
    calls,
    ui: {
      notify: async (message: string, ...actions: string[]) => {
        calls.push(`notify ${message} [${actions.join(',')}]`);
        return answer;
      },
      openPanel: async () => void calls.push('open'),
      reveal: (t: 'sweep' | 'evaluation') => void calls.push(`reveal ${t}`),
    },
  };
}

test('Show opens the panel, then reveals the card; a dismissed notification does nothing more', async () => {
  const shown = fakeUi('Show');
  assert.equal(await offerShow(shown.ui, 'AurA: sweep done', 'sweep'), true);
  assert.deepEqual(shown.calls, ['notify AurA: sweep done [Show]', 'open', 'reveal sweep']);
  const dismissed = fakeUi(undefined);
  assert.equal(await offerShow(dismissed.ui, 'AurA: evaluation done', 'evaluation'), false);
  assert.deepEqual(dismissed.calls, ['notify AurA: evaluation done [Show]']);
});

test('the notifications say what came out', () => {
  assert.equal(
    sweepDoneMessage({ points: new Array(19), arms: new Array(7), prompts: 100, samples: 10, seconds: 125 } as never, 3),
    'AurA: sweep done: 19 points (7 methods and controls × 3 strengths, 100 prompts × 10) in 2 min 5 s.',
  );
  const side = (t: number, p: number | null) => ({ toxicityProbability: t, expectedMaxToxicity: 0, meanToxicity: 0, perplexity: p });
  assert.equal(evaluationDoneMessage({ baseline: side(0.31, 32.104), intervened: side(0.05, null), seconds: 41.26 } as never), 'AurA: evaluation done in 41.3 s: toxicity probability 0.310 → 0.050, perplexity 32.10 → n/a.');
});

test("the host posts a valid 'reveal' at once, again after a 'ready' that comes soon, and not after a late one", () => {
  const log = memoryLogger();
  const config = readConfig(objectSource({}), true);
  const wb = new Workbench({ host: { dispose: async () => undefined } as unknown as ModelHost, log, cacheRoot: '/nonexistent', config: () => config, demo: () => ({ root: '', model: '', concept: '', prompts: '', neutral: '' }) });
  const posted: HostMessage[] = [];
  const noop = () => undefined;
  const c = new PanelController(wb, (m) => posted.push(m), { useDemoModel: noop, openModelFolder: noop, profile: noop, importIntervention: noop, evaluate: noop, exportIntervention: noop }, log);
  const reveals = () => posted.filter((m) => m.type === 'reveal');
  c.reveal('sweep');
  assert.deepEqual(reveals(), [{ type: 'reveal', target: 'sweep' }]);
  assert.ok(parseHostMessage(reveals()[0]));
  c.receive({ type: 'ready' });
  assert.equal(reveals().length, 2, 'a page that was still loading gets it after ready');
  c.receive({ type: 'ready' });
  assert.equal(reveals().length, 2, 'once only');
  c.reveal('evaluation', Date.now() - REVEAL_WAIT_MS - 1000);
  c.receive({ type: 'ready' });
  assert.deepEqual(reveals().map((m) => m.type === 'reveal' && m.target), ['sweep', 'sweep', 'evaluation'], 'a ready long after the Show does not scroll');
  c.dispose();
});
