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
  const quote = (t: string) => (t.trim() ? t.split(/\r?\n/).map((l) => `> ${escapeMarkdown(l)}`).join('\n') : '> _(nothing yet)_');
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

/**
 * The model's text as literal text in Markdown: every ASCII punctuation character is backslash-escaped
 * (CommonMark allows that for all of them), so "*", "_", "[", "<" or "&" a model writes show as written
 * instead of becoming emphasis, links, HTML or entities; the Markdown lexer, which VS Code runs in the
 * extension host on every hover it is handed, then has no emphasis runs to resolve. A line's leading
 * spaces and tabs are written as character references: as themselves, four of them start an indented
 * code block, which shows the escapes' backslashes (a fuzz test found "    *" coming back as "\\*").
 */
export function escapeMarkdown(text: string): string {
  const indent = /^[ \t]*/.exec(text)![0];
  const refs = indent.replace(/ /g, '&#32;').replace(/\t/g, '&#9;');
  return refs + text.slice(indent.length).replace(/[!-/:-@[-`{-~]/g, '\\$&');
}
