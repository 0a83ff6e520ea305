import { plural } from '../core/plural.js';
import { levelRank, memberToAdd, type Finding, type Level, type Location } from '../core/finding.js';
import { memberName } from '../core/group-causes.js';
import type { ScanResult } from '../core/result.js';
import { elideLongRuns, escapeControl as esc, guardLineStart } from '../core/escape-text.js';
import { pushAll } from '../core/push-all.js';
import { findRule } from '../core/rules/index.js';
import { groupByRule, referenceTally } from './by-rule.js';
import { redactResult } from './redact.js';

export interface TextOptions {
  readonly color: boolean;
  /** List every place a cause finding reaches (its related locations); otherwise the message's count says it. */
  readonly verbose?: boolean;
}

const CODES = { red: 31, yellow: 33, cyan: 36, green: 32, dim: 2, bold: 1 } as const;
type Style = keyof typeof CODES;

/** Human output for terminals: findings grouped by file, models seen, then a summary. */
export function toText(result: ScanResult, opts: TextOptions): string {
  return [...textChunks(result, opts)].join('');
}

/**
 * The same text as pieces, each a few whole lines ending in a newline: a flood of findings is written as it is
 * formatted instead of first held as an array of 300k lines and then as one string of them.
 */
export function* textChunks(scanned: ScanResult, opts: TextOptions): Generator<string> {
  const result = redactResult(scanned);
  const paint = (s: Style, t: string) => (opts.color ? `\u001b[${CODES[s]}m${t}\u001b[0m` : t);
  const levelStyle: Record<Level, Style> = { error: 'red', warning: 'yellow', note: 'cyan' };
  let lines: string[] = [];

  let lastPath = '';
  for (const f of worstFilesFirst(result.findings)) {
    if (f.location.path !== lastPath) {
      if (lastPath !== '') lines.push('');
      // The only line that starts with scanned text: guarded inside its colour too. Every line is guarded again as it
      // is written, for a legacy `##[` command, which the runner reads anywhere in a line.
      lines.push(paint('bold', guardLineStart(esc(f.location.path))));
      lastPath = f.location.path;
    }
    const where =
      f.location.line !== undefined
        ? `${f.location.line}${f.location.column !== undefined ? `:${f.location.column}` : ''}`
        : '-';
    const added = memberToAdd(f);
    const member = added !== undefined ? paint('dim', ` [${esc(added)}]`) : '';
    lines.push(
      `  ${where.padEnd(6)} ${paint(levelStyle[f.level], f.level.padEnd(7))} ${paint('dim', esc(f.ruleId))}  ${esc(elideLongRuns(f.message))}${member}`,
    );
    if (opts.verbose === true) pushAll(lines, relatedLines(f, paint));
    if (lines.length >= LINES_PER_PIECE) {
      yield lines.map(guardLineStart).join('\n') + '\n';
      lines = [];
    }
  }
  if (result.findings.length > 0) lines.push('');

  if (result.models.length > 0) {
    lines.push(paint('bold', 'Model files'));
    const withFindings = new Set<string>();
    for (const f of result.findings) {
      withFindings.add(f.location.path);
      // A finding for one cause across files (inspect/causes.ts) names every other file in `related`.
      for (const r of f.related ?? []) withFindings.add(r.path);
    }
    // A finding at the file's folder concerns it too (unknown models are reported once per folder).
    const flagged = (m: { path: string }) => {
      const folder = m.path.includes('/') ? m.path.slice(0, m.path.lastIndexOf('/')) : undefined;
      return withFindings.has(m.path) || (folder !== undefined && withFindings.has(folder));
    };
    const listed = opts.verbose === true ? result.models : modelsToList(result.models, withFindings);
    for (const m of listed) {
      const sha = m.digests['sha256'];
      const mark = flagged(m) ? paint('yellow', '!') : paint('green', '✓');
      lines.push(
        `  ${mark} ${esc(m.path)}  ${paint('dim', `${m.format}, ${formatSize(m.size)}${sha ? `, sha256:${esc(sha.slice(0, 16))}…` : ''}${m.registryEntry ? `, registry: ${esc(m.registryEntry)}` : ''}${m.provenance ? `, built from ${esc(m.provenance.repository)}@${esc(m.provenance.commit)}` : ''}`)}`,
      );
    }
    const more = result.models.length - listed.length;
    if (more > 0)
      lines.push(
        paint('dim', `  … and ${more} more model file${more === 1 ? '' : 's'} (--verbose or -f json lists every one)`),
      );
    lines.push('');
  }

  if (result.skipped.length > 0) {
    lines.push(paint('bold', 'Not scanned'));
    // Each has its own finding above; a tree of thousands (a vendored folder of links) is listed in full only on ask.
    const listed = opts.verbose === true ? result.skipped : result.skipped.slice(0, SKIPPED_LISTED);
    for (const s of listed) lines.push(`  ${esc(shownPath(s.path))}  ${paint('dim', `${s.reason}: ${esc(s.detail)}`)}`);
    const more = result.skipped.length - listed.length;
    if (more > 0) lines.push(paint('dim', `  … and ${more} more (--verbose or -f json lists every one)`));
    lines.push('');
  }

  if (result.findings.length > DIGEST_FROM) pushAll(lines, digestLines(result, paint, levelStyle));

  const s = result.summary;
  const by = (l: Level) => paint(levelStyle[l], `${s.byLevel[l]} ${l}${s.byLevel[l] === 1 ? '' : 's'}`);
  lines.push(paint('bold', 'Summary'));
  lines.push(
    `  files ${s.files}${notScannedText(result.skipped.length, result.unwalked?.length)}, lockfiles ${s.lockfiles}, packages ${s.packages}, model files ${s.models}${referencesText(result)}`,
  );
  lines.push(`  verified ${s.verified}, failed ${s.failed}, unverifiable ${s.unverifiable}`);
  lines.push(
    `  findings: ${by('error')}, ${by('warning')}, ${by('note')}${s.suppressed > 0 ? `, ${s.suppressed} suppressed` : ''}${baselinedText(s.baselined)}`,
  );
  if (!result.complete)
    lines.push(paint('red', '  incomplete: a stage failed; see the findings above. Nothing it covers is verified.'));
  yield lines.map(guardLineStart).join('\n') + '\n';
}

