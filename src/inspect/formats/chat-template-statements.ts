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
  const m = /^(-?\s*)(with|endwith|autoescape|endautoescape|for)\b([\s\S]*?)(-?\s*%\})$/.exec(code);
  if (m === null) return code;
  const [, lead, keyword, rest, close] = m as unknown as [string, string, string, string, string];
  switch (keyword) {
    case 'endwith':
    case 'endautoescape':
      return rest.trim() === '' ? `${lead}endif${close}` : code;
    case 'autoescape':
      return `${lead}if${rest}${close}`;
    case 'for':
      return `${lead}for${rest.replace(/\s+recursive\s*$/, ' ')}${close}`;
    default:
      return respellWith(lead, rest, close) ?? code;
  }
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
