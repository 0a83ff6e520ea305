import type { Log, Region, ReportingDescriptor, Result, Notification as SarifNotification } from 'sarif';
import { messageWithMember, type Finding, type ResolvedFinding } from '../core/finding.js';
import { fingerprintOf } from '../core/fingerprint.js';
import type { ScanResult } from '../core/result.js';
import type { Rule } from '../core/rule.js';
import { RULES } from '../core/rules/index.js';
import { elideLongRuns, escapeControl } from '../core/escape-text.js';
import { encodeUriComponent } from '../core/uri-component.js';
import { MappedItems } from './json-chunks.js';
import { redactResult } from './redact.js';
import { rebaseResult, rebaseSarif } from './sarif-rebase.js';
import { fitUploadSize, MAX_SARIF_RESULTS, mostSevere } from './sarif-limits.js';

/** Related locations per result: one cause reaching thousands of packages stays one readable result. */
export const MAX_RELATED_LOCATIONS = 50;

/**
 * A grouped finding's members listed by fingerprint (`properties.memberFingerprints`, the first 16 hex digits: 64
 * bits tell a set of members apart) up to this many, about 95 KB per group: a baseline then tells a group that gained
 * a member from the group it already held (baseline.ts). A larger group is listed by no member, and a baseline judges
 * it by its own fingerprint alone, within code scanning's upload size.
 */
const MAX_MEMBER_FINGERPRINTS = 5_000;

export const INFORMATION_URI = 'https://github.com/chainproof/chainproof';

export interface SarifOptions {
  readonly toolVersion: string;
  /** `automationDetails.id` prefix (GitHub's category); the run id is `<category>/` (automationId). */
  readonly category?: string;
}

/** SARIF 2.1.0 that `github/codeql-action/upload-sarif` accepts. */
export function toSarif(result: ScanResult, opts: SarifOptions): Log {
  const redacted = redactResult(result);
  // Each result is built once: measured for the upload limit, then written — unless the limit cut some, when the
  // rest are built again so their line hashes count among themselves (as the stream's do).
  const built = measuredResults(redacted.findings);
  const cut = built.fitted.length < built.all.length;
  return sarifLog(redacted, built.fitted, opts, (kept, map) => (cut ? kept.map(map) : built.results));
}

/**
 * The same log for jsonChunks, rebased under `uriPrefix` as rebaseSarif does: results are mapped one written piece
 * at a time (up to 25,000 of them held as objects were a third of a flood's peak). JSON.stringify of it gives
 * `rebaseSarif(toSarif(…), uriPrefix)`'s text.
 */
export function toSarifStream(scanned: ScanResult, opts: SarifOptions & { readonly uriPrefix: string }): unknown {
  const result = redactResult(scanned);
  const kept = keptResults(result.findings);
  const shell = rebaseSarif(
    sarifLog(result, kept, opts, () => []),
    opts.uriPrefix,
  );
  const index = ruleIndex();
  const lineHash = lineHashes();
  // The results key keeps its place in the run; a MappedItems stands in for the array it writes.
  const run = shell.runs[0] as unknown as { results: unknown };
  run.results = new MappedItems(kept, (f) => rebaseResult(toResult(f, index, lineHash), opts.uriPrefix));
  return shell;
}

/**
 * The findings a run writes: the 25,000 most severe (GitHub's limit per run), and of those as many as code scanning
 * takes in one upload (fitUploadSize).
 */
function keptResults(findings: readonly ResolvedFinding[]): ResolvedFinding[] {
  const index = ruleIndex();
  const lineHash = lineHashes();
  return fitUploadSize(mostSevere(findings, MAX_SARIF_RESULTS), (f) => JSON.stringify(toResult(f, index, lineHash)));
}

/**
 * `keptResults` for a log held whole (`toSarif`), with the results it measured: `all` the most severe findings,
 * `results` theirs (one rule index and line-hash count, as `sarifLog` builds them), `fitted` the findings the upload
 * size keeps. The stream measures one result at a time instead: it never holds them all.
 */
function measuredResults(findings: readonly ResolvedFinding[]): {
  readonly all: readonly ResolvedFinding[];
  readonly results: Result[];
  readonly fitted: ResolvedFinding[];
} {
  const index = ruleIndex();
  const lineHash = lineHashes();
  const all = mostSevere(findings, MAX_SARIF_RESULTS);
  const results = all.map((f) => toResult(f, index, lineHash));
  const fitted = fitUploadSize(
    Array.from(all.keys()),
    (i) => JSON.stringify(results[i]),
    (i) => all[i]!.level,
  ).map((i) => all[i]!);
  return { all, results, fitted };
}

