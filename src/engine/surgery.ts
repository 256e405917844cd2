// Rewrites a causal-LM graph so that one session can (a) dampen or shift any site's neurons,
// y' = gain * y + bias where lo < y < hi (y elsewhere), with gain, bias, lo and hi as graph inputs (so a
// new intervention is a new feed, never a new session; the model feeds neutral values where no
// intervention is set). The plan's form (intervention-form.ts) says which of these nodes the graph
// carries: only what the interventions it serves need, since each is a full memory-bound pass over the
// site's [batch, seq, neurons] tensor. They are plain inputs, not initializers listed as inputs:
// onnxruntime-node binds only `inputNames` and silently drops feeds for overridable initializers.
// And (b) return each site's max- and mean-pooled response over the positions whose attention mask is
// 1, computed inside the graph so the [batch, seq, neurons] tensor never leaves onnxruntime, and
// (c) on request that [batch, seq, neurons] tensor itself, after the intervention (the neuron detail).
// (b) and (c) sit in one If per site on COLLECT_INPUT: onnxruntime runs every node whatever is fetched,
// and a decoding step must cost what the exported graph and the intervention nodes cost.
import { BIAS_INPUT, COLLECT_INPUT, GAIN_INPUT, HI_INPUT, LO_INPUT, TOKEN_ROWS_INPUT, interventionLayout, maxOutput, meanOutput, tokensOutput } from './io-names';
import { dropUnusedInitializers, pruneGraph, removeIfOutput } from './onnx/prune';
import {
  DataType,
  attr,
  cloneModel,
  defaultOpset,
  emptyGraph,
  floatTensor,
  int64Tensor,
  makeNode,
  makeTensor,
  makeValueInfo,
} from './onnx/proto';
import { formInputs } from './intervention-form';
import type { InterventionForm } from './intervention-form';
import type { IoSpec } from './io-spec';
import type { GraphProto, ModelProto, NodeProto } from './onnx/proto';
import type { Placement, Site } from './sites/catalogue';

export interface SurgeryPlan {
  /** Sites that get intervention inputs (ignored when `form` is 'none'). */
  intervene: Site[];
  /** The intervention nodes each of those sites gets. */
  form: InterventionForm;
  /** Sites whose pooled responses become outputs. */
  pool: Site[];
  /** false: the only outputs are the pooled responses (the LM head and later layers are pruned). */
  keepModelOutputs: boolean;
  /** Sites whose per-token values ([batch, seq, neurons], after the intervention) become outputs. */
  tokens?: Site[];
}

const FLOAT = DataType.FLOAT;

interface MaskPrep {
  maskBool: string;
  count: string;
  shape3: string;
}
const FLOAT16 = DataType.FLOAT16;

export function rewrite(source: ModelProto, io: IoSpec, plan: SurgeryPlan): ModelProto {
  const model = cloneModel(source);
  const main = model.graph!;
  const ctx = new Rewriter(model, io, plan.form);
  const intervene = plan.form === 'none' ? [] : plan.intervene;
  ctx.addInterventionInputs(intervene);
  if (plan.pool.length || plan.tokens?.length) model.graph!.input.push(makeValueInfo(COLLECT_INPUT, DataType.BOOL, [1]));
  if (plan.tokens?.length) model.graph!.input.push(makeValueInfo(TOKEN_ROWS_INPUT, DataType.INT64, [1]));
  const scopes = new Set<string>();
  const pooled = new Set(plan.pool.map((s) => s.id));
  const perToken = new Set((plan.tokens ?? []).map((s) => s.id));
  for (const site of uniqueSites([...intervene, ...plan.pool, ...(plan.tokens ?? [])])) {
    for (const p of site.placements) {
      scopes.add(p.scope.join('/'));
      const tensor = ctx.prepareSite(site, p);
      const value = intervene.includes(site) ? ctx.intervene(site, p, tensor) : tensor;
      // Right after this placement's nodes: If branches reuse tensor names, so `value` names this branch's only now.
      if (pooled.has(site.id) || perToken.has(site.id)) ctx.collect(site, p, value, { pool: pooled.has(site.id), tokens: perToken.has(site.id) });
    }
  }
  ctx.flush();
  ctx.exposeBranchOutputs();
  if (!plan.keepModelOutputs) {
    ctx.dropModelOutputs();
    pruneGraph(main);
    dropUnusedInitializers(main);
  }
  return model;
}

function uniqueSites(sites: Site[]): Site[] {
  return [...new Map(sites.map((s) => [s.id, s])).values()];
}

