import { unquote, Unsure, type Token } from './javascript-tokens.js';
import { endsValue, Values } from './javascript-values.js';

/**
 * The names a file's imports bind, as javascript.ts `recordImport` and `recordDeclaration` read them from lezer's
 * tree: `import d, * as ns, { a, b as c } from 'm'` (d, ns → `m`; a → `m.a`; c → `m.b`), and declarations whose
 * whole value is `require('m')` or `[await] import('m')` (or a member of one: `require('m').x`, `(await
 * import('m')).x`), to a name or to `{ a, b: c }`. Set in file order, a later
 * binding of a name replacing an earlier one. Shapes it does not read exactly (`import x = require()`,
 * `{ default as x }`, a require in a later declarator of a list, nested patterns) throw `Unsure`.
 */
export function javaScriptImports(toks: readonly Token[]): Map<string, string> {
  const imports = new Map<string, string>();
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k]!;
    if (t.t !== 'name' || (t.text !== 'import' && t.text !== 'require')) continue;
    const before = toks[k - 1];
    const after = toks[k + 1];
    if (before?.t === 'op' && (before.text === '.' || before.text === '?.')) continue;
    if (after?.t === 'op' && after.text === '(') {
      for (const [name, target] of requireBindings(toks, k)) imports.set(name, target);
    } else if (t.text === 'import' && !(after?.t === 'op' && (after.text === '.' || after.text === ':'))) {
      for (const [name, target] of staticImport(toks, k)) imports.set(name, target);
    }
  }
  return imports;
}

const isName = (t: Token | undefined): t is Token => t?.t === 'name' && !Values.isKeyword(t.text);
const isOp = (t: Token | undefined, op: string) => t?.t === 'op' && t.text === op;

/** One `import … from '…'` statement's bindings, in order. */
function staticImport(toks: readonly Token[], k: number): [string, string][] {
  let j = k + 1;
  // `import type X from`, `import type { X } from`: lezer's tree has the same children after the `type`.
  if (toks[j]?.text === 'type' && toks[j + 1]?.text !== 'from' && !isOp(toks[j + 1], ',')) j++;
  if (toks[j]?.t === 'string') return endOfStatement(toks, j + 1, []);
  const names: [string, string | undefined][] = [];
  if (isName(toks[j]) && toks[j]!.text !== 'from') {
    names.push([toks[j]!.text, undefined]);
    j++;
    if (isOp(toks[j], ',')) j++;
  }
  if (isOp(toks[j], '*')) {
    if (toks[j + 1]?.text !== 'as' || !isName(toks[j + 2])) throw new Unsure();
    names.push([toks[j + 2]!.text, undefined]);
    j += 3;
  } else if (isOp(toks[j], '{')) {
    const close = toks[j]!.match;
    for (let e = j + 1; e < close;) {
      // `type X` imports X (lezer reads the `type` as a keyword beside it); `{ type }` imports a name `type`.
      if (toks[e]?.text === 'type' && isName(toks[e + 1]) && toks[e + 1]!.text !== 'as') e++;
      const imported = toks[e];
      if (!isName(imported) || imported.text === 'default') throw new Unsure();
      let local = imported.text;
      e++;
      if (toks[e]?.text === 'as') {
        if (!isName(toks[e + 1])) throw new Unsure();
        local = toks[e + 1]!.text;
        e += 2;
      }
      names.push([local, imported.text]);
      if (isOp(toks[e], ',')) e++;
      else if (e !== close) throw new Unsure();
    }
    j = close + 1;
  }
  if (toks[j]?.text !== 'from' || toks[j + 1]?.t !== 'string') throw new Unsure();
  const module = moduleSpecifier(toks[j + 1]!.text);
  if (module === undefined) return endOfStatement(toks, j + 2, []);
  return endOfStatement(
    toks,
    j + 2,
    names.map(([local, imported]) => [local, imported === undefined ? module : `${module}.${imported}`]),
  );
}

/** An import statement ends at `;`, a line break or the end; attributes (`with { … }`) are left to the parser. */
function endOfStatement(toks: readonly Token[], k: number, out: [string, string][]): [string, string][] {
  const t = toks[k];
  if (!t || isOp(t, ';') || t.nl) return out;
  throw new Unsure();
}

/**
 * `require(…)` / `import(…)` at `k`: the bindings when it is the whole value of a declaration's first declarator
 * (`const x = require('m')`, `const { a, b: c } = await import('m')`), none when it is not a declaration's value.
 */
