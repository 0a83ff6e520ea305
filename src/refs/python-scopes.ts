import type { LogicalLine } from './python-lines.js';
import { headerKind, lineBlocks, lineHolding, lineScopes } from './python-lines-native.js';
import { keptScopeStatements } from './python-snippet.js';
import { KEYWORDS, tokenize, Unsure, type Token } from './python-tokens.js';
import { isWordPart } from './python-code-mask.js';

/**
 * Python's scopes for the two readers (python.ts, python-fast.ts), which otherwise see a file as one namespace. As
 * CPython's symtable decides it: a name bound anywhere in a function's body (assignment, `for`, `as`, `import`,
 * `:=`, a parameter) is local to that function for the whole body unless `global`/`nonlocal` says otherwise; a
 * class body's names are seen in the class body only, never from its methods; anything else is the enclosing
 * function's, else the module's. Only a name whose uses and bindings resolve to more than one scope ("contested")
 * is renamed — `name#<scope>` for a function's or class's own binding; module bindings keep their plain name — so
 * a file where every name has one meaning is read exactly as before. `#` is never part of an identifier.
 *
 * Blocks come from indentation over the logical lines (python-lines.ts); bindings from the statements the snippet
 * keeps (python-snippet.ts: every statement that may bind a name a loader call reads), or every line when it keeps
 * none — the same lines for both readers, so they agree. Comprehension and lambda names are not scopes here: the
 * readers treat them on their own (python.ts `comprehension`, lambda parameters are unknown).
 */
export interface PythonScopes {
  /** The key of `name` as read at `offset` of the file (its own text when the name is not contested). */
  key(name: string, offset: number): string;
  /** The key of a parameter of the `def` whose header is the logical line holding `offset`. */
  parameterKey(name: string, offset: number): string;
  /** Whether the statement at `offset` is in a function's or class's body. */
  nested(offset: number): boolean;
  readonly contested: ReadonlySet<string>;
}

export const SCOPE_MARK = '#';

/**
 * A reader's key searched in the text: the name as the file writes it, and whether an offset where it stands is in
 * the key's own scope (always, for a name with one meaning). The text holds no scope marks: a key searched as it is
 * would never be found, and another function's use of the name is another variable's.
 */
export function keySearch(
  key: string,
  scopes: PythonScopes | undefined,
): { readonly name: string; readonly inScope: (at: number) => boolean } {
  const name = plainName(key);
  return {
    name,
    inScope: scopes && key.includes(SCOPE_MARK) ? (at) => scopes.key(name, at) === key : () => true,
  };
}

/** A name as the file writes it (a reader's key without its scope). */
export const plainName = (key: string): string => {
  const at = key.indexOf(SCOPE_MARK);
  return at < 0 ? key : key.slice(0, at);
};

interface Scope {
  readonly parent: number;
  readonly kind: 'module' | 'function' | 'class';
  readonly locals: Set<string>;
  readonly globals: Set<string>;
  readonly nonlocals: Set<string>;
}

/**
 * A `global` / `nonlocal` statement: the keyword, blanks, then the names. Once `/^(global|nonlocal)[ \t]+([\w \t,]+)$/`,
 * whose blank run could be split between `[ \t]+` and the names in as many ways as it is long, each split reading
 * to the line's end again: quadratic on `global` + blanks + `\` (a continued line, valid Python). The names now
 * start with a word character or comma, so all the blanks go to `[ \t]+`; a line of blanks alone still matches with
 * the last blank as the names, as before. Same language, same captures (test/hostile/backtracking.test.ts).
 */
export const DECLARATION = /^(global|nonlocal)[ \t]+([\w,][\w \t,]*|[ \t])$/;

/**
 * A logical line that starts with `global` or `nonlocal`, as its statement: up to a comment or the next statement
 * (`#`, `;`: a declaration holds only names, so no string comes before either), continued lines joined by a blank.
 * CPython's grammar (`global_stmt: 'global' ','.NAME+`) takes `global name  # why`, `global name; x = 1` and
 * `global a, \` + newline + `b` alike; DECLARATION read the line whole and missed all three.
 */
