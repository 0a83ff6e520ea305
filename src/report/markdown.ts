import type { Level, ResolvedFinding } from '../core/finding.js';
import { groupByRule, LEVEL_RANK as RANK, referenceTally } from './by-rule.js';
import type { ScanResult } from '../core/result.js';
import { findRule } from '../core/rules/index.js';
import { elideLongRuns, escapeControl } from '../core/escape-text.js';
import { redactResult } from './redact.js';
import { listedWithMore, plural } from '../core/plural.js';
import { groupUnverified } from './unverified.js';
import { groupNotes } from './scanner-notes.js';

export interface MarkdownOptions {
  readonly toolVersion: string;
  /** Heading text; default "chainproof". */
  readonly title?: string;
  /** Most rows per table; the rest is counted, not listed. */
  readonly maxRows?: number;
  /** Link to a file (and line) in the repository, e.g. a blob URL at the scanned commit. */
  readonly fileUrl?: (path: string, line: number | undefined) => string | undefined;
}

/** GitHub refuses step summaries over 1 MiB; stay well below. */
export const MAX_SUMMARY_BYTES = 900 * 1024;
const DEFAULT_MAX_ROWS = 200;
const MAX_CELL_CHARS = 300;

/**
 * The job summary for `$GITHUB_STEP_SUMMARY`: totals, findings by rule (errors first, with counts and top files),
 * the findings themselves (every error before any warning, a few of each rule and the rest counted), and what
 * could not be verified or scanned. Every scanned string is escaped: file names and messages are input.
 */
export function toMarkdown(scanned: ScanResult, opts: MarkdownOptions): string {
  const result = redactResult(scanned);
  const maxRows = opts.maxRows ?? DEFAULT_MAX_ROWS;
  const s = result.summary;
  const out: string[] = [];
  const total = result.findings.length;
  const headline =
    total === 0
      ? 'no findings'
      : `${plural(s.byLevel.error, 'error')}, ${plural(s.byLevel.warning, 'warning')}, ${plural(s.byLevel.note, 'note')}`;
  out.push(`## ${escapeMd(opts.title ?? 'chainproof')}: ${headline}`, '');
  // "no findings" under a baseline means no new ones: the known ones are still there.
  if (s.baselined !== undefined && s.baselined > 0) out.push(baselinedSentence(s.baselined), '');
  if (!result.complete)
    out.push(
      '> [!WARNING]',
      '> Incomplete scan: a stage failed and its checks did not run. Nothing it covers is verified.',
      '',
    );
  if (result.shard)
    out.push(
      `Shard ${result.shard.index} of ${result.shard.count}: this job reports only its part of the repository.`,
      '',
    );

  // The models the code loads by name, beside the files on disk (a column only when the refs stage found some).
  const refs = referenceTally(result);
  const [refsHead, refsRule, refsCell] =
    refs === undefined
      ? ['', '', '']
      : [' Model references (pinned) |', ' ---: |', ` ${refs.total} (${refs.pinned}) |`];
  out.push(
    `| Files | Lockfiles | Packages | Model files |${refsHead} Verified | Failed | Unverifiable | Suppressed |`,
    `| ---: | ---: | ---: | ---: |${refsRule} ---: | ---: | ---: | ---: |`,
    `| ${s.files} | ${s.lockfiles} | ${s.packages} | ${s.models} |${refsCell} ${s.verified} | ${s.failed} | ${s.unverifiable} | ${s.suppressed} |`,
    '',
  );

  if (total > 0) {
    // Errors first, everywhere: a reviewer reads the top of the summary, and hundreds of warnings must never push
    // an error out of the table.
    out.push('### Findings by rule', '', '| Rule | Level | Findings | Top files |', '| --- | --- | ---: | --- |');
    const groups = groupByRule(result.findings);
    for (const g of groups.slice(0, maxRows)) {
      const rule = findRule(g.ruleId);
      const name = rule ? ` ${escapeMd(rule.name)}` : '';
      const top = g.files
        .slice(0, TOP_FILES)
        .map((f) => `${fileCell(f.path, undefined, opts)} (${f.count})`)
        .join(', ');
      const more = g.files.length > TOP_FILES ? `, …${g.files.length - TOP_FILES} more` : '';
      out.push(`| \`${safeCode(g.ruleId)}\`${name} | ${g.level} | ${g.count} | ${top}${more} |`);
    }
    pushMore(out, groups.length - maxRows, 'rules');
    out.push('', '### Findings', '', '| Level | Rule | Location | Message |', '| --- | --- | --- | --- |');
    const rows = findingRows(
      result.findings,
      groups.map((g) => g.ruleId),
    );
    const errors = rows.filter((r) => r.level === 'error');
    // Every error row is listed (up to a hard cap); warnings and notes fill what is left of maxRows.
    const shown = [
      ...errors.slice(0, MAX_ERROR_ROWS),
      ...rows.filter((r) => r.level !== 'error').slice(0, Math.max(0, maxRows - errors.length)),
    ];
    let listed = 0;
    for (const r of shown) {
      if ('finding' in r) {
        const f = r.finding;
        const where = f.location.line !== undefined ? `${f.location.path}:${f.location.line}` : f.location.path;
        const member = f.location.member !== undefined ? ` (${f.location.member})` : '';
        out.push(
          `| ${f.level} | \`${safeCode(f.ruleId)}\` | ${fileCell(where + member, f, opts)} | ${cell(messageBesidePlace(f))} |`,
        );
        listed++;
      } else {
        out.push(
          `| ${r.level} | \`${safeCode(r.ruleId)}\` | …${r.more} more | ${restOfRule(r)}; see the SARIF or JSON report. |`,
        );
        listed += r.more;
      }
    }
    pushMore(out, total - listed, 'findings (see the SARIF or JSON report)');
    out.push('');
  }

  // One row per status and reason (one cause, one row), failed first: a row per artifact buried a failed one.
  const unverified = groupUnverified(result.verifications);
  if (unverified.length > 0 || result.skipped.length > 0) {
    out.push('### Not verified', '');
    if (unverified.length > 0) {
      out.push('| Status | Reason | Artifacts | Which |', '| --- | --- | ---: | --- |');
      for (const g of unverified.slice(0, maxRows)) {
        const more = g.keys.length > EXAMPLE_KEYS ? `, …${g.keys.length - EXAMPLE_KEYS} more` : '';
        const which = g.keys.slice(0, EXAMPLE_KEYS).map(cell).join(', ') + more;
        out.push(`| ${g.status} | ${cell(g.detail)} | ${g.keys.length} | ${which} |`);
      }
      pushMore(out, unverified.length - maxRows, 'reasons (see the JSON report)');
      out.push('');
    }
    if (result.skipped.length > 0) {
      out.push('Files that were not scanned:', '', '| File | Reason |', '| --- | --- |');
      for (const k of result.skipped.slice(0, maxRows))
        out.push(`| ${cell(k.path)} | ${cell(`${k.reason}: ${k.detail}`)} |`);
      pushMore(out, result.skipped.length - maxRows, 'files');
      out.push('');
    }
  }
  const problems = groupNotes(result.notifications.filter((n) => n.level !== 'note'));
  if (problems.length > 0) {
    out.push('<details><summary>Scanner notes</summary>', '');
    for (const n of problems.slice(0, maxRows)) out.push(`- ${n.level}: ${cell(n.message)}${sameIn(n.others)}`);
    pushMore(out, problems.length - maxRows, 'notes');
    out.push('', '</details>', '');
  }
  out.push(`<sub>chainproof ${escapeMd(opts.toolVersion)} · policy: ${cell(result.policySource)}</sub>`, '');
  return clampBytes(out.join('\n'));
}

