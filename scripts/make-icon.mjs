// Draws the extension's icon, media/icon.png (128x128 RGBA), with no dependency: a magnifying lens over a
// grid of neurons, one of them lit (the expert). Shapes are sampled 4x4 per pixel for smooth edges, and
// the PNG is written by hand (zlib deflate + CRC32). Run: node scripts/make-icon.mjs
import { writeFileSync, mkdirSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const SIZE = 128;
const SS = 4; // samples per pixel side

const bg = [30, 36, 52];
const dim = [88, 104, 140];
const ring = [214, 224, 245];
const hot = [255, 140, 66];

const neurons = [];
for (let r = 0; r < 3; r++) {
  for (let c = 0; c < 3; c++) neurons.push({ x: 40 + c * 20, y: 40 + r * 20, lit: r === 1 && c === 2 });
}

/** Colour of one sample point, or null where transparent (outside the rounded square). */
function sample(x, y) {
  // Rounded-square background.
  const m = 4;
  const rad = 24;
  const cx = Math.min(Math.max(x, m + rad), SIZE - m - rad);
  const cy = Math.min(Math.max(y, m + rad), SIZE - m - rad);
  if (Math.hypot(x - cx, y - cy) > rad) return null;
  let col = bg;
  // Neurons.
  for (const n of neurons) {
    const d = Math.hypot(x - n.x, y - n.y);
    if (n.lit && d < 11) col = mix(bg, hot, 0.35 * (1 - d / 11));
    if (d < (n.lit ? 6.5 : 4.5)) col = n.lit ? hot : dim;
  }
  // Lens ring centred on the grid, and its handle towards the bottom right.
  const lx = 60;
  const ly = 60;
  const dr = Math.hypot(x - lx, y - ly);
  if (dr > 33 && dr < 40) col = ring;
  const t = ((x - lx) + (y - ly)) / 2; // distance along the diagonal
  const off = Math.abs((x - lx) - (y - ly)) / Math.SQRT2;
  if (t > 27 && t < 50 && off < 6) col = ring;
  return col;
}

function mix(a, b, t) {
  return a.map((v, i) => v + (b[i] - v) * t);
}

const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) {
  raw[y * (SIZE * 4 + 1)] = 0; // filter: none
  for (let x = 0; x < SIZE; x++) {
    const acc = [0, 0, 0, 0];
    for (let sy = 0; sy < SS; sy++) {
      for (let sx = 0; sx < SS; sx++) {
        const c = sample(x + (sx + 0.5) / SS, y + (sy + 0.5) / SS);
        if (!c) continue;
        acc[0] += c[0];
        acc[1] += c[1];
        acc[2] += c[2];
        acc[3] += 1;
      }
    }
    const o = y * (SIZE * 4 + 1) + 1 + x * 4;
    const n = acc[3];
    raw[o] = n ? Math.round(acc[0] / n) : 0;
    raw[o + 1] = n ? Math.round(acc[1] / n) : 0;
    raw[o + 2] = n ? Math.round(acc[2] / n) : 0;
    raw[o + 3] = Math.round((255 * n) / (SS * SS));
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(SIZE, 0);
ihdr.writeUInt32BE(SIZE, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
mkdirSync(path.join(root, 'media'), { recursive: true });
const out = path.join(root, 'media', 'icon.png');
writeFileSync(out, png);
console.log(`wrote ${path.relative(root, out)} (${png.length} bytes)`);
