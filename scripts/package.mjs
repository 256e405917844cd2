// Makes the platform-specific .vsix: production build, then @vscode/vsce (run through node, offline) with
// the allow-list in .vscodeignore, then a check of what went in.
//
//   node scripts/package.mjs [--target linux-x64] [--out FILE] [--no-build] [--quiet]
//   npm run package            (linux-x64)
//   npm run package -- --target darwin-arm64
//
// Why vsce "with dependencies" and an allow-list, rather than copying modules into a staging folder:
// the bundle keeps `onnxruntime-node` external, so the package must carry node_modules/onnxruntime-node
// and onnxruntime-common at the paths Node resolves from dist/. vsce collects the production dependency
// tree from `npm list` (exactly what `npm ci` installed, at the versions package-lock.json pins) and the
// .vscodeignore allow-list keeps only the files that run; a staging copy would have to restate the
// dependency tree by hand and drift from the lockfile. The checks below fail the build if a required
// runtime file is missing or if anything outside the allow-list (sources, tests, other platforms'
// binaries) slipped in, and, when the target is this machine's platform, load onnxruntime-node from the
// unpacked .vsix alone to prove the runtime modules are complete.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, statSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

/** vsce target -> onnxruntime-node's bin/napi-v6/<platform>/<arch> folder (1.30 ships these five). */
const TARGETS = {
  'linux-x64': 'linux/x64',
  'linux-arm64': 'linux/arm64',
  'darwin-arm64': 'darwin/arm64',
  'win32-x64': 'win32/x64',
  'win32-arm64': 'win32/arm64',
};
const BASE_TARGET = 'linux-x64'; // the one .vscodeignore is written for

function parseArgs(argv) {
  const opts = { target: BASE_TARGET, out: undefined, build: true, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--target') opts.target = argv[++i];
    else if (a.startsWith('--target=')) opts.target = a.slice('--target='.length);
    else if (a === '--out') opts.out = argv[++i];
    else if (a.startsWith('--out=')) opts.out = a.slice('--out='.length);
    else if (a === '--no-build') opts.build = false;
    else if (a === '--quiet') opts.quiet = true;
    else fail(`unknown argument ${a}\nusage: node scripts/package.mjs [--target ${Object.keys(TARGETS).join('|')}] [--out FILE] [--no-build]`);
  }
  if (!TARGETS[opts.target]) {
    fail(`target ${opts.target} is not packaged: onnxruntime-node ships binaries for ${Object.keys(TARGETS).join(', ')}`);
  }
  return opts;
}

function fail(msg) {
  console.error(`package: ${msg}`);
  process.exit(1);
}

function run(cmd, args, what) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' } });
  if (r.status !== 0) fail(`${what} failed (exit ${r.status ?? r.signal})`);
}

const opts = parseArgs(process.argv.slice(2));
const log = opts.quiet ? () => {} : (/** @type {string} */ m) => console.log(m);
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const out = path.resolve(opts.out ?? `${pkg.name}-${opts.target}-${pkg.version}.vsix`);