const TOP_FILES = 3;
/** Findings of one rule and level listed in the Findings table; the rest is one row with a count. */
const ROWS_PER_RULE = 5;
/** Artifacts named in a "Not verified" row; the JSON report lists every one. */
const EXAMPLE_KEYS = 3;
/** Errors are listed whatever maxRows says, up to this many (the byte limit still applies). */
const MAX_ERROR_ROWS = 2000;

function fileCell(text: string, f: ResolvedFinding | undefined, opts: MarkdownOptions): string {
  const path = f ? f.location.path : text;
  return markdownLink(cell(text), opts.fileUrl?.(path, f?.location.line));
}

/**
 * `[text](url)` for an https URL with nothing in it that could end the link early (the path in it is the scanned
 * repository's own text); the text alone otherwise. `text` is already escaped Markdown.
 */
export function markdownLink(text: string, url: string | undefined): string {
  return url !== undefined && /^https:\/\/[^\s()<>]+$/.test(url) ? `[${text}](${url})` : text;
}

/** The other files a scanner note is the same for, the first few named. */
function sameIn(others: readonly string[]): string {
  if (others.length === 0) return '';
  return ` \\(the same for ${plural(others.length, 'more file')}: ${listedWithMore(others.map(cell), EXAMPLE_KEYS)}\\)`;
}

/** The findings a baseline hid, as a report says it under its headline. */
export function baselinedSentence(n: number): string {
  return `${plural(n, 'finding')} already in the baseline ${n === 1 ? 'is' : 'are'} not listed.`;
}

/** The count a list or table left out past its cap: a cut list must not read as complete. */
export function pushMore(out: string[], more: number, what: string): void {
  if (more > 0) out.push('', `…and ${more} more ${what}.`);
}

/** A table cell: one line, bounded, with Markdown and HTML neutralised. */
function cell(text: string): string {
  const one = text.replace(/[\r\n\t]+/g, ' ');
  return escapeMd(one.length > MAX_CELL_CHARS ? `${one.slice(0, MAX_CELL_CHARS)}…` : one);
}