function declarationText(line: string): string {
  const cut = line.search(/[#;]/);
  return (cut < 0 ? line : line.slice(0, cut)).replace(/\\\r?\n/g, ' ');
}

/**
 * Whether the word at `at` of logical line `i` starts a statement there, and whose: 'line' for the line's own scope
 * (its first statement, one after a `;`, or the body of an `if`/`for`/`with`… on its header's line), 'body' for the
 * body of a `def` on its header's line (`def f(): global x`), undefined for no statement start (`global_step`, a
 * word in a string, an argument). CPython's grammar: `simple_stmts: simple_stmt (';' simple_stmt)*`, and a block may
 * be `simple_stmts` on its header's line — `x = 1; global name` declares `name` for the whole function.
 */
function declarationPlace(text: string, table: Int32Array, i: number, at: number): 'line' | 'body' | undefined {
  const start = table[2 * i]!;
  if (at === start) return 'line';
  // Cheap tests first: most hits are part of a longer name (`global_step`, `globals()`).
  if (isWordPart(text.charCodeAt(at - 1))) return undefined;
  let b = at - 1;
  while (b > start && (text.charCodeAt(b) === 32 || text.charCodeAt(b) === 9)) b--;
  const before = text.charCodeAt(b);
  if (before !== 59 /* ; */ && before !== 58 /* : */) return undefined;
  let tokens: Token[];
  try {
    tokens = tokenize(text, start, at);
  } catch (err) {
    // The prefix ends in a string (the word is in it) or holds a shape the tokens do not know: no declaration read.
    if (err instanceof Unsure) return undefined;
    throw err;
  }
  const lastToken = tokens[tokens.length - 1];
  if (!isOp(lastToken, ';') && !isOp(lastToken, ':')) return undefined;
  const head = tokens[0]?.t === 'name' && tokens[0].text === 'async' ? tokens[1] : tokens[0];
  const opener = head?.t === 'name' ? head.text : '';
  const colon = opener === 'def' || opener === 'class' || INLINE_BODIES.has(opener) ? headerColon(tokens) : -1;
  // A `:` that is no header's (a slice, an annotation, a dict) starts no statement.
  if (isOp(lastToken, ':') && colon !== tokens.length - 1) return undefined;
  // A `;` at depth 0 only (brackets never hold one in code that runs).
  let depth = 0;
  for (const t of tokens) {
    if (t.t === 'op' && OPEN.has(t.text)) depth++;
    else if (t.t === 'op' && CLOSE.has(t.text)) depth--;
  }
  if (depth !== 0) return undefined;
  // After a `def`'s colon its body's scope; a `class` body's declarations are the class's (a scope of its own too).
  return colon >= 0 && (opener === 'def' || opener === 'class') ? 'body' : 'line';
}

/** Never scoped: the instance (python.ts reads `self.x` over every class alike). */
const UNSCOPED = new Set(['self', 'cls']);

let last: { readonly text: string; readonly scopes: PythonScopes | undefined } | undefined;

/**
 * The file's scopes, or undefined when no name has more than one meaning (nothing to rename). `kept`: the snippet's
 * statements when the caller has them (python-fast.ts), else read here; the answer is kept for the next reader.
 */
export function pythonScopes(
  text: string,
  kept?: readonly LogicalLine[],
  /** The kept statements' tokens, when the caller has read them (`kept[i]`'s at `tokenized[i]`). */
  tokenized?: readonly (readonly Token[])[],
): PythonScopes | undefined {
  if (last?.text !== text) last = { text, scopes: readScopes(text, kept, tokenized) };
  return last.scopes;
}

function readScopes(
  text: string,
  kept: readonly LogicalLine[] | undefined,
  tokenized: readonly (readonly Token[])[] | undefined,
): PythonScopes | undefined {
  if (!/(?:^|[\s;])(?:def|class)[ \t]/.test(text)) return undefined;
  const blocks = lineBlocks(text);
  if (!blocks) return undefined;
  const { lines: table } = blocks;
  const count = table.length / 2;
  // Scope `h + 1` is the body of the `def` or `class` at line h; 0 is the module. Each is made when first asked for.
  const scopes = new Map<number, Scope>([
    [0, { parent: -1, kind: 'module', locals: new Set(), globals: new Set(), nonlocals: new Set() }],
  ]);
  // Per line: the scope its statement is in, + 1 (0: not yet worked out).
  const scopeOfLine = lineScopes(text, blocks);
  /** The scope line i's body opens (a `def` or `class` header), else -1; made when first asked for. */
  const opened = (i: number): number => {
    const kind = headerKind(text, table, i);
    if (!kind) return -1;
    if (!scopes.has(i + 1))
      scopes.set(i + 1, { parent: lineScope(i), kind, locals: new Set(), globals: new Set(), nonlocals: new Set() });
    return i + 1;
  };
  /** The scope of line i's statement: the body of the nearest `def` or `class` among the blocks open around it. */
  const lineScope = (i: number): number => {
    const scope = scopeOfLine(i);
    return scope > 0 ? opened(scope - 1) : 0;
  };
  const lineAt = (offset: number) => lineHolding(table, offset);
  const scopeAt = (offset: number) => {
    const i = lineAt(offset);
    return i < 0 ? 0 : lineScope(i);
  };
  // `global x` / `nonlocal x`: statements the snippet does not keep, read where the file names either at all.
  for (const word of ['global', 'nonlocal'] as const)
    for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + word.length)) {
      const i = lineAt(at);
      if (i < 0) continue;
      const place = declarationPlace(text, table, i, at);
      if (place === undefined) continue;
      const declared = DECLARATION.exec(declarationText(text.slice(at, table[2 * i + 1]! & 0x7fffffff)));
      // A one-line `def`'s body is its own scope where the lines make it one, else its line's.
      const body = declared && place === 'body' ? opened(i) : -1;
      const scope = !declared ? 0 : body >= 0 ? body : lineScope(i);
      if (declared && scope > 0)
        for (const name of declared[2]!.split(','))
          scopes.get(scope)![declared[1] === 'global' ? 'globals' : 'nonlocals'].add(name.trim());
    }
  const resolve = (name: string, from: number): number => {
    let s = from;
    let first = true;
    while (s > 0) {
      const scope = scopes.get(s)!;
      if (scope.globals.has(name)) return 0;
      if ((first || scope.kind === 'function') && !scope.nonlocals.has(name) && scope.locals.has(name)) return s;
      first = false;
      s = scope.parent;
    }
    return 0;
  };
  // Bindings, then uses, of the kept statements and every binding of a name they read (or all lines). The caller's
  // tokens of the kept ones are read again, not made again.
  const lines: readonly LogicalLine[] =
    keptScopeStatements(text) ??
    [...Array(count).keys()].map((i) => ({
      start: table[2 * i]!,
      end: table[2 * i + 1]! & 0x7fffffff,
      header: table[2 * i + 1]! < 0,
    }));
  // No statement that matters in a function or class: every binding read is the module's.
  if (
    !lines.some((l) => {
      const i = lineAt(l.start);
      return i >= 0 && (lineScope(i) > 0 || opened(i) >= 0);
    })
  )
    return undefined;
  const read: { tokens: readonly Token[]; scope: number; params: number }[] = [];
  // The next of the caller's kept lines (`tokenized[keptAt]` are its tokens): `lines` holds them all, in file order.
  let keptAt = 0;
  for (const line of lines) {
    let tokens: readonly Token[];
    try {
      tokens =
        (line.start === kept?.[keptAt]?.start ? tokenized?.[keptAt++] : undefined) ??
        tokenize(text, line.start, line.end);
    } catch (err) {
      if (err instanceof Unsure) continue;
      throw err;
    }
    const i = lineAt(line.start);
    const scope = i < 0 ? 0 : lineScope(i);
    const params = i < 0 ? -1 : opened(i);
    read.push({ tokens, scope, params });
    for (const [name, inParams] of boundNames(tokens))
      if (!UNSCOPED.has(name)) scopes.get(inParams && params >= 0 ? params : scope)!.locals.add(name);
  }
  const meanings = new Map<string, Set<number>>();
  const mean = (name: string, scope: number) => {
    let set = meanings.get(name);
    if (!set) meanings.set(name, (set = new Set()));
    set.add(scope);
  };
  for (const [i, s] of scopes) for (const name of s.locals) mean(name, resolve(name, i));
  for (const { tokens, scope, params } of read)
    for (const [name, inParams] of usedNames(tokens))
      mean(name, resolve(name, inParams && params >= 0 ? params : scope));
  const contested = new Set<string>();
  for (const [name, set] of meanings) if (set.size > 1 && !UNSCOPED.has(name)) contested.add(name);
  if (contested.size === 0) return undefined;
  const keyIn = (name: string, scope: number) => {
    if (!contested.has(name)) return name;
    const d = resolve(name, scope);
    return d === 0 ? name : `${name}${SCOPE_MARK}${d}`;
  };
  return {
    contested,
    key: (name, offset) => keyIn(name, scopeAt(offset)),
    parameterKey: (name, offset) => {
      const i = lineAt(offset);
      const params = i >= 0 ? opened(i) : -1;
      return keyIn(name, params >= 0 ? params : scopeAt(offset));
    },
    nested: (offset) => scopeAt(offset) > 0,
  };
}

