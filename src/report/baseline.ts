import { readFile, stat } from 'node:fs/promises';
import { ConfigError } from '../core/errors.js';
import type { Finding, ResolvedFinding } from '../core/finding.js';
import { memberName } from '../core/group-causes.js';
import { countByLevel, type ScanResult } from '../core/result.js';
import { isRecord } from '../core/is-record.js';
import { toRedacted } from './redact.js';
import { memberFingerprint } from './sarif.js';

/** A baseline SARIF larger than this is refused rather than read into memory. */
export const MAX_BASELINE_BYTES = 256 * 1024 * 1024;

/**
 * The identities a previous SARIF log holds: `ruleId` + `primaryLocationLineHash`. The hash's `:n` occurrence
 * suffix is dropped, so a finding counts as known whatever its position among identical ones.
 * Parsed defensively: the file is whatever a previous job (or a person) left there.
 */
export function baselineKeys(log: unknown, source = 'baseline'): Set<string> {
  if (!isRecord(log) || !Array.isArray(log['runs'])) {
    throw new ConfigError(`${source} is not a SARIF log: expected an object with a "runs" array`, source);
  }
  const keys = new Set<string>();
  for (const run of log['runs'] as unknown[]) {
    if (!isRecord(run) || !Array.isArray(run['results'])) continue;
    const rules = isRecord(run['tool']) && isRecord(run['tool']['driver']) ? run['tool']['driver']['rules'] : undefined;
    for (const r of run['results'] as unknown[]) {
      if (!isRecord(r)) continue;
      const ruleId = resultRuleId(r, Array.isArray(rules) ? rules : []);
      const fp = isRecord(r['partialFingerprints']) ? r['partialFingerprints']['primaryLocationLineHash'] : undefined;
      if (ruleId === undefined || typeof fp !== 'string') continue;
      const key = keyOf(ruleId, fp);
      keys.add(key);
      const members = isRecord(r['properties']) ? r['properties']['memberFingerprints'] : undefined;
      if (!Array.isArray(members)) continue;
      keys.add(membersListedKey(key));
      for (const m of members) if (typeof m === 'string') keys.add(memberKey(key, m));
    }
  }
  return keys;
}

/** The key a finding of this scan has in a baseline: the same value `toSarif` writes as its line hash. */
export function findingKey(f: ResolvedFinding): string {
  return keyOf(f.ruleId, f.fingerprint);
}

/**
 * Keep only findings whose key is not in the baseline. The summary's level counts follow the findings kept;
 * a notification says how many known findings were left out, so a quiet report is never mistaken for a clean tree.
 */
export function filterNewFindings(result: ScanResult, keys: ReadonlySet<string>, source = 'baseline'): ScanResult {
  const findings: ResolvedFinding[] = [];
  for (const f of result.findings) {
    if (!keys.has(findingKey(f))) {
      findings.push(f);
      continue;
    }
    const added = newMembers(f, keys);
    if (added.length > 0) findings.push(namingNewMembers(f, added));
  }
  const known = result.findings.length - findings.length;
  const byLevel = countByLevel(findings);
  return {
    ...result,
    findings,
    summary: { ...result.summary, byLevel, baselined: known },
    notifications:
      known > 0
        ? [
            ...result.notifications,
            {
              level: 'note',
              message: `${known} finding${known === 1 ? '' : 's'} already in the baseline ${source} not reported`,
            },
          ]
        : result.notifications,
  };
}

/**
 * A previous SARIF file, read now, as the filter that keeps a result's new findings only. A missing or malformed file
 * is a config error. Commands load it before the scan: such a baseline was found only after the whole scan had run,
 * to end in the same exit 2.
 */
export async function loadBaseline(file: string): Promise<(result: ScanResult) => ScanResult> {
  const keys = await baselineKeysOf(file);
  return (result) => filterNewFindings(result, keys, file);
}

