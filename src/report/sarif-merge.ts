import type { Invocation, Log, ReportingDescriptor, Result, Run } from 'sarif';
import { UsageError } from '../core/errors.js';
import { automationId, unshardedCategory } from './sarif.js';
import { fitUploadSize, MAX_SARIF_RESULTS, mostSevere } from './sarif-limits.js';
import { isRecord } from '../core/is-record.js';

export interface MergeOptions {
  /** Category for the merged run (its `automationDetails.id` is automationId's); default: the inputs' common one. */
  readonly category?: string;
}

/**
 * Join SARIF logs (e.g. one per shard of a matrix) into one log with one run per tool: the rules are the union,
 * every `ruleIndex` is recomputed against it, identical results (rule, fingerprints, location) appear once,
 * invocations are concatenated. Results are sorted, so the merge does not depend on the order of the inputs.
 */
export function mergeSarif(logs: readonly Log[], opts: MergeOptions = {}): Log {
  if (logs.length === 0) throw new UsageError('sarif merge needs at least one input file');
  const groups = new Map<string, Run[]>();
  for (const log of logs) {
    for (const run of log.runs) {
      const name = run.tool.driver.name;
      const list = groups.get(name) ?? [];
      list.push(run);
      groups.set(name, list);
    }
  }
  const runs = [...groups.values()].map((group) => mergeRuns(group, opts.category));
  const first = logs[0]!;
  return { ...(first.$schema !== undefined ? { $schema: first.$schema } : {}), version: '2.1.0', runs };
}

function mergeRuns(runs: readonly Run[], category: string | undefined): Run {
  const first = runs[0]!;
  const rules: ReportingDescriptor[] = [];
  const ruleIndex = new Map<string, number>();
  const addRule = (d: ReportingDescriptor): number => {
    const known = ruleIndex.get(d.id);
    if (known !== undefined) return known;
    ruleIndex.set(d.id, rules.length);
    rules.push(d);
    return rules.length - 1;
  };
  // Collect every rule first, sorted by id, so indices do not depend on input order.
  const allRules = runs.flatMap((r) => r.tool.driver.rules ?? []);
  for (const d of [...allRules].sort((a, b) => cmp(a.id, b.id))) addRule(d);

  const seen = new Set<string>();
  const results: Result[] = [];
  for (const run of runs) {
    const own = run.tool.driver.rules ?? [];
    for (const r of run.results ?? []) {
      const id = ruleIdOf(r, own);
      const rebased = reindex(r, id, ruleIndex);
      const key = identity(rebased, id);
      if (seen.has(key)) continue;
      seen.add(key);
      results.push(rebased);
    }
  }
  results.sort(compareResults);

  const invocations: Invocation[] = runs.flatMap((run) =>
    (run.invocations ?? []).map((inv) => ({
      ...inv,
      ...(inv.toolExecutionNotifications
        ? {
            toolExecutionNotifications: inv.toolExecutionNotifications.map((n) => {
              const id = n.associatedRule?.id;
              const idx = id !== undefined ? ruleIndex.get(id) : undefined;
              return n.associatedRule && id !== undefined
                ? { ...n, associatedRule: { ...n.associatedRule, ...(idx !== undefined ? { index: idx } : {}) } }
                : n;
            }),
          }
        : {}),
    })),
  );
  const level = (r: Result) => r.level ?? levelOfRule(r, rules);
  // Shards each within the upload limit can pass it together.
  const kept = fitUploadSize(mostSevere(results, MAX_SARIF_RESULTS, level), (r) => JSON.stringify(r), level);
  const truncated = results.length - kept.length;
  if (truncated > 0) {
    invocations.push({
      executionSuccessful: true,
      toolExecutionNotifications: [
        {
          level: 'warning',
          message: {
            text: `Merged results truncated: ${results.length} results, only the ${kept.length} most severe are included (GitHub's limits: ${MAX_SARIF_RESULTS} results per run, 10 MB gzipped per upload). Upload each shard's SARIF instead.`,
          },
        },
      ],
    });
  }

  const merged: Run = {
    tool: { ...first.tool, driver: { ...first.tool.driver, rules } },
    automationDetails: { id: automationId(category ?? commonCategory(runs)) },
    ...(mergeBaseIds(runs) ?? {}),
    invocations,
    results: kept,
    properties: {
      mergedRuns: runs.length,
      ...(truncated > 0 ? { truncatedResults: truncated } : {}),
      inputs: runs.map((r) => ({
        automationId: r.automationDetails?.id ?? '',
        ...(r.properties ? { properties: r.properties } : {}),
      })),
    },
  };
  return merged;
}

