import type { Invocation, Log, ReportingDescriptor, Result, Run } from 'sarif';
import { UsageError } from '../core/errors.js';
import { MAX_SARIF_RESULTS } from './sarif.js';

export interface MergeOptions {
  /** Category for the merged run (`automationDetails.id` becomes `<category>/`); default: the inputs' common one. */
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
  const kept = results.slice(0, MAX_SARIF_RESULTS);
  const truncated = results.length - kept.length;
  if (truncated > 0) {
    invocations.push({
      executionSuccessful: true,
      toolExecutionNotifications: [
        {
          level: 'warning',
          message: {
            text: `Merged results truncated: ${results.length} results, only the first ${MAX_SARIF_RESULTS} are included (GitHub's limit per run). Upload each shard with its own category instead.`,
          },
        },
      ],
    });
  }

  const merged: Run = {
    tool: { ...first.tool, driver: { ...first.tool.driver, rules } },
    automationDetails: { id: `${category ?? commonCategory(runs)}/` },
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

/** GitHub's category is everything before the last `/` of `automationDetails.id`. */
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
  return slash < 0 ? id : id.slice(0, slash);
}

function mergeBaseIds(runs: readonly Run[]): Pick<Run, 'originalUriBaseIds'> | undefined {
  const ids: NonNullable<Run['originalUriBaseIds']> = {};
  for (const r of runs) for (const [k, v] of Object.entries(r.originalUriBaseIds ?? {})) ids[k] ??= v;
  return Object.keys(ids).length > 0 ? { originalUriBaseIds: ids } : undefined;
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
  for (const [i, run] of (o['runs'] as unknown[]).entries()) {
    const driver = (run as { tool?: { driver?: { name?: unknown } } } | null)?.tool?.driver;
    if (typeof driver?.name !== 'string') throw new UsageError(`${source}: runs[${i}].tool.driver.name is missing`);
    const results = (run as { results?: unknown }).results;
    if (results !== undefined && !Array.isArray(results))
      throw new UsageError(`${source}: runs[${i}].results is not an array`);
  }
  return v as Log;
}