class Rewriter {
  private readonly opset: number;
  private readonly main: GraphProto;
  /** Nodes to insert right after a given node (or at the start of a graph, keyed by the graph). */
  private readonly after = new Map<NodeProto, NodeProto[]>();
  private readonly atStart = new Map<GraphProto, NodeProto[]>();
  private readonly constants = new Set<string>();
  /** Producers of tensors made by this rewrite, not yet in any node list. */
  private readonly pending = new Map<string, NodeProto>();
  /** Per branch graph, the pooled outputs it now produces, in order, with the name outside the If. */
  private readonly branchOutputs = new Map<GraphProto, { inner: string; outer: string; n: number; dims?: (string | number)[] }[]>();
  private uid = 0;

  constructor(
    model: ModelProto,
    private readonly io: IoSpec,
    private readonly form: InterventionForm,
  ) {
    this.opset = defaultOpset(model);
    this.main = model.graph!;
  }

  /** The form's inputs, and per site a Slice of each (in the main graph, read by branches). */
  addInterventionInputs(sites: Site[]): void {
    if (sites.length === 0) return;
    const { slices, total } = interventionLayout(sites);
    const inputs = formInputs(this.form);
    this.main.input.push(...inputs.map((name) => makeValueInfo(name, FLOAT, [total])));
    const nodes: NodeProto[] = [];
    for (const { id, offset, neurons } of slices) {
      const starts = this.constI(`aura.const.at${offset}`, [offset]);
      const ends = this.constI(`aura.const.at${offset + neurons}`, [offset + neurons]);
      const axes = this.constI('aura.const.i0', [0]);
      const fp16 = sites.find((s) => s.id === id)!.placements.some((p) => p.elemType === FLOAT16);
      for (const input of inputs) {
        const out = `${input}/${id}`;
        nodes.push(makeNode('Slice', [input, starts, ends, axes], [fp16 ? `${out}/f32` : out], this.name(`slice/${id}`)));
        if (fp16) nodes.push(makeNode('Cast', [`${out}/f32`], [out], this.name(`cast/${id}`), { to: FLOAT16 }));
      }
    }
    this.atStart.set(this.main, [...(this.atStart.get(this.main) ?? []), ...nodes]);
  }

  /** Rebuilds a site whose bias an optimizer fused into the next op, and returns the site tensor. */
  prepareSite(site: Site, p: Placement): string {
    const g = this.graphAt(p.scope);
    if (!p.fused) return p.tensor;
    const f = p.fused;
    const fusedNode = g.node.find((n) => n.opType === f.opType && n.input[f.valueInput] === p.tensor && n.input[f.biasInput] === f.bias);
    if (!fusedNode) throw new Error(`surgery: fused ${f.opType} for ${site.id} not found`);
    const rebuilt = `${p.tensor}/aura_site`;
    const add = makeNode('Add', [p.tensor, f.bias], [rebuilt], this.name(`unfuse/${site.id}`));
    fusedNode.input[f.valueInput] = rebuilt;
    fusedNode.input[f.biasInput] = '';
    while (fusedNode.input.length > 0 && fusedNode.input[fusedNode.input.length - 1] === '') fusedNode.input.pop();
    this.insertAfterProducer(g, p.tensor, add);
    return rebuilt;
  }

  intervene(site: Site, p: Placement, tensor: string): string {
    const g = this.graphAt(p.scope);
    const gain = `${GAIN_INPUT}/${site.id}`;
    const bias = `${BIAS_INPUT}/${site.id}`;
    const lo = `${LO_INPUT}/${site.id}`;
    const hi = `${HI_INPUT}/${site.id}`;
    const nodes: NodeProto[] = [];
    const scaled = `${tensor}/aura_gain`;
    const mapped = `${tensor}/aura_mapped`;
    const shifted = `${tensor}/aura_intervened`;
    const form = this.form;
    nodes.push(makeNode('Mul', [tensor, gain], [form === 'gain' ? shifted : scaled], this.name(`gain/${site.id}`)));
    if (form !== 'gain') nodes.push(makeNode('Add', [scaled, bias], [form === 'affine' ? shifted : mapped], this.name(`bias/${site.id}`)));
    if (form === 'range') {
      // Transport maps hold only inside the source range (lo, hi), strictly; x passes unchanged
      // elsewhere. Neutral lo/hi are -inf/+inf, so gain-only interventions map every finite x.
      nodes.push(makeNode('Greater', [tensor, lo], [`${tensor}/aura_above_lo`], this.name(`lo/${site.id}`)));
      nodes.push(makeNode('Less', [tensor, hi], [`${tensor}/aura_below_hi`], this.name(`hi/${site.id}`)));
      nodes.push(makeNode('And', [`${tensor}/aura_above_lo`, `${tensor}/aura_below_hi`], [`${tensor}/aura_inside`], this.name(`inside/${site.id}`)));
      nodes.push(makeNode('Where', [`${tensor}/aura_inside`, mapped, tensor], [shifted], this.name(`range/${site.id}`)));
    }
    for (const n of g.node) {
      for (let i = 0; i < n.input.length; i++) if (n.input[i] === tensor) n.input[i] = shifted;
    }
    for (const o of g.output) if (o.name === tensor) o.name = shifted;
    this.insertAfterProducer(g, tensor, ...nodes);
    return shifted;
  }

