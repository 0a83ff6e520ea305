import { proseCheck } from './python-prose.js';
import { keySearch, type PythonScopes } from './python-scopes.js';

/**
 * Which dict names a Python file turns trust_remote_code on in, in a statement of its own: `kw["trust_remote_code"] =
 * True`, `kw.update(trust_remote_code=True)`, `kw.update({"trust_remote_code": True})`, `kw.setdefault(
 * "trust_remote_code", True)`, `kw |= {…}`, `kw = base | {…}`, `kw = dict([("trust_remote_code", True)])`. A dict
 * changed in place (python-dict-uses.ts) or bound twice is one the readers cannot read, and `**kw` of it is a splat;
 * transformers still runs the repository's code when the key it ends up with is true (auto_factory.py
 * `_BaseAutoModelClass.from_pretrained`: `if has_remote_code and trust_remote_code:`), so a write like these keeps
 * the switch on for the call. The value counts when it is written as true: `True`, a non-zero integer, a non-empty
 * string. Read over the whole text, as python-dict-uses.ts reads it (a docstring's or comment's line is prose,
 * python-prose.ts): the snippet the readers parse holds none of these statements.
 */
export function remoteCodeWrites(text: string, scopes?: PythonScopes): (key: string) => boolean {
  if (!text.includes('trust_remote_code')) return () => false;
  const checked = new Map<string, boolean>();
  const prose = proseCheck(text);
  return (key) => {
    let got = checked.get(key);
    if (got === undefined) {
      const { name, inScope } = keySearch(key, scopes);
      got = writesRemoteCode(text, name, (at) => inScope(at) && !prose(at));
      checked.set(key, got);
    }
    return got;
  };
}

/** A statement's start: the name first on its line (after indentation, or after `;`), then a write to it. */
const WRITE_AFTER_NAME = /^[ \t]*(?:\[|\.[ \t]*(?:update|setdefault)[ \t]*\(|\|=|=(?!=))/;

/**
 * `trust_remote_code` as a keyword (`trust_remote_code=`), a key (`"trust_remote_code":`), an item assigned
 * (`"trust_remote_code"] =`) or a pair's first item (`"trust_remote_code", `), given a true literal.
 */
const TURNED_ON =
  /(?<![\w.])(?:trust_remote_code[ \t]*=(?!=)|["']trust_remote_code["'][ \t]*(?::|,|\][ \t]*=(?!=)))\s*(?:True\b|[1-9][\d_]*\b|"[^"\n]+"|'[^'\n]+')/;

function writesRemoteCode(text: string, name: string, counts: (at: number) => boolean): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`(?:^|[\\n;])[ \\t]*${escaped}(?![\\w\\u00a1-\\uffff])`, 'g');
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const end = m.index + m[0].length;
    if (!WRITE_AFTER_NAME.test(text.slice(end, end + 32)) || !counts(end - name.length)) continue;
    if (TURNED_ON.test(statementAt(text, end))) return true;
  }
  return false;
}

/** The text of the statement from `from`: to the end of its line, or past it while a bracket is open. */
function statementAt(text: string, from: number): string {
  let depth = 0;
  let i = from;
  for (; i < text.length && i - from < 4000; i++) {
    const c = text[i]!;
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth = Math.max(0, depth - 1);
    else if (c === '\n' && depth === 0 && text[i - 1] !== '\\') break;
  }
  return text.slice(from, i);
}
