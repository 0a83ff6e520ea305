import type { ReviewResult } from '../app/review/index.js';
import type { PackageChange } from '../app/review/diff.js';
import { versionLabel } from '../app/review/diff.js';
import type { ResolvedFinding } from '../core/finding.js';
import {
  baselinedSentence,
  clampBytes,
  escapeMd,
  findingRows,
  markdownLink,
  messageBesidePlace,
  pushMore,
  restOfRule,
} from './markdown.js';
import { groupByRule } from './by-rule.js';
import { escapeControl, guardLineStart } from '../core/escape-text.js';
import { redactReview } from './redact.js';
import { plural } from '../core/plural.js';

/** Review JSON, shape version 1: the change set, the gate and the findings the change introduced. */
export const REVIEW_JSON_VERSION = 1;

export function toReviewJson(review: ReviewResult, toolVersion: string): unknown {
  const r = redactReview(review);
  return {
    schemaVersion: REVIEW_JSON_VERSION,
    tool: { name: 'chainproof', version: toolVersion },
    base: r.base,
    head: r.head,
    online: r.online,
    ...(r.gate ? { gate: r.gate } : {}),
    lockfiles: r.lockfiles.map((lf) => ({
      path: lf.lockfile,
      status: lf.status,
      ...(lf.movedFrom !== undefined ? { movedFrom: lf.movedFrom } : {}),
      ...(lf.migrated ? { migrated: true } : {}),
      basePackages: lf.basePackages,
      headPackages: lf.headPackages,
      changes: lf.changes.map(changeRow),
    })),
    models: r.models,
    references: r.references.map((c) => ({
      kind: c.kind,
      path: c.reference.path,
      line: c.reference.line,
      model: c.reference.repoId ?? c.reference.url,
      ...(c.from !== undefined ? { from: c.from } : {}),
      ...(c.reference.revision !== undefined ? { to: c.reference.revision } : {}),
      via: c.reference.via,
    })),
    findings: r.findings.map((f) => ({
      ruleId: f.ruleId,
      level: f.level,
      message: f.message,
      location: f.location,
      ...(f.artifact ? { artifact: f.artifact } : {}),
      ...(f.evidence ? { evidence: f.evidence } : {}),
      fingerprint: f.fingerprint,
    })),
  };
}

interface ChangeRow {
  readonly kind: PackageChange['kind'];
  readonly name: string;
  readonly from?: string;
  readonly to?: string;
  readonly type?: string;
  readonly workspace: string;
  readonly line?: number;
}

function changeRow(c: PackageChange): ChangeRow {
  switch (c.kind) {
    case 'added':
      return { kind: c.kind, name: c.name, to: versionLabel(c.head), workspace: c.head.workspace, line: c.head.line };
    case 'removed':
      return { kind: c.kind, name: c.name, from: versionLabel(c.base), workspace: c.base.workspace };
    case 'upgraded':
    case 'downgraded':
      return {
        kind: c.kind,
        name: c.name,
        from: versionLabel(c.base),
        to: versionLabel(c.head),
        type: c.type,
        workspace: c.head.workspace,
        line: c.head.line,
      };
  }
}

const MAX_ROWS = 200;

/** Characters of a finding's message in the Markdown review: its fix and "The review adds: …" come last. */
const MAX_MESSAGE_CHARS = 700;

/**
 * A message cut for the Markdown review at a word, saying so. Cut at 400 characters mid-word, a registry finding
 * ended "… a repos" and lost what the review adds (where the entry came from at the base revision).
 */
function clipMessage(message: string): string {
  if (message.length <= MAX_MESSAGE_CHARS) return message;
  const cut = message.slice(0, MAX_MESSAGE_CHARS);
  const space = cut.lastIndexOf(' ');
  return `${space > MAX_MESSAGE_CHARS / 2 ? cut.slice(0, space) : cut}… (the JSON report has it whole)`;
}