const OPEN = new Set(['(', '[', '{']);
const CLOSE = new Set([')', ']', '}']);
const isName = (t: Token | undefined): t is Token & { t: 'name' } => t?.t === 'name' && !KEYWORDS.has(t.text);
const isOp = (t: Token | undefined, op: string) => t?.t === 'op' && t.text === op;

/**
 * The names a logical line binds in its own scope (`[name, false]`) or, a `def` header's parameters, in the scope
 * it opens (`[name, true]`): assignment and annotated targets, `+=`, `:=`, `for` and `as` targets, imports, the
 * name a `def` or `class` binds. A comprehension's `for` (inside brackets) and a lambda's parameters bind none here.
 */
export function boundNames(tokens: readonly Token[]): [string, boolean][] {
  const out: [string, boolean][] = [];
  const first = tokens[0];
  const word = (i: number) => (tokens[i]?.t === 'name' ? (tokens[i] as { text: string }).text : undefined);
  const at = word(0) === 'async' ? 1 : 0;
  if (first?.t === 'name' && (first.text === 'import' || first.text === 'from')) {
    // `import a.b` binds a; `import a.b as c`, `from m import x as y` bind the name after `as`, else the name.
    const from = first.text === 'from';
    let i = from ? tokens.findIndex((t) => t.t === 'name' && t.text === 'import') + 1 : 1;
    for (; i > 0 && i < tokens.length; i++) {
      const t = tokens[i]!;
      if (!isName(t)) continue;
      if (isOp(tokens[i - 1], '.')) continue;
      if (word(i + 1) === 'as') continue;
      if (!from && word(i - 1) !== 'as' && isOp(tokens[i + 1], '.')) {
        out.push([t.text, false]);
        while (isOp(tokens[i + 1], '.')) i += 2;
        continue;
      }
      out.push([t.text, false]);
    }
    return out;
  }
  if (word(at) === 'def' || word(at) === 'class') {
    const isDef = word(at) === 'def';
    if (isName(tokens[at + 1])) out.push([(tokens[at + 1] as { text: string }).text, false]);
    if (isDef && isOp(tokens[at + 2], '(')) {
      let depth = 0;
      for (let i = at + 2; i < tokens.length; i++) {
        const t = tokens[i]!;
        if (t.t === 'op' && OPEN.has(t.text)) depth++;
        else if (t.t === 'op' && CLOSE.has(t.text) && --depth === 0) break;
        const before = tokens[i - 1];
        if (
          depth === 1 &&
          isName(t) &&
          (isOp(before, '(') || isOp(before, ',') || isOp(before, '*') || isOp(before, '**'))
        )
          out.push([t.text, true]);
      }
    }
  }
  // `:=` anywhere, `as` names, a `for` header's targets; then assignment targets.
  let depth = 0;
  const equals: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.t === 'op' && OPEN.has(t.text)) depth++;
    else if (t.t === 'op' && CLOSE.has(t.text)) depth--;
    if (isOp(tokens[i + 1], ':=') && isName(t)) out.push([t.text, false]);
    if (t.t === 'name' && t.text === 'as' && isName(tokens[i + 1]))
      out.push([(tokens[i + 1] as { text: string }).text, false]);
    if (
      depth === 0 &&
      t.t === 'op' &&
      (t.text === '=' || (t.text.length > 1 && t.text.endsWith('=') && !['==', '<=', '>=', '!='].includes(t.text)))
    )
      equals.push(i);
    if (depth === 0 && t.t === 'op' && t.text === ';') {
      for (const [name] of boundNames(tokens.slice(i + 1))) out.push([name, false]);
      break;
    }
  }
  // A block's body on its header's line (`if c: MODEL = "x"`, `for m in ms: last = m`, `try: import torch`): a
  // statement of the same scope as the header (CPython's grammar: `block: NEWLINE INDENT statements | simple_stmts`),
  // whose bindings are the function's locals when the header is in one. Not a `def`'s or `class`'s: their body is
  // their own scope, which the readers place by line.
  if (INLINE_BODIES.has(word(at) ?? '')) {
    const body = headerColon(tokens);
    if (body >= 0 && body + 1 < tokens.length) out.push(...boundNames(tokens.slice(body + 1)));
  }
  if (word(at) === 'for') {
    const end = tokens.findIndex((t, i) => i > at && t.t === 'name' && t.text === 'in');
    out.push(...targetNames(tokens.slice(at + 1, end < 0 ? tokens.length : end)));
    return out;
  }
  if (word(0) && KEYWORDS.has(word(0)!) && word(0) !== 'None') return out;
  // `x: T = v` / `x: T`: the annotated name.
  if (isName(first) && isOp(tokens[1], ':')) {
    out.push([first.text, false]);
    return out;
  }
  let from = 0;
  for (const e of equals) {
    out.push(...targetNames(tokens.slice(from, e)));
    from = e + 1;
  }
  return out;
}

