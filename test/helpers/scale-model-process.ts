// A stand-in model process for host tests at Llama-3-8B scale: 98 sites of 14,336 neurons (1,404,928)
// with seeded AUROCs and Linear-AcT/Mean-AcT maps, served through the real message loop (serve.ts),
// so its profile answer (81 MB of typed arrays) crosses to the host exactly as ModelWork's would.
// It holds no model: generate answers at once with the number of gains it received.
import { expertsSnapshot } from '../../src/host/experts-snapshot';
import { expertsToWire } from '../../src/host/model-host/experts-wire';
import { serve } from '../../src/host/model-host/serve';
import type { ModelHost, ModelInfo, ProfileOutcome } from '../../src/host/model-host/api';

// test/unit/host-scale-lag.test.ts repeats these two numbers.
const SCALE_SITES = 98;
const SCALE_NEURONS = 14_336;

const sites = Array.from({ length: SCALE_SITES }, (_, i) => ({ id: `layers.${i >> 1}.mlp.${i & 1 ? 'up' : 'act'}`, layer: i >> 1, kind: (i & 1 ? 'mlp.up' : 'mlp.gate') as 'mlp.up' | 'mlp.gate', neurons: SCALE_NEURONS }));

let seed = 12345;
const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;

function info(path: string): ModelInfo {
  return { name: 'scale', path, format: 'synthetic', architecture: 'llama', layers: SCALE_SITES / 2, vocabSize: 128_256, sites, fingerprint: 'scale', maxPositions: 8192 };
}

function profile(): ProfileOutcome {
  const aurocs = sites.map((s) => ({ siteId: s.id, auroc: Float64Array.from({ length: s.neurons }, () => Math.round((0.3 + 0.4 * rnd()) * 1e6) / 1e6) }));
  const facts = { source: 'synthetic', positives: 500, negatives: 500, pooling: 'max' as const };
  const experts = expertsToWire(expertsSnapshot(aurocs, sites, facts));
  const map = () =>
    sites.map((s) => {
      const gain = Float32Array.from({ length: s.neurons }, () => 0.5 + rnd());
      const bias = Float32Array.from({ length: s.neurons }, () => rnd() - 0.5);
      const lo = new Float32Array(s.neurons).fill(-3.4028234663852886e38);
      const hi = new Float32Array(s.neurons).fill(3.4028234663852886e38);
      const changed = new Uint8Array(s.neurons).fill(1);
      return { siteId: s.id, gain, bias, lo, hi, changed };
    });
  return { dir: '/nonexistent/scale-profile', reused: false, ...facts, aurocs, experts, transport: { 'linear-act': map(), 'mean-act': map() }, seconds: 1 };
}

const work = {
  open: async (req: { path: string }) => info(req.path),
  close: async () => undefined,
  profile: async () => profile(),
  generate: async (req: { gains?: Map<string, Float32Array> }) => `gains for ${req.gains?.size ?? 0} sites`,
  dispose: async () => undefined,
} as unknown as ModelHost;

serve(work);
