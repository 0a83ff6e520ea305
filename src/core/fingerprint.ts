import { hash } from 'node:crypto';
import type { Finding } from './finding.js';
import { byCodePoint } from './order.js';

/**
 * A fingerprint from content only: rule, path, member, artifact and evidence — never the line number, the absolute
 * path or the time, so it is stable across runs, machines and unrelated edits.
 */
export function fingerprintOf(f: Finding): string {
  // A finding for one cause across many places keeps its identity when the count or the list changes.
  const volatile = f.related === undefined ? NONE : f.evidence?.['cause'] !== undefined ? CAUSE_DETAILS : CAUSE_TALLIES;
  let evidence = '';
  if (f.evidence) {
    // `k=v` pairs in key order joined by `&`, built in one pass (no filtered, mapped and joined arrays per finding).
    for (const k of Object.keys(f.evidence).sort()) {
      if (volatile.has(k)) continue;
      evidence += `${evidence === '' ? '' : '&'}${k}=${String(f.evidence[k])}`;
    }
  }
  const text = `${f.ruleId}\u0000${f.location.path}\u0000${f.location.member ?? ''}\u0000${artifactText(f)}\u0000${evidence}`;
  // One-shot crypto.hash: the same SHA-256 of the same UTF-8 as createHash().update().digest(), without a Hash
  // object per finding (a third of applyPolicy's time for 300k findings).
  return hexOfFirst16(hash('sha256', text, 'binary'));
}

const HEX_DIGITS = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const hexUnits: number[] = new Array<number>(32).fill(0);

/**
 * Hex of the first 16 bytes of a digest given as a 'binary' (latin1) string, one char per byte, as one flat
 * 32-character string. A Buffer digest turned into hex cost twice the hash itself (0.4–0.9 s per 300k findings);
 * slicing the 64-character hex digest kept the whole of it alive in every finding (18 MB per 300k).
 */
function hexOfFirst16(digest: string): string {
  for (let i = 0; i < 16; i++) {
    const byte = digest.charCodeAt(i);
    hexUnits[2 * i] = HEX_DIGITS[byte >> 4]!;
    hexUnits[2 * i + 1] = HEX_DIGITS[byte & 15]!;
  }
  return String.fromCharCode(...hexUnits);
}

/**
 * The artifact as JSON with its keys sorted; package artifacts (nearly all, in a flood) spelled directly. A package's
 * `ecosystem` is left out, so fingerprints (baselines, SARIF alerts) stay those written before artifacts carried it:
 * the location path is in the fingerprint, and a package finding is located in a file of its one ecosystem (its
 * lockfile or manifest), so an npm and a PyPI package of one name and version never shared a fingerprint anyway.
 */
function artifactText(f: Finding): string {
  const a = f.artifact;
  if (a === undefined) return '';
  if (
    a.kind === 'package' &&
    typeof a.name === 'string' &&
    typeof a.version === 'string' &&
    Object.keys(a).length === ('ecosystem' in a ? 4 : 3)
  )
    return `{"kind":"package","name":${JSON.stringify(a.name)},"version":${JSON.stringify(a.version)}}`;
  return JSON.stringify(a, Object.keys(a).sort());
}

/**
 * Evidence that sums up a cause's members rather than naming the cause: besides the count and the names (`packages`,
 * `files`, and review's `archives`, `mappings`, `dependencies` with their `specs`), `formats`, the file formats among
 * CPM001's unknown model files, which changed with the first ONNX file added beside pickles and re-keyed the alert.
 */
const CAUSE_TALLIES: ReadonlySet<string> = new Set([
  'count',
  'packages',
  'files',
  'archives',
  'mappings',
  'dependencies',
  'specs',
  'formats',
]);
/**
 * A cause named by `evidence.cause` (registry/causes.ts groups by cause, registry, scope and lockfile) also keeps
 * `reason` out: it is one member's failure, and which request met the dead registry first and which the breaker
 * stopped is a race — one run "connect ECONNREFUSED", the next "failed 3 times in a row", a new SARIF alert and a
 * finding --baseline called new on every run.
 */
const CAUSE_DETAILS: ReadonlySet<string> = new Set([...CAUSE_TALLIES, 'reason']);
const NONE: ReadonlySet<string> = new Set();

/** Total order used for every output. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    byCodePoint(a.location.path, b.location.path) ||
    (a.location.line ?? 0) - (b.location.line ?? 0) ||
    (a.location.column ?? 0) - (b.location.column ?? 0) ||
    byCodePoint(a.ruleId, b.ruleId) ||
    byCodePoint(a.location.member ?? '', b.location.member ?? '') ||
    byCodePoint(a.message, b.message)
  );
}
