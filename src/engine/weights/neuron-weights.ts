// What a hidden MLP neuron writes (LM-Debugger, Geva et al. 2022): its row of the following down
// projection, scaled by the final norm's gamma and multiplied by the unembedding, gives one logit per
// vocabulary token. Weights are read from the graph a few rows at a time (inline raw_data, or external
// data by offset), so a multi-GB model is never loaded into JS.
import { dirname } from 'node:path';
import { UserError } from '../errors';
import { tensorDims } from '../onnx/proto';
import { discoverSiteLinears } from '../sites/catalogue';
import { attrInt } from '../onnx/proto';
import { findOutputLayout } from './output-layout';
import { isFloatTensor, readElements } from './tensor-slice';
import type { GraphIndex } from '../onnx/graph-index';
import type { ModelProto, TensorProto } from '../onnx/proto';
import type { Linear, } from '../sites/linear';
import type { SiteLinear } from '../sites/catalogue';
import type { OutputLayout } from './output-layout';

/** A weight matrix as the math sees it (rows x cols), with where each logical row lives in storage. */
interface Matrix {
  tensor: TensorProto;
  rows: number;
  cols: number;
  /** Stored as cols x rows (an nn.Linear weight under a Transpose, or Gemm transB): a row is strided. */
  transposed: boolean;
}

export interface NeuronWriteSource {
  siteId: string;
  layer: number;
  /** The down projection's stored weight and the final norm's scale, by tensor name. */
  downProjection: string;
  normScale: string | undefined;
  normKind: string;
  unembedding: string;
  hidden: number;
  vocab: number;
}

const CHUNK_BYTES = 4 << 20;

export class NeuronWeights {
  private readonly dir: string;
  private gammaCache: Float32Array | undefined;

  private constructor(
    private readonly file: string,
    private readonly linears: SiteLinear[],
    private readonly layout: OutputLayout | undefined,
    private readonly hidden: number | undefined,
    dataDir?: string,
  ) {
    this.dir = dataDir ?? dirname(file);
  }

  /**
   * `model` is the decoded graph of `file` (external data not loaded); `hidden` as in the config;
   * `dataDir` the folder its external locations are relative to (a weight cache entry, a hub cache's blobs).
   */
  static fromModel(model: ModelProto, file: string, modelType: string | undefined, hidden?: number, dataDir?: string): NeuronWeights {
    const linears = discoverSiteLinears(model, file, modelType, hidden);
    const d = hidden ?? linears.find((l) => l.role === 'out')?.linear.outDim;
    return new NeuronWeights(file, linears, d !== undefined ? findOutputLayout(model, d) : undefined, d, dataDir);
  }

  /** The tensors a site's neurons are projected through; a UserError says why when that is impossible. */
  source(siteId: string): NeuronWriteSource {
    const { down } = this.downOf(siteId);
    const layout = this.requireLayout();
    const u = this.matrixOf(layout.scope, layout.unembedding, 'unembedding');
    return {
      siteId,
      layer: this.linears.find((l) => l.id === siteId)!.layer,
      downProjection: down.tensor.name,
      normScale: layout.normScale,
      normKind: layout.normKind,
      unembedding: u.tensor.name,
      hidden: u.rows,
      vocab: u.cols,
    };
  }

  /** The neuron's row of the down projection: the vector it adds to the residual stream per unit of activation. */
  writeVector(siteId: string, neuron: number): Float32Array {
    const { down, neurons } = this.downOf(siteId);
    if (!Number.isInteger(neuron) || neuron < 0 || neuron >= neurons) {
      throw new UserError(`neuron ${neuron} is out of range for ${siteId} (0..${neurons - 1})`);
    }
    return this.row(down, neuron);
  }

  /** The final norm's scale (ones when the norm was not recognised; `source` reports which). */
  normScale(): Float32Array {
    const layout = this.requireLayout();
    if (this.gammaCache) return this.gammaCache;
    const d = layout.unembedding.inDim;
    if (layout.normScale === undefined) return (this.gammaCache = new Float32Array(d).fill(1));
    const c = layout.scope.constantDims(layout.normScale);
    if (!c || !isFloatTensor(c.tensor) || c.via.some((n) => n.opType === 'DequantizeLinear')) {
      throw new UserError(`${this.file}: the final norm's scale ${layout.normScale} is not a float constant`);
    }
    return (this.gammaCache = readElements(c.tensor, this.dir, 0, d));
  }

