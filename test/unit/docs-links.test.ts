// The user's documentation holds together: every relative link in README.md, CHANGELOG.md and docs/*.md
// leads to a file and heading that exist, the README stays a short guide (under 250 lines) that links
// every docs/ file, keeps the two commands a newcomer runs, and shows the performance table that
// bench/report.ts prints from bench/results.json (so no figure there is typed in by hand).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { brokenLinks, githubSlug, headingAnchors, markdownLinks } from '../helpers/markdown-links';
import { scratchDir } from '../helpers/scratch';

const ROOT = resolve(__dirname, '../..');
const README = join(ROOT, 'README.md');
const DOCS = join(ROOT, 'docs');
const docsFiles = (): string[] => readdirSync(DOCS).filter((f) => f.endsWith('.md')).sort();

// Pages other branches add at the same time (the panel and the editor guides). Absent, a link to them
// is let through; present, they are checked like every other file. Remove an entry once it is merged.
const PENDING = new Set(['docs/panel.md', 'docs/editor.md']);

describe('the link checker', () => {
  it('makes the anchors GitHub makes', () => {
    // Written out from GitHub's rule (lower case; punctuation other than - and _ dropped; spaces to -).
    assert.equal(githubSlug('GPU (CUDA)'), 'gpu-cuda');
    assert.equal(githubSlug('The extension host at Llama-3-8B scale (1.4M neurons)'), 'the-extension-host-at-llama-3-8b-scale-14m-neurons');
    assert.equal(githubSlug('`--scorer words:FILE`'), '--scorer-wordsfile');
    assert.equal(githubSlug('1. Profile each concept'), '1-profile-each-concept');
    assert.equal(githubSlug("The demo's numbers: which instrument labelled the data, which scored it"), 'the-demos-numbers-which-instrument-labelled-the-data-which-scored-it');
    assert.equal(githubSlug('Using `aura_lens` in [VS Code](https://code.visualstudio.com)'), 'using-aura_lens-in-vs-code');
    assert.deepEqual([...headingAnchors('# A\n## In the panel\ntext\n### In the panel\n```\n# not a heading\n```\n')], ['a', 'in-the-panel', 'in-the-panel-1']);
  });

  it('finds links outside code only', () => {
    const md = 'See [a](a.md) and ![img](m/p.png "title").\n`[no](x.md)`\n```\n[no](y.md)\n```\n| [b](b.md#c) |\n';
    assert.deepEqual(markdownLinks(md), [
      { line: 1, target: 'a.md' },
      { line: 1, target: 'm/p.png' },
      { line: 6, target: 'b.md#c' },
    ]);
  });

  it('reports a missing file, a missing anchor and an anchor on a non-Markdown file, and accepts good links', () => {
    const dir = scratchDir('docs-links');
    mkdirSync(join(dir, 'docs'));
    writeFileSync(join(dir, 'docs', 'b.md'), '# B\n## Real part\n');
    writeFileSync(join(dir, 'x.png'), '');
    writeFileSync(
      join(dir, 'README.md'),
      '# R\n[ok](docs/b.md#real-part) [self](#r) [web](https://example.com/none.md)\n[gone](docs/c.md)\n[bad](docs/b.md#nope)\n[img](x.png#y)\n[later](docs/later.md)\n',
    );
    assert.deepEqual(brokenLinks(join(dir, 'README.md'), dir, new Set(['docs/later.md'])), [
      'README.md:3: docs/c.md: no such file',
      'README.md:4: docs/b.md#nope: no heading makes #nope',
      'README.md:5: x.png#y: an anchor on something that is not a Markdown file',
    ]);
    assert.deepEqual(brokenLinks(join(dir, 'README.md'), dir), [
      'README.md:3: docs/c.md: no such file',
      'README.md:4: docs/b.md#nope: no heading makes #nope',
      'README.md:5: x.png#y: an anchor on something that is not a Markdown file',
      'README.md:6: docs/later.md: no such file',
    ]);
  });
});

describe('the documentation', () => {
  it('has no broken relative link in README.md, CHANGELOG.md or docs/*.md', () => {
    const files = [README, join(ROOT, 'CHANGELOG.md'), ...docsFiles().map((f) => join(DOCS, f))];
    const problems = files.flatMap((f) => brokenLinks(f, ROOT, PENDING));
    assert.deepEqual(problems, []);
  });

  it('keeps the README under 250 lines', () => {
    const lines = readFileSync(README, 'utf8').split('\n').length;
    assert.ok(lines < 250, `README.md has ${lines} lines; move detail into docs/`);
  });

  it('links every docs/ file from the README', () => {
    const linked = new Set(markdownLinks(readFileSync(README, 'utf8')).map((l) => l.target.split('#')[0]));
    const unlinked = docsFiles().filter((f) => !linked.has(`docs/${f}`));
    assert.deepEqual(unlinked, []);
  });

  it('keeps the two commands of the quick start exactly', () => {
    const text = readFileSync(README, 'utf8');
    assert.match(text, /\n```sh\nnpm install && npm run demo\n```\n/);
    assert.match(text, /\n```sh\nnpm test\n```\n/);
  });

  it("shows the performance table bench/report.ts prints from bench/results.json", () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/report.ts'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const table = r.stdout.trim();
    assert.ok(table.split('\n').length > 3, `bench/report.ts printed no table:\n${table}`);
    assert.ok(readFileSync(README, 'utf8').includes(`\n${table}\n`), 'README.md lacks the table of `node --import tsx bench/report.ts`; paste its output under "Performance"');
  });
});
