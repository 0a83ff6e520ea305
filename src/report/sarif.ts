import type { Log, Region, ReportingDescriptor, Result, Notification as SarifNotification } from 'sarif';
import { levelRank, messageWithMember, type Level, type ResolvedFinding } from '../core/finding.js';
import type { ScanResult } from '../core/result.js';
import type { Rule } from '../core/rule.js';
import { RULES } from '../core/rules/index.js';
import { elideLongRuns, escapeControl } from '../core/escape-text.js';
import { encodeUriComponent } from '../core/uri-component.js';
import { MappedItems } from './json-chunks.js';
import { redactResult } from './redact.js';
import { rebaseResult, rebaseSarif } from './sarif-rebase.js';

/** GitHub code scanning rejects runs with more results than this. */
export const MAX_SARIF_RESULTS = 25_000;

/** Related locations per result: one cause reaching thousands of packages stays one readable result. */
export const MAX_RELATED_LOCATIONS = 50;

export const INFORMATION_URI = 'https://github.com/chainproof/chainproof';

export interface SarifOptions {
  readonly toolVersion: string;
  /** `automationDetails.id` prefix (GitHub's category); the run id is `<category>/`. */
  readonly category?: string;
}

/** SARIF 2.1.0 that `github/codeql-action/upload-sarif` accepts. */
export function toSarif(result: ScanResult, opts: SarifOptions): Log {
  return sarifLog(redactResult(result), opts, (kept, map) => kept.map(map));
}

/**
 * The same log for jsonChunks, rebased under `uriPrefix` as rebaseSarif does: results are mapped one written piece
 * at a time (up to 25,000 of them held as objects were a third of a flood's peak). JSON.stringify of it gives
 * `rebaseSarif(toSarif(…), uriPrefix)`'s text.
 */
export function toSarifStream(scanned: ScanResult, opts: SarifOptions & { readonly uriPrefix: string }): unknown {
  const result = redactResult(scanned);
  const shell = rebaseSarif(
    sarifLog(result, opts, () => []),
    opts.uriPrefix,
  );
  const index = ruleIndex();
  const lineHash = lineHashes();
  const kept = mostSevere(result.findings, MAX_SARIF_RESULTS);
  // The results key keeps its place in the run; a MappedItems stands in for the array it writes.
  const run = shell.runs[0] as unknown as { results: unknown };
  run.results = new MappedItems(kept, (f) => rebaseResult(toResult(f, index, lineHash), opts.uriPrefix));
  return shell;
}

/**
 * The `max` most severe of `items` (errors, then warnings, then notes; the first of equals kept), in the order
 * given. Findings come sorted by path: cutting the first 25,000 let a flood of notes in `a/` push every error of
 * `z/` out of code scanning.
 */
export function mostSevere<T>(items: readonly T[], max: number, level: (item: T) => string | undefined = levelOf): T[] {
  if (items.length <= max) return items.slice();
  const rank = (i: number) => levelRank(asLevel(level(items[i]!)));
  const chosen = Array.from(items.keys())
    .sort((a, b) => rank(b) - rank(a) || a - b)
    .slice(0, max)
    .sort((a, b) => a - b);
  return chosen.map((i) => items[i]!);
}

const levelOf = (item: unknown): string | undefined => (item as { level?: string }).level;

/** A SARIF result's level as a rank: `none` and unknown values rank below notes; absent is SARIF's `warning`. */
function asLevel(level: string | undefined): Level | 'none' {
  return level === undefined
    ? 'warning'
    : level === 'error' || level === 'warning' || level === 'note'
      ? level
      : 'none';
}

type ResultList = (kept: readonly ResolvedFinding[], map: (f: ResolvedFinding) => Result) => Result[];

function ruleIndex(): Map<string, number> {
  return new Map(RULES.map((r, i) => [r.id, i]));
}

function sarifLog(result: ScanResult, opts: SarifOptions, list: ResultList): Log {
  const rules = RULES.map(toDescriptor);
  const index = ruleIndex();
  const lineHash = lineHashes();
  const kept = mostSevere(result.findings, MAX_SARIF_RESULTS);
  const truncated = result.findings.length - kept.length;
  const notifications: SarifNotification[] = result.notifications.map((n) => ({
    level: n.level,
    message: { text: escapeControl(elideLongRuns(n.message)) },
    ...(n.path !== undefined
      ? { locations: [{ physicalLocation: { artifactLocation: { uri: encodeUri(n.path), uriBaseId: '%SRCROOT%' } } }] }
      : {}),
    ...(n.ruleId !== undefined ? { associatedRule: { id: n.ruleId, ...ruleIndexOf(index, n.ruleId) } } : {}),
  }));
  if (truncated > 0) {
    notifications.push({
      level: 'warning',
      message: {
        text: `Results truncated: ${result.findings.length} findings, only the ${MAX_SARIF_RESULTS} most severe are included (GitHub's limit per run). Use --shard or fix the most frequent rules first.`,
      },
    });
  }
  const category = opts.category ?? 'chainproof';
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'chainproof',
            semanticVersion: opts.toolVersion,
            version: opts.toolVersion,
            informationUri: INFORMATION_URI,
            rules,
          },
        },
        automationDetails: {
          id: `${category}/${result.shard ? `shard-${result.shard.index}-of-${result.shard.count}` : ''}`,
        },
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The scanned repository root.' } } },
        invocations: [
          {
            executionSuccessful: result.complete,
            toolExecutionNotifications: notifications,
          },
        ],
        results: list(kept, (f) => toResult(f, index, lineHash)),
        properties: {
          summary: result.summary,
          ...(truncated > 0 ? { truncatedResults: truncated } : {}),
        },
      },
    ],
  };
}

