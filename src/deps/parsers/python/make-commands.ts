import { makeAssignments } from '../../../core/make-assignment.js';

/** Expansions of one variable inside another at most (make itself stops only at a self-reference). */
const MAX_DEPTH = 16;
/**
 * Characters an expanded line may grow to, and variables expanded in one line, past which it is left as written
 * (`A = $(B)$(B)`, nested: exponential, even when the innermost value is empty).
 */
const MAX_LINE = 16_384;
const MAX_EXPANSIONS = 1_024;

/**
 * A Makefile as the shell lines make runs: each `$(NAME)` / `${NAME}` of a variable the file sets at its top level
 * replaced by its value, expanded in turn (GNU make's `variable_expand_string` on a recipe line before the shell
 * sees it), so `$(PIP) install git+…` with `PIP = $(VENV)/bin/pip` is the `pip install` it runs. For `?=` the
 * first setting holds, for the others the last (the value `make VAR=…` or the environment does not override). A
 * variable the file does not set, and make's functions (`$(shell …)`), stay as written; `$$` is the shell's `$`.
 * One output line per input line, so findings keep their lines.
 */
export function makeCommands(text: string): string {
  const lines = text.split('\n');
  // A value on the next line (`X = \`) is none of these: it is not read.
  const values = makeAssignments(lines, (value) => value.endsWith('\\'));
  return lines.map((line) => (line.includes('$') ? (expandLine(line, values) ?? line) : line)).join('\n');
}

/** The line with the variables expanded; undefined when it would pass a bound. */
function expandLine(line: string, values: ReadonlyMap<string, string>): string | undefined {
  const out: string[] = [];
  let size = 0;
  let expansions = 0;
  const expand = (s: string, depth: number): boolean => {
    if (depth > MAX_DEPTH || ++expansions > MAX_EXPANSIONS) return false;
    let from = 0;
    for (let at = s.indexOf('$'); at >= 0; at = s.indexOf('$', from)) {
      out.push(s.slice(from, at));
      size += at - from;
      const ref = /^\$(?:\(([A-Za-z_]\w*)\)|\{([A-Za-z_]\w*)\}|(\$))/.exec(s.slice(at, at + 256));
      const name = ref?.[1] ?? ref?.[2];
      const value = name === undefined ? undefined : values.get(name);
      if (ref?.[3] !== undefined) {
        // `$$`: one `$` handed to the shell, not read again.
        out.push('$');
        size += 1;
      } else if (value !== undefined) {
        if (!expand(value, depth + 1)) return false;
      } else {
        // Not a variable set here: kept as written.
        const kept = ref?.[0] ?? '$';
        out.push(kept);
        size += kept.length;
      }
      from = at + (ref?.[0].length ?? 1);
      if (size > MAX_LINE) return false;
    }
    out.push(s.slice(from));
    size += s.length - from;
    return size <= MAX_LINE;
  };
  return expand(line, 0) ? out.join('') : undefined;
}
