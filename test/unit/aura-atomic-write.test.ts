import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { atomicWriteFile, atomicWriteStream, removeStaleTemps } from '../../src/aura/atomic-write';
import { AuraUserError } from '../../src/aura/errors';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aura-atomic-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('atomicWrite', () => {
  it('replaces the file, streams chunks, and keeps the old permissions', async () => {
    const target = join(dir, 'a.json');
    await writeFile(target, 'old');
    await chmod(target, 0o640);
    assert.equal(await atomicWriteFile(target, 'new'), 3);
    assert.equal(await readFile(target, 'utf8'), 'new');
    assert.equal((await stat(target)).mode & 0o777, 0o640);
    assert.equal(await atomicWriteStream(target, ['a', Buffer.from('bc'), new Uint8Array([100])]), 4);
    assert.equal(await readFile(target, 'utf8'), 'abcd');
    assert.deepEqual((await readdir(dir)).sort(), ['a.json']);
  });

  it('leaves the old file and no temporary file when the data source fails', async () => {
    const target = join(dir, 'b.bin');
    await writeFile(target, 'old');
    async function* failing(): AsyncGenerator<string> {
      yield 'partial';
      throw new Error('source broke');
    }
    await assert.rejects(atomicWriteStream(target, failing()), /source broke/);
    assert.equal(await readFile(target, 'utf8'), 'old');
    assert.deepEqual((await readdir(dir)).filter((n) => n.includes('b.bin')), ['b.bin']);
  });

  it('names the target when its directory does not exist', async () => {
    await assert.rejects(atomicWriteFile(join(dir, 'missing', 'x.json'), 'x'), (e: Error) => e instanceof AuraUserError && /x\.json: the directory does not exist/.test(e.message));
  });

  it('survives SIGKILL mid-write: the old file is intact, the temp file is cleaned by the next write', async () => {
    const target = join(dir, 'big.safetensors');
    await writeFile(target, 'the old export');
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'fixtures', 'aura', 'atomic-writer-child.ts'), target], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('writing')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;

    assert.equal(await readFile(target, 'utf8'), 'the old export');
    const names = await readdir(dir);
    const temps = names.filter((n) => n.startsWith('.big.safetensors.') && n.endsWith('.tmp'));
    assert.equal(temps.length, 1, `expected the killed writer's temp file, found ${names.join(', ')}`);
    assert.ok(temps[0].includes(`.${child.pid}.`));
    assert.ok((await stat(join(dir, temps[0]))).size >= 4 * 256 * 1024, 'the child had written data before the kill');

    await atomicWriteFile(target, 'the new export');
    assert.equal(await readFile(target, 'utf8'), 'the new export');
    assert.deepEqual((await readdir(dir)).filter((n) => n.includes('big.safetensors')), ['big.safetensors']);
    assert.equal(await removeStaleTemps(target), 0);
  });
});
