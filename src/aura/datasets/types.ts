/** 1 = the concept is present (toxic, the positives), 0 = absent (non-toxic, the negatives). */
export type Label = 0 | 1;

export interface LabelledText {
  text: string;
  label: Label;
}

/** Concept data after loading and sampling, with the counts a user needs to trust it. */
export interface ConceptData {
  examples: LabelledText[];
  positives: number;
  negatives: number;
  /** Where the data came from, for the intervention file's `data.source`. */
  source: string;
  stats: LoadStats;
}

export interface LoadStats {
  /** Examples read before sampling, per class. */
  readPositives: number;
  readNegatives: number;
  /** Jigsaw rows marked non-toxic that carry a subtype label (dropped, as apple/ml-aura does). */
  droppedSubtype: number;
  /** Rows skipped because their text is empty or their label means "not annotated" (Jigsaw's -1). */
  skipped: number;
  /** Texts cut at MAX_TEXT_CHARS. */
  truncated: number;
  /**
   * Distinct texts of the sample that carry both labels: their responses are identical in both classes,
   * so they pull every neuron's AUROC toward 0.5. `bothClassesExample` is the first such text.
   */
  inBothClasses: number;
  bothClassesExample?: string;
}

/**
 * Texts longer than this many UTF-16 code units are cut. The model only sees the first 128 tokens
 * (a few hundred characters), so the cap never changes a response; it bounds memory when a file holds
 * a pathological 10 MB line.
 */
export const MAX_TEXT_CHARS = 100_000;

/** What a reader hands each row to; sampling and counting live behind it, parsing in front. */
export interface ExampleSink {
  add(text: string, label: Label, truncated: boolean): void;
  /** A row left out on purpose: 'subtype' for Jigsaw's rule, 'skipped' for empty or unannotated rows. */
  leaveOut(reason: 'subtype' | 'skipped'): void;
}
