// When a sweep or an evaluation finishes, a notification says what came out and offers "Show": the
// panel comes forward with that result's card in view. The result lands in a card far down a narrow
// panel (or in a panel the user has closed), where nobody would see it arrive.
import { int, seconds } from '../shared/format';
import type { EvaluateOutcome, SweepOutcome } from '../host/model-host/api';

export const SHOW = 'Show';

/** What the command needs from VS Code, passed in so the flow is testable without it. */
export interface ResultUi {
  notify(message: string, ...actions: string[]): PromiseLike<string | undefined>;
  /** Opens the experts panel (or brings it forward). */
  openPanel(): PromiseLike<unknown>;
  reveal(target: 'sweep' | 'evaluation'): void;
}

/** Shows the notification; on "Show", opens the panel and reveals the card. Resolves when the user has chosen (or dismissed it). */
export async function offerShow(ui: ResultUi, message: string, target: 'sweep' | 'evaluation'): Promise<boolean> {
  const pick = await ui.notify(message, SHOW);
  if (pick !== SHOW) return false;
  await ui.openPanel();
  ui.reveal(target);
  return true;
}

export function sweepDoneMessage(r: Pick<SweepOutcome, 'points' | 'arms' | 'prompts' | 'samples' | 'seconds'>, strengths: number): string {
  return `AurA: sweep done: ${int(r.points.length)} points (${int(r.arms.length)} methods and controls × ${int(strengths)} strengths, ${int(r.prompts)} prompts × ${int(r.samples)}) in ${seconds(r.seconds)}.`;
}

export function evaluationDoneMessage(r: Pick<EvaluateOutcome, 'baseline' | 'intervened' | 'seconds'>): string {
  const ppl = (v: number | null) => (v === null ? 'n/a' : v.toFixed(2));
  return `AurA: evaluation done in ${seconds(r.seconds)}: toxicity probability ${r.baseline.toxicityProbability.toFixed(3)} → ${r.intervened.toxicityProbability.toFixed(3)}, perplexity ${ppl(r.baseline.perplexity)} → ${ppl(r.intervened.perplexity)}.`;
}