function requireBindings(toks: readonly Token[], k: number): [string, string][] {
  const member = requiredMember(toks, k);
  const required = member ?? requiredModule(toks, k);
  if (required === 'none') return [];
  const start = member ? member.start : toks[k - 1]?.text === 'await' ? k - 1 : k;
  if (!isOp(toks[start - 1], '=')) return [];
  const target = toks[start - 2];
  const first = target && isOp(target, '}') ? target.match : start - 2;
  const declares = toks[first - 1];
  if (isOp(declares, ',')) throw new Unsure();
  if (!(declares?.t === 'name' && ['const', 'let', 'var'].includes(declares.text))) return [];
  if (required === 'value') return [];
  const { module } = required;
  if (isName(target)) return [[target.text, module]];
  if (!isOp(target, '}')) return [];
  const out: [string, string][] = [];
  for (let e = first + 1; e < start - 2;) {
    const imported = toks[e];
    if (!isName(imported)) throw new Unsure();
    let local = imported.text;
    e++;
    if (isOp(toks[e], ':')) {
      if (!isName(toks[e + 1])) throw new Unsure();
      local = toks[e + 1]!.text;
      e += 2;
    }
    out.push([local, `${module}.${imported.text}`]);
    if (isOp(toks[e], ',')) e++;
    else if (e !== start - 2) throw new Unsure();
  }
  return out;
}

/**
 * `require('m').x` or `(await import('m')).x` at `k` as a whole value: the member's path (`m.x`) and the token the
 * value starts at; undefined for any other shape (javascript.ts `requiredModule` reads the same two).
 */
function requiredMember(toks: readonly Token[], k: number): { module: string; start: number } | undefined {
  const open = toks[k + 1]!;
  const args = toks.slice(k + 2, open.match);
  if (args.length !== 1 || args[0]!.t !== 'string') return undefined;
  const module = moduleSpecifier(args[0]!.text);
  if (module === undefined) return undefined;
  let start = k;
  let after = open.match + 1;
  if (toks[k]!.text === 'import') {
    const paren = toks[k - 2];
    if (toks[k - 1]?.text !== 'await' || !isOp(paren, '(') || paren!.match !== after) return undefined;
    start = k - 2;
    after++;
  }
  const property = toks[after + 1];
  if (!isOp(toks[after], '.') || property?.t !== 'name') return undefined;
  const ends = endsValue(toks[after + 2]);
  if (ends === 'continues') return undefined;
  if (ends === 'unsure') throw new Unsure();
  return { module: `${module}.${property.text}`, start };
}

/**
 * The module of `require('m')` at `k` when the call is a whole declarator value; 'none' when it is part of a larger
 * value; 'value' when it names no module it can read (javascript.ts then records a run-time constant).
 */
export function requiredModule(toks: readonly Token[], k: number): { readonly module: string } | 'value' | 'none' {
  const open = toks[k + 1]!;
  const args = toks.slice(k + 2, open.match);
  const ends = endsValue(toks[open.match + 1]);
  if (ends === 'continues') return 'none';
  if (ends === 'unsure') throw new Unsure();
  if (args.length === 1 && args[0]!.t === 'string') {
    const module = moduleSpecifier(args[0]!.text);
    return module === undefined ? 'value' : { module };
  }
  // javascript.ts takes the first string argument: anything but one string is left to the parser.
  if (args.some((a) => a.t === 'string')) throw new Unsure();
  return 'value';
}

/**
 * npm CDNs serve a package's published files at `<host>/<name>@<version>/<file>` (jsDelivr under `/npm/`; its
 * `/+esm` and esm.run an ES-module build of the entry point). A browser page or worker that imports
 * `https://cdn.jsdelivr.net/npm/@xenova/transformers@2.17.2` runs the same code as `import … from
 * '@xenova/transformers'` — how transformers.js's own README shows browser use without a bundler.
 */
const NPM_CDN =
  /^https?:\/\/(?:cdn\.jsdelivr\.net\/npm|unpkg\.com|esm\.sh|esm\.run|cdn\.skypack\.dev)\/((?:@[\w.-]+\/)?[\w.-]+)(?:@[^/?#]*)?(\/[^?#]*)?(?:[?#].*)?$/;

/** The module a quoted import specifier (`'pkg'`, as the source writes it) names (`moduleOf`); undefined: no string. */
export const moduleSpecifier = (quoted: string) => moduleOf(unquote(quoted));

/**
 * The module an import specifier names: a package served by an npm CDN (`NPM_CDN`) as its bare name — with the subpath
 * it names (`pkg/sub`), but the package itself for the entry point's bundles (`/+esm`, a file right under `dist/`,
 * `dist/transformers.min.js`); any other specifier as written.
 */
function moduleOf(specifier: string | undefined): string | undefined {
  const cdn = specifier === undefined ? null : NPM_CDN.exec(specifier);
  if (!cdn) return specifier;
  const sub = cdn[2] ?? '';
  return sub === '' || sub === '/' || sub === '/+esm' || /^\/dist\/[^/]+\.[cm]?js$/.test(sub) ? cdn[1] : cdn[1] + sub;
}
