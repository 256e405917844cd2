// What loading the concept data left out, cut or found suspicious, said on stderr rather than silently.
import { MAX_TEXT_CHARS } from '../aura/datasets';
import type { LoadStats } from '../aura/datasets';

export function dataNotes(source: string, s: LoadStats): string[] {
  const notes: string[] = [];
  if (s.droppedSubtype) notes.push(`data: ${s.droppedSubtype} rows of ${source} labelled non-toxic but with a Jigsaw subtype set were left out (apple/ml-aura's rule)`);
  if (s.skipped) notes.push(`data: ${s.skipped} rows of ${source} were skipped: blank text (only spaces or U+FEFF) or not annotated (Jigsaw's -1)`);
  if (s.truncated) notes.push(`data: ${s.truncated} texts of ${source} were longer than ${MAX_TEXT_CHARS.toLocaleString('en-US')} characters and were cut there`);
  if (s.inBothClasses) {
    const example = s.bothClassesExample!.length > 60 ? `${s.bothClassesExample!.slice(0, 60)}…` : s.bothClassesExample!;
    notes.push(`warning: ${s.inBothClasses} texts are in both classes (e.g. ${JSON.stringify(example)}); their responses are the same in each, which pulls every AUROC toward 0.5`);
  }
  return notes;
}