  /**
   * The site's pooled responses (max and mean over the positions whose mask is 1) and, when asked, its
   * per-token values, computed inside an If on COLLECT_INPUT right after the site: onnxruntime runs every
   * node of a graph whether or not its outputs are fetched, so without the If a decoding step would pool
   * every site at every token. The else branch returns empty tensors.
   */
  collect(site: Site, p: Placement, value: string, what: { pool: boolean; tokens: boolean }): void {
    const g = this.graphAt(p.scope);
    const tag = this.name(`collect/${site.id}`);
    const inMain = p.scope.length === 0;
    const fp32 = p.elemType === FLOAT;
    const outside: NodeProto[] = [];
    let x = value;
    if (!fp32) {
      // onnxruntime runs an fp16 model's ops in float32 where it has no fp16 kernel and drops the casts
      // in between; a consumer with an fp16 kernel reading the fp16 site (an If, a Reshape, a Cast) keeps
      // one, and the model's own path would then see the site rounded to fp16 (logits 2e-3 off the graph
      // as exported, measured on gpt2-tiny-fp16). Where has no fp16 kernel: read through it, and the site
      // stays in float32 as it does without pooled outputs.
      x = `${tag}/f32path`;
      outside.push(makeNode('Where', [this.constB('aura.const.true', true), value, value], [x], `${tag}/f32path`));
    }
    const then = emptyGraph(`${tag}/then`);
    const other = emptyGraph(`${tag}/else`);
    const m = this.maskNodes(`${tag}/mask`);
    then.node.push(...m.nodes);
    const outs: { name: string; dims: (string | number)[]; empty: number[] }[] = [];
    const n = site.neurons;
    if (what.pool) {
      const maxName = inMain ? maxOutput(site.id) : `${maxOutput(site.id)}@${tag}`;
      const meanName = inMain ? meanOutput(site.id) : `${meanOutput(site.id)}@${tag}`;
      then.node.push(...this.poolNodes(`${tag}/pool`, x, fp32, m, `${maxName}/then`, `${meanName}/then`));
      outs.push({ name: maxName, dims: ['batch_size', n], empty: [0, n] }, { name: meanName, dims: ['batch_size', n], empty: [0, n] });
    }
    if (what.tokens) {
      const tokName = inMain ? tokensOutput(site.id) : `${tokensOutput(site.id)}@${tag}`;
      then.node.push(...this.tokenNodes(`${tag}/tokens`, x, fp32, m, `${tokName}/then`));
      outs.push({ name: tokName, dims: ['aura_token_rows', 'aura_sequence', n], empty: [0, 0, n] });
    }
    for (const o of outs) {
      then.output.push(makeValueInfo(`${o.name}/then`, FLOAT, o.dims));
      // An initializer returned as is: the branch a decoding step takes runs no node.
      other.initializer.push(makeTensor(`${o.name}/else`, FLOAT, o.empty, new Uint8Array(0)));
      other.output.push(makeValueInfo(`${o.name}/else`, FLOAT, o.empty));
    }
    const gate = makeNode('If', [COLLECT_INPUT], outs.map((o) => o.name), tag, { then_branch: then, else_branch: other });
    this.insertAfterProducer(g, value, ...outside, gate);
    for (const o of outs) g.output.push(makeValueInfo(o.name, FLOAT, o.dims));
    if (!inMain) {
      const list = this.branchOutputs.get(g) ?? [];
      for (const o of outs) list.push({ inner: o.name, outer: o.name.slice(0, o.name.indexOf('@')), n, dims: o.dims });
      this.branchOutputs.set(g, list);
    }
  }

