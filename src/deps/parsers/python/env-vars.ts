/**
 * Environment variables an installer substitutes into the text it reads, and which of them choose what is installed.
 *
 * pip's `req_file.expand_env_variables` (run by `preprocess` on every logical line, after comments are stripped and
 * before the line is split into a requirement and options) replaces `${NAME}` — `ENV_VAR_RE`, `[A-Z0-9_]+` only —
 * with `os.getenv(NAME)` when that is set and not empty, and leaves it as written otherwise. pipenv's
 * `Project.load_lockfile` runs `os.path.expandvars` (posixpath: `$name` or `${…}`) over each `_meta.sources` URL.
 */
export const PIP_ENV_VAR = /\$\{([A-Z0-9_]+)\}/g;
export const EXPANDVARS_VAR = /\$(\w+|\{[^}]*\})/g;

/**
 * The variables of `text` whose value chooses where from or what is installed: every one except those inside a
 * URL's userinfo (`https://${USER}:${TOKEN}@host/…`, credentials — pip's documented use) and those in the path,
 * query or fragment of a URL whose host is written out (the host, which the policy judges, is known). A variable in
 * a host or port, a version, a name, an option, an include path or a whole line is chosen by whoever runs the
 * install. The names come back in order of first use, each once; `[]` when the text has none.
 */
export function choosingVariables(text: string, pattern: RegExp = PIP_ENV_VAR): string[] {
  if (!text.includes('$')) return [];
  // Ranges come in increasing order and variables are met in increasing order: one pass over both (linear in a
  // hostile line of many URLs and variables).
  const known = knownRanges(text, pattern);
  let k = 0;
  const names: string[] = [];
  for (const m of text.matchAll(new RegExp(pattern.source, 'g'))) {
    while (k < known.length && known[k]![1] <= m.index) k++;
    if (k < known.length && known[k]![0] <= m.index) continue;
    const name = m[1]!.replace(/^\{|\}$/g, '');
    if (!names.includes(name) && names.length < 16) names.push(name);
  }
  return names;
}

/**
 * Where in `text` a variable does not choose the source, in increasing order: URL userinfo, and the path of a URL
 * with a literal host. A URL runs from `scheme://` to the next whitespace.
 */
function knownRanges(text: string, pattern: RegExp): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const hasVar = new RegExp(pattern.source);
  const url = /[a-z][a-z0-9+.-]*:\/\/(\S*)/gi;
  for (let m = url.exec(text); m; m = url.exec(text)) {
    const start = m.index + m[0].length - m[1]!.length;
    const rest = m[1]!;
    const authorityEnd = rest.search(/[/?#]/);
    const authority = authorityEnd < 0 ? rest : rest.slice(0, authorityEnd);
    const at = authority.lastIndexOf('@');
    if (at >= 0) out.push([start, start + at]);
    const host = authority.slice(at + 1);
    if (authorityEnd >= 0 && host !== '' && !hasVar.test(host)) out.push([start + authorityEnd, start + rest.length]);
  }
  return out;
}