/** Paths listed under "Not scanned" before the rest is counted (every one with --verbose). */
const SKIPPED_LISTED = 20;

/** A path for a list line: one past the system's limit (ENAMETOOLONG, 4 KB and more) shown by its ends. */
function shownPath(p: string): string {
  return p.length <= 240 ? p : `${p.slice(0, 160)}…${p.slice(-60)}`;
}

/**
 * ` (3 not scanned)`: the paths the walk could not read (links out of the root, special files, unreadable files),
 * listed under "Not scanned" and in JSON and SARIF; the count beside the files checked, where a log reader looks.
 * `folders`: the node_modules folders skipped by name that no lockfile describes (ScanResult.unwalked).
 */
export function notScannedText(skipped: number, folders = 0): string {
  const parts = [
    ...(skipped > 0 ? [`${skipped} not scanned`] : []),
    ...(folders > 0 ? [`${plural(folders, 'node_modules folder')} not scanned`] : []),
  ];
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** `, 10 already in the baseline (not listed)`: the findings a --baseline left out, or '' without one. */
export function baselinedText(baselined: number | undefined): string {
  return baselined !== undefined && baselined > 0 ? `, ${baselined} already in the baseline (not listed)` : '';
}

/** The summary's count of model references (by-rule.ts `referenceTally`); nothing when no stage looked. */
function referencesText(result: ScanResult): string {
  const t = referenceTally(result);
  if (t === undefined) return '';
  return `, model references ${t.total}${t.total > 0 ? ` (${t.pinned} pinned to a commit or digest)` : ''}`;
}

/**
 * The findings with each file's group kept whole and in its order, the files whose worst finding is an error first,
 * then warnings, then notes (path order within each): a CI log is read from the top, and an error in
 * web/npm-shrinkwrap.json sat below forty pickle warnings in src/. Findings arrive sorted by path (the pipeline's
 * compareFindings), so a file's findings are one run.
 */
function worstFilesFirst<F extends { level: Level; location: { path: string } }>(findings: readonly F[]): F[] {
  const runs: { worst: number; items: F[] }[] = [];
  for (const f of findings) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last.items[0]!.location.path === f.location.path) {
      last.items.push(f);
      last.worst = Math.max(last.worst, levelRank(f.level));
    } else runs.push({ worst: levelRank(f.level), items: [f] });
  }
  // Array.prototype.sort is stable: files of the same worst level keep their path order.
  return runs.sort((a, b) => b.worst - a.worst).flatMap((r) => r.items);
}