  /** Max and mean over the masked positions of the site `x` ([batch * seq, neurons] or [batch, seq, neurons]). */
  private poolNodes(tag: string, x: string, fp32: boolean, m: MaskPrep, maxName: string, meanName: string): NodeProto[] {
    const nodes: NodeProto[] = [];
    let y = `${tag}/y3`;
    nodes.push(makeNode('Reshape', [x, m.shape3], [y], `${tag}/reshape`));
    if (!fp32) {
      nodes.push(makeNode('Cast', [y], [`${y}/f32`], `${tag}/cast`, { to: FLOAT }));
      y = `${y}/f32`;
    }
    nodes.push(makeNode('Where', [m.maskBool, y, this.constF('aura.const.neg_inf', -Infinity)], [`${tag}/masked`], `${tag}/where`));
    nodes.push(...this.reduce('ReduceMax', `${tag}/masked`, maxName, `${tag}/max`));
    // Selected, not multiplied by the mask: an infinity at a padded position (fp16 overflow) times 0 is NaN.
    nodes.push(makeNode('Where', [m.maskBool, y, this.constF('aura.const.zero', 0)], [`${tag}/zeroed`], `${tag}/zero`));
    nodes.push(...this.reduce('ReduceSum', `${tag}/zeroed`, `${tag}/sum`, `${tag}/sum`));
    nodes.push(makeNode('Div', [`${tag}/sum`, m.count], [meanName], `${tag}/mean`));
    return nodes;
  }

  /**
   * The site's values at every position, [batch, seq, neurons] float32, read after the intervention (an
   * intervened detail shows intervened values): rows [0, aura.token_rows), all of them when fetched, none
   * when a run pools without fetching them (see TOKEN_ROWS_INPUT).
   */
  private tokenNodes(tag: string, x: string, fp32: boolean, m: MaskPrep, outName: string): NodeProto[] {
    const rows = this.constI('aura.const.i0', [0]);
    const nodes = [
      makeNode('Reshape', [x, m.shape3], [`${tag}/y3`], `${tag}/reshape`),
      makeNode('Slice', [`${tag}/y3`, rows, TOKEN_ROWS_INPUT, rows], [fp32 ? outName : `${tag}/rows`], `${tag}/rows`),
    ];
    if (!fp32) nodes.push(makeNode('Cast', [`${tag}/rows`], [outName], `${tag}/cast`, { to: FLOAT }));
    return nodes;
  }

  /** Gives each If node the pooled outputs its branches now produce (both branches, same order). */
  exposeBranchOutputs(): void {
    for (const node of this.main.node) {
      if (node.opType !== 'If') continue;
      const thenG = attr(node, 'then_branch')?.g;
      const elseG = attr(node, 'else_branch')?.g;
      const a = thenG ? this.branchOutputs.get(thenG) ?? [] : [];
      const b = elseG ? this.branchOutputs.get(elseG) ?? [] : [];
      if (a.map((x) => x.outer).join() !== b.map((x) => x.outer).join()) {
        throw new Error('surgery: the If branches expose different pooled outputs');
      }
      for (const o of a) {
        node.output.push(o.outer);
        this.main.output.push(makeValueInfo(o.outer, FLOAT, o.dims ?? ['batch_size', o.n]));
      }
    }
  }

  dropModelOutputs(): void {
    const isPooled = (n: string) => n.startsWith('aura.max.') || n.startsWith('aura.mean.') || n.startsWith('aura.tokens.');
    this.main.output = this.main.output.filter((o) => isPooled(o.name));
    for (const node of this.main.node) {
      if (node.opType !== 'If') continue;
      for (let i = node.output.length - 1; i >= 0; i--) if (!isPooled(node.output[i]!)) removeIfOutput(node, i);
    }
  }

  flush(): void {
    const emit = (n: NodeProto, out: NodeProto[]) => {
      out.push(n);
      for (const m of this.after.get(n) ?? []) emit(m, out);
    };
    const visit = (g: GraphProto) => {
      const out: NodeProto[] = [];
      for (const n of this.atStart.get(g) ?? []) emit(n, out);
      for (const n of g.node) emit(n, out);
      g.node = out;
      for (const n of g.node) for (const a of n.attribute) if (a.g) visit(a.g);
    };
    visit(this.main);
  }