/** How the pull-request comment and job summary link a finding's place. */
export interface ReviewMarkdownOptions {
  /**
   * A link to a root-relative path and line at the reviewed commit (the Action's blob URL), as the scan's summary
   * links its Location cells: the reader goes from the finding to the line in one click.
   */
  readonly fileUrl?: (path: string, line: number | undefined) => string | undefined;
}

/**
 * The review for a pull-request comment and the job summary: the verdict, the findings (errors first), then the
 * changes with the flagged ones first, then by changeTier. Every scanned string is escaped.
 */
export function toReviewMarkdown(review: ReviewResult, opts: ReviewMarkdownOptions = {}): string {
  const r = redactReview(review);
  const out: string[] = [];
  const errors = r.findings.filter((f) => f.level === 'error').length;
  const warnings = r.findings.filter((f) => f.level === 'warning').length;
  const changes = r.lockfiles.reduce((n, lf) => n + lf.changes.length, 0);
  const verdict = r.gate
    ? r.gate.passed
      ? `✅ passes the \`${r.gate.kind}\` gate`
      : `❌ fails the \`${r.gate.kind}\` gate`
    : `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
  out.push(`## chainproof review: ${verdict}`, '');
  out.push(
    `${plural(changes, 'package change')} in ${plural(r.lockfiles.filter((lf) => lf.status !== 'unchanged').length, 'lockfile')}, ` +
      `${plural(r.models.length, 'model file change')}, ${plural(r.references.length, 'model reference change')}; base ${r.base.commit !== '' ? `\`${r.base.commit.slice(0, 12)}\`` : `${escapeMd(r.base.ref)} (not found)`}, head ${r.head.commit !== undefined ? `\`${r.head.commit.slice(0, 12)}\`` : 'working tree'}` +
      (r.online ? '.' : ' (offline: registry questions not asked).'),
    '',
  );
  const baselined = baselinedLine(r);
  if (baselined !== undefined) out.push(baselined, '');
  if (r.gate && !r.gate.passed) {
    out.push('**Why the gate failed**', '');
    for (const reason of r.gate.reasons) out.push(`- ${escapeMd(reason)}`);
    out.push('');
  }
  // The findings come before the tables: in a large change they are the few lines that matter.
  if (r.findings.length > 0) {
    out.push('### Findings this change introduced', '');
    // A few of each rule, the rest counted (findingRows): twelve added pickles importing os.system are one cause.
    const rows = findingRows(
      r.findings,
      groupByRule(r.findings).map((g) => g.ruleId),
    );
    let listed = 0;
    for (const row of rows.slice(0, MAX_ROWS)) {
      if ('more' in row) {
        out.push(`- …and ${restOfRule(row)} (see the JSON report).`);
        listed += row.more;
        continue;
      }
      const f = row.finding;
      const member = f.location.member !== undefined ? ` (${f.location.member})` : '';
      const where = `${f.location.path}${f.location.line !== undefined ? `:${f.location.line}` : ''}${member}`;
      out.push(
        `- **${f.level}** \`${f.ruleId}\` ${linked(escapeMd(where), f, opts)}: ${escapeMd(clipMessage(messageBesidePlace(f)))}`,
      );
      listed++;
    }
    if (r.findings.length > listed) out.push(`- …and ${r.findings.length - listed} more (see the JSON report).`);
    out.push('');
  }
  const flagged = new Map<string, ResolvedFinding[]>();
  for (const f of r.findings) {
    if (f.artifact?.kind !== 'package') continue;
    const key = `${f.location.path}\0${f.artifact.name}`;
    flagged.set(key, [...(flagged.get(key) ?? []), f]);
  }
  const rows = r.lockfiles.flatMap((lf) =>
    lf.changes.map((c) => ({ lf: lf.lockfile, c, flags: flagged.get(`${lf.lockfile}\0${c.name}`) ?? [] })),
  );
  rows.sort((a, b) => rank(b.flags) - rank(a.flags) || changeTier(a.c) - changeTier(b.c));
  if (rows.length > 0) {
    out.push('| Lockfile | Package | Change | From | To | Flags |', '| --- | --- | --- | --- | --- | --- |');
    for (const { lf, c, flags } of rows.slice(0, MAX_ROWS)) {
      const row = changeRow(c);
      const kind = row.type !== undefined ? `${row.kind} (${row.type})` : row.kind;
      const flagText = flags
        .map((f) => `${f.level === 'error' ? '🔴' : f.level === 'warning' ? '🟡' : '🔵'} ${f.ruleId}`)
        .join(' ');
      out.push(
        `| ${escapeMd(lf)} | ${escapeMd(row.name)} | ${kind} | ${escapeMd(row.from ?? '')} | ${escapeMd(row.to ?? '')} | ${flagText} |`,
      );
    }
    pushMore(out, rows.length - MAX_ROWS, 'changes (see the JSON report)');
    out.push('');
  }
  if (r.models.length > 0) {
    out.push('| Model file | Change |', '| --- | --- |');
    for (const m of flaggedFirst(r.models, r.findings, MAX_ROWS, modelPlace).slice(0, MAX_ROWS))
      out.push(`| ${escapeMd(m.path)} | ${m.kind} |`);
    pushMore(out, r.models.length - MAX_ROWS, 'model file changes (see the JSON report)');
    out.push('');
  }
  if (r.references.length > 0) {
    out.push('| Model reference | Change | File | Revision |', '| --- | --- | --- | --- |');
    for (const c of flaggedFirst(r.references, r.findings, MAX_ROWS, referencePlace).slice(0, MAX_ROWS)) {
      const rev =
        c.kind === 'moved'
          ? `${c.from ?? '(none)'} → ${c.reference.revision ?? '(none)'}`
          : (c.reference.revision ?? '(none)');
      out.push(
        `| ${escapeMd(c.reference.repoId ?? c.reference.url ?? '?')} | ${c.kind} | ${escapeMd(`${c.reference.path}:${c.reference.line}`)} | ${escapeMd(rev)} |`,
      );
    }
    pushMore(out, r.references.length - MAX_ROWS, 'model reference changes (see the JSON report)');
    out.push('');
  }
  // Rows are bounded in number, and each scanned string to about 2,000 characters (escapeMd's elideLongRuns), which
  // escaping can double: hundreds of long changed names can still pass the byte limit.
  return clampBytes(out.join('\n'));
}

