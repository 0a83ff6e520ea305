/**
 * Statements real Jinja2 parses in a chat template that `@huggingface/jinja` does not know, rewritten to ones it
 * reads with the same expressions in them, so their code is checked rather than the template reported as unparsed:
 * - `{% with a = x, b = y %}` … `{% endwith %}` (jinja2 `Parser.parse_with`: assignments, comma-separated) becomes
 *   `{% if true %}{% set a = x %}{% set b = y %}` … `{% endif %}`: the same names bound to the same expressions;
 * - `{% autoescape x %}` … `{% endautoescape %}` (`Parser.parse_autoescape`: one expression) becomes `{% if x %}` …
 *   `{% endif %}`;
 * - the `recursive` that ends a `{% for %}` (`Parser.parse_for`) is dropped; `loop(…)` in its body stays a call.
 * Input is the code of one `{% … %}` tag after its opening (a leading `-` kept), through its `%}`.
 */
export function respellStatement(code: string): string {
  const head = /^(-?\s*)(with|endwith|autoescape|endautoescape|for)\b/.exec(code);
  const closeAt = closeStart(code);
  if (head === null || closeAt < head[0].length) return code;
  const [, lead, keyword] = head as unknown as [string, string, string];
  const rest = code.slice(head[0].length, closeAt);
  const close = code.slice(closeAt);
  switch (keyword) {
    case 'endwith':
    case 'endautoescape':
      return rest.trim() === '' ? `${lead}endif${close}` : code;
    case 'autoescape':
      return `${lead}if${rest}${close}`;
    case 'for':
      return `${lead}for${withoutRecursive(rest)}${close}`;
    default:
      return respellWith(lead, rest, close) ?? code;
  }
}

/**
 * Where the `-?\s*%}` that ends `code` starts, the `-` in it when one stands right before the spaces; -1 when `code`
 * does not end with `%}`. Found from the end: a pattern for it tried at each character of a long run of spaces
 * rescans the run each time.
 */
function closeStart(code: string): number {
  if (!code.endsWith('%}')) return -1;
  const body = code.slice(0, -2).trimEnd();
  return body.endsWith('-') ? body.length - 1 : body.length;
}

/** A `for`'s code without the `recursive` it ends with (the spaces before it become one). */
function withoutRecursive(rest: string): string {
  const end = rest.trimEnd();
  if (!end.endsWith('recursive')) return rest;
  const before = end.slice(0, -'recursive'.length);
  const kept = before.trimEnd();
  return kept.length < before.length ? `${kept} ` : rest;
}

/** `with a = x, b = y` as `if true %}{% set a = x %}{% set b = y`; undefined for a shape this does not read. */
function respellWith(lead: string, assignments: string, close: string): string | undefined {
  const statements = ['if true'];
  for (const part of splitTopLevel(assignments)) {
    if (part.trim() === '') continue;
    const assignment = /^\s*([A-Za-z_]\w*)\s*=(?!=)([\s\S]+)$/.exec(part);
    if (assignment === null) return undefined;
    statements.push(`set ${assignment[1]!} =${assignment[2]!}`);
  }
  return `${lead}${statements.join(' %}{% ')} ${close}`;
}

/** The parts of `s` between commas outside brackets and string literals. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let p = 0; p < s.length; p++) {
    const c = s[p]!;
    if (c === "'" || c === '"') {
      for (p++; p < s.length && s[p] !== c; p++) if (s[p] === '\\') p++;
    } else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === ',' && depth === 0) {
      parts.push(s.slice(start, p));
      start = p + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}
