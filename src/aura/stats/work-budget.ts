// The bootstrap's work grows as resamples x neurons x texts (each resample re-weighs every text of every
// neuron) and its resample table as resamples x texts: --bootstrap 100000 on a real profile meant hours
// with no word. Above a stated budget it is refused in one line, before any work, naming the largest
// count of resamples that fits; up to the default of 200 resamples it always runs.
import { AuraUserError } from '../errors';

/**
 * Resample x neuron x text steps. Measured 5e7 steps/s on one core of a 2-core machine at load 16
 * (neuronUncertainty, 1,000 texts, 64 neurons); an idle core does several times that, so the budget is a
 * few minutes there (GPT-2 small's 36,864 neurons over 2,000 texts: up to 678 resamples).
 */
export const BOOTSTRAP_STEP_BUDGET = 5e10;
/** Bytes of the resample table (a Uint16 count per text and resample). */
export const BOOTSTRAP_TABLE_BUDGET = 2 ** 30;
/** Never refused: fit's default. */
export const BOOTSTRAP_ALWAYS = 200;

export function checkBootstrapWork(resamples: number, neurons: number, texts: number, stepBudget = BOOTSTRAP_STEP_BUDGET): void {
  if (resamples <= BOOTSTRAP_ALWAYS) return;
  const steps = resamples * neurons * texts;
  const table = resamples * texts * 2;
  if (steps <= stepBudget && table <= BOOTSTRAP_TABLE_BUDGET) return;
  const most = Math.max(BOOTSTRAP_ALWAYS, Math.min(Math.floor(stepBudget / (neurons * texts)), Math.floor(BOOTSTRAP_TABLE_BUDGET / (2 * texts))));
  const why =
    steps > stepBudget
      ? `${resamples} resamples x ${neurons} neurons x ${texts} texts = ${steps.toExponential(1)} steps, over the budget of ${stepBudget.toExponential(0)}`
      : `${resamples} resamples x ${texts} texts need a ${(table / 2 ** 30).toFixed(1)} GiB resample table, over the budget of 1 GiB`;
  throw new AuraUserError(`--bootstrap: ${why}; use at most ${most} resamples (or fewer sites)`);
}