/**
 * The findings the Action's baseline input hid (report/baseline.ts `filterNewFindings`): a quiet review under a
 * baseline means no new findings, and the known ones are still there.
 */
function baselinedLine(r: ReviewResult): string | undefined {
  const n = r.scan.summary.baselined ?? 0;
  return n > 0 ? baselinedSentence(n) : undefined;
}

function rank(fs: readonly ResolvedFinding[]): number {
  return fs.reduce((m, f) => Math.max(m, f.level === 'error' ? 3 : f.level === 'warning' ? 2 : 1), 0);
}

/**
 * How a lockfile relates to the base lockfile it was compared with: moved from another folder, or read in place of
 * another file of the same folder (npm's shrinkwrap over its package-lock, review/renames.ts), which may still be there,
 * or migrated from another package manager's lockfile.
 */
function movedWord(lockfile: string, from: string, migrated: boolean): string {
  if (migrated) return 'migrated from';
  const dir = (p: string) => p.slice(0, Math.max(0, p.lastIndexOf('/')));
  return dir(lockfile) === dir(from) ? 'read in place of' : 'moved from';
}

/** Change rows one lockfile lists in the terminal; a larger change lists the rows worth reading and counts the rest. */
const TEXT_ROWS = 50;

/** A plain patch or minor upgrade: what a routine update is made of, counted rather than listed in a large change. */
const routine = (c: PackageChange) => c.kind === 'upgraded' && (c.type === 'patch' || c.type === 'minor');

/**
 * Which rows a large change lists first (after the flagged ones, in Markdown): what brings code in that was not there
 * (additions, downgrades, major or unusual moves), then removals, which bring none in (the gate passes them), then
 * routine upgrades.
 */
function changeTier(c: PackageChange): number {
  return routine(c) ? 2 : c.kind === 'removed' ? 1 : 0;
}