/** The compound statements whose body may follow their header on its line, in the header's own scope. */
const INLINE_BODIES: ReadonlySet<string> = new Set([
  'if',
  'elif',
  'else',
  'while',
  'for',
  'with',
  'try',
  'except',
  'finally',
]);

/**
 * The header's `:` (the first at bracket depth 0, past a `lambda`'s own), or -1. A lambda in a header stands in
 * brackets in any real code; one bare in an `if` condition takes the first colon as its own.
 */
function headerColon(tokens: readonly Token[]): number {
  let depth = 0;
  let lambdas = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.t === 'op' && OPEN.has(t.text)) depth++;
    else if (t.t === 'op' && CLOSE.has(t.text)) depth--;
    else if (depth === 0 && t.t === 'name' && t.text === 'lambda') lambdas++;
    else if (depth === 0 && isOp(t, ':')) {
      if (lambdas === 0) return i;
      lambdas--;
    }
  }
  return -1;
}

/** The names a target binds: `x`, `x, y`, `(x, *y)`, not `a.b`, `a[i]` or what a subscript reads. */
function targetNames(tokens: readonly Token[]): [string, boolean][] {
  const out: [string, boolean][] = [];
  let subscript = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const before = tokens[i - 1];
    if (isOp(t, '[') && (isName(before) || isOp(before, ')') || isOp(before, ']'))) subscript++;
    else if (isOp(t, ']') && subscript > 0) subscript--;
    if (subscript > 0 || !isName(t) || isOp(before, '.')) continue;
    const next = tokens[i + 1];
    if (isOp(next, '.') || isOp(next, '[') || isOp(next, '(')) continue;
    out.push([t.text, false]);
  }
  return out;
}

