// The extension's adapter export without VS Code: the workbench writes the same IA3 adapter the CLI does
// (the one test/fixtures/peft was verified with in PyTorch), reports progress, stops on cancel, and the
// checkpoint folder is remembered per model fingerprint.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PROVENANCE_KEY } from '../../src/aura/export/provenance';
import { AuraUserError } from '../../src/aura/errors';
import { decodeSafetensors } from '../../src/aura/safetensors';
import { CheckpointMemory, MAX_REMEMBERED } from '../../src/host/checkpoint-memory';
import { ModelWork } from '../../src/host/model-host/model-work';
import { FIXTURES } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';
import { TINY, tinyWorkbench } from '../helpers/workbench';

const PEFT = join(FIXTURES, 'peft', 'gpt2');

function memento() {
  const data = new Map<string, unknown>();
  return { data, get: (k: string) => data.get(k), update: async (k: string, v: unknown) => void data.set(k, v) };
}

describe('CheckpointMemory', () => {
  it('remembers the last folder per fingerprint, most recent first, at most MAX_REMEMBERED', async () => {
    const m = memento();
    const mem = new CheckpointMemory(m);
    assert.equal(mem.recall('sha256:a'), undefined);
    await mem.remember('sha256:a', '/ck/a');
    await mem.remember('sha256:b', '/ck/b');
    await mem.remember('sha256:a', '/ck/a2');
    assert.equal(mem.recall('sha256:a'), '/ck/a2');
    assert.equal(mem.recall('sha256:b'), '/ck/b');
    assert.deepEqual((m.data.get('aura.checkpointFolders') as { fingerprint: string }[]).map((e) => e.fingerprint), ['sha256:a', 'sha256:b']);
    for (let i = 0; i < MAX_REMEMBERED; i++) await mem.remember(`sha256:${i}`, `/ck/${i}`);
    assert.equal(mem.recall('sha256:b'), undefined, 'the oldest is forgotten');
    assert.equal(mem.recall(`sha256:${MAX_REMEMBERED - 1}`), `/ck/${MAX_REMEMBERED - 1}`);
  });

  it('ignores a stored value it cannot read', () => {
    const m = memento();
    m.data.set('aura.checkpointFolders', { not: 'a list' });
    assert.equal(new CheckpointMemory(m).recall('sha256:a'), undefined);
  });
});

describe('Workbench.exportIntervention peft-ia3', () => {
  let bench: ReturnType<typeof tinyWorkbench>;
  before(async () => {
    bench = tinyWorkbench(new ModelWork());
    await bench.wb.openModel(TINY, false);
    await bench.wb.importIntervention(join(PEFT, 'intervention.json'));
  });
  after(async () => bench.dispose());

  it('writes the adapter PEFT was verified with, reporting progress', async () => {
    const out = join(scratchDir('wb-ia3'), 'adapter');
    const stages: string[] = [];
    const bytes = await bench.wb.exportIntervention('peft-ia3', out, { report: (p) => void stages.push(p.stage) }, join(PEFT, 'checkpoint'));
    assert.ok(bytes > 0);
    const expected = JSON.parse(readFileSync(join(PEFT, 'expected.json'), 'utf8')) as { adapterTensorDataSha256: string };
    const st = readFileSync(join(out, 'adapter_model.safetensors'));
    const headerLen = Number(st.readBigUInt64LE(0));
    assert.equal(createHash('sha256').update(st.subarray(8 + headerLen)).digest('hex'), expected.adapterTensorDataSha256);
    const prov = JSON.parse(decodeSafetensors(st).metadata[PROVENANCE_KEY]!);
    assert.equal(prov.model.fingerprint, bench.wb.requireModel().fingerprint);
    assert.equal(prov.intervention.strength, 0.8);
    assert.ok(existsSync(join(out, 'README.md')));
    assert.deepEqual(stages, ['Checking the checkpoint against the model', 'Adapter written']);
  });

  it('stops on cancel and writes nothing; without a checkpoint folder it says what it needs', async () => {
    const dir = scratchDir('wb-ia3');
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(bench.wb.exportIntervention('peft-ia3', join(dir, 'adapter'), { signal: controller.signal }, join(PEFT, 'checkpoint')), (e: Error) => e.name === 'AbortError');
    assert.deepEqual(readdirSync(dir), []);
    await assert.rejects(bench.wb.exportIntervention('peft-ia3', join(dir, 'adapter')), (e: Error) => e instanceof AuraUserError && /needs the model's Hugging Face checkpoint folder/.test(e.message));
  });

  it('json and safetensors exports from the extension carry the provenance record', async () => {
    const dir = scratchDir('wb-ia3');
    await bench.wb.exportIntervention('json', join(dir, 'iv.json'));
    const j = JSON.parse(readFileSync(join(dir, 'iv.json'), 'utf8'));
    assert.equal(j.provenance.model.fingerprint, bench.wb.requireModel().fingerprint);
    assert.equal(j.provenance.intervention.method, 'aura');
    await bench.wb.exportIntervention('safetensors', join(dir, 'g.safetensors'));
    assert.equal(JSON.parse(decodeSafetensors(readFileSync(join(dir, 'g.safetensors'))).metadata[PROVENANCE_KEY]!).intervention.sha256, j.provenance.intervention.sha256);
  });
});