/**
 * The rows to print: every one when there are at most TEXT_ROWS; else by changeTier (in the diff's order within each),
 * up to TEXT_ROWS. A thousand bumps print fifty lines and one count, with every change the gate names among them when
 * they fit; a lockfile regenerated with hundreds of removals still lists its additions.
 */
function textRows(changes: readonly PackageChange[]): { listed: PackageChange[]; left: PackageChange[] } {
  if (changes.length <= TEXT_ROWS) return { listed: [...changes], left: [] };
  // Array.prototype.sort is stable: the diff's order holds within a tier.
  const ordered = [...changes].sort((a, b) => changeTier(a) - changeTier(b));
  return { listed: ordered.slice(0, TEXT_ROWS), left: ordered.slice(TEXT_ROWS) };
}

/** The rows left out, counted by kind: "900 patch updates, 12 minor updates". */
function leftOver(left: readonly PackageChange[]): string {
  const counts = new Map<string, number>();
  for (const c of left) {
    const what =
      c.kind === 'upgraded' || c.kind === 'downgraded'
        ? `${c.type} ${c.kind === 'upgraded' ? 'updates' : 'downgrades'}`
        : c.kind;
    counts.set(what, (counts.get(what) ?? 0) + 1);
  }
  return [...counts].map(([what, n]) => `${n} ${what}`).join(', ');
}

/** A finding's place as a Markdown link when `fileUrl` gives one; a finding of the whole tree (`.`) has no file. */
function linked(text: string, f: ResolvedFinding, opts: ReviewMarkdownOptions): string {
  return f.location.path === '.' ? text : markdownLink(text, opts.fileUrl?.(f.location.path, f.location.line));
}

/** Where a row of the model-file or reference table sits, to match a finding's location (`flaggedFirst`). */
type RowPlace = { readonly path: string; readonly line?: number };
const modelPlace = (m: ReviewResult['models'][number]): RowPlace => ({ path: m.path });
const referencePlace = (c: ReviewResult['references'][number]): RowPlace => ({
  path: c.reference.path,
  line: c.reference.line,
});

/**
 * Model file or reference changes with a finding at their place first (a model file: its path; a reference: its path
 * and line), in the diff's order within each part: when the list is cut at `limit` (TEXT_ROWS in the terminal,
 * MAX_ROWS in the pull-request comment), the rows the findings name are the ones still listed (a folder of harmless
 * arrays sorted before the pickles that run code, fifty pinned references before the unpinned one).
 */
function flaggedFirst<T>(
  rows: readonly T[],
  findings: readonly ResolvedFinding[],
  limit: number,
  placeOf: (row: T) => RowPlace,
): T[] {
  if (rows.length <= limit) return [...rows];
  const paths = new Set(findings.map((f) => f.location.path));
  const lines = new Set(findings.map((f) => `${f.location.path}\0${f.location.line ?? ''}`));
  const isFlagged = (row: T) => {
    const at = placeOf(row);
    return at.line === undefined ? paths.has(at.path) : lines.has(`${at.path}\0${at.line}`);
  };
  return [...rows.filter(isFlagged), ...rows.filter((row) => !isFlagged(row))];
}

/**
 * The model file or reference changes past TEXT_ROWS, counted by kind as a lockfile's are: a change that adds a
 * folder of two thousand shards printed two thousand lines above its findings, which are what the reader came for.
 */
function pushLeftOver(out: string[], left: readonly { readonly kind: string }[], what: string): void {
  if (left.length === 0) return;
  const counts = new Map<string, number>();
  for (const x of left) counts.set(x.kind, (counts.get(x.kind) ?? 0) + 1);
  const kinds = [...counts].map(([kind, n]) => `${n} ${kind}`).join(', ');
  out.push(`… and ${left.length} more ${what} (${kinds}; -f json lists every change)`);
}