async function baselineKeysOf(file: string): Promise<Set<string>> {
  const st = await stat(file).catch((err: unknown) => {
    throw new ConfigError(`cannot read baseline ${file}: ${(err as { code?: string }).code ?? String(err)}`, file, {
      cause: err,
    });
  });
  if (!st.isFile()) throw new ConfigError(`baseline ${file} is not a file`, file);
  if (st.size > MAX_BASELINE_BYTES)
    throw new ConfigError(`baseline ${file} is ${st.size} bytes, over the ${MAX_BASELINE_BYTES}-byte limit`, file);
  let log: unknown;
  try {
    log = JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (err) {
    throw new ConfigError(
      `baseline ${file} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
      file,
      { cause: err },
    );
  }
  return baselineKeys(log, file);
}

/**
 * The members of a grouped finding the baseline holds that it did not list (sarif.ts `memberFingerprints`): a package
 * without integrity added to a lockfile already reported for hundreds is this change's, and the group is reported
 * again. A baseline that lists no members for the group (written before, or a group too large to list) judges it as
 * before: none.
 */
function newMembers(f: ResolvedFinding, keys: ReadonlySet<string>): readonly Finding[] {
  const key = findingKey(f);
  if (f.members === undefined || !keys.has(membersListedKey(key))) return [];
  // Fingerprinted as the SARIF writer fingerprinted them: redacted (a member's evidence may quote a tokenised URL).
  return f.members.filter((m) => !keys.has(memberKey(key, memberFingerprint(toRedacted(m)))));
}

/** Names in a re-reported group's message; the evidence lists up to MAX_NEW_MEMBER_NAMES. */
const NEW_MEMBERS_IN_MESSAGE = 5;
const MAX_NEW_MEMBER_NAMES = 50;

/**
 * A group re-reported for members it gained, saying which: "812 packages have no integrity" again sent the reviewer
 * hunting for the one added. The message names them with their places and the evidence lists them (`newMembers`).
 * `related` keeps its order: the verbose text pairs it with the evidence's `packages` (text.ts `relatedLines`). The
 * fingerprint is the group's, so its alert stays one. Fields are copied by name: the finding may format its text on
 * demand (finding.ts DeferredFinding).
 */
function namingNewMembers(f: ResolvedFinding, added: readonly Finding[]): ResolvedFinding {
  const named = [...new Set(added.map(namedAt))];
  const shown = named.slice(0, NEW_MEMBERS_IN_MESSAGE).join(', ');
  const more = named.length > NEW_MEMBERS_IN_MESSAGE ? ` and ${named.length - NEW_MEMBERS_IN_MESSAGE} more` : '';
  const names = [...new Set(added.map(memberName))];
  return {
    ruleId: f.ruleId,
    level: f.level,
    fingerprint: f.fingerprint,
    message: `${f.message} New since the baseline: ${shown}${more}.`,
    location: f.location,
    ...(f.artifact !== undefined ? { artifact: f.artifact } : {}),
    evidence: { ...f.evidence, newMembers: names.slice(0, MAX_NEW_MEMBER_NAMES).join(' ') },
    ...(f.related !== undefined ? { related: f.related } : {}),
    ...(f.members !== undefined ? { members: f.members } : {}),
  };
}

/** `evil@1.0.0 at package-lock.json:111`: a member by name and place (a SARIF group links only its first 50). */
function namedAt(m: Finding): string {
  const place = `${m.location.path}:${m.location.line ?? 1}`;
  const name = memberName(m);
  return name === place ? place : `${name} at ${place}`;
}

const membersListedKey = (key: string) => `${key}\u0000members`;
const memberKey = (key: string, member: string) => `${key}\u0000member\u0000${member}`;

function keyOf(ruleId: string, lineHash: string): string {
  return `${ruleId}\u0000${lineHash.replace(/:\d+$/, '')}`;
}

/** SARIF names the rule by `ruleId`, by `rule.id`, or only by an index into the driver's rules. */
function resultRuleId(r: Record<string, unknown>, rules: readonly unknown[]): string | undefined {
  if (typeof r['ruleId'] === 'string') return r['ruleId'];
  const ref = r['rule'];
  if (isRecord(ref)) {
    if (typeof ref['id'] === 'string') return ref['id'];
    if (typeof ref['index'] === 'number') return ruleAt(rules, ref['index']);
  }
  if (typeof r['ruleIndex'] === 'number') return ruleAt(rules, r['ruleIndex']);
  return undefined;
}

function ruleAt(rules: readonly unknown[], i: number): string | undefined {
  const d = Number.isInteger(i) && i >= 0 ? rules[i] : undefined;
  return isRecord(d) && typeof d['id'] === 'string' ? d['id'] : undefined;
}
