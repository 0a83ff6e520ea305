import { requiredModule } from './javascript-imports.js';
import { Unsure, type Token } from './javascript-tokens.js';
import { endsValue, type Values } from './javascript-values.js';

const DECLARES = new Set(['const', 'let', 'var']);

/** A `name = value` declarator javascript.ts records as a constant: its value's tokens. */
export interface Declarator {
  readonly name: string;
  readonly from: number;
  readonly to: number;
}

/**
 * Every declarator of the names read (and of the names their values read), in the order javascript.ts's walk
 * records them. A declarator it records is `const|let|var name = value` or a later one in the same list; a value
 * that is `require('m')` or `import('m')` is an import instead (javascript-imports.ts).
 */
export function declaratorsOf(toks: readonly Token[], read: readonly string[], values: Values): Declarator[] {
  const wanted = new Set<string>();
  const work = [...read];
  const found: (Declarator & { readonly declaration: number })[] = [];
  let listed: Map<number, number> | undefined;
  const byName = new Map<string, number[]>();
  toks.forEach((t, k) => {
    if (t.t !== 'name') return;
    const list = byName.get(t.text);
    if (list) list.push(k);
    else byName.set(t.text, [k]);
  });
  while (work.length > 0) {
    const name = work.pop()!;
    if (wanted.has(name)) continue;
    wanted.add(name);
    for (const k of byName.get(name) ?? []) {
      const before = toks[k - 1];
      // TypeScript's `const name: T = value`: javascript.ts reads past the annotation, and so does this where the type
      // is a plain one (`typeEnd`); in a declaration list, the parser decides.
      const colon = toks[k + 1]?.t === 'op' && toks[k + 1]!.text === ':';
      const annotated = colon && before?.t === 'name' && DECLARES.has(before.text);
      if (colon && before?.t === 'op' && before.text === ',') throw new Unsure();
      const at = annotated ? typeEnd(toks, k + 2) : k + 1;
      const eq = toks[at];
      if (eq?.t !== 'op' || eq.text !== '=') continue;
      // Where the value starts.
      const v = at + 1;
      let declaration: number;
      if (before?.t === 'name' && DECLARES.has(before.text)) declaration = k - 1;
      else if (before?.t === 'op' && before.text === ',') {
        listed ??= declarationLists(toks, values);
        const d = listed.get(k);
        if (d === undefined) throw new Unsure();
        declaration = d;
      } else continue;
      const required = requireAt(toks, v);
      // An import (javascript-imports.ts), or a call whose value the walk records as unknown.
      if (required !== undefined && typeof requiredModule(toks, required) === 'object') continue;
      const end = required === undefined ? values.nodeEnd(v) : undefined;
      const ends = end === undefined ? 'continues' : endsValue(toks[end]);
      if (ends === 'unsure') throw new Unsure();
      // `gpu ? 'org/a' : 'org/b'`, `MODELS[key]`: one of a set, which javascript.ts reads (`candidatesOf`).
      const next = end === undefined ? undefined : toks[end];
      if (next?.t === 'op' && (next.text === '?' || next.text === '[')) throw new Unsure();
      const to = ends === 'end' ? end! : v;
      found.push({ name, from: v, to, declaration });
      if (ends === 'end') work.push(...values.range(v, to).reads);
    }
  }
  // The walk records a declaration's declarators when it meets the declaration, in order.
  return found.sort((a, b) => a.declaration - b.declaration || a.from - b.from);
}

/**
 * The later declarators of every `const|let|var` list whose earlier values are evaluable nodes (so where each ends
 * is known): declarator name index → declaration keyword index.
 */
function declarationLists(toks: readonly Token[], values: Values): Map<number, number> {
  const out = new Map<number, number>();
  toks.forEach((t, d) => {
    if (t.t !== 'name' || !DECLARES.has(t.text)) return;
    let k = d + 1;
    for (;;) {
      if (toks[k]?.t !== 'name') return;
      if (k > d + 1) out.set(k, d);
      const next = toks[k + 1];
      let end: number | undefined;
      if (next?.t === 'op' && next.text === ',') end = k + 1;
      else if (next?.t === 'op' && next.text === '=') {
        end = values.nodeEnd(k + 2);
        if (end === undefined || endsValue(toks[end]) !== 'end') return;
      } else return;
      if (toks[end]?.t !== 'op' || toks[end]!.text !== ',') return;
      k = end + 1;
    }
  });
  return out;
}

/**
 * The index of the `=` that ends a plain type annotation starting at `k` (names, dotted names, `|`, `&`, `[]`,
 * `<…>`, string and number literal types, `readonly`): anything else — an object or function type, a conditional —
 * is the parser's to read (Unsure).
 */
function typeEnd(toks: readonly Token[], k: number): number {
  let depth = 0;
  for (let i = k; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.t === 'name' || t.t === 'string' || t.t === 'number') continue;
    if (t.t !== 'op') break;
    if (t.text === '=' && depth === 0 && i > k) return i;
    if (t.text === '<' || t.text === '[') depth++;
    else if (t.text === '>' || t.text === ']') depth--;
    else if (t.text === '>>') depth -= 2;
    else if (t.text !== '.' && t.text !== '|' && t.text !== '&' && !(t.text === ',' && depth > 0)) break;
    if (depth < 0) break;
  }
  throw new Unsure();
}

/** `require(…)`, `import(…)`, `await` either, at `k`: javascript.ts `requiredModule`'s shape; its name's index. */
function requireAt(toks: readonly Token[], k: number): number | undefined {
  const at = toks[k]?.text === 'await' ? k + 1 : k;
  const t = toks[at];
  const call = t?.t === 'name' && (t.text === 'require' || t.text === 'import') && toks[at + 1]?.text === '(';
  return call ? at : undefined;
}