/** Terminal text: one line per change (at most TEXT_ROWS per lockfile, the rest counted), findings after, the gate last. */
export function toReviewText(review: ReviewResult): string {
  const r = redactReview(review);
  const out: string[] = [];
  for (const lf of r.lockfiles.filter((x) => x.status !== 'unchanged' || x.movedFrom !== undefined)) {
    const moved =
      lf.movedFrom !== undefined
        ? `, ${movedWord(lf.lockfile, lf.movedFrom, lf.migrated === true)} ${lf.movedFrom}`
        : '';
    out.push(`${lf.lockfile} (${lf.status}${moved}, ${lf.basePackages} → ${lf.headPackages} packages)`);
    const { listed, left } = textRows(lf.changes);
    for (const c of listed) {
      const row = changeRow(c);
      out.push(
        `  ${row.kind.padEnd(10)} ${row.name} ${row.from ?? ''}${row.from !== undefined && row.to !== undefined ? ' → ' : ''}${row.to ?? ''}${row.type !== undefined ? ` (${row.type})` : ''}`,
      );
    }
    if (left.length > 0) out.push(`  … and ${left.length} more (${leftOver(left)}; -f json lists every change)`);
  }
  const models = flaggedFirst(r.models, r.findings, TEXT_ROWS, modelPlace);
  for (const m of models.slice(0, TEXT_ROWS)) out.push(`model ${m.kind.padEnd(8)} ${m.path}`);
  pushLeftOver(out, models.slice(TEXT_ROWS), 'model file changes');
  const references = flaggedFirst(r.references, r.findings, TEXT_ROWS, referencePlace);
  for (const c of references.slice(0, TEXT_ROWS))
    out.push(
      `reference ${c.kind.padEnd(6)} ${c.reference.repoId ?? c.reference.url ?? '?'} ${c.kind === 'moved' ? `${c.from ?? '(none)'} → ` : ''}${c.reference.revision ?? '(none)'} at ${c.reference.path}:${c.reference.line}`,
    );
  pushLeftOver(out, references.slice(TEXT_ROWS), 'model reference changes');
  // Nothing moved a version, a model or a reference — but a finding may still say what did change (the same versions
  // re-pointed to another host, a lockfile's settings): the header must not read as all clear above it.
  if (out.length === 0)
    out.push(
      r.findings.length === 0
        ? 'No dependency or model change.'
        : 'No version, model or reference changed; what did change is below.',
    );
  out.push('');
  for (const f of r.findings) {
    const where = `${f.location.path}${f.location.line !== undefined ? `:${f.location.line}` : ''}`;
    out.push(`${f.level.padEnd(7)} ${f.ruleId} ${where}  ${f.message}`);
  }
  const baselined = baselinedLine(r);
  if (baselined !== undefined) out.push(baselined);
  if (!r.online) out.push(offlineLine(r));
  if (r.gate)
    out.push(
      '',
      `gate ${r.gate.kind}: ${r.gate.passed ? 'passed' : 'FAILED'}`,
      ...r.gate.reasons.map((x) => `  - ${x}`),
    );
  return out.map(stripControls).join('\n') + '\n';
}

/**
 * Offline, the review asked the lockfile questions only (index.ts `reviewChange`): release age, publisher and install
 * scripts of what the change brings in went unasked. The Markdown summary says so; the terminal must too, next to
 * the gate, or an offline `--gate patch` that passed reads as a full review.
 */
function offlineLine(r: ReviewResult): string {
  const brought = r.lockfiles.reduce((n, lf) => n + lf.changes.filter((c) => c.kind !== 'removed').length, 0);
  const what = brought > 0 ? ` about ${plural(brought, 'added or moved package')}` : '';
  return `offline: registry questions not asked${what}; run without --offline to ask them.`;
}

/**
 * Scanned names reach the terminal and CI logs: never let them carry escape sequences or start a workflow command.
 * Each entry is one line of ours, so a line break inside it is scanned text (a package named `a\n::error::x`) and is
 * shown as `\x0a`, as escapeControl shows it in every other report, with the bidi overrides.
 */
function stripControls(line: string): string {
  return guardLineStart(escapeControl(line));
}