/** Past this many model files the list shows those with findings of their own first, then stops with a count. */
const MODEL_LINES = 20;

/**
 * The model files the text lists: all of them when they are few; else the files a finding names (their own problems,
 * not a folder's shared note) before the rest, up to MODEL_LINES, in path order. A model store of thousands of
 * shards listed them all between the findings and the digest a reviewer reads.
 */
function modelsToList<M extends { path: string }>(
  models: readonly M[],
  withFindings: ReadonlySet<string>,
): readonly M[] {
  if (models.length <= MODEL_LINES) return models;
  const own = models.filter((m) => withFindings.has(m.path)).slice(0, MODEL_LINES);
  const keep = new Set<M>(own);
  for (const m of models) {
    if (keep.size >= MODEL_LINES) break;
    keep.add(m);
  }
  return models.filter((m) => keep.has(m));
}

/** Past this many findings the text ends with a digest by rule: the flood above has scrolled out of sight. */
const DIGEST_FROM = 20;
const DIGEST_RULES = 15;
const DIGEST_FILES = 2;

/**
 * One line per rule, errors first, then the most findings (by-rule.ts, as the Markdown summary's table): what a
 * reviewer with ten seconds reads at the bottom of a long report, with the files that hold most of each.
 */
function digestLines(
  result: ScanResult,
  paint: (s: Style, t: string) => string,
  levelStyle: Record<Level, Style>,
): string[] {
  const groups = groupByRule(result.findings);
  const lines = [paint('bold', 'Findings by rule')];
  for (const g of groups.slice(0, DIGEST_RULES)) {
    const name = findRule(g.ruleId)?.name;
    const files = g.files.length;
    const top = g.files
      .slice(0, DIGEST_FILES)
      .map((f) => `${esc(f.path)} ${f.count}`)
      .join(', ');
    const where = `in ${files} file${files === 1 ? '' : 's'} (${top}${files > DIGEST_FILES ? ', …' : ''})`;
    lines.push(
      `  ${paint(levelStyle[g.level], g.level.padEnd(7))} ${paint('dim', esc(g.ruleId))}${name ? ` ${name}` : ''}: ${g.count} ${where}`,
    );
  }
  if (groups.length > DIGEST_RULES) lines.push(`  … and ${groups.length - DIGEST_RULES} more rules`);
  lines.push('');
  return lines;
}

/** Lines gathered into one piece: few pieces, each small. */
const LINES_PER_PIECE = 256;

/** `--verbose`: one line per place a cause reaches, with what is there when that is known (relatedNames). */
function relatedLines(f: Finding, paint: (s: Style, t: string) => string): string[] {
  const related = f.related;
  if (related === undefined) return [];
  const nameOf = relatedNames(f, related);
  // Paths and package names are scanned text, escaped as on every other line.
  return related.map((r, i) => {
    const name = nameOf(r, i);
    return `         ${paint('dim', `${esc(r.path)}:${r.line ?? '-'}`)}${name !== undefined ? `  ${esc(name)}` : ''}`;
  });
}

/**
 * The member at each related place, found by its place: a group's `related` leaves out the member at the finding's
 * own location (deps/checks/systemic.ts) or keeps it (registry/systemic.ts), so pairing by position named each line
 * after the package one entry before it. A place two members share names none. A finding without members pairs its
 * evidence's `packages` by position, when there is one name per place.
 */
function relatedNames(f: Finding, related: readonly Location[]): (r: Location, i: number) => string | undefined {
  const placeOf = (loc: Location) => `${loc.path}\u0000${loc.line ?? ''}\u0000${loc.member ?? ''}`;
  if (f.members !== undefined) {
    const byPlace = new Map<string, string | undefined>();
    for (const m of f.members) {
      const place = placeOf(m.location);
      const name = memberName(m);
      byPlace.set(place, byPlace.has(place) && byPlace.get(place) !== name ? undefined : name);
    }
    return (r) => byPlace.get(placeOf(r));
  }
  const packages = f.evidence?.['packages'];
  const names = typeof packages === 'string' ? packages.split(' ') : [];
  return (_, i) => (names.length === related.length ? names[i] : undefined);
}

function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}
