import { logicalLines, type LogicalLine } from './python-lines.js';
import {
  HIT,
  assignedIn,
  headerKind,
  lineBlocks,
  lineEnd,
  lineScopes,
  lineTable,
  namedAt,
  nativeLines,
  placeHash,
  standsNowhere,
  type NativeLines,
} from './python-lines-native.js';
import { PYTHON_LOADER_WORDS } from './calls.js';
import { KEYWORDS, tokenize, type Token } from './python-tokens.js';
import { NARROW_LOADER_MODULES } from './python-loaders.js';
import { LOADER_CLASS_NAMES } from './syntax.js';
import { CodeMask, isWordPart } from './python-code-mask.js';

/**
 * The statements of a Python file that can change what the reference finder reports, copied into a small text for
 * the parser — parsing every line of a 50 KB training script to read three of them is what made source scanning
 * cost (bench `refs`). Kept, in file order:
 * - every import (they bind the names calls resolve through);
 * - every statement that may call a loader: it names a loader word (`from_pretrained`, a loader's module) or a name
 *   an import of such a module binds (`from transformers import pipeline as make`) — for a module whose loaders sit
 *   at a few paths (python-loaders.ts NARROW_LOADER_MODULES: torch), only where it may reach one (`torch.hub`, not
 *   `torch.nn`, and not `nn` after `import torch.nn as nn`);
 * - every statement that may assign a name those statements read, and so on until no new name turns up (constants
 *   and the constants they are built from).
 * - every `add_argument` / `set_defaults` call: argparse's defaults are what `args.<dest>` holds when the command line
 *   does not give it (python-argparse.ts).
 * Each is the finder's input exactly as in the whole file, so it finds the same references; a statement that does
 * not parse on its own here sends the caller back to the whole file.
 */
export interface Snippet {
  readonly text: string;
  /** Offset in the file of each snippet offset, for lines and columns (undefined: text added to make it parse). */
  readonly original: (offset: number) => number;
}

const ID = '[A-Za-z_\\u00a1-\\uffff][\\w\\u00a1-\\uffff]*';
// Not after a letter (a digit may end a number literal just before a word: `1if`, or lezer's recovery of `1torch`).
const NOT_ID_BEFORE = '(?<![A-Za-z_\\u00a1-\\uffff])';
const NOT_ID_AFTER = '(?![\\w\\u00a1-\\uffff])';
const WORD = new RegExp(ID, 'g');
/**
 * White space between tokens: ASCII only, as lezer's (`space`). A JavaScript `\s` here matched U+1680, U+3000 and the
 * like, which ID takes too: a line of them between dots backtracked exponentially (150 characters, minutes).
 */
const WS = '[ \\t\\n\\v\\f\\r]';
/** `name = a.b.c` alone on its line: the assignments `bindAliases` (syntax.ts) reads as aliases. */
const ALIAS = new RegExp(`^${WS}*(${ID})${WS}*=${WS}*(${ID}(?:${WS}*\\.${WS}*${ID})*)${WS}*$`);
/**
 * `name = functools.partial(…` (syntax.ts `throughPartial`): the name calls the loader the line names. The callee is
 * any dotted name here (`ft.partial`, `bind` from `from functools import partial as bind`): `PARTIAL_CALLEES` decides.
 */
const BOUND_PARTIAL = new RegExp(`^${WS}*(${ID})${WS}*=${WS}*(${ID}(?:${WS}*\\.${WS}*${ID})*)${WS}*\\(`);
const IMPORT = new RegExp(`${NOT_ID_BEFORE}import${NOT_ID_AFTER}`, 'g');
/** The argparse calls python-argparse.ts reads (a statement that names one is kept). */
const COMMAND_LINE = new RegExp(`${NOT_ID_BEFORE}(?:add_argument|set_defaults)${NOT_ID_AFTER}`, 'g');
/** Keywords in an import statement: never a bound name. */
const IMPORT_KEYWORDS = new Set(['from', 'import', 'as']);
/** Rounds of the alias search by passes over the text (`keptStatements`). */
const MAX_ALIAS_ROUNDS = 4;

/** calls.ts `SavedFolders`: the methods whose folder a later `from_pretrained` of the same name reads. */
const SAVES_MODEL = ['save_pretrained', 'save_model'];

/**
 * The words every file's first round looks for (`keptOrMostOfFile`'s triggers before its imports add names), each
 * with its `placeHash`, worked out once: most stand nowhere in a file, which the module's chains tell from the hash.
 */
const TRIGGER_WORDS: ReadonlyMap<string, number> = new Map(
  [...PYTHON_LOADER_WORDS, ...SAVES_MODEL].map((word) => [word, placeHash(word)]),
);

/**
 * Text a statement needs around it to parse alone: a block header gets a body, `else`/`elif` an `if` before it,
 * `except`/`finally` a `try`, a decorator a function. `case` (inside `match`) is not worth it: undefined.
 */
function wrap(opener: string, header: boolean): { before: string; after: string } | undefined {
  if (opener === 'case') return undefined;
  const before =
    opener === 'elif' || opener === 'else'
      ? 'if 1:\n pass\n'
      : opener === 'except' || opener === 'finally'
        ? 'try:\n pass\n'
        : '';
  if (opener.startsWith('@')) return { before, after: 'def _():\n pass\n' };
  if (!header) return { before, after: '' };
  if (opener === 'match') return { before, after: ' case _:\n  pass\n' };
  if (opener === 'try') return { before, after: ' pass\nfinally:\n pass\n' };
  return { before, after: ' pass\n' };
}

/** The statements that matter, or undefined when the file must be parsed whole (see `logicalLines`). */
export function pythonSnippet(text: string): Snippet | undefined {
  const kept = keptStatements(text);
  return kept && build(text, kept);
}

/**
 * The logical lines of the statements that matter, in file order (what `pythonSnippet` copies), or undefined when
 * the file must be parsed whole (a shape the lines cannot vouch for, or statements that are most of a large file:
 * MOST_OF_FILE_MIN). python-fast.ts reads them without a parser when it can.
 */
export function keptStatements(text: string): readonly LogicalLine[] | undefined {
  return keptAndScoped(text)?.kept;
}

/**
 * The kept statements with every other statement that may bind a name they read, in any scope (`scopeOnly` of
 * `keepAssigners`), in file order: what python-scopes.ts reads bindings from, so that a name another function binds
 * for itself still counts as that function's own — and keeps its own meaning for the readers that see the whole file.
 * Undefined where `keptStatements` is.
 */
export function keptScopeStatements(text: string): readonly LogicalLine[] | undefined {
  return keptAndScoped(text)?.scope;
}

interface Kept {
  readonly kept: readonly LogicalLine[];
  readonly scope: readonly LogicalLine[];
}

function keptAndScoped(text: string): Kept | undefined {
  // The same file asked again (python-fast.ts, then the snippet, then python-scopes.ts over the whole file, when each
  // before gave up): a large file's statements cost as much as its parse.
  if (lastKept?.text !== text) lastKept = { text, kept: findKeptStatements(text) };
  return lastKept.kept;
}

