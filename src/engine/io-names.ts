// The one place where graph input/output names are derived from site ids (module paths).
//
// All sites' gains travel in one input and all biases in another, each the sites' vectors laid end
// to end in site order: onnxruntime-node pays per bound input on every run, and two inputs instead of
// two per site keep a generation step with an intervention as fast as one without.
export const GAIN_INPUT = 'aura.gain';
export const BIAS_INPUT = 'aura.bias';
/** A transport map applies strictly inside (lo, hi) and leaves x outside; neutral: -inf and +inf. */
export const LO_INPUT = 'aura.lo';
export const HI_INPUT = 'aura.hi';
export const maxOutput = (siteId: string): string => `aura.max.${siteId}`;
export const meanOutput = (siteId: string): string => `aura.mean.${siteId}`;
/** A site's per-token values, [batch, seq, neurons] (after the intervention), for the neuron detail. */
export const tokensOutput = (siteId: string): string => `aura.tokens.${siteId}`;
/**
 * How many batch rows the per-token outputs keep (int64[1]): 0 unless a run fetches them. An If node must
 * produce every output of the branch it runs, fetched or not, so without this gate a merged decoder would
 * copy every site's [batch, seq, neurons] tensor on every forward pass.
 */
export const TOKEN_ROWS_INPUT = 'aura.token_rows';
/**
 * Whether a run computes any site's pooled or per-token outputs (bool[1]). onnxruntime runs every node of
 * a graph whatever is fetched, so each site's pooling sits in an If on this flag: a decoding step (false)
 * runs the exported graph and the intervention nodes only, and pays one If per site for the rest.
 */
export const COLLECT_INPUT = 'aura.collect';

export interface SiteSlice {
  id: string;
  offset: number;
  neurons: number;
}

/** Where each site's vector sits in the gain and bias inputs. */
export function interventionLayout(sites: readonly { id: string; neurons: number }[]): { slices: SiteSlice[]; total: number } {
  let offset = 0;
  const slices = sites.map((s) => {
    const slice = { id: s.id, offset, neurons: s.neurons };
    offset += s.neurons;
    return slice;
  });
  return { slices, total: offset };
}
