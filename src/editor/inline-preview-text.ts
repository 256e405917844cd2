// The inline preview's hover text, free of the vscode module so that it is unit-tested in plain Node.
import { Commands } from '../shared/ids';

/** What the preview shows: the continuations and the intervention behind the intervened one. */
export interface PreviewContent {
  intervened: string;
  original: string;
  /** "AurA 100%", "Det0 50%". */
  label: string;
  done: boolean;
}

/** The hover: both continuations whole, labelled, with the Accept and Dismiss links. */
export function hoverMarkdown(c: PreviewContent): string {
  const quote = (t: string) => (t.trim() ? t.replace(/`/g, "'").split(/\r?\n/).map((l) => `> ${l}`).join('\n') : '> _(nothing yet)_');
  return [
    `**AurA** continuation with **${c.label}**${c.done ? '' : ' (generating…)'}:`,
    '',
    quote(c.intervened),
    '',
    '**Original** (same seed, no intervention):',
    '',
    quote(c.original),
    '',
    `[Accept](command:${Commands.acceptPreview}) · [Dismiss](command:${Commands.dismissPreview})`,
  ].join('\n');
}
