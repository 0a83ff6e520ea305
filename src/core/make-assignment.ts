import { hasLineTerminator } from './linear-text.js';

/**
 * A Makefile line that sets a variable at the top level (`MODEL ?= org/x`, `REV := main`, `X = y`; GNU make's
 * recursive, simple and conditional assignments, `override`/`export` before them): its name, operator and value.
 *
 * `/^(?:(?:override|export)\s+)?([A-Za-z_]\w*)\s*(\?=|:{0,3}=)\s*([^#]*?)\s*(?:#.*)?$/.exec(line)` in one pass
 * (redos): the value is what precedes the first `#`, trimmed; the line matches only if no line terminator follows
 * that `#` (`.` stops at one). The expression split a run of blanks three ways (its two `\s*` and the lazy value):
 * a 3 KB line of tabs ending `#\r…` took 15 s, cubic in its length.
 */
export function makeAssignment(line: string): { name: string; op: string; value: string } | undefined {
  // The name and operator are found as before (anchored, one way to match: linear).
  const head = /^(?:(?:override|export)\s+)?([A-Za-z_]\w*)\s*(\?=|:{0,3}=)/.exec(line);
  if (!head) return undefined;
  const rest = line.slice(head[0].length);
  const hash = rest.indexOf('#');
  if (hash >= 0 && hasLineTerminator(rest.slice(hash))) return undefined;
  // JavaScript's `trim` removes what `\s` matches.
  return { name: head[1]!, op: head[2]!, value: (hash < 0 ? rest : rest.slice(0, hash)).trim() };
}

/**
 * A Makefile's variables as its top-level assignments set them: for `?=` the first assignment holds, for the others
 * the last (what a recipe's `$(X)` expands to unless `make X=…`, or for `?=` the environment, sets another). A value
 * `skip` turns away is not read.
 */
export function makeAssignments(lines: readonly string[], skip: (value: string) => boolean): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of lines) {
    const m = makeAssignment(line);
    if (!m || skip(m.value) || (m.op === '?=' && out.has(m.name))) continue;
    out.set(m.name, m.value);
  }
  return out;
}