/**
 * The names a line reads or binds as variables (not attributes, keyword-argument names or import paths), with
 * `true` for a `def` header's parameters; f-string fields included.
 */
export function usedNames(tokens: readonly Token[]): [string, boolean][] {
  const out: [string, boolean][] = [];
  const first = tokens[0];
  if (first?.t === 'name' && (first.text === 'import' || first.text === 'from')) return boundNames(tokens);
  const def = tokens.findIndex((t, i) => i < 2 && t.t === 'name' && t.text === 'def');
  const brackets: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.t === 'op' && OPEN.has(t.text)) brackets.push(t.text);
    else if (t.t === 'op' && CLOSE.has(t.text)) brackets.pop();
    if (t.t === 'string' && t.value.kind === 'format')
      for (const part of t.value.parts) if (typeof part !== 'string') out.push([part.name, false]);
    if (!isName(t) || isOp(tokens[i - 1], '.')) continue;
    const parameter =
      def >= 0 &&
      brackets.length === 1 &&
      i > def + 1 &&
      (isOp(tokens[i - 1], '(') || isOp(tokens[i - 1], ',') || isOp(tokens[i - 1], '*') || isOp(tokens[i - 1], '**'));
    if (parameter) {
      out.push([t.text, true]);
      continue;
    }
    if (brackets[brackets.length - 1] === '(' && isOp(tokens[i + 1], '=')) continue;
    out.push([t.text, false]);
  }
  return out;
}

/**
 * The tokens of a kept line with each contested name replaced by its key (python-fast.ts reads names from the
 * tokens). `inParamsOf`: the offset of the line, when it is a `def` header.
 */
export function scopedTokens(tokens: readonly Token[], scopes: PythonScopes): Token[] {
  const def = tokens.findIndex((t, i) => i < 2 && t.t === 'name' && t.text === 'def');
  const brackets: string[] = [];
  return tokens.map((t, i) => {
    if (t.t === 'op' && OPEN.has(t.text)) brackets.push(t.text);
    else if (t.t === 'op' && CLOSE.has(t.text)) brackets.pop();
    if (t.t === 'string' && t.value.kind === 'format') {
      const parts = t.value.parts.map((p) =>
        typeof p === 'string' || !scopes.contested.has(p.name) ? p : { name: scopes.key(p.name, t.from) },
      );
      return { ...t, value: { kind: 'format', parts } };
    }
    if (t.t !== 'name' || !scopes.contested.has(t.text) || isOp(tokens[i - 1], '.')) return t;
    const before = tokens[i - 1];
    const parameter =
      def >= 0 &&
      brackets.length === 1 &&
      i > def + 1 &&
      (isOp(before, '(') || isOp(before, ',') || isOp(before, '*') || isOp(before, '**'));
    if (parameter) return { ...t, text: scopes.parameterKey(t.text, t.from) };
    if (brackets[brackets.length - 1] === '(' && isOp(tokens[i + 1], '=')) return t;
    return { ...t, text: scopes.key(t.text, t.from) };
  });
}
