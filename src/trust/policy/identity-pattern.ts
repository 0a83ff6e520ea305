import { RE2JS } from 're2js';

/**
 * Signer identity patterns are matched on RE2JS, a linear-time engine: the subject comes from a certificate an
 * attacker may craft, and the load-time backtracking check (safe-regex2, star height) is a heuristic that passes
 * exponential patterns such as `(a|aa)+$` or polynomial ones such as `a.*b.*c.*d`. V8 keeps only the syntax check.
 */
const compiled = new WeakMap<RegExp, RE2JS>();

/** Compile an anchored pattern's source; throws RE2JS's syntax error on what RE2 lacks (lookaround, backreferences). */
export function compileLinear(source: string): RE2JS {
  return RE2JS.compile(source);
}

/** Does the whole value match the (already anchored) pattern? Linear in the value's length. */
export function matchesLinear(pattern: RegExp, value: string): boolean {
  let re = compiled.get(pattern);
  if (re === undefined) {
    re = compileLinear(pattern.source);
    compiled.set(pattern, re);
  }
  return re.matches(value);
}
