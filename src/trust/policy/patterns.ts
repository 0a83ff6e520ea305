import safeRegex from 'safe-regex2';
import { compileLinear } from './identity-pattern.js';

/**
 * Identity patterns in a policy match the whole value: `^(?:…)$` is implied. @sigstore/verify treats a string
 * identity as an unanchored expression, so `acme` would match `evil-acme`; verifiers should use this helper.
 * The `u` flag is the strict syntax (a stray `\-` or `{` is an error, not a literal), and what the verifiers use.
 */
export function anchoredRegExp(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, 'u');
}

/** Identity patterns are short; a longer one is refused before any engine or checker sees it. */
export const MAX_PATTERN_LENGTH = 1024;

/**
 * Why a pattern cannot be used, or undefined when it is fine: too long, does not compile, or can backtrack
 * catastrophically. Patterns run on signer identities an attacker chooses, so `(a+)+b` would let a crafted
 * certificate stall verification. safe-regex2 (fastify) refuses nested quantifiers (star height > 1) and more
 * than 25 quantifiers — a conservative rule: some safe patterns such as `(?:[a-z]+\.)*x` must be rewritten
 * (`[a-z.]*x`).
 */
export function regexError(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) return `longer than ${MAX_PATTERN_LENGTH} characters`;
  let re: RegExp;
  try {
    re = anchoredRegExp(pattern);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    // V8 says "Invalid regular expression: /^(?:x)$/: reason"; keep the reason only.
    return msg.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
  }
  try {
    compileLinear(re.source); // what signers are matched with (verify/policy/signers.ts) must accept it too
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return `the linear-time matcher does not support it (${msg.replace(/^error parsing regexp: /, '')}); lookaround and backreferences cannot be used`;
  }
  let safe: boolean;
  try {
    safe = safeRegex(re);
  } catch {
    safe = false; // the checker recurses over the pattern; one it cannot walk is not one we can vouch for
  }
  return safe
    ? undefined
    : 'it can backtrack catastrophically (a quantifier inside a repeated group, or too many quantifiers); rewrite it without nested repetition, e.g. (?:[a-z]+\\.)* as [a-z.]*';
}

/** A real calendar date written YYYY-MM-DD (no 2025-02-30, no month 13). */
export function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** Today as YYYY-MM-DD in UTC, the form suppression expiry dates are compared in. */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** Why a repo-relative glob cannot match anything chainproof reports, or undefined when it is fine. */
export function repoPathError(glob: string): string | undefined {
  if (glob.includes('\\')) return 'expected a POSIX path with / separators';
  if (glob.startsWith('/') || /^[A-Za-z]:/.test(glob)) return 'expected a path relative to the repository root';
  if (glob.split('/').some((s) => s === '..')) return 'expected a path inside the repository (no ..)';
  return undefined;
}