  /**
   * Logits over the vocabulary for each vector: unembedding^T (gamma * v). The unembedding is read once,
   * in chunks of a few MB, whatever the number of vectors.
   */
  project(vectors: readonly Float32Array[]): Float32Array[] {
    const layout = this.requireLayout();
    const u = this.matrixOf(layout.scope, layout.unembedding, 'unembedding');
    const gamma = this.normScale();
    const scaled = vectors.map((v) => {
      if (v.length !== u.rows) throw new Error(`project: expected vectors of ${u.rows}, got ${v.length}`);
      return v.map((x, j) => x * gamma[j]!);
    });
    const out = vectors.map(() => new Float32Array(u.cols));
    const size = u.tensor.dataType === 1 ? 4 : 2;
    if (!u.transposed) {
      // Stored d x V: logits += s_j * row_j, a few rows per read.
      const per = Math.max(1, Math.floor(CHUNK_BYTES / (u.cols * size)));
      for (let j0 = 0; j0 < u.rows; j0 += per) {
        const n = Math.min(per, u.rows - j0);
        const block = readElements(u.tensor, this.dir, j0 * u.cols, n * u.cols);
        for (let k = 0; k < scaled.length; k++) {
          const s = scaled[k]!;
          const o = out[k]!;
          for (let r = 0; r < n; r++) {
            const w = s[j0 + r]!;
            const base = r * u.cols;
            for (let t = 0; t < u.cols; t++) o[t]! += w * block[base + t]!;
          }
        }
      }
    } else {
      // Stored V x d (tied embedding, nn.Linear): one dot product per token row.
      const per = Math.max(1, Math.floor(CHUNK_BYTES / (u.rows * size)));
      for (let t0 = 0; t0 < u.cols; t0 += per) {
        const n = Math.min(per, u.cols - t0);
        const block = readElements(u.tensor, this.dir, t0 * u.rows, n * u.rows);
        for (let k = 0; k < scaled.length; k++) {
          const s = scaled[k]!;
          const o = out[k]!;
          for (let r = 0; r < n; r++) {
            let acc = 0;
            const base = r * u.rows;
            for (let j = 0; j < u.rows; j++) acc += s[j]! * block[base + j]!;
            o[t0 + r] = acc;
          }
        }
      }
    }
    return out;
  }

  private requireLayout(): OutputLayout {
    if (!this.layout) {
      throw new UserError(`${this.file}: no unembedding found (a linear from the hidden size ${this.hidden ?? '?'} to the logits output); cannot project what neurons write`);
    }
    return this.layout;
  }

  private downOf(siteId: string): { down: Matrix; neurons: number } {
    const site = this.linears.find((l) => l.id === siteId);
    if (!site) throw new UserError(`no site "${siteId}" in ${this.file} (see "aura-lens inspect")`);
    if (site.role === 'out') {
      throw new UserError(`${siteId} is an MLP output (residual-stream dimensions, not neurons with a write vector); choose the MLP's hidden site (c_fc, up_proj, fc1, ...)`);
    }
    if (site.role === 'gate_up') {
      throw new UserError(`${siteId} is a fused gate_up projection: its outputs are gate and up halves, not rows of the down projection, so what they write is not defined per output`);
    }
    const out = this.linears.find((l) => l.scope === site.scope && l.layer === site.layer && l.role === 'out');
    if (!out) throw new UserError(`${siteId}: the MLP's down projection was not found in ${this.file}`);
    return { down: this.matrixOf(out.scope, out.linear, `${out.id} (down projection)`), neurons: site.linear.outDim };
  }

  private matrixOf(g: GraphIndex, lin: Linear, what: string): Matrix {
    if (lin.node.opType !== 'MatMul' && lin.node.opType !== 'Gemm') {
      throw new UserError(`${what}: weights are quantised (${lin.node.opType} ${lin.weightName}); what a neuron writes needs float weights`);
    }
    const c = g.constantDims(lin.node.input[1] ?? '');
    if (!c || c.dims.length !== 2) throw new UserError(`${what}: weight ${lin.weightName} is not a constant matrix`);
    if (c.via.some((n) => n.opType === 'DequantizeLinear') || !isFloatTensor(c.tensor)) {
      throw new UserError(`${what}: weight ${c.tensor.name} is quantised (data type ${c.tensor.dataType}); what a neuron writes needs float weights`);
    }
    const swaps = c.via.filter((n) => n.opType === 'Transpose').length + (lin.node.opType === 'Gemm' && attrInt(lin.node, 'transB', 0) === 1 ? 1 : 0);
    const stored = tensorDims(c.tensor);
    const transposed = swaps % 2 === 1;
    const [rows, cols] = transposed ? [stored[1]!, stored[0]!] : [stored[0]!, stored[1]!];
    if (rows !== lin.inDim || cols !== lin.outDim) throw new Error(`${what}: stored dims [${stored.join(', ')}] do not match ${lin.inDim} x ${lin.outDim}`);
    return { tensor: c.tensor, rows, cols, transposed };
  }

  private row(m: Matrix, i: number): Float32Array {
    return m.transposed ? readElements(m.tensor, this.dir, i, m.cols, m.rows) : readElements(m.tensor, this.dir, i * m.cols, m.cols);
  }
}
