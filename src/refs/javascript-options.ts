/**
 * Whether an options object declared once (`const opts = { revision: '<sha>' }`) is the same object, with the same
 * keys, when a loader call reads it: every place `name` stands in the text (comments and strings too: a mention there
 * only makes the reader claim less) is its declaration, a whole argument of a loader call or of `Object.freeze`
 * (`argumentsAt`: where lezer's tree has them), a spread (`{ ...opts }`, a copy) or a member read. Anything else —
 * `opts.revision = …`, `opts[k] = …`, `delete opts.x`, `Object.assign(opts, …)`, handing it to a function that may
 * do any of these — may change what the call gets (python-dict-uses.ts `dictUseCheck` reads Python dicts alike).
 */
export function onlyReadAsOptions(text: string, name: string, argumentsAt: ReadonlySet<number>): boolean {
  const word = /[\w$\u00a1-\uffff]/;
  for (let k = text.indexOf(name); k >= 0; k = text.indexOf(name, k + name.length)) {
    if (word.test(text[k - 1] ?? '') || word.test(text[k + name.length] ?? '')) continue;
    if (argumentsAt.has(k)) continue;
    const before = text.slice(Math.max(0, k - 16), k);
    const after = text.slice(k + name.length, k + name.length + 64);
    if (/\.\.\.\s*$/.test(before)) continue;
    // Another object's member of the same name (`this.opts`, `cfg.opts`): not this one.
    if (/(?:^|[^.])\??\.\s*$/.test(before)) continue;
    // `const opts =`, or with a plain type (`: Options`, `: Partial<Options>`).
    const declares =
      /(?:^|[^\w$.])(?:const|let|var)\s+$/.test(before) && /^\s*(?::[\s\w$.<>[\],|'"]*)?=(?!=)/.test(after);
    if (declares) continue;
    const member = /^(?:\s*\??\.\s*[\w$]+|\s*\[[^\]]*\])+/.exec(after);
    if (
      member &&
      !/(?:^|[^\w$.])delete\s*$|(?:\+\+|--)\s*$/.test(before) &&
      !CHANGES.test(after.slice(member[0].length))
    )
      continue;
    return false;
  }
  return true;
}

/** After a member: an assignment (compound or not), `++`/`--`, or a call (a method may change its object). */
const CHANGES = /^\s*(?:(?:[-+*/%&|^]|\*\*|<<|>>>?|&&|\|\||\?\?)?=(?!=)|\+\+|--|\(|\?\.\s*\()/;