function ruleIndexOf(index: Map<string, number>, id: string): { index?: number } {
  const i = index.get(id);
  return i === undefined ? {} : { index: i };
}

function toDescriptor(rule: Rule): ReportingDescriptor {
  return {
    id: rule.id,
    name: rule.name,
    shortDescription: { text: rule.short },
    fullDescription: { text: rule.full },
    help: { text: stripMarkdown(rule.help), markdown: rule.help },
    helpUri: `${INFORMATION_URI}/blob/main/docs/rules.md#${rule.id.toLowerCase()}`,
    defaultConfiguration: { level: rule.level },
    properties: {
      'security-severity': rule.severity,
      tags: [...rule.tags],
      precision: 'high',
      'problem.severity': rule.level === 'note' ? 'recommendation' : rule.level,
    },
  };
}

/**
 * `primaryLocationLineHash` values for one run's results, in the order they are written: the fingerprint, then
 * `:n`, the n-th result with that fingerprint, as github/codeql-action's `hash` (src/fingerprints.ts, `hashCounts`)
 * numbers identical line hashes. Two findings can share a fingerprint (the same package pinned on two lines of one
 * requirements file); code scanning takes results with equal fingerprints for one alert and keeps one. Findings
 * come sorted by path and line, so the numbering follows the file and survives lines moving.
 */
function lineHashes(): (f: ResolvedFinding) => string {
  const seen = new Map<string, number>();
  return (f) => {
    const n = (seen.get(f.fingerprint) ?? 0) + 1;
    seen.set(f.fingerprint, n);
    return `${f.fingerprint}:${n}`;
  };
}

/**
 * The SARIF region of a location. The schema holds lines and columns to integers from 1 (§3.30.5, §3.30.6) and
 * code scanning rejects the whole upload otherwise: a line or column that is not one (a parser's 0 for "unknown")
 * is left out — the file's first line for a line, no column for a column.
 */
function regionOf(loc: ResolvedFinding['location']): Region {
  const line = positive(loc.line);
  if (line === undefined) return { startLine: 1 };
  const column = positive(loc.column);
  const endLine = positive(loc.endLine);
  return {
    startLine: line,
    ...(column !== undefined ? { startColumn: column } : {}),
    ...(endLine !== undefined && endLine >= line ? { endLine } : {}),
  };
}

function positive(n: number | undefined): number | undefined {
  return n !== undefined && Number.isSafeInteger(n) && n >= 1 ? n : undefined;
}

function toResult(f: ResolvedFinding, index: Map<string, number>, lineHash: (f: ResolvedFinding) => string): Result {
  const region = regionOf(f.location);
  return {
    ruleId: f.ruleId,
    ...(index.has(f.ruleId) ? { ruleIndex: index.get(f.ruleId) } : {}),
    level: f.level,
    // Scanned names reach code-scanning alerts and PR annotations: control characters shown, not obeyed.
    message: {
      text: escapeControl(elideLongRuns(messageWithMember(f, (m) => ` (in ${m})`))),
    },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: encodeUri(f.location.path), uriBaseId: '%SRCROOT%' },
          region,
        },
      },
    ],
    ...(f.related !== undefined && f.related.length > 0
      ? {
          relatedLocations: f.related.slice(0, MAX_RELATED_LOCATIONS).map((r, i) => ({
            id: i,
            physicalLocation: {
              artifactLocation: { uri: encodeUri(r.path), uriBaseId: '%SRCROOT%' },
              region: { startLine: positive(r.line) ?? 1 },
            },
          })),
        }
      : {}),
    partialFingerprints: { primaryLocationLineHash: lineHash(f) },
    properties: {
      ...(f.related !== undefined && f.related.length > MAX_RELATED_LOCATIONS
        ? { relatedLocationsTruncated: f.related.length - MAX_RELATED_LOCATIONS }
        : {}),
      ...(f.artifact ? { artifact: f.artifact } : {}),
      ...(f.evidence ? { evidence: f.evidence } : {}),
    },
  };
}

/** Repo-relative POSIX path → relative URI reference (percent-encode what URIs forbid, keep `/`). */
export function encodeUri(p: string): string {
  return p.split('/').map(encodeUriComponent).join('/');
}

function stripMarkdown(md: string): string {
  return stripLinks(md.replace(/`([^`]*)`/g, '$1').replace(/\*\*([^*]*)\*\*/g, '$1'));
}

/**
 * `md.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')` by hand: a link's text kept, its target dropped. The expression
 * scanned to the end from every `[` of a run with no `]` (quadratic: messages quote hostile input).
 */
export function stripLinks(md: string): string {
  let out = '';
  let copied = 0;
  for (let open = md.indexOf('['); open >= 0;) {
    const close = md.indexOf(']', open + 1);
    if (close < 0) break;
    const end = md[close + 1] === '(' ? md.indexOf(')', close + 2) : -1;
    if (md[close + 1] === '(' && end < 0) break;
    if (end < 0) {
      // No `(` after this `]`: no `[` before it can start a link either.
      open = md.indexOf('[', close + 1);
      continue;
    }
    // From the leftmost `[` (its text may hold more `[`) to the first `]`, then `(…)`.
    out += md.slice(copied, open) + md.slice(open + 1, close);
    copied = end + 1;
    open = md.indexOf('[', end + 1);
  }
  return copied === 0 ? md : out + md.slice(copied);
}