let lastKept: { readonly text: string; readonly kept: Kept | undefined } | undefined;

/**
 * A file at least this large whose statements that matter come to more than half of it is parsed whole: its snippet
 * would cost about the whole parse, the search for the statements (a closure over most of the file's names) as much
 * again, and a snippet that cannot vouch for itself is parsed whole after all.
 */
export const MOST_OF_FILE_MIN = 16 * 1024;

/** Thrown by `take` once the statements kept pass half of a large file (one instance: no stack taken each time). */
const MOST_OF_FILE = new (class MostOfFile extends Error {})('the statements that matter are most of the file');

function findKeptStatements(text: string): Kept | undefined {
  try {
    return keptOrMostOfFile(text);
  } catch (err) {
    if (err === MOST_OF_FILE) return undefined;
    throw err;
  }
}

function keptOrMostOfFile(text: string): Kept | undefined {
  // python-argparse.ts: HfArgumentParser's dataclass fields and tuple-bound instances are read over the whole file.
  if (text.includes('HfArgumentParser') || text.includes('TrlParser')) return undefined;
  // The lines (and the assignment hits below) from WebAssembly when it reads the file, else from python-lines.ts.
  const native = nativeLines(text);
  const javascript = native ? undefined : logicalLines(text);
  const table = native?.lines ?? (javascript && lineTable(javascript));
  if (!table) return undefined;
  if (mayReturnNamespace(text, table)) return undefined;
  // Names stand only in code: not in a docstring, a message or a comment (python-code-mask.ts).
  const mask = new CodeMask(text, table);
  const named = namePlaces(native, text, table, mask);
  const count = table.length / 2;
  const words = (i: number) => codeWords(text, table, i, mask);
  const keep = new Uint8Array(count);
  // The lines marked, in the order marked: what `keptLines` returns, sorted (not a pass over every line).
  const marked: number[] = [];
  let budget = text.length >= MOST_OF_FILE_MIN ? text.length / 2 : Infinity;
  const mark = (i: number) => {
    marked.push(i);
    budget -= lineEnd(table, i) - table[2 * i]!;
    if (budget < 0) throw MOST_OF_FILE;
  };
  // Names bound by imports of a loader's module (or of a `from_pretrained`): calls through them may be loaders.
  // With the methods that save a model to a folder a later load may read (calls.ts `SavedFolders`).
  const triggers = new Set<string>(TRIGGER_WORDS.keys());
  // Names an import of functools binds (`import functools as ft`, `from functools import partial as bind`): a call
  // through one may be `functools.partial`. Over-approximate: the finder resolves the import exactly.
  const partialCallees = new Set(['partial']);
  // Names an import binds on the way to a loader of NARROW_LOADER_MODULES (`import torch as T`, `from tensorflow
  // import keras`): the path, while every import of the name binds it to that path; false once one binds it to
  // anything else or cannot be read.
  const narrowImports = new Map<string, string | false>();
  named.hits(
    ['import'],
    () => IMPORT,
    (i) => {
      if (keep[i]) return;
      keep[i] = 1;
      mark(i);
      const w = words(i);
      if (w.some((x) => PYTHON_LOADER_WORDS.includes(x))) {
        // A line that names a module of narrow loaders is read for what each name it binds is bound to: `import
        // torch.nn as nn` binds no name a loader call goes through.
        const bound = w.some((x) => NARROW_LOADER_MODULES.has(x))
          ? importBindings(text, table[2 * i]!, lineEnd(table, i))
          : undefined;
        if (bound) {
          for (const [name, target] of bound) {
            if (mayReachLoader(target)) triggers.add(name);
            const before = narrowImports.get(name);
            narrowImports.set(name, (before === undefined || before === target) && narrowsTo(target) ? target : false);
          }
        } else
          for (const x of w) {
            if (!IMPORT_KEYWORDS.has(x)) triggers.add(x);
            narrowImports.set(x, false);
          }
      }
      if (w.some((x) => x === 'functools')) for (const x of w) if (!IMPORT_KEYWORDS.has(x)) partialCallees.add(x);
    },
  );
  // A word before an `=` in a string or a comment binds nothing.
  const assigners = native ? new NativeAssigners(native, text, mask) : javascriptAssigners(text, table, mask);
  // The path a name can only be (a module of NARROW_LOADER_MODULES by its own name unless an import binds the name, or
  // the one path imports bind it to; never assigned, which syntax.ts `bindAliases` would follow): a statement that
  // names it is kept only where it may reach a loader (`narrowMatch`).
  const narrowedTo = (name: string): string | undefined => {
    const target = narrowImports.get(name) ?? (NARROW_LOADER_MODULES.has(name) ? name : false);
    return target !== false && assigners.get(name) === undefined ? target : undefined;
  };
  // `load = AutoModel.from_pretrained` or `load = partial(AutoModel.from_pretrained, …)`: a name bound once to a
  // loader in its scope (syntax.ts `bindAliases`, `throughPartial`; python-scopes.ts tells scopes apart) calls it, so
  // the statements naming it may call a loader too: any name so bound is followed, however often the file binds it.
  // Such a statement names a trigger itself: found among the trigger hits, and its name looked for in turn (chains:
  // `a = M.from_pretrained`, `b = a`) until no new name turns up.
  // Each round is a pass over the text: past MAX_ALIAS_ROUNDS (a chain that deep is no code a person writes, and a
  // file of thousands of links would cost thousands of passes) the rest of the chain is followed over the names
  // assigned so, and one last pass finds every statement that names one.
  const work: number[] = [];
  // A statement that may call a loader or assign what one reads (`keep` 2), its words read in turn (`work`).
  const take = (i: number) => {
    if (keep[i] === 2) return;
    if (keep[i] === 0) mark(i);
    keep[i] = 2;
    work.push(i);
  };
  for (let fresh = [...triggers], round = 1; fresh.length > 0; round++) {
    const last = round === MAX_ALIAS_ROUNDS;
    if (last) fresh.push(...closeAliases(text, table, assigners, partialCallees, triggers));
    const found: string[] = [];
    // Each narrowed name's attributes on the way to its loaders, found once for the pattern or for every place.
    const narrowed = new Map<string, readonly string[]>();
    // Only a name an import binds on the way to a narrow loader, or such a module's own, can be narrowed: those are
    // asked, not each of the hundred triggers (a call per trigger made `narrowedTo` hot enough for V8 to compile).
    if (round === 1)
      for (const n of [...narrowImports.keys(), ...NARROW_LOADER_MODULES.keys()]) {
        const target = triggers.has(n) ? narrowedTo(n) : undefined;
        if (target !== undefined) narrowed.set(n, nextParts(target));
      }
    const pattern = () =>
      new RegExp(
        `${NOT_ID_BEFORE}(?:${fresh.map((n) => narrowMatch(n, narrowed.get(n))).join('|')})${NOT_ID_AFTER}`,
        'g',
      );
    const reaches = (name: string, end: number) => {
      const parts = narrowed.get(name);
      return parts === undefined || mayReachAfter(text, end, parts);
    };
    named.hits(
      fresh,
      pattern,
      (i) => {
        take(i);
        if (last) return;
        const name = boundToTrigger(text.slice(table[2 * i], lineEnd(table, i)), partialCallees, triggers);
        // Bound to a trigger here, whatever else binds it: python-scopes.ts may make this binding a scope's only one
        // (`nn = torch.hub` at module level, another `nn` in a function), which the finder follows as an alias.
        if (name === undefined) return;
        triggers.add(name);
        found.push(name);
      },
      reaches,
    );
    fresh = found;
  }
  // python-argparse.ts: the arguments a parser adds give `args.<dest>` its default.
  if (text.includes('add_argument') || text.includes('set_defaults'))
    named.hits(['add_argument', 'set_defaults'], () => COMMAND_LINE, take);
  // A `def` header is read for what its defaults read, not for its name, parameters and annotations: a header kept
  // for a parameter would otherwise bring in every other parameter's bindings, and theirs (`self` alone is in
  // every method).
  const reads = (i: number) =>
    isDefHeader(text, table, i) ? defaultWords(text, table[2 * i]!, lineEnd(table, i), words(i)) : words(i);
  // A name read in a function is one of its scopes' (python-scopes.ts): the statements binding it in another
  // function bind another variable, and what they read matters to no kept statement. Those go to the scopes only.
  const scoped = scopedBindings(text, table);
  // One answer per name and one lookup budget for the file, for both passes below.
  const bindings = withOtherBindings(text, table, words, assigners, named, mask);
  keepAssigners(work, reads, bindings, take, scoped);
  // The decorators above a kept `def` (python-env.ts `CLICK_PARAMETERS`: `@click.option(…, default=…)` gives a
  // parameter its default), with what their arguments read; kept in place, over the `def` (`build`).
  const before = work.length;
  const lines = table;
  const isDecorator = (j: number) => text.charCodeAt(lines[2 * j]!) === 64; /* @ */
  for (const i of [...marked])
    if (isDefHeader(text, lines, i)) for (let j = i - 1; j >= 0 && isDecorator(j); j--) take(j);
  if (work.length > before) keepAssigners(work, reads, bindings, take, scoped);
  const kept = keptLines(lines, marked);
  if (!scoped || scoped.scopeOnly.size === 0) return { kept, scope: kept };
  for (const i of marked) scoped.scopeOnly.add(i);
  return { kept, scope: scoped.scopeOnly.size === marked.length ? kept : keptLines(lines, [...scoped.scopeOnly]) };
}