/**
 * Backslash-escape the ASCII punctuation Markdown or GFM could read as syntax inside a line (emphasis, code,
 * links, images, HTML, entities, table pipes, strikethrough, autolinks, mentions); CommonMark allows escaping any.
 * Line-start syntax (`-`, `+`, `1.`) cannot occur: every scanned string is placed after other text.
 */
export function escapeMd(text: string): string {
  // Control characters first (ESC, BEL, C1, bidi): the summary is also read raw, in a terminal or a log.
  return escapeControl(elideLongRuns(text)).replace(/[\\`*_{}[\]()#!|<>~&:@]/g, '\\$&');
}

/** Rule IDs go in code spans; only our own IDs should, but never let a backtick close one. */
function safeCode(text: string): string {
  return text.replace(/`/g, "'");
}

/** The summary cut to MAX_SUMMARY_BYTES at a line end, saying so: GitHub drops a larger step summary whole. */
export function clampBytes(md: string): string {
  if (Buffer.byteLength(md) <= MAX_SUMMARY_BYTES) return md;
  const cut = Buffer.from(md)
    .subarray(0, MAX_SUMMARY_BYTES)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return `${cut.slice(0, cut.lastIndexOf('\n'))}\n\n…summary truncated at ${MAX_SUMMARY_BYTES} bytes; see the SARIF or JSON report.\n`;
}

/** A row of the Findings table: one finding, or the count of a rule's findings past ROWS_PER_RULE. */
export type FindingRow =
  | { readonly level: Level; readonly finding: ResolvedFinding }
  | { readonly level: Level; readonly ruleId: string; readonly more: number; readonly files: number };

/**
 * The Findings table's rows: by level, then in the order of the rules table (gravest rule first), at most
 * ROWS_PER_RULE findings of a rule and level, then one row counting the rest. Thirty-six pickles importing
 * `builtins.eval` are one cause: forty rows of it pushed every other rule below the fold, and the SARIF and JSON
 * reports keep each one. The rows shown name different files first, so a cut group still shows how far it reaches.
 */
export function findingRows(findings: readonly ResolvedFinding[], ruleOrder: readonly string[]): FindingRow[] {
  const rank = new Map(ruleOrder.map((id, i) => [id, i]));
  const byCause = new Map<string, ResolvedFinding[]>();
  for (const f of findings) {
    const key = `${f.level}\0${f.ruleId}`;
    const list = byCause.get(key);
    if (list) list.push(f);
    else byCause.set(key, [f]);
  }
  const causes = [...byCause.values()].sort(
    (a, b) => RANK[b[0]!.level] - RANK[a[0]!.level] || rank.get(a[0]!.ruleId)! - rank.get(b[0]!.ruleId)!,
  );
  return causes.flatMap((list): FindingRow[] => {
    const { level, ruleId } = list[0]!;
    if (list.length <= ROWS_PER_RULE) return list.map((finding) => ({ level, finding }));
    const picked = new Set(distinctFilesFirst(list, ROWS_PER_RULE));
    const kept = list.filter((f) => picked.has(f));
    const shownFiles = new Set(kept.map((f) => f.location.path));
    const otherFiles = new Set(list.filter((f) => !shownFiles.has(f.location.path)).map((f) => f.location.path));
    return [
      ...kept.map((finding) => ({ level, finding })),
      { level, ruleId, more: list.length - kept.length, files: otherFiles.size },
    ];
  });
}

/**
 * The message without the `path (member): ` it opens with when it is shown beside its place: a row read
 * "malicious0.pkl | malicious0.pkl: the pickle imports…". Annotations, SARIF and JSON keep it whole.
 */
export function messageBesidePlace(f: ResolvedFinding): string {
  const place = `${f.location.path}${f.location.member !== undefined ? ` (${f.location.member})` : ''}: `;
  return f.message.startsWith(place) && f.message.length > place.length ? f.message.slice(place.length) : f.message;
}

/** What a row counting a rule's remaining findings says: `31 more \`CPI001\` errors, in 7 more files`. */
export function restOfRule(r: Extract<FindingRow, { more: number }>): string {
  const files = r.files === 0 ? '' : `, in ${plural(r.files, 'more file')}`;
  return `${plural(r.more, `more \`${safeCode(r.ruleId)}\` ${r.level}`)}${files}`;
}

/** `n` of the findings, the first of each file before a second of any, so the rows shown span the most files. */
function distinctFilesFirst(list: readonly ResolvedFinding[], n: number): ResolvedFinding[] {
  const seen = new Set<string>();
  const firsts: ResolvedFinding[] = [];
  const rest: ResolvedFinding[] = [];
  for (const f of list) {
    if (seen.has(f.location.path)) rest.push(f);
    else {
      seen.add(f.location.path);
      firsts.push(f);
    }
  }
  return [...firsts, ...rest].slice(0, n);
}
