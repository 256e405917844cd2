// A highlight's hover link (issue 23, item 3): the host sends the chosen neuron's detail with `reveal`,
// and the page must select that neuron and show its detail, whatever was selected before. Before the
// fix the page stored the detail but kept the old selection, so the card never showed it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bigExperts, feedProfile, intervention, modelOf, neuronDetail, pagesClosedAfterEach, stubDetailScroll, type MountedPage } from '../helpers/page';
import { NO_ACTIONS } from '../helpers/panel';
import { memoryLogger } from '../../src/host/logger';
import { PanelController } from '../../src/panel/panel-controller';
import type { Workbench } from '../../src/host/workbench';
import type { ExpertsSnapshot, HostMessage, NeuronDetail } from '../../src/shared/protocol';

const mount = pagesClosedAfterEach();

function open(e: ExpertsSnapshot) {
  const page = mount();
  stubDetailScroll(page);
  return feedProfile(page, e);
}

const detail = (e: ExpertsSnapshot, row: number) => neuronDetail(e, row);

const title = (p: MountedPage) => p.$('neuron-detail').querySelector('.detail-title code')?.textContent ?? '';

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
  const c = new PanelController(fakeWorkbench(e), (m) => posted.push(m), NO_ACTIONS, memoryLogger());
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