/**
 * Where a name may be bound for a statement that reads it, by Python's scopes (CPython's symtable, as python-scopes.ts
 * reads it): in the statement's own scope or one around it — a function's body, a class's, the module — never in
 * another function's. A `def` header binds its name where it stands and its parameters in the body it opens: both
 * count. A name any `global` or `nonlocal` statement names (anywhere in the text: a superset) is not narrowed, as a
 * binding elsewhere may be the one read. Undefined where the lines give no blocks: every binding counts.
 */
interface ScopedBindings {
  /** The scope of line `i`'s statement: 0 for the module, `h + 1` for the body of the header at line `h`. */
  scopeOf(i: number): number;
  /** The lines of `lines` (a name's bindings) that may bind it for a statement in scope `scope`. */
  visible(name: string, lines: readonly number[], scope: number): readonly number[];
  /** Names declared `global` or `nonlocal`: every binding of them counts. */
  readonly declared: ReadonlySet<string>;
  /** Every binding of the names `visible` was asked of: python-scopes.ts reads them (`keptScopeStatements`). */
  readonly scopeOnly: Set<number>;
}

function scopedBindings(text: string, table: Int32Array): ScopedBindings | undefined {
  // Only a file with a `def` or a `class` has more than one scope.
  if (!/(?:^|[\s;])(?:def|class)[ \t]/.test(text)) return undefined;
  const blocks = lineBlocks(text);
  if (!blocks || blocks.lines.length !== table.length) return undefined;
  const scopeOf = lineScopes(text, blocks);
  const bodyOf = (h: number) => (headerKind(text, table, h) ? h + 1 : -1);
  // Each name's bindings by the scope they bind in, sorted once per name.
  const byScope = new Map<string, Map<number, number[]>>();
  const bucketed = (name: string, lines: readonly number[]) => {
    const asked = byScope.get(name);
    if (asked) return asked;
    const buckets = new Map<number, number[]>();
    byScope.set(name, buckets);
    // Every binding of a name asked is read for the scopes, kept or not.
    for (const j of lines) scopeOnly.add(j);
    const add = (scope: number, j: number) => {
      const list = buckets.get(scope);
      if (list) list.push(j);
      else buckets.set(scope, [j]);
    };
    for (const j of lines) {
      // An attribute (`self.name = …`, in any method) is no scope's name: python.ts reads instances over every
      // method alike; nor is a comprehension's target, which the readers bind on their own, over the whole file.
      // Such a line counts from everywhere.
      if (bindsOutsideScopes(text, table, j, name)) add(ANY_SCOPE, j);
      else add(scopeOf(j), j);
      const body = bodyOf(j);
      if (body >= 0) add(body, j);
    }
    return buckets;
  };
  const scopeOnly = new Set<number>();
  return {
    scopeOf,
    declared: declaredNames(text),
    scopeOnly,
    visible(name, lines, scope) {
      const buckets = bucketed(name, lines);
      const out: number[] = [...(buckets.get(ANY_SCOPE) ?? [])];
      for (let s = scope; ; s = scopeOf(s - 1)) {
        const here = buckets.get(s);
        if (here) out.push(...here);
        if (s === 0) break;
      }
      return out;
    },
  };
}

/** `scopedBindings`' bucket of the lines that may bind a name for a statement in any scope. */
const ANY_SCOPE = -1;

/**
 * Whether logical line `i` may bind `name` where the readers' scopes do not place it (python-scopes.ts `boundNames`):
 * as an attribute (`.` and blanks before it) in its targets — before its first `=` that assigns, or anywhere on a
 * line with none (`self.n += 1`, `with … as self.n`) — or as a comprehension's target (`comprehensionTarget`). An
 * attribute read on the right (`rank = self.rank`) binds nothing.
 */
function bindsOutsideScopes(text: string, table: Int32Array, i: number, name: string): boolean {
  const start = table[2 * i]!;
  const end = lineEnd(table, i);
  const eq = assignmentAt(text, start, end);
  const targetsEnd = eq >= 0 ? eq : end;
  for (let k = text.indexOf(name, start); k >= 0 && k < end; k = text.indexOf(name, k + name.length)) {
    if (isWordPart(text.charCodeAt(k - 1)) || isWordPart(text.charCodeAt(k + name.length))) continue;
    let b = k - 1;
    while (b >= start && isBlank(text.charCodeAt(b))) b--;
    if (k < targetsEnd && b >= start && text.charCodeAt(b) === 46 /* . */) return true;
    if (comprehensionTarget(text, start, k)) return true;
  }
  return false;
}

