// config.json describes a model, but the graph is the model: where the two contradict, the config
// belongs to another checkpoint (or was edited), and trusting it fails later and worse. A vocab_size
// larger than the embedding let ids past its rows reach Gather (and `inspect` reported the config's
// number); a model_type of another family renamed every site (llama's model.layers.N.mlp.* on a
// GPT-2 graph), so interventions and exports named modules the model does not have. Both are refused
// here in one line that names the config, its value and the graph's.
import { UserError } from './errors';
import type { ModelFiles } from './model-folder';
import type { Site } from './sites/catalogue';

function configSource(files: ModelFiles): string {
  return files.config ? `${files.dir}/config.json` : `${files.dir}/genai_config.json`;
}

/** The vocabulary the graph has (logits width or embedding rows) must be the config's, when both say. */
export function checkVocabAgainstGraph(files: ModelFiles, configVocab: number | undefined, graphVocab: number | undefined): void {
  if (configVocab === undefined || graphVocab === undefined || configVocab === graphVocab) return;
  throw new UserError(
    `${configSource(files)}: vocab_size ${configVocab} contradicts the graph ${files.main}, whose embedding and logits have ${graphVocab} tokens; the config is not this model's (use the config it was exported with)`,
  );
}

/** `a.b.3.mlp.c_fc` at layer 3 -> `a.b`: the module path above the layer index. */
function stem(id: string, layer: number): string | undefined {
  const at = id.indexOf(`.${layer}.`);
  return at > 0 ? id.slice(0, at) : undefined;
}

/**
 * The site ids the config's model_type gives must sit where the graph's own weight or node names put
 * its MLPs. `named` are the sites as named from the config; `fromGraph` the same sites named from the
 * graph's names alone (no model_type). Only sites whose graph names carry a module path are compared
 * (by the path above the layer index, so an export that names its modules differently within the
 * family is not refused); one that disagrees is a contradiction.
 */
export function checkModelTypeAgainstGraph(files: ModelFiles, modelType: string | undefined, named: readonly Site[], fromGraph: readonly Site[]): void {
  if (!modelType || named.length !== fromGraph.length) return;
  let first: [string, string] | undefined;
  for (let i = 0; i < named.length; i++) {
    const a = named[i]!;
    const b = fromGraph[i]!;
    if (/^layers\.\d+\.mlp\./.test(b.id)) continue; // no module path in the graph's names
    const sa = stem(a.id, a.layer);
    const sb = stem(b.id, b.layer);
    if (sa === undefined || sb === undefined) continue;
    // A graph exported from an inner module names the same path without its top (`layers.0.fc1` for
    // OPT's `model.decoder.layers.0.fc1`): the same family, not a contradiction.
    if (sa !== sb && !sa.endsWith(`.${sb}`)) {
      first = [a.id, b.id];
      break;
    }
  }
  if (!first) return;
  throw new UserError(
    `${configSource(files)}: model_type "${modelType}" names the MLP modules ${first[0]}..., but the graph ${files.main} names them ${first[1]}...; the config is not this model's (use the config it was exported with)`,
  );
}