/**
 * GitHub's category is everything before the last `/` of `automationDetails.id`; the shards of one scan name theirs
 * (`chainproof/shard-2-of-4/`) and merge back into it.
 */
function commonCategory(runs: readonly Run[]): string {
  const cats = new Set(runs.map((r) => categoryOf(r.automationDetails?.id)));
  if (cats.size > 1) {
    throw new UsageError(
      `the runs to merge have different categories (${[...cats].sort().join(', ')}); give --category for the merged run or upload them separately`,
    );
  }
  return [...cats][0] ?? 'chainproof';
}

function categoryOf(id: string | undefined): string {
  if (id === undefined || id === '') return 'chainproof';
  const slash = id.lastIndexOf('/');
  return unshardedCategory(slash < 0 ? id : id.slice(0, slash));
}

function mergeBaseIds(runs: readonly Run[]): Pick<Run, 'originalUriBaseIds'> | undefined {
  const ids: NonNullable<Run['originalUriBaseIds']> = {};
  for (const r of runs) for (const [k, v] of Object.entries(r.originalUriBaseIds ?? {})) ids[k] ??= v;
  return Object.keys(ids).length > 0 ? { originalUriBaseIds: ids } : undefined;
}

/** A result without a level has its rule's default one (SARIF §3.27.10), else `warning`. */
function levelOfRule(r: Result, rules: readonly ReportingDescriptor[]): string | undefined {
  const i = r.ruleIndex;
  return i !== undefined ? rules[i]?.defaultConfiguration?.level : undefined;
}

function ruleIdOf(r: Result, rules: readonly ReportingDescriptor[]): string | undefined {
  if (r.ruleId !== undefined) return r.ruleId;
  if (r.rule?.id !== undefined) return r.rule.id;
  const i = r.rule?.index ?? r.ruleIndex;
  return i !== undefined ? rules[i]?.id : undefined;
}

function reindex(r: Result, id: string | undefined, index: ReadonlyMap<string, number>): Result {
  const rest: Result = { ...r };
  const rule = r.rule;
  delete rest.ruleIndex;
  delete rest.rule;
  const i = id !== undefined ? index.get(id) : undefined;
  return {
    ...(id !== undefined ? { ruleId: id } : {}),
    ...(i !== undefined ? { ruleIndex: i } : {}),
    ...rest,
    ...(rule !== undefined ? { rule: { ...rule, ...(i !== undefined ? { index: i } : {}) } } : {}),
  };
}

/** Results are the same finding when rule, fingerprints and primary location agree. */
function identity(r: Result, id: string | undefined): string {
  const fps = r.partialFingerprints
    ? Object.keys(r.partialFingerprints)
        .sort()
        .map((k) => `${k}=${r.partialFingerprints?.[k]}`)
    : [];
  const loc = primaryLocation(r);
  return JSON.stringify([id ?? '', fps, loc.uri, loc.line, loc.column, fps.length === 0 ? (r.message.text ?? '') : '']);
}

function primaryLocation(r: Result): { uri: string; line: number; column: number } {
  const p = r.locations?.[0]?.physicalLocation;
  return { uri: p?.artifactLocation?.uri ?? '', line: p?.region?.startLine ?? 0, column: p?.region?.startColumn ?? 0 };
}