/**
 * Every word after a `global` or `nonlocal` keyword up to the end of its line (continued lines too), wherever it
 * stands — strings and comments included: a superset of the names the file declares.
 */
function declaredNames(text: string): ReadonlySet<string> {
  const out = new Set<string>();
  if (!text.includes('global') && !text.includes('nonlocal')) return out;
  DECLARED.lastIndex = 0;
  for (let m = DECLARED.exec(text); m; m = DECLARED.exec(text)) for (const w of m[1]!.match(WORD) ?? []) out.add(w);
  return out;
}

/** `global` / `nonlocal`, blanks, then what a declaration may hold: names, commas, blanks, continued lines. */
const DECLARED = /(?<![\w\u00a1-\uffff])(?:global|nonlocal)[ \t]+((?:[\w\u00a1-\uffff, \t]|\\\r?\n)+)/g;

/**
 * Whether a name bound to `target` (a dotted path) may reach a loader a call follows: for a module of
 * NARROW_LOADER_MODULES, a path on the way to one of its loaders (`torch`, `torch.hub`) or below one; for any other
 * module, a path that names a loader word (calls.ts PYTHON_LOADER_WORDS), as every import of such a module binds.
 */
function mayReachLoader(target: string): boolean {
  const parts = target.split('.');
  const loaders = NARROW_LOADER_MODULES.get(parts[0]!);
  if (!loaders) return parts.some((p) => PYTHON_LOADER_WORDS.includes(p));
  return loaders.some((l) => l === target || l.startsWith(`${target}.`) || target.startsWith(`${l}.`));
}

/** The loaders of NARROW_LOADER_MODULES under a path (`torch` → torch.hub.load, …). */
function loadersUnder(target: string): readonly string[] {
  return (NARROW_LOADER_MODULES.get(target.split('.')[0]!) ?? []).filter((l) => l.startsWith(`${target}.`));
}

/** Whether a name bound to `target` can be narrowed: loaders of NARROW_LOADER_MODULES sit below it. */
const narrowsTo = (target: string) => loadersUnder(target).length > 0;

/**
 * The pattern for `name`: as it is, or when it can only be a path with loaders of NARROW_LOADER_MODULES below it
 * (`parts`: the attributes on the way to them, `nextParts`), the name unless `.` and an attribute no such loader is
 * under follow it on the line (`torch.nn`, `torch . cuda`, `tf.constant`). Anything else after it — an attribute on
 * the way to a loader (`torch.hub`), a line break, a comment, nothing — keeps the statement.
 */
function narrowMatch(name: string, parts: readonly string[] | undefined): string {
  if (parts === undefined) return name;
  return `${name}(?![ \\t]*\\.[ \\t]*(?!(?:${parts.join('|')})${NOT_ID_AFTER})[A-Za-z_\\u00a1-\\uffff])`;
}

/**
 * The attributes after `target` on the way to its loaders of NARROW_LOADER_MODULES (`torch` → hub, utils), worked out
 * once a target (a prefix of a loader there: a few dozen at most): every file that imports torch asks for torch's.
 */
function nextParts(target: string): readonly string[] {
  let parts = NEXT_PARTS.get(target);
  if (!parts)
    NEXT_PARTS.set(
      target,
      (parts = [...new Set(loadersUnder(target).map((l) => l.slice(target.length + 1).split('.')[0]!))]),
    );
  return parts;
}

const NEXT_PARTS = new Map<string, readonly string[]>();

/**
 * `narrowMatch`'s lookahead without a pattern, for a name that ends at `end`: false when `.` and an attribute not in
 * `parts` follow it on the line (blanks around the dot), true for anything else.
 */
function mayReachAfter(text: string, end: number, parts: readonly string[]): boolean {
  let k = end;
  while (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 9) k++;
  if (text.charCodeAt(k) !== 46) return true;
  k++;
  while (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 9) k++;
  const c = text.charCodeAt(k);
  if (!isWordPart(c) || isDigit(c)) return true;
  return parts.some((p) => text.startsWith(p, k) && !isWordPart(text.charCodeAt(k + p.length)));
}

/**
 * The names a line of plain import statements binds, each with the dotted path it is bound to: `import a.b as c` →
 * c: a.b; `import a.b` → a: a; `from a.b import c as d` → d: a.b.c. Undefined when the line holds anything else (a
 * relative import, `*`, a compound statement, a token the reader is not sure of): the caller then counts every word.
 */
function importBindings(text: string, from: number, to: number): [name: string, target: string][] | undefined {
  let toks: Token[];
  try {
    toks = tokenize(text, from, to);
  } catch {
    return undefined;
  }
  let k = 0;
  const name = () => {
    const t = toks[k];
    if (t?.t !== 'name') return undefined;
    k++;
    return t.text;
  };
  const op = (s: string) => {
    const t = toks[k];
    if (t?.t !== 'op' || t.text !== s) return false;
    k++;
    return true;
  };
  const dotted = () => {
    let path = name();
    while (path !== undefined && op('.')) {
      const part = name();
      path = part === undefined ? undefined : `${path}.${part}`;
    }
    return path;
  };
  const alias = () => {
    const t = toks[k];
    if (t?.t !== 'name' || t.text !== 'as') return undefined;
    k++;
    return name() ?? '';
  };
  const out: [string, string][] = [];
  while (k < toks.length) {
    const head = name();
    if (head === 'import')
      do {
        const path = dotted();
        if (path === undefined) return undefined;
        const as = alias();
        if (as === '') return undefined;
        const top = path.split('.')[0]!;
        out.push(as !== undefined ? [as, path] : [top, top]);
      } while (op(','));
    else if (head === 'from') {
      const path = dotted();
      if (path === undefined || name() !== 'import') return undefined;
      const paren = op('(');
      do {
        const t = toks[k];
        if (paren && t?.t === 'op' && t.text === ')') break;
        const member = name();
        if (member === undefined) return undefined;
        const as = alias();
        if (as === '') return undefined;
        out.push([as ?? member, `${path}.${member}`]);
      } while (op(','));
      if (paren && !op(')')) return undefined;
    } else return undefined;
    if (k < toks.length && !op(';')) return undefined;
  }
  return out;
}

/** Whether logical line `i` is a `def` header (`async def` too). */
function isDefHeader(text: string, table: Int32Array, i: number): boolean {
  const at = table[2 * i]!;
  if (table[2 * i + 1]! >= 0) return false;
  return (
    text.startsWith('def', at) || (text.startsWith('async', at) && /^async[ \t]+def\b/.test(text.slice(at, at + 16)))
  );
}

