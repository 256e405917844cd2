// A highlight's hover link (issue 23, item 3): the host sends the chosen neuron's detail with `reveal`,
// and the page must select that neuron and show its detail, whatever was selected before. Before the
// fix the page stored the detail but kept the old selection, so the card never showed it.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { bigExperts, intervention, modelOf, mountPage } from '../helpers/page';
import { memoryLogger } from '../../src/host/logger';
import { PanelController } from '../../src/panel/panel-controller';
import type { Workbench } from '../../src/host/workbench';
import type { ExpertsSnapshot, HostMessage, NeuronDetail } from '../../src/shared/protocol';

let page: ReturnType<typeof mountPage> | undefined;
afterEach(async () => {
  await page?.close();
  page = undefined;
});

function open(e: ExpertsSnapshot) {
  page = mountPage();
  (page.$('neuron-detail') as HTMLElement & { scrollIntoView: () => void }).scrollIntoView = () => {};
  page.fromHost({ type: 'didChangeModel', model: modelOf(e) });
  page.fromHost({ type: 'didChangeExperts', experts: e });
  page.fromHost({ type: 'didChangeIntervention', intervention: intervention() });
  return page;
}

const detail = (e: ExpertsSnapshot, row: number): NeuronDetail => ({
  site: e.sites[e.site[row]!]!.id,
  neuron: e.neuron[row]!,
  layer: e.sites[e.site[row]!]!.layer,
  auroc: e.auroc[row]!,
  gain: 0.5,
  applied: 0.5,
  meanPositive: 1,
  meanNegative: 0,
  maxPositive: 2,
  maxNegative: 1,
  positive: [1, 2, 1.5],
  negative: [0, 0.2, 0.1],
  topExamples: [],
});

const title = (p: NonNullable<typeof page>) => p.$('neuron-detail').querySelector('.detail-title code')?.textContent ?? '';

test('a detail the host reveals becomes the selection and is shown, replacing the row selected before', () => {
  const e = bigExperts(500);
  const p = open(e);
  const first = detail(e, 0);
  p.app.store.setUi({ selected: { site: first.site, neuron: first.neuron } });
  p.fromHost({ type: 'didSelectNeuron', detail: first });
  assert.match(title(p), new RegExp(`${first.neuron}$`));

  const linked = detail(e, 7);
  p.fromHost({ type: 'didSelectNeuron', detail: linked, reveal: true });
  assert.deepEqual(p.app.store.state.ui.selected, { site: linked.site, neuron: linked.neuron });
  assert.match(title(p), new RegExp(`${linked.neuron}$`));
  assert.doesNotMatch(p.$('neuron-detail').textContent ?? '', /Loading/);
});

test('with nothing selected yet (a panel opened by the link), the revealed neuron is selected and shown', () => {
  const e = bigExperts(500);
  const p = open(e);
  const linked = detail(e, 3);
  p.fromHost({ type: 'didSelectNeuron', detail: linked, reveal: true });
  assert.deepEqual(p.app.store.state.ui.selected, { site: linked.site, neuron: linked.neuron });
  assert.match(title(p), new RegExp(`${linked.neuron}$`));
});

test('a late, unrevealed detail of another neuron does not replace the selected neuron\'s detail', () => {
  const e = bigExperts(500);
  const p = open(e);
  const linked = detail(e, 3);
  p.fromHost({ type: 'didSelectNeuron', detail: linked, reveal: true });
  p.fromHost({ type: 'didSelectNeuron', detail: detail(e, 9) });
  assert.deepEqual(p.app.store.state.ui.selected, { site: linked.site, neuron: linked.neuron });
  assert.match(title(p), new RegExp(`${linked.neuron}$`));
});

// The host side: a panel created by the link click may not be listening yet when the detail is
// computed, so the controller sends the revealed detail again on the page's 'ready', until the page
// selects another neuron itself.

function fakeWorkbench(e: ExpertsSnapshot) {
  const none = () => ({ dispose() {} });
  return {
    onDidChangeModel: none,
    onDidChangeExperts: none,
    onDidChangeProgress: none,
    intervention: { onDidChange: none, snapshot: () => intervention() },
    preview: { onDidUpdate: none, snapshot: undefined },
    summary: () => modelOf(e),
    experts: e,
    progress: { task: null, done: 0, total: 0 },
    // One profile, one intervention revision throughout: every detail is current (shared/provenance.ts).
    inputs: () => ({ profile: e.key, intervention: 0 }),
    neuronDetail: async (site: string, neuron: number, _signal?: AbortSignal, part: 'profile' | 'all' = 'all') => {
      const row = [...e.neuron].findIndex((n, i) => n === neuron && e.sites[e.site[i]!]!.id === site);
      return { ...detail(e, row), ...(part === 'profile' ? { pending: true } : {}) };
    },
  } as unknown as Workbench;
}

const settle = () => new Promise((r) => setTimeout(r, 0));
// Whole details only: the profile's part goes first, marked pending, and is not what is re-sent.
const reveals = (posted: HostMessage[]) => posted.filter((m) => m.type === 'didSelectNeuron' && m.reveal && !m.detail.pending).map((m) => (m as { detail: NeuronDetail }).detail.neuron);

test('the controller re-sends a revealed detail on ready, and stops once the page picks its own neuron', async () => {
  const e = bigExperts(500);
  const posted: HostMessage[] = [];
  const actions = { useDemoModel() {}, openModelFolder() {}, profile() {}, importIntervention() {}, evaluate() {}, exportIntervention() {} };
  const c = new PanelController(fakeWorkbench(e), (m) => posted.push(m), actions, memoryLogger());
  const linked = detail(e, 5);
  c.showNeuron(linked.site, linked.neuron);
  await settle();
  assert.deepEqual(reveals(posted), [linked.neuron], 'sent once when computed');
  c.receive({ type: 'ready' });
  assert.deepEqual(reveals(posted), [linked.neuron, linked.neuron], 'sent again to a page that just became ready');
  const own = detail(e, 2);
  c.receive({ type: 'selectNeuron', site: own.site, neuron: own.neuron });
  await settle();
  posted.length = 0;
  c.receive({ type: 'ready' });
  assert.deepEqual(reveals(posted), [], 'the page chose another neuron: no reveal on ready');
  c.dispose();
});