  /** The mask over the new positions, its count per row, and the [batch, seq, -1] shape, read inside a gate. */
  private maskNodes(t: string): MaskPrep & { nodes: NodeProto[] } {
    const nodes: NodeProto[] = [];
    const i64 = (name: string, v: number[]) => this.constI(name, v);
    nodes.push(makeNode('Shape', [this.io.inputIds], [`${t}/shape`], `${t}/shape`));
    nodes.push(makeNode('Slice', [`${t}/shape`, i64('aura.const.i0', [0]), i64('aura.const.i2', [2])], [`${t}/bs`], `${t}/bs`));
    nodes.push(makeNode('Concat', [`${t}/bs`, i64('aura.const.im1', [-1])], [`${t}/shape3`], `${t}/shape3`, { axis: 0 }));
    const maskF = `${t}/mask_f`;
    if (this.io.attentionMask) {
      // The mask covers past + new tokens; the pooled positions are the last `seq` columns.
      nodes.push(makeNode('Slice', [`${t}/shape`, i64('aura.const.i1', [1]), i64('aura.const.i2', [2])], [`${t}/seq`], `${t}/seq`));
      nodes.push(makeNode('Neg', [`${t}/seq`], [`${t}/negseq`], `${t}/negseq`));
      nodes.push(
        makeNode('Slice', [this.io.attentionMask, `${t}/negseq`, i64('aura.const.imax', [Number.MAX_SAFE_INTEGER]), i64('aura.const.i1', [1])], [`${t}/tail`], `${t}/tail`),
      );
      nodes.push(makeNode('Cast', [`${t}/tail`], [maskF], `${t}/cast`, { to: FLOAT }));
    } else {
      nodes.push(makeNode('ConstantOfShape', [`${t}/bs`], [maskF], `${t}/ones`, { value: floatTensor('', [1], [1]) }));
    }
    const mask3 = `${t}/mask3`;
    nodes.push(...this.unsqueeze(maskF, mask3, 2, `${t}/unsq`));
    nodes.push(makeNode('Cast', [mask3], [`${t}/mask_b`], `${t}/mask_b`, { to: DataType.BOOL }));
    nodes.push(...this.reduce('ReduceSum', mask3, `${t}/count0`, `${t}/count0`));
    nodes.push(makeNode('Max', [`${t}/count0`, this.constF('aura.const.one', 1)], [`${t}/count`], `${t}/count`));
    return { nodes, maskBool: `${t}/mask_b`, count: `${t}/count`, shape3: `${t}/shape3` };
  }

  /** Reduce over the sequence axis (1) without keeping it; axes moved from attribute to input at 13/18. */
  private reduce(op: 'ReduceMax' | 'ReduceSum', input: string, output: string, name: string): NodeProto[] {
    const axesAsInput = op === 'ReduceSum' ? this.opset >= 13 : this.opset >= 18;
    if (axesAsInput) return [makeNode(op, [input, this.constI('aura.const.i1', [1])], [output], name, { keepdims: 0 })];
    return [makeNode(op, [input], [output], name, { axes: [1], keepdims: 0 })];
  }

  private unsqueeze(input: string, output: string, axis: number, name: string): NodeProto[] {
    if (this.opset >= 13) return [makeNode('Unsqueeze', [input, this.constI(`aura.const.i${axis}`, [axis])], [output], name)];
    return [makeNode('Unsqueeze', [input], [output], name, { axes: [axis] })];
  }

  private constI(name: string, v: number[]): string {
    if (!this.constants.has(name)) {
      this.constants.add(name);
      this.main.initializer.push(int64Tensor(name, [v.length], v));
    }
    return name;
  }

  private constF(name: string, v: number): string {
    if (!this.constants.has(name)) {
      this.constants.add(name);
      this.main.initializer.push(floatTensor(name, [], [v]));
    }
    return name;
  }

  private constB(name: string, v: boolean): string {
    if (!this.constants.has(name)) {
      this.constants.add(name);
      this.main.initializer.push(makeTensor(name, DataType.BOOL, [], new Uint8Array([v ? 1 : 0])));
    }
    return name;
  }

  /** Inserts nodes right after whatever produces `tensor`, an original node or one added earlier. */
  private insertAfterProducer(g: GraphProto, tensor: string, ...nodes: NodeProto[]): void {
    const producer = this.pending.get(tensor) ?? g.node.find((n) => n.output.includes(tensor));
    for (const n of nodes) for (const o of n.output) this.pending.set(o, n);
    if (!producer) {
      this.atStart.set(g, [...(this.atStart.get(g) ?? []), ...nodes]);
      return;
    }
    this.after.set(producer, [...(this.after.get(producer) ?? []), ...nodes]);
  }

  private graphAt(scope: string[]): GraphProto {
    let g = this.main;
    for (let i = 0; i < scope.length; i += 2) {
      const node = g.node.find((n) => (n.name || n.output[0] || 'If') === scope[i]);
      const sub = node && attr(node, scope[i + 1]!)?.g;
      if (!sub) throw new Error(`surgery: scope ${scope.join('/')} not found`);
      g = sub;
    }
    return g;
  }

  private name(what: string): string {
    return `aura/${what}/${this.uid++}`;
  }
}