/**
 * The names a `def` header's defaults read (python.ts evaluates only those), f-string fields included: the words
 * after a parameter's `=` up to its end. Every word of the header when the tokens are not sure.
 */
function defaultWords(text: string, from: number, to: number, all: readonly string[]): readonly string[] {
  let toks;
  try {
    toks = tokenize(text, from, to);
  } catch {
    return all;
  }
  const out: string[] = [];
  let depth = 0;
  let inDefault = false;
  for (const t of toks) {
    if (t.t === 'op') {
      if (t.text === '(' || t.text === '[' || t.text === '{') depth++;
      else if (t.text === ')' || t.text === ']' || t.text === '}') {
        if (--depth === 0) inDefault = false;
      } else if (depth === 1 && t.text === ',') inDefault = false;
      else if (depth === 1 && t.text === '=') inDefault = true;
    } else if (!inDefault) continue;
    else if (t.t === 'name') out.push(t.text);
    else if (t.t === 'string' && t.value.kind === 'format')
      for (const part of t.value.parts) if (typeof part !== 'string') out.push(part.name);
  }
  return out;
}

/**
 * `assigners` with the other statements that may bind each name (python.ts `visitBindings`): a `def` header that
 * may take it as a parameter (python.ts reads parameters' defaults, and a parameter of the name makes any other
 * binding of it unknown), a `for` header, an `as` name, `+=` and `:=`, an annotated assignment, a tuple or list
 * target. Over-approximate, by the text around each place the name stands as a word, looked for by a native search
 * when first asked: a kept statement reads a handful of names. Places in a string or a comment bind nothing
 * (`mask`). Where the module gives a name's places, each is tested (a step a place, however many names are asked);
 * past BINDING_LOOKUPS names searched in the text instead, every line that names a name counts (a file made to ask
 * for thousands would cost a pass over the text for each).
 */
function withOtherBindings(
  text: string,
  table: Int32Array,
  words: (i: number) => readonly string[],
  assigners: Assigners,
  named: NamePlaces,
  mask: CodeMask,
): Assigners {
  let byWord: Map<string, number[]> | undefined;
  let lookups = 0;
  const everyLine = () => {
    const found = new Map<string, number[]>();
    for (let i = 0; i < table.length / 2; i++) for (const w of words(i)) addAssigner(found, i, w);
    return found;
  };
  const bindings = (name: string): readonly number[] | undefined => {
    // `self` and `cls` are in every method: their bindings are never read as values.
    if (name === 'self' || name === 'cls') return undefined;
    if (byWord) return byWord.get(name);
    let out: number[] | undefined;
    // The module's places of the name (a digit just before one makes it part of a longer word here), else a search.
    const places = named.at(name);
    if (!places && ++lookups > BINDING_LOOKUPS) return (byWord = everyLine()).get(name);
    if (places) {
      for (let x = 0; x < places.length; x += 2) {
        const k = places[x]!;
        const i = places[x + 1]!;
        if (isDigit(text.charCodeAt(k - 1)) || out?.[out.length - 1] === i) continue;
        if (mayBindAt(text, table, i, k, k + name.length)) (out ??= []).push(i);
      }
      return out;
    }
    const at = lineCursor(table);
    for (let k = text.indexOf(name); k >= 0; k = text.indexOf(name, k + name.length)) {
      if (isWordPart(text.charCodeAt(k - 1)) || isWordPart(text.charCodeAt(k + name.length))) continue;
      const i = at(k);
      if (i === DONE) break;
      if (i < 0 || out?.[out.length - 1] === i || !mask.inCode(i, k)) continue;
      if (!mayBindAt(text, table, i, k, k + name.length)) continue;
      (out ??= []).push(i);
    }
    return out;
  };
  // Each name's answer once: `keepAssigners` asks again for each scope that reads it, and the module's places are
  // looked up against one budget for the file.
  const answers = new Map<string, readonly number[] | undefined>();
  return {
    get: (name) => {
      if (answers.has(name)) return answers.get(name);
      const lines = assigners.get(name);
      const more = bindings(name);
      const answer = !more ? lines : lines ? [...new Set([...lines, ...more])].sort((a, b) => a - b) : more;
      answers.set(name, answer);
      return answer;
    },
    all: () => assigners.all(),
  };
}

/** The words of logical line `i` that stand in code (`mask`), in order. */
function codeWords(text: string, table: Int32Array, i: number, mask: CodeMask): string[] {
  const end = lineEnd(table, i);
  const out: string[] = [];
  CODE_WORD.lastIndex = table[2 * i]!;
  for (let m = CODE_WORD.exec(text); m && m.index < end; m = CODE_WORD.exec(text))
    if (mask.inCode(i, m.index)) out.push(m[0]);
  return out;
}

const CODE_WORD = new RegExp(ID, 'g');

/** Names `withOtherBindings` looks for one by one before it takes every line that names them instead. */
const BINDING_LOOKUPS = 256;

/** After a statement's first name: an augmented operator (`+=`), or `:` and a type (an annotated assignment). */
const FIRST_NAME_BOUND = /^[ \t]*(?:(?:\*\*|\/\/|>>|<<|[-+*/%@&|^])=|:(?!=))/;
/** Targets only: names, dots, commas, brackets, `*` — no call, string or operator (a call's keyword `=` is no target). */
const TARGETS_ONLY = /^[\s\w\u00a1-\uffff,*()[\].\\]*$/;

/**
 * Whether the word at `from`-`to` of logical line `i` may be bound there otherwise than by `name = value` (which
 * `assignmentHits` finds): a `def` header, a `for` header's targets, after `as`, before `:=`, a statement's first
 * name before `+=` or an annotation, or a name in tuple or list targets. A superset of python.ts `visitBindings`,
 * tight enough that a kept line's words do not bring in every line that names them.
 */
