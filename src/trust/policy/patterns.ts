/**
 * Identity patterns in a policy match the whole value: `^(?:…)$` is implied. @sigstore/verify treats a string
 * identity as an unanchored expression, so `acme` would match `evil-acme`; verifiers should use this helper.
 * The `u` flag is the strict syntax (a stray `\-` or `{` is an error, not a literal), and what the verifiers use.
 */
export function anchoredRegExp(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, 'u');
}

/** The compile error of a pattern, or undefined when it compiles. */
export function regexError(pattern: string): string | undefined {
  try {
    anchoredRegExp(pattern);
    return undefined;
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    // V8 says "Invalid regular expression: /^(?:x)$/: reason"; keep the reason only.
    return msg.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
  }
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