function compareResults(a: Result, b: Result): number {
  const la = primaryLocation(a);
  const lb = primaryLocation(b);
  return (
    cmp(la.uri, lb.uri) ||
    la.line - lb.line ||
    la.column - lb.column ||
    cmp(a.ruleId ?? '', b.ruleId ?? '') ||
    cmp(
      a.partialFingerprints?.['primaryLocationLineHash'] ?? '',
      b.partialFingerprints?.['primaryLocationLineHash'] ?? '',
    ) ||
    cmp(a.message.text ?? '', b.message.text ?? '')
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Parse one input file's text as a SARIF 2.1.0 log; `source` names it in errors. Parsed defensively. */
export function parseSarifLog(text: string, source: string): Log {
  let v: unknown;
  try {
    v = JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`${source} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new UsageError(`${source} is not a SARIF log (expected a JSON object)`);
  const o = v as Record<string, unknown>;
  if (o['version'] !== '2.1.0')
    throw new UsageError(`${source} is not SARIF 2.1.0 (version is ${JSON.stringify(o['version'])})`);
  if (!Array.isArray(o['runs'])) throw new UsageError(`${source} has no "runs" array`);
  for (const [i, run] of (o['runs'] as unknown[]).entries()) checkRun(run, `${source}: runs[${i}]`);
  return v as Log;
}

/**
 * The parts of a run the merge reads, checked with the JSON path of the first that is wrong: a log another tool (or a
 * person) wrote with `null` among its results stopped the merge with "internal error: Cannot read properties of
 * null" (exit 4). Shapes follow the SARIF 2.1.0 schema: a result needs a `message`.
 */
function checkRun(run: unknown, at: string): void {
  const r = objectAt(run, at);
  const driver = isRecord(r['tool']) ? r['tool']['driver'] : undefined;
  if (!isRecord(driver) || typeof driver['name'] !== 'string')
    throw new UsageError(`${at}.tool.driver.name is missing`);
  eachObject(driver['rules'], `${at}.tool.driver.rules`, (rule, ruleAt) => {
    if (typeof rule['id'] !== 'string') throw new UsageError(`${ruleAt}.id is not a string`);
  });
  if (r['automationDetails'] !== undefined) {
    const id = objectAt(r['automationDetails'], `${at}.automationDetails`)['id'];
    if (id !== undefined && typeof id !== 'string') throw new UsageError(`${at}.automationDetails.id is not a string`);
  }
  eachObject(r['results'], `${at}.results`, checkResult);
  eachObject(r['invocations'], `${at}.invocations`, (inv, invAt) =>
    eachObject(inv['toolExecutionNotifications'], `${invAt}.toolExecutionNotifications`, (n, nAt) =>
      objectAt(n['message'], `${nAt}.message`),
    ),
  );
}

function checkResult(result: Record<string, unknown>, at: string): void {
  objectAt(result['message'], `${at}.message`);
  for (const key of ['ruleId', 'level'] as const)
    if (result[key] !== undefined && typeof result[key] !== 'string')
      throw new UsageError(`${at}.${key} is not a string`);
  if (result['ruleIndex'] !== undefined && !Number.isInteger(result['ruleIndex']))
    throw new UsageError(`${at}.ruleIndex is not an integer`);
  if (result['rule'] !== undefined) objectAt(result['rule'], `${at}.rule`);
  if (result['partialFingerprints'] !== undefined) {
    const fps = objectAt(result['partialFingerprints'], `${at}.partialFingerprints`);
    for (const [k, v] of Object.entries(fps))
      if (typeof v !== 'string') throw new UsageError(`${at}.partialFingerprints.${k} is not a string`);
  }
  eachObject(result['locations'], `${at}.locations`, (loc, locAt) => {
    const p = loc['physicalLocation'];
    if (p === undefined) return;
    const physical = objectAt(p, `${locAt}.physicalLocation`);
    if (physical['artifactLocation'] !== undefined)
      objectAt(physical['artifactLocation'], `${locAt}.physicalLocation.artifactLocation`);
    if (physical['region'] !== undefined) objectAt(physical['region'], `${locAt}.physicalLocation.region`);
  });
  eachObject(result['relatedLocations'], `${at}.relatedLocations`, () => undefined);
}

/** Each item of an optional array, which must hold objects only. */
function eachObject(list: unknown, at: string, check: (item: Record<string, unknown>, at: string) => void): void {
  if (list === undefined) return;
  if (!Array.isArray(list)) throw new UsageError(`${at} is not an array`);
  for (const [i, item] of list.entries()) check(objectAt(item, `${at}[${i}]`), `${at}[${i}]`);
}

function objectAt(v: unknown, at: string): Record<string, unknown> {
  if (!isRecord(v)) throw new UsageError(`${at} is not an object`);
  return v;
}