function mayBindAt(text: string, table: Int32Array, i: number, from: number, to: number): boolean {
  const start = table[2 * i]!;
  const end = lineEnd(table, i);
  // A statement longer than this may bind anything in it: the tests below read the statement around each place a name
  // stands, and a list of 100,000 names over as many lines asked each of them (minutes). `bindings` takes the line
  // at its first such place and passes over the rest of it, so a long line costs one answer.
  if (end - start > LONG_STATEMENT) return true;
  if (table[2 * i + 1]! < 0) {
    if (isDefHeader(text, table, i)) return true;
    const head = /^(?:async[ \t]+)?for\b/.exec(text.slice(start, start + 16));
    if (head) {
      const rest = text.slice(start, end);
      const inAt = / in\b|\bin[ \t([]/.exec(rest.slice(head[0].length));
      return inAt !== null && from - start < head[0].length + inAt.index;
    }
  }
  // The characters either side of the word past blanks, line breaks and backslashes (a logical line goes on over
  // them: `a, \` at a line's end, then `b = pair()`), -1 at the line's ends: most words are read, and tell so here
  // without a copy or a search (every place an asked name stands is tested).
  let b = from - 1;
  while (b >= start && isBlank(text.charCodeAt(b))) b--;
  const prev = b >= start ? text.charCodeAt(b) : -1;
  let a = to;
  while (a < end && isBlank(text.charCodeAt(a))) a++;
  const next = a < end ? text.charCodeAt(a) : -1;
  // A comprehension's target (`[f(m) for m in …]`, `for a, b in …`): a `for` before it with only targets between.
  if (comprehensionTarget(text, start, from)) return true;
  // `… as name`.
  if (b < from - 1 && b - 1 >= start && text.startsWith('as', b - 1) && !isWordPart(text.charCodeAt(b - 2)))
    return true;
  // `name :=`.
  if (next === COLON && text.charCodeAt(a + 1) === EQUALS) return true;
  // First in its statement (the line's start, after `;` or a one-line block's `:`): `name += …`, `name: T = …`.
  if (
    (prev === -1 || prev === SEMICOLON || prev === COLON) &&
    FIRST_NAME_BOUND.test(text.slice(to, Math.min(end, to + 8)))
  )
    return true;
  // In tuple or list targets a name stands beside a comma or a bracket.
  if (!TARGET_NEIGHBOURS.has(prev) && !TARGET_NEIGHBOURS.has(next)) return false;
  // The statement the word is in (`x = 1; a, b = pair()`): from the `;` before it on the line (just after it: -1 + 1
  // is the line's start). A search in the line's slice, not a loop over each character back to the start: that loop,
  // `assignmentAt`'s and `comprehensionTarget`'s ran in baseline code at a few hundred instructions a character.
  const statement = start + text.slice(start, from).lastIndexOf(';') + 1;
  const eq = assignmentAt(text, statement, end);
  if (eq < to) return false;
  const targets = text.slice(statement, eq);
  return /[,([*]/.test(targets) && TARGETS_ONLY.test(targets) && !/[\w\u00a1-\uffff\])][ \t]*[([]/.test(targets);
}

/**
 * Whether the word at `from` is a `for` target of its logical line (a comprehension's: `[f(m) for m in …]`, `for a,
 * m in …`): back from it over target characters only — names, dots, commas, brackets, `*`, blanks — to the keyword
 * `for` (true), or to `in` or anything else first (false). python.ts binds a comprehension's names.
 */
function comprehensionTarget(text: string, start: number, from: number): boolean {
  // Only where `for` stands before the word on its line (most lines have none: one search, not a walk back).
  if (!text.slice(start, from).includes('for')) return false;
  let k = from - 1;
  while (k >= start) {
    const c = text.charCodeAt(k);
    if (isWordPart(c)) {
      let w = k;
      while (w > start && isWordPart(text.charCodeAt(w - 1))) w--;
      if (k - w === 2 && text.startsWith('for', w)) return true;
      if (k - w === 1 && text.startsWith('in', w)) return false;
      k = w - 1;
    } else if (FOR_TARGET_CHARS.has(c) || isGap(c)) k--;
    else return false;
  }
  return false;
}

/** Characters of a logical line past which `mayBindAt` answers yes without reading it (a superset stays one). */
const LONG_STATEMENT = 2000;

const COLON = 58;
const SEMICOLON = 59;
/** What `mayBindAt` passes over beside a word: `isGap`'s characters and a vertical tab (lezer's white space). */
const isBlank = (c: number) => isGap(c) || c === 11;
/** `,` `(` `)` `[` `]` `*`: what stands beside a name in tuple or list targets. */
const TARGET_NEIGHBOURS: ReadonlySet<number> = new Set([44, 40, 41, 91, 93, 42]);
/** Those and `.`: what stands between `for` and a target name beside names and blanks (`for o.x, m in …`). */
const FOR_TARGET_CHARS: ReadonlySet<number> = new Set([...TARGET_NEIGHBOURS, 46]);

/** The offset of a logical line's first `=` that assigns (not `==`, `!=`, `<=`, `>=`, `:=`, `+=`…), or -1. */
function assignmentAt(text: string, start: number, end: number): number {
  // Each `=` of the line found by a search in its slice (V8 shares the text's characters), not a loop over each
  // character: a few per line where the loop ran over all of it in baseline code (bench `refs`).
  const line = text.slice(start, end);
  for (let j = line.indexOf('='); j >= 0; j = line.indexOf('=', j + 1)) {
    const k = start + j;
    if (text.charCodeAt(k + 1) === EQUALS) {
      j++;
      continue;
    }
    // `==` `!=` `<=` `>=` `:=` and the augmented operators.
    if (!ASSIGN_PRECEDERS.has(text.charCodeAt(k - 1))) return k;
  }
  return -1;
}

/** Characters before an `=` that make it no assignment: `=!<>:+-*\/%@&|^`. */
const ASSIGN_PRECEDERS: ReadonlySet<number> = new Set([...'=!<>:+-*/%@&|^'].map((c) => c.charCodeAt(0)));

/** `return parser.parse_args()` / `return args` (each anchored at its logical line's start: linear). */
const RETURN_NAME = /^return[ \t]+([A-Za-z_]\w*)[ \t]*$/;
const ASSIGNED_NAME = /([A-Za-z_]\w*)[ \t]*=(?!=)/y;

/**
 * Whether a function may return an argparse namespace — `return parser.parse_args()`, or `return args` in a file that
 * assigns `args = ….parse_args(…)`: python.ts reads what a file's functions return (python-argparse.ts), the reader
 * without a parser does not, so such a file is read whole by lezer.
 */
function mayReturnNamespace(text: string, table: Int32Array): boolean {
  if (!text.includes('parse_args')) return false;
  const lineOf = (i: number) => text.slice(table[2 * i], lineEnd(table, i));
  // The names assigned on lines that call parse_args (each occurrence found once, its line by `lineCursor`).
  const parsed = new Set<string>();
  const at = lineCursor(table);
  // Each line once, read where it starts (sticky): a logical line holding many calls is not copied for each.
  let last = -1;
  for (let k = text.indexOf('parse_args'); k >= 0; k = text.indexOf('parse_args', k + 1)) {
    const i = at(k);
    if (i === DONE) break;
    if (i < 0 || i === last) continue;
    last = i;
    ASSIGNED_NAME.lastIndex = table[2 * i]!;
    const bound = ASSIGNED_NAME.exec(text)?.[1];
    if (bound !== undefined) parsed.add(bound);
  }
  for (let i = 0; i < table.length / 2; i++) {
    if (!text.startsWith('return', table[2 * i])) continue;
    const line = lineOf(i);
    if (line.includes('parse_args')) return true;
    const name = RETURN_NAME.exec(line)?.[1];
    if (name !== undefined && parsed.has(name)) return true;
  }
  return false;
}

/**
 * What a statement binds and reads when it is `name = a.b.c` (the dotted name's parts), `name =
 * functools.partial(…)` (every word of it) or `name = Cls(…)` with `Cls` named as a loader class is
 * (`fs = HfFileSystem()`, `client = ollama.Client(…)`: the callee's parts): the shapes syntax.ts `bindAliases`,
 * `throughPartial` and `resolveMethod` follow.
 */
function boundReads(
  line: string,
  partialCallees: ReadonlySet<string>,
): { readonly name: string; readonly read: readonly string[] } | undefined {
  const alias = line.includes('(') ? null : ALIAS.exec(line);
  const bound = alias ? null : BOUND_PARTIAL.exec(line);
  const callee = bound ? bound[2]!.split('.').map((part) => part.trim()) : [];
  const partial = bound && callee.some((part) => partialCallees.has(part)) ? bound : null;
  const instance = bound && !partial && LOADER_CLASS_NAMES.has(callee[callee.length - 1]!) ? bound : null;
  const name = alias?.[1] ?? partial?.[1] ?? instance?.[1];
  if (name === undefined) return undefined;
  if (instance) return { name, read: callee };
  return { name, read: (alias ? alias[2]!.split('.') : (line.match(WORD) ?? [])).map((part) => part.trim()) };
}

/** The name `boundReads` gives when it is no trigger yet and what it reads holds one. */
function boundToTrigger(line: string, partialCallees: ReadonlySet<string>, triggers: ReadonlySet<string>) {
  const bound = boundReads(line, partialCallees);
  if (bound === undefined || triggers.has(bound.name)) return undefined;
  return bound.read.some((part) => triggers.has(part)) ? bound.name : undefined;
}

/**
 * Every name assigned, in one of `boundReads`'s shapes, that reads a trigger or such a name, added to
 * `triggers` and returned: the rest of the chains, followed from each trigger to the names that read it (a walk over
 * those names, not a pass over the text per link).
 */
function closeAliases(
  text: string,
  table: Int32Array,
  assigners: Assigners,
  partialCallees: ReadonlySet<string>,
  triggers: Set<string>,
): string[] {
  const readers = new Map<string, string[]>();
  // Every line that assigns a name, read once (`a = b = …` assigns many on one line): each binding of a name counts,
  // as one scope's may be its only one there (`keptOrMostOfFile`). A line `boundReads` reads starts with the name
  // it binds, so that name is among the line's assigned names.
  const read = new Set<number>();
  for (const [, at] of assigners.all())
    for (const line of at) {
      if (read.has(line)) continue;
      read.add(line);
      const bound = boundReads(text.slice(table[2 * line], lineEnd(table, line)), partialCallees);
      if (bound === undefined || triggers.has(bound.name)) continue;
      for (const part of bound.read) {
        const list = readers.get(part);
        if (list) list.push(bound.name);
        else readers.set(part, [bound.name]);
      }
    }
  const added: string[] = [];
  for (const queue = [...triggers]; queue.length > 0;)
    for (const name of readers.get(queue.pop()!) ?? []) {
      if (triggers.has(name)) continue;
      triggers.add(name);
      added.push(name);
      queue.push(name);
    }
  return added;
}

/** The lines each name may be assigned in, in file order, each once (`assignmentHits`). */
interface Assigners {
  get(name: string): readonly number[] | undefined;
  /** Every name assigned, with its lines (for `closeAliases`, rarely). */
  all(): Iterable<readonly [string, readonly number[]]>;
}

/** `Assigners` over the module's hits: a name's lines looked up when asked (`assignedIn`), kept once asked. */
class NativeAssigners implements Assigners {
  private readonly asked = new Map<string, readonly number[] | undefined>();
  /**
   * Chain steps left before the map of every name is built instead (a file whose names are made to share hashes
   * would cost a walk of most hits per name asked): about one per hit, so the lookups never cost more than the map.
   */
  private readonly budget: { steps: number };
  private map: ReadonlyMap<string, readonly number[]> | undefined;

  constructor(
    private readonly native: NativeLines,
    private readonly text: string,
    private readonly mask: CodeMask,
  ) {
    this.budget = { steps: native.hits.length + 4096 };
  }

  get(name: string): readonly number[] | undefined {
    if (this.map) return this.map.get(name);
    if (this.asked.has(name)) return this.asked.get(name);
    const lines = assignedIn(this.native, this.text, name, this.budget, (line, start) => this.mask.inCode(line, start));
    if (lines === undefined) return this.all().get(name);
    const got = lines.length > 0 ? lines : undefined;
    this.asked.set(name, got);
    return got;
  }

  /** The map of every name, built once (past the budget, or for `closeAliases`). */
  all(): ReadonlyMap<string, readonly number[]> {
    if (this.map) return this.map;
    const assigners = new Map<string, number[]>();
    const hits = this.native.hits;
    for (let k = 0; k < hits.length; k += HIT)
      if (this.mask.inCode(hits[k]!, hits[k + 1]!))
        addAssigner(assigners, hits[k]!, this.text.slice(hits[k + 1], hits[k + 2]));
    return (this.map = assigners);
  }
}

/** `Assigners` from python-snippet's own `assignmentHits`, when the module did not read the file. */
function javascriptAssigners(text: string, table: Int32Array, mask: CodeMask): Assigners {
  const assigners = new Map<string, number[]>();
  assignmentHits(text, table, (i, name, start) => {
    if (mask.inCode(i, start)) addAssigner(assigners, i, name);
  });
  return { get: (name) => assigners.get(name), all: () => assigners };
}

function addAssigner(assigners: Map<string, number[]>, line: number, name: string): void {
  const list = assigners.get(name);
  if (!list) assigners.set(name, [line]);
  else if (list[list.length - 1] !== line) list.push(line);
}

/** The lines marked (each index once), in file order, as the finder reads them: a few hundred of thousands. */
function keptLines(table: Int32Array, marked: readonly number[]): LogicalLine[] {
  return [...Int32Array.from(marked).sort()].map((i) => ({
    start: table[2 * i]!,
    end: lineEnd(table, i),
    header: table[2 * i + 1]! < 0,
  }));
}

/**
 * Every name a kept statement reads brings in every statement that may assign it (`take`, which adds it to `work`),
 * until no new statement comes in: the constants the kept calls resolve, and the constants those are built from.
 */
function keepAssigners(
  work: number[],
  words: (line: number) => readonly string[],
  assigners: Assigners,
  take: (line: number) => void,
  scoped: ScopedBindings | undefined,
): void {
  // Names asked: plain where every binding counts, `name#scope` where only the scope's chain does.
  const names = new Set<string>();
  while (work.length > 0) {
    const i = work.pop()!;
    // A `def` header is read for its defaults: they are evaluated where the header stands (`scopeOf`).
    const scope = scoped ? scoped.scopeOf(i) : 0;
    for (const w of words(i)) {
      // A keyword is never bound (`None` is in every `=None` default, and would bring in every header with one).
      if (KEYWORDS.has(w)) continue;
      const narrowed = scoped !== undefined && !scoped.declared.has(w);
      const key = narrowed ? `${w}#${scope}` : w;
      if (names.has(key)) continue;
      names.add(key);
      const lines = assigners.get(w);
      if (!lines) continue;
      for (const j of narrowed ? scoped.visible(w, lines, scope) : lines) take(j);
    }
  }
}

/**
 * Matches of a global regular expression over the whole text, each with the logical line it starts in (one pass,
 * not one per line); matches in comments or blank lines between logical lines are dropped. A callback, not a
 * generator: V8 compiles a generator inlined into its caller at several times the CPU of a plain loop.
 */
function lineHits(
  re: RegExp,
  text: string,
  table: Int32Array,
  hit: (line: number, name: string, at: number) => void,
): void {
  const at = lineCursor(table);
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const line = at(m.index);
    if (line === DONE) return;
    if (line >= 0) hit(line, m[1] ?? m[0], m.index);
  }
}

/**
 * Where names stand in a file's logical lines: from the module's places when it read the file (python-lines.wat
 * `words`, one pass for every name), else by patterns over the text (`lineHits`), a pass per question.
 */
interface NamePlaces {
  /**
   * `lineHits` of `pattern()`, a global pattern that finds the names `names` standing alone (`NOT_ID_BEFORE`,
   * `NOT_ID_AFTER`) where `accepts` does (the pattern's lookahead, asked with the name's end): each match's line and
   * name, in file order.
   */
  hits(
    names: readonly string[],
    pattern: () => RegExp,
    hit: (line: number, name: string) => void,
    accepts?: (name: string, end: number) => boolean,
  ): void;
  /** The module's places of a name (start and line, flat, in file order); undefined where it has none to give. */
  at(name: string): readonly number[] | undefined;
}

function namePlaces(native: NativeLines | undefined, text: string, table: Int32Array, mask: CodeMask): NamePlaces {
  // About a step per place in the file for all the questions: past it (names made to share hashes), the patterns.
  const budget = { steps: (native?.words.length ?? 0) / HIT + 4096 };
  const at = (name: string) => {
    const places = native && budget.steps >= 0 ? namedAt(native, text, name, budget) : undefined;
    if (!places || places.length === 0) return places;
    const code: number[] = [];
    for (let x = 0; x < places.length; x += 2)
      if (mask.inCode(places[x + 1]!, places[x]!)) code.push(places[x]!, places[x + 1]!);
    return code;
  };
  return {
    at,
    hits(names, pattern, hit, accepts) {
      const found: { start: number; line: number; name: string }[] = [];
      for (const name of names) {
        // A trigger word whose hash heads no chain: `at` would answer no place (and take no step of the budget).
        const hash = TRIGGER_WORDS.get(name);
        if (hash !== undefined && native && budget.steps >= 0 && standsNowhere(native, hash)) continue;
        const places = at(name);
        if (!places)
          return lineHits(pattern(), text, table, (line, name, k) => {
            if (mask.inCode(line, k)) hit(line, name);
          });
        for (let x = 0; x < places.length; x += 2)
          if (!accepts || accepts(name, places[x]! + name.length))
            found.push({ start: places[x]!, line: places[x + 1]!, name });
      }
      // The pattern's matches come in file order (one name at most stands at a place).
      if (names.length > 1) found.sort((a, b) => a.start - b.start);
      for (const f of found) hit(f.line, f.name);
    },
  };
}

/** Past the last logical line: no later match can be in one. */
const DONE = -2;

/**
 * The logical line an offset is in, for ascending offsets: its index, -1 when the offset is between lines (a comment
 * or a blank line), DONE past the last. The first line ending at or after the offset, searched by halves from the
 * last answer (line ends ascend): a step a line made this loop hot enough for V8 to compile (bench `refs`).
 */
function lineCursor(table: Int32Array): (offset: number) => number {
  const count = table.length / 2;
  let i = 0;
  return (offset) => {
    if (i < count && lineEnd(table, i) < offset) {
      let lo = i + 1;
      let hi = count;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (lineEnd(table, mid) < offset) lo = mid + 1;
        else hi = mid;
      }
      i = lo;
    }
    if (i === count) return DONE;
    return table[2 * i]! <= offset ? i : -1;
  };
}

const EQUALS = 61;
/** The blanks the assignment test allows between a name and its `=`: space, tab, form feed, `\\`, CR, LF. */
const isGap = (c: number) => c === 32 || c === 9 || c === 12 || c === 92 || c === 13 || c === 10;
const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * Every word followed by `=` (not `==`), past blanks, backslashes and line breaks: a superset of the plain
 * assignments `Constants` records, each with its logical line, in file order (`lineHits` of the regular expression
 * `(?<!letter)(ID)(?!word)[ \t\f\\\r\n]*=(?!=)`, whose matches these are). Found from each `=` back to the name
 * before it: a file holds far fewer `=` than words, and that expression tried a match at every word (the most CPU of
 * the Python quick finder, bench `refs`). The name is the word's run of `[\w\u00a1-\uffff]` without its leading
 * digits, where the expression's match starts (a digit may end a number just before it: `1if`).
 */
export function assignmentHits(
  text: string,
  table: Int32Array,
  hit: (line: number, name: string, start: number) => void,
): void {
  const at = lineCursor(table);
  for (let eq = text.indexOf('='); eq >= 0; eq = text.indexOf('=', eq + 1)) {
    if (text.charCodeAt(eq + 1) === EQUALS) continue;
    let end = eq;
    while (end > 0 && isGap(text.charCodeAt(end - 1))) end--;
    let start = end;
    while (start > 0 && isWordPart(text.charCodeAt(start - 1))) start--;
    while (start < end && isDigit(text.charCodeAt(start))) start++;
    if (start === end) continue;
    const line = at(start);
    if (line === DONE) return;
    if (line >= 0) hit(line, text.slice(start, end), start);
  }
}

function build(text: string, kept: readonly LogicalLine[]): Snippet | undefined {
  let out = '';
  // Pieces copied from the file: snippet offset, file offset (ascending).
  const from: number[] = [];
  const to: number[] = [];
  const openerOf = (line: LogicalLine | undefined) =>
    line === undefined ? '' : (/^(?:@|[A-Za-z_]\w*)/.exec(text.slice(line.start, line.start + 16))?.[0] ?? '');
  for (const [k, line] of kept.entries()) {
    const opener = openerOf(line);
    const around = wrap(opener, line.header);
    if (!around) return undefined;
    // Stacked decorators and the `def` they decorate stay together: no stand-in function between them.
    const next = openerOf(kept[k + 1]);
    const decorates = opener === '@' && (next === '@' || next === 'def' || next === 'async' || next === 'class');
    out += around.before;
    from.push(out.length);
    to.push(line.start);
    out += text.slice(line.start, line.end) + '\n' + (decorates ? '' : around.after);
  }
  return {
    text: out,
    original: (offset) => {
      let lo = 0;
      let hi = from.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (from[mid]! <= offset) lo = mid;
        else hi = mid - 1;
      }
      return to[lo]! + offset - from[lo]!;
    },
  };
}