type ResultList = (kept: readonly ResolvedFinding[], map: (f: ResolvedFinding) => Result) => Result[];

function ruleIndex(): Map<string, number> {
  return new Map(RULES.map((r, i) => [r.id, i]));
}

function sarifLog(result: ScanResult, kept: readonly ResolvedFinding[], opts: SarifOptions, list: ResultList): Log {
  const rules = RULES.map(toDescriptor);
  const index = ruleIndex();
  const lineHash = lineHashes();
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
        text: `Results truncated: ${result.findings.length} findings, only the ${kept.length} most severe are included (GitHub's limits: ${MAX_SARIF_RESULTS} results per run, 10 MB gzipped per upload). Use --shard or fix the most frequent rules first.`,
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
        automationDetails: { id: automationId(shardCategory(category, result.shard)) },
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

/**
 * The category a run is uploaded under: code scanning keys an analysis by everything before the last `/` of
 * `automationDetails.id`, and an upload replaces the alerts of the one before it in the same category. upload-sarif's
 * own `category` input is written only into a run without automationDetails (codeql-action upload-lib.ts
 * `populateRunAutomationDetails`), so the SARIF's id decides. An id of `<category>/shard-i-of-n` put every job of a
 * matrix under `<category>`, each upload closing the alerts of the shards before it: the shard is part of the
 * category instead, and `sarif merge` takes it off again (unshardedCategory).
 */
function shardCategory(category: string, shard: ScanResult['shard']): string {
  // `models/` is the category `models` (automationId): its shards are `models/shard-i-of-n`, not `models//shard-…`.
  return shard ? `${category.replace(/\/$/, '')}/shard-${shard.index}-of-${shard.count}` : category;
}

/**
 * The run id of a category as upload-sarif writes one (codeql-action upload-lib.ts `getAutomationID`): a `/` is
 * added unless the category ends in one. `--category models/` wrote `models//`, the category `models/`, apart
 * from the `models` an upload-sarif `category: models/` keys its runs under.
 */
export function automationId(category: string): string {
  return category.endsWith('/') ? category : `${category}/`;
}

/** A shard's category back to the category of the whole scan (`chainproof/shard-2-of-4` → `chainproof`). */
export function unshardedCategory(category: string): string {
  return category.replace(/\/shard-\d+-of-\d+$/, '');
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

/** A line or column as SARIF and the runner take it: an integer from 1, else undefined. */
export function positive(n: number | undefined): number | undefined {
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
      ...(f.artifact ? { artifact: elideValues(f.artifact) } : {}),
      ...(f.evidence ? { evidence: elideValues(f.evidence) } : {}),
      ...memberFingerprints(f),
    },
  };
}

/** How a member is named in `memberFingerprints`, and looked up by a baseline. */
export function memberFingerprint(member: Finding): string {
  return fingerprintOf(member).slice(0, 16);
}

/**
 * The fingerprints of a grouped finding's members, sorted. A group keeps its fingerprint when members join it (one
 * alert in code scanning), so a baseline holding "811 packages have no integrity" hid the 812th, added by a lockfile
 * injection, and the scan passed: with the members listed, the baseline sees the new one.
 */
function memberFingerprints(f: ResolvedFinding): { memberFingerprints?: string[] } {
  const members = f.members;
  if (members === undefined || members.length === 0 || members.length > MAX_MEMBER_FINGERPRINTS) return {};
  return { memberFingerprints: [...new Set(members.map(memberFingerprint))].sort() };
}

/**
 * An artifact's or evidence's strings shortened as messages are (elideLongRuns). A pickle's GLOBAL may name a module of
 * any length (pickle.py `_Unpickler.load_global` reads it to the line end), and a 200,000-character name reached the
 * SARIF whole in each finding's evidence: 100 such files made a 20 MB log, 14.7 MB gzipped, over code scanning's
 * 10 MB upload limit, so not one alert of the scan showed. The JSON report keeps them whole.
 */
function elideValues<T extends object>(record: T): T {
  let out: Record<string, unknown> | undefined;
  const values = record as Record<string, unknown>;
  for (const k in values) {
    const v = values[k];
    if (typeof v !== 'string') continue;
    const short = elideLongRuns(v);
    if (short !== v) (out ??= { ...values })[k] = short;
  }
  return (out ?? record) as T;
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
