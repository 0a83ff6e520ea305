import { isAsciiLetter, isAsciiWordChar, isSchemeChar } from '../../../core/ascii.js';
/**
 * Environment variables an installer substitutes into the text it reads, and which of them choose what is installed.
 *
 * pip's `req_file.expand_env_variables` (run by `preprocess` on every logical line, after comments are stripped and
 * before the line is split into a requirement and options) replaces `${NAME}` — `ENV_VAR_RE`, `[A-Z0-9_]+` only —
 * with `os.getenv(NAME)` when that is set and not empty, and leaves it as written otherwise. pipenv's
 * `Project.load_lockfile` runs `os.path.expandvars` (posixpath: `$name` or `${…}`) over each `_meta.sources` URL.
 */
/** Which installer's variables: pip's `${NAME}` (`ENV_VAR_RE`), or `os.path.expandvars`'s `$name` and `${…}`. */
export type VariableSyntax = 'pip' | 'expandvars';

const isPipNameChar = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || c === 95;

/**
 * The variables of `text` in order, as pip's `ENV_VAR_RE` (`\$\{([A-Z0-9_]+)\}`) or posixpath's `_varprog`
 * (`\$(\w+|\{[^}]*\})`, compiled with re.ASCII) find them. By hand, in one pass: the expression for `${…}` looked
 * for a `}` from every `${` again, quadratic in a hostile line of them.
 */
export function variablesOf(text: string, syntax: VariableSyntax): { index: number; name: string }[] {
  const out: { index: number; name: string }[] = [];
  // Past this offset there is no `}` (none after an unclosed `${`: no later one closes either).
  let noBraceFrom = Infinity;
  for (let i = text.indexOf('$'); i >= 0; i = text.indexOf('$', i + 1)) {
    if (text.charCodeAt(i + 1) === 123) {
      if (i + 2 >= noBraceFrom) continue;
      const close = text.indexOf('}', i + 2);
      if (close < 0) {
        noBraceFrom = i + 2;
        continue;
      }
      const name = text.slice(i + 2, close);
      let ok = syntax === 'expandvars';
      if (!ok) {
        ok = name.length > 0;
        for (let k = 0; ok && k < name.length; k++) ok = isPipNameChar(name.charCodeAt(k));
      }
      if (!ok) continue;
      out.push({ index: i, name });
      i = close;
    } else if (syntax === 'expandvars' && isAsciiWordChar(text.charCodeAt(i + 1))) {
      let end = i + 1;
      while (end < text.length && isAsciiWordChar(text.charCodeAt(end))) end++;
      out.push({ index: i, name: text.slice(i + 1, end) });
      i = end - 1;
    }
  }
  return out;
}

/**
 * The variables of `text` whose value chooses where from or what is installed: every one except those inside a
 * URL's userinfo (`https://${USER}:${TOKEN}@host/…`, credentials — pip's documented use) and those in the path,
 * query or fragment of a URL whose host is written out (the host, which the policy judges, is known). A variable in
 * a host or port, a version, a name, an option, an include path or a whole line is chosen by whoever runs the
 * install. The names come back in order of first use, each once; `[]` when the text has none.
 */
export function choosingVariables(text: string, syntax: VariableSyntax = 'pip'): string[] {
  if (!text.includes('$')) return [];
  // Ranges come in increasing order and variables are met in increasing order: one pass over both (linear in a
  // hostile line of many URLs and variables).
  const known = knownRanges(text, syntax);
  let k = 0;
  const names: string[] = [];
  for (const m of variablesOf(text, syntax)) {
    while (k < known.length && known[k]![1] <= m.index) k++;
    if (k < known.length && known[k]![0] <= m.index) continue;
    if (!names.includes(m.name) && names.length < 16) names.push(m.name);
  }
  return names;
}

/**
 * Where in `text` a variable does not choose the source, in increasing order: URL userinfo, and the path of a URL
 * with a literal host. A URL runs from `scheme://` to the next whitespace.
 */
function knownRanges(text: string, syntax: VariableSyntax): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const m of urlsOf(text)) {
    const { start, rest } = m;
    const authorityEnd = rest.search(/[/?#]/);
    const authority = authorityEnd < 0 ? rest : rest.slice(0, authorityEnd);
    const at = authority.lastIndexOf('@');
    if (at >= 0) out.push([start, start + at]);
    const host = authority.slice(at + 1);
    if (authorityEnd >= 0 && host !== '' && variablesOf(host, syntax).length === 0)
      out.push([start + authorityEnd, start + rest.length]);
  }
  return out;
}

/**
 * The matches of `/[a-z][a-z0-9+.-]*:\/\/(\S*)/gi`, by hand from each `://` (that expression tried every letter of a
 * long run of them): where the part after `://` starts, and that part up to the next white space.
 */
function urlsOf(text: string): { start: number; rest: string }[] {
  const out: { start: number; rest: string }[] = [];
  let from = 0;
  for (let q = text.indexOf('://'); q >= 0; q = text.indexOf('://', Math.max(q + 1, from))) {
    if (q < from) continue;
    // The scheme: the run of scheme characters before `://`, from its first letter, not before the last match's end.
    let p = q;
    while (p > from && isSchemeChar(text.charCodeAt(p - 1))) p--;
    while (p < q && !isAsciiLetter(text.charCodeAt(p))) p++;
    if (p === q) continue;
    const start = q + 3;
    const space = text.slice(start).search(/\s/);
    const end = space < 0 ? text.length : start + space;
    out.push({ start, rest: text.slice(start, end) });
    from = end;
  }
  return out;
}
