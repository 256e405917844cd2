// Relative links and heading anchors of Markdown files, as GitHub renders them, so the docs tests can
// check that every link a reader clicks leads somewhere.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export interface MarkdownLink {
  /** 1-based line of the link in its file. */
  line: number;
  target: string;
}

/** Markdown text with fenced code blocks blanked (line numbers kept): links and headings there are code. */
function withoutCodeBlocks(text: string): string[] {
  let fence: string | undefined;
  return text.split('\n').map((line) => {
    const open = /^\s*(```+|~~~+)/.exec(line);
    if (fence !== undefined) {
      if (open && open[1]!.startsWith(fence)) fence = undefined;
      return '';
    }
    if (open) {
      fence = open[1]!;
      return '';
    }
    return line;
  });
}

/** Inline links and images, `[text](target)` and `![alt](target "title")`, outside code. */
export function markdownLinks(text: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  withoutCodeBlocks(text).forEach((raw, i) => {
    const line = raw.replace(/`[^`]*`/g, '');
    for (const m of line.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ line: i + 1, target: m[1]! });
    }
  });
  return links;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** Every anchor a file's headings define, with GitHub's -1, -2 suffixes for repeated headings. */
export function headingAnchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of withoutCodeBlocks(text)) {
    const m = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const slug = githubSlug(m[1]!);
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

/**
 * What is wrong with each relative link of a Markdown file: a file that does not exist, or an anchor
 * that no heading of the target defines. Links with a scheme (https:, mailto:) are not followed.
 * `pending` names files (repository-relative) that may be absent; a present one is checked in full.
 */
export function brokenLinks(file: string, root: string, pending: ReadonlySet<string> = new Set()): string[] {
  const text = readFileSync(file, 'utf8');
  const problems: string[] = [];
  for (const { line, target } of markdownLinks(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const hash = target.indexOf('#');
    const path = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
    const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
    const dest = path === '' ? file : resolve(dirname(file), path);
    const where = `${file.slice(root.length + 1)}:${line}: ${target}`;
    if (!existsSync(dest)) {
      if (!pending.has(dest.slice(root.length + 1))) problems.push(`${where}: no such file`);
      continue;
    }
    if (anchor === undefined || anchor === '') continue;
    if (statSync(dest).isDirectory() || !dest.endsWith('.md')) {
      problems.push(`${where}: an anchor on something that is not a Markdown file`);
      continue;
    }
    if (!headingAnchors(readFileSync(dest, 'utf8')).has(anchor)) problems.push(`${where}: no heading makes #${anchor}`);
  }
  return problems;
}
