// Every command is registered here and nowhere else; the map is typed by the ids in shared/ids.ts,
// so a command added there without a handler (or the reverse) does not compile.
import type { ExportFormat } from '../host/intervention-export';
import * as vscode from 'vscode';
import { Commands } from '../shared/ids';
import { reportError } from '../host/vscode/task-runner';
import { addSelectionExample } from './add-selection-example';
import { compareProfile } from './compare-profile';
import { evaluateArgs, evaluateIntervention } from './evaluate-intervention';
import { exportIntervention } from './export-intervention';
import { highlightActivations } from './highlight-activations';
import { importIntervention } from './import-intervention';
import { openExpertsPanel } from './open-experts-panel';
import { openModelFolder } from './open-model-folder';
import { openProfileFolder } from './open-profile-folder';
import { acceptPreview, dismissPreview } from './preview-actions';
import { GATHERED_EXAMPLES, profileConcept } from './profile-concept';
import { profileOnCluster } from './profile-on-cluster';
import { testSelection } from './test-selection';
import { useDemoModel } from './use-demo-model';
import { sweepArgs, sweepStrengths } from './sweep-strengths';
import type { CommandId } from '../shared/ids';
import type { CommandContext } from './context';

type Handler = (ctx: CommandContext, ...args: unknown[]) => unknown;

const handlers: Record<CommandId, Handler> = {
  [Commands.openModelFolder]: (ctx, uri) => openModelFolder(ctx, uri instanceof vscode.Uri ? uri : undefined),
  [Commands.useDemoModel]: useDemoModel,
  [Commands.profileConcept]: (ctx, from) => profileConcept(ctx, from instanceof vscode.Uri || from === GATHERED_EXAMPLES ? from : undefined),
  [Commands.openProfileFolder]: (ctx, uri) => openProfileFolder(ctx, uri instanceof vscode.Uri ? uri : undefined),
  [Commands.compareProfile]: (ctx, uri) => compareProfile(ctx, uri instanceof vscode.Uri ? uri : undefined),
  [Commands.profileOnCluster]: (ctx, uri) => profileOnCluster(ctx, uri instanceof vscode.Uri ? uri : undefined),
  [Commands.addSelectionAsToxic]: (ctx) => addSelectionExample(ctx, 1),
  [Commands.addSelectionAsNonToxic]: (ctx) => addSelectionExample(ctx, 0),
  [Commands.openExpertsPanel]: (ctx, neuron) => openExpertsPanel(ctx, isNeuronRef(neuron) ? neuron : undefined),
  [Commands.testSelection]: testSelection,
  [Commands.highlightActivations]: highlightActivations,
  [Commands.evaluateIntervention]: (ctx, options) => evaluateIntervention(ctx, evaluateArgs(options)),
  [Commands.sweepStrengths]: (ctx, options) => sweepStrengths(ctx, sweepArgs(options)),
  [Commands.exportIntervention]: (ctx, format, uri, checkpoint) =>
    exportIntervention(ctx, isFormat(format) ? format : undefined, uri instanceof vscode.Uri ? uri : undefined, checkpoint instanceof vscode.Uri ? checkpoint : undefined),
  [Commands.importIntervention]: (ctx, uri) => importIntervention(ctx, uri instanceof vscode.Uri ? uri : undefined),
  [Commands.acceptPreview]: acceptPreview,
  [Commands.dismissPreview]: dismissPreview,
};

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  return (Object.keys(handlers) as CommandId[]).map((id) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handlers[id](ctx, ...args);
      } catch (e) {
        // Anything a command lets through is reported once, here, instead of as an unhandled rejection.
        reportError(ctx.log, id, e);
        return undefined;
      }
    }),
  );
}

/** `{ site, neuron }`: the hover of a highlighted token opens that expert in the panel. */
function isNeuronRef(v: unknown): v is { site: string; neuron: number } {
  const o = v as { site?: unknown; neuron?: unknown } | null;
  return typeof o === 'object' && o !== null && typeof o.site === 'string' && Number.isInteger(o.neuron) && (o.neuron as number) >= 0;
}

function isFormat(v: unknown): v is ExportFormat {
  return v === 'json' || v === 'safetensors' || v === 'onnx' || v === 'hf' || v === 'peft-ia3';
}