// 1. Production bundle.
if (opts.build) {
  log('package: node scripts/build.mjs --production');
  run(process.execPath, ['scripts/build.mjs', '--production'], 'build');
}
const main = (pkg.main ?? './dist/extension.js').replace(/^\.\//, '');
if (!existsSync(main)) fail(`${main} (package.json "main") is missing: the extension bundle was not built (src/extension.ts?)`);

// 2. vsce reads the dependency tree from `npm list`; a tree out of step with package-lock.json makes it
//    fail with an opaque message, so check first and say what to do.
const ls = spawnSync('npm', ['list', '--production', '--parseable', '--depth=99999', '--loglevel=error'], {
  cwd: root,
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});
if (ls.status !== 0) {
  fail(`\`npm list --production\` fails, so vsce would too; run \`npm ci\` first.\n${(ls.stderr || '').slice(0, 2000)}`);
}

// 3. The ignore file for this target: .vscodeignore itself for linux-x64, else a copy whose onnxruntime
//    binaries line names the target's folder.
let ignoreFile = path.join(root, '.vscodeignore');
if (opts.target !== BASE_TARGET) {
  const base = readFileSync(ignoreFile, 'utf8');
  const from = `/bin/napi-v6/${TARGETS[BASE_TARGET]}/`;
  if (!base.includes(from)) fail(`.vscodeignore has no line with ${from} to rewrite for ${opts.target}`);
  const dir = path.join(root, '.cache', 'package');
  mkdirSync(dir, { recursive: true });
  ignoreFile = path.join(dir, `vscodeignore.${opts.target}`);
  writeFileSync(ignoreFile, base.split(from).join(`/bin/napi-v6/${TARGETS[opts.target]}/`));
}

// 4. vsce, offline: no publishing, no yarn; it asks nothing because repository, license and icon are set.
rmSync(out, { force: true });
log(`package: vsce package --target ${opts.target}`);
run(
  process.execPath,
  [
    path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce'),
    'package',
    '--target', opts.target,
    '--out', out,
    '--ignoreFile', ignoreFile,
    '--no-yarn',
  ],
  'vsce package',
);

// 5. What went in.
const entries = listZip(out);
const names = entries.map((e) => e.name);
const has = (/** @type {string} */ n) => names.includes(n);
const ortDir = `extension/node_modules/onnxruntime-node/bin/napi-v6/${TARGETS[opts.target]}`;
const required = [
  'extension/package.json',
  `extension/${main}`,
  'extension/node_modules/onnxruntime-node/package.json',
  'extension/node_modules/onnxruntime-node/dist/index.js',
  'extension/node_modules/onnxruntime-node/dist/binding.js',
  `${ortDir}/onnxruntime_binding.node`,
  'extension/node_modules/onnxruntime-common/package.json',
  'extension/node_modules/onnxruntime-common/dist/cjs/index.js',
  'extension/node_modules/onnxruntime-common/dist/cjs/package.json',
];
// The AUROC worker, the model process and the panel's page, when this version of the build makes them.
for (const f of ['auroc-worker.js', 'model-process.js', 'fit-worker.js', 'webview.js', 'webview.css']) {
  if (existsSync(`dist/${f}`)) required.push(`extension/dist/${f}`);
}
if (existsSync('media/demo/model')) {
  required.push('extension/media/demo/model/model.onnx', 'extension/media/demo/model/tokenizer.json');
}
for (const f of ['concept.jsonl', 'prompts.jsonl', 'neutral.jsonl']) {
  if (existsSync(`media/demo/${f}`)) required.push(`extension/media/demo/${f}`);
}
const missing = required.filter((n) => !has(n));
if (missing.length) fail(`the .vsix lacks:\n  ${missing.join('\n  ')}`);
if (!names.some((n) => n.startsWith(`${ortDir}/`) && /onnxruntime\.(dll|so|dylib)|libonnxruntime/.test(n))) {
  fail(`the .vsix lacks the onnxruntime library in ${ortDir}`);
}

const allowed = [
  /^extension\.vsixmanifest$/,
  /^\[Content_Types\]\.xml$/,
  /^extension\/(package\.json|readme\.md|README\.md|LICENSE(\.txt)?|CHANGELOG\.md|changelog\.md)$/,
  /^extension\/dist\//,
  /^extension\/media\//,
  /^extension\/node_modules\/onnxruntime-common\//,
  new RegExp(`^extension/node_modules/onnxruntime-node/(package\\.json|LICENSE|dist/[^/]+\\.js|bin/napi-v6/${TARGETS[opts.target]}/[^/]+)$`),
];
const stray = names.filter((n) => !allowed.some((re) => re.test(n)));
if (stray.length) fail(`the .vsix holds files outside the allow-list:\n  ${stray.slice(0, 30).join('\n  ')}`);
const maps = names.filter((n) => n.endsWith('.map'));
if (maps.length) fail(`the .vsix holds source maps (not a --production build?): ${maps.slice(0, 5).join(', ')}`);

// 6. Load onnxruntime-node from the unpacked package alone (only possible for this machine's platform).
const host = `${process.platform}-${process.arch}`;
if (host === opts.target) {
  const dir = mkdtempSync(path.join(tmpdir(), 'aura-vsix-'));
  try {
    const buf = readFileSync(out);
    for (const e of entries) {
      if (!e.name.startsWith('extension/node_modules/')) continue;
      const dest = path.join(dir, e.name);
      mkdirSync(path.dirname(dest), { recursive: true });
      writeFileSync(dest, extract(buf, e));
    }
    const probe = spawnSync(
      process.execPath,
      ['-e', "const o=require('onnxruntime-node');console.log(o.env.versions?.common ?? 'loaded')"],
      { cwd: path.join(dir, 'extension'), encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } },
    );
    if (probe.status !== 0) fail(`onnxruntime-node does not load from the unpacked .vsix:\n${probe.stderr}`);
    log(`package: onnxruntime-node ${probe.stdout.trim()} loads from the unpacked .vsix`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// 7. Summary.
const size = statSync(out).size;
const groups = new Map();
for (const e of entries) {
  const parts = e.name.split('/');
  const key =
    parts[0] !== 'extension' ? '(vsix manifest)'
    : parts.length === 2 ? '(package.json, readme, license, changelog)'
    : parts[1] === 'node_modules' ? parts.slice(1, 3).join('/')
    : parts[1];
  const g = groups.get(key) ?? { files: 0, bytes: 0, packed: 0 };
  g.files++;
  g.bytes += e.size;
  g.packed += e.compressedSize;
  groups.set(key, g);
}
const mb = (/** @type {number} */ b) => `${(b / 1024 / 1024).toFixed(1)} MB`;
log(`package: ${path.relative(root, out) || out}: ${mb(size)} (${size} bytes), ${entries.length} files`);
for (const [k, g] of [...groups].sort((a, b) => b[1].packed - a[1].packed)) {
  log(`  ${k.padEnd(40)} ${String(g.files).padStart(4)} files ${mb(g.bytes).padStart(9)} unpacked ${mb(g.packed).padStart(9)} packed`);
}

// ---- minimal zip reader (the .vsix is a plain zip; no zip64 at these sizes) ----

/** @returns {{name: string, size: number, compressedSize: number, method: number, localOffset: number}[]} */
function listZip(file) {
  const buf = readFileSync(file);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail(`${file} is not a zip`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const result = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) fail(`${file}: bad central directory`);
    const method = buf.readUInt16LE(p + 10);
    const compressedSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const localOffset = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    result.push({ name, size, compressedSize, method, localOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return result;
}

function extract(buf, e) {
  const p = e.localOffset;
  const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28);
  const data = buf.subarray(start, start + e.compressedSize);
  if (e.method === 0) return data;
  if (e.method === 8) return inflateRawSync(data);
  fail(`${e.name}: unsupported zip method ${e.method}`);
}
