import {
  collectReference,
  isLoaderCall,
  isTfjsLoader,
  JAVASCRIPT_CONSTRUCTED_LOADERS,
  JAVASCRIPT_LOADER_NAMES,
} from './calls.js';
import { argumentsOf } from './javascript-arguments.js';
import { declaratorsOf } from './javascript-declarations.js';
import { ITERATING_METHODS, tokenize, unquote, Unsure, type Token } from './javascript-tokens.js';
import { TransformersJsEnvReader } from './transformersjs-env.js';
import { Values } from './javascript-values.js';
import { blank, componentScript } from './javascript-components.js';
import { javaScriptImports } from './javascript-imports.js';
import { Constants, fromRepository, resolveCallee } from './syntax.js';
import { lineFeeds, lineIndex } from './text.js';
import type { FileReferences } from './types.js';
import { mayCallLoader } from './search.js';

/**
 * Model references in JavaScript/TypeScript without a parser, for the shapes ordinary code has: loading
 * @lezer/javascript and parsing a whole file to read two calls in it cost more than the rest of the file's search
 * (bench `refs`). From the file's tokens (javascript-tokens.ts) it reads the imports and `require`s
 * (javascript-imports.ts), every call a loader could be (calls.ts `isLoaderCall` on its callee), their arguments,
 * and the `const`/`let`/`var` declarations of the names those arguments read (javascript-values.ts). Whatever it is
 * not sure of — a call that may be a method definition or in a class body, `?.` before a loader, a declaration it
 * cannot delimit, JSX, a regular expression it cannot tell from a division — gives undefined, and javascript.ts reads
 * the file with lezer as before.
 *
 * What it reports is what javascript.ts's walk over lezer's tree reports, field for field: constants evaluated in
 * the order the walk meets their declarations, calls in the tree's pre-order, each at its callee's first character
 * (test/refs/javascript-fast.test.ts holds the two together).
 */
export function findJavaScriptReferencesFast(
  path: string,
  source: string,
  existsLocally: (p: string) => boolean,
): FileReferences | undefined {
  const text = componentScript(path, source);
  let toks: Token[];
  const comments: number[] = [];
  try {
    toks = tokenize(text, comments);
  } catch (err) {
    if (err instanceof Unsure || err instanceof RangeError) return undefined;
    throw err;
  }
  if (callsNoLoader(text, comments)) return { references: [], dynamic: [] };
  try {
    return read(path, text, toks, existsLocally);
  } catch (err) {
    if (err instanceof Unsure || err instanceof RangeError) return undefined;
    throw err;
  }
}

/**
 * Whether the file, its comments blanked (line breaks kept), fails the screen that let it through (search.ts
 * `mayCallLoader`): its loader words, or the backslash that let a word count alone, stood only in comments —
 * `// Starts pipeline processing.` in express, a bundle's license banner. Comments are no part of the syntax tree
 * javascript.ts walks, so it finds in the file what it finds in the blanked text, which the screen says is nothing.
 */
function callsNoLoader(text: string, comments: readonly number[]): boolean {
  if (comments.length === 0) return false;
  const parts: string[] = [];
  let at = 0;
  for (let k = 0; k < comments.length; k += 2) {
    parts.push(text.slice(at, comments[k]), blank(text.slice(comments[k], comments[k + 1])));
    at = comments[k + 1]!;
  }
  parts.push(text.slice(at));
  return !mayCallLoader(parts.join(''), 'javascript');
}

/**
 * A name with a default that may be a model's name (`name = …`, TypeScript's annotation allowed) after `(`, `,` or
 * `{`, inside a parenthesis the statement opened on its line: a parameter (`function load(model = 'org/x')`,
 * `({ model = 'org/x' } = {}) =>`), loosely — an assignment in a call's arguments sends a file to lezer as well. A
 * declaration's list (`const a = 1, b = 2`) opens none. Only a string, a template or a name can be a model's name:
 * `progress_callback = null`, `options = {}`, `n = 1` (transformers.js apps' own singletons take those) stay here.
 *
 * Linear on any text (redos): after an annotation's `:`, the blanks before a tab are read apart from the type's
 * characters (a space is both, so `(c:` and 60,000 spaces was split every way: 3 s, quadratic); and each match's
 * line, its statement and the parentheses open in it are read on from the last match, not again from the line's start
 * (a long line of `,a='x'` after stray `)`s was quadratic).
 */
const DEFAULTED =
  /[(,{][ \t\r\n]*[A-Za-z_$][\w$]*[ \t]*(?::(?:[ \t]*\t)?[\w$.<>[\]| '"]*)?=(?![=>])[ \t]*(?!(?:null|undefined|true|false|this|new|function|async|void|typeof)\b)['"`A-Za-z_$]/g;

export function hasParameterDefault(text: string): boolean {
  DEFAULTED.lastIndex = 0;
  // Read up to and with each match: `(` less `)` since the line's start or its last `;` (escaped parentheses, a
  // regular expression's `\(`, open nothing), and whether the line is a comment's.
  let at = 0;
  let open = 0;
  let lineStart = 0;
  let comment: boolean | undefined;
  for (let m = DEFAULTED.exec(text); m; m = DEFAULTED.exec(text)) {
    for (; at <= m.index; at++) {
      const c = text[at];
      if (c === '\n') {
        lineStart = at + 1;
        open = 0;
        comment = undefined;
      } else if (c === ';') open = 0;
      else if (c === '\\' && at < m.index && (text[at + 1] === '(' || text[at + 1] === ')')) at++;
      else if (c === '(') open++;
      else if (c === ')') open--;
    }
    // A comment's line (`// pipeline(task, model = null, options)`) declares nothing. The match's own character
    // (`(`, `,`, `{`) ends any comment opener, so the line's start decides for all its matches.
    comment ??= /^[ \t]*(?:\/\/|\/\*|\*)/.test(text.slice(lineStart, m.index + 1));
    if (!comment && open > 0) return true;
  }
  return false;
}

/** `process.env` (spaced or not, `?.` or not), or Vite's `import.meta.env`. */
const ENV_READ = /(?:process|import\s*\.\s*meta)\s*(?:\?\.|\.)\s*env\b/g;

/**
 * `process.env.X ??` / `process.env['X'] ||`: loosely, never missing one — a `??` or `||` after a `process.env` with no
 * `;` between (`/process\s*(?:\?\.|\.)\s*env\b[^;]*?(?:\?\?|\|\|)/`, whose lazy search ran from every
 * `process.env` to the next `;` again: quadratic in a file of them). The next `;` and operator are found once each.
 */
export function hasEnvFallback(text: string): boolean {
  let semicolon = -1;
  let operator = -1;
  ENV_READ.lastIndex = 0;
  for (let m = ENV_READ.exec(text); m; m = ENV_READ.exec(text)) {
    const from = m.index + m[0].length;
    if (semicolon < from) {
      const at = text.indexOf(';', from);
      semicolon = at < 0 ? Infinity : at;
    }
    if (operator < from) operator = nextOperator(text, from);
    if (operator < semicolon) return true;
  }
  return false;
}

/** The first `??` or `||` at or after `from`; Infinity for none. */
function nextOperator(text: string, from: number): number {
  const a = text.indexOf('??', from);
  const b = text.indexOf('||', from);
  if (a < 0) return b < 0 ? Infinity : b;
  return b < 0 ? a : Math.min(a, b);
}

/** A loader call: where its callee starts, how it is written and resolved, its argument list's brackets. */
interface LoaderCall {
  readonly head: number;
  readonly written: string;
  readonly resolved: string;
  readonly open: number;
}

/** Words before a callee that make `name(…)` a definition, not a call (or a decorator): the parser decides. */
const DEFINES = new Set([
  'function',
  'get',
  'set',
  'static',
  'async',
  'class',
  'interface',
  'declare',
  'abstract',
  'override',
  'public',
  'private',
  'protected',
  'readonly',
  'accessor',
]);

/** The names of tfjs's io handlers whose arguments say where a loader reads the model from. */
const TFJS_HANDLERS: ReadonlySet<string> = new Set(['http', 'browserHTTPRequest', 'fileSystem']);

/** Whether the arguments of the call opened at `open` call a name tfjs's `io.http` or `io.fileSystem` may be. */
function callsTfjsHandler(toks: readonly Token[], open: number): boolean {
  for (let k = open + 1; k < toks[open]!.match; k++) {
    const t = toks[k]!;
    const next = toks[k + 1];
    if (t.t === 'name' && TFJS_HANDLERS.has(t.text) && next?.text === '(') return true;
  }
  return false;
}

function read(
  path: string,
  text: string,
  toks: readonly Token[],
  existsLocally: (p: string) => boolean,
): FileReferences {
  const isOp = (k: number, op: string) => toks[k]?.t === 'op' && toks[k].text === op;
  checkStatements(toks);
  const imports = javaScriptImports(toks);
  const calls: LoaderCall[] = [];
  for (let k = 1; k < toks.length; k++) {
    if (!isOp(k, '(') || toks[k - 1]!.t !== 'name') continue;
    let head = k - 1;
    while (isOp(head - 1, '.') && toks[head - 2]?.t === 'name') head -= 2;
    const last = toks[k - 1]!.text;
    const before = toks[head - 1];
    // lezer's callee `a?.b.create` is written `a.b.create`; `x().create`, `this.create`, `a[0].create` have none.
    if (before?.t === 'op' && before.text === '?.') {
      if (JAVASCRIPT_LOADER_NAMES.has(last)) throw new Unsure();
      continue;
    }
    if (before?.t === 'op' && before.text === '.') continue;
    // A file has thousands of calls and a few loader calls: only a callee whose resolved last name is a loader's
    // (`shapeOf` follows no other in JavaScript) is resolved and asked about.
    const name = head === k - 1 ? lastOf(imports.get(last) ?? last) : last;
    if (!JAVASCRIPT_LOADER_NAMES.has(name)) continue;
    const written = toks
      .slice(head, k)
      .filter((t) => t.t === 'name')
      .map((t) => t.text)
      .join('.');
    const resolved = resolveCallee(imports, written);
    // A loader's name a module of the repository gives (`import { pipeline } from './ml.js'`): javascript.ts says so,
    // and imported-values.ts follows it to the package.
    if (fromRepository(resolved)) throw new Unsure();
    if (!isLoaderCall(written, resolved, 'javascript')) continue;
    if (Values.isKeyword(toks[head]!.text)) continue;
    // `new X(…)`: the lezer reader reads the classes that load a model (calls.ts JAVASCRIPT_CONSTRUCTED_LOADERS).
    if (before?.t === 'name' && before.text === 'new') {
      if (JAVASCRIPT_CONSTRUCTED_LOADERS.has(name)) throw new Unsure();
      continue;
    }
    if (Values.isContextual(toks[head]!.text) || (before && definesBefore(before))) throw new Unsure();
    const after = toks[toks[k]!.match + 1];
    if (after?.t === 'op' && ['{', ':', '=>'].includes(after.text)) throw new Unsure();
    checkEnclosingBraces(toks, head);
    // `loadGraphModel(tf.io.http(url))`: javascript.ts reads the handler's URL (its `tfjsHttpPath`); a
    // `tf.io.fileSystem(path)` handler's local files are its too (`isTfjsFileSystem`).
    if (isTfjsLoader(written, resolved) && callsTfjsHandler(toks, k)) throw new Unsure();
    calls.push({ head, written, resolved, open: k });
  }

  // The arguments' values read constants: first which (the structure does not depend on their values), then their
  // declarations, evaluated in file order as the walk meets them, then the arguments.
  const constants = new Constants();
  const values = new Values(toks, (name) => constants.get(name));
  const args = calls.map((c) => argumentsOf(toks, c.open, values));
  const declarators = declaratorsOf(
    toks,
    args.flatMap((a) => a.reads),
    values,
  );
  // javascript.ts reads an object a name is declared with as the options the name passes (`optionsObject`).
  if (declarators.some((d) => declaresObject(toks, d.from))) throw new Unsure();
  // javascript.ts leaves a name assigned after its declaration to run time (`rebound`): such files are its to read.
  const rebindable = mayRebind(toks);
  if (declarators.some((d) => rebindable.has(d.name))) throw new Unsure();
  // javascript.ts reads `for (const m of […])`'s items: a name a loop head declares is its to read.
  const looped = loopDeclared(toks);
  if (args.some((a) => a.reads.some((r) => looped.has(r)))) throw new Unsure();
  for (const d of declarators) constants.set(d.name, values.range(d.from, d.to).value);

  const envReader = transformersJsEnv(toks, imports);
  const env = envReader.result();
  // What javascript.ts alone reads: a fallback for an env read (`process.env.MODEL ?? 'org/x'`, its `envOf`) and a
  // parameter's default (`function load(model = 'org/x')`, its `recordParameters`). Each matters only as a value a
  // loader call or a transformers.js env setting reads: a file with neither (express's `process.env.NODE_ENV ||
  // 'development'`) reads the same in both.
  if ((calls.length > 0 || env !== undefined) && (hasEnvFallback(text) || hasParameterDefault(text)))
    throw new Unsure();
  const at = lineIndex(lineFeeds(text));
  const out: FileReferences = { references: [], dynamic: [] };
  calls.forEach((call, i) => {
    const { positional, keywords, splat } = args[i]!.evaluate();
    const { line, column } = at(toks[call.head]!.from);
    collectReference(
      path,
      { written: call.written, resolved: call.resolved, positional, keywords, splat, line, column, lang: 'javascript' },
      existsLocally,
      out,
      env,
    );
  });
  envReader.settings(path, at, out);
  return out;
}

const lastOf = (dotted: string) => dotted.slice(dotted.lastIndexOf('.') + 1);

/** A declarator's value that is an object literal (in parentheses, or given to `Object.freeze`), from its start. */
function declaresObject(toks: readonly Token[], from: number): boolean {
  let k = from;
  while (toks[k]?.t === 'op' && toks[k]!.text === '(') k++;
  const t = toks[k];
  return (t?.t === 'op' && t.text === '{') || (t?.t === 'name' && t.text === 'Object' && toks[k + 1]?.text === '.');
}

/**
 * Names the tokens may assign after a declaration — a superset of javascript.ts `rebound`: a name before an
 * assignment operator (not right after `let`/`const`/`var`), next to `++`/`--`, in a `for (… of|in` head with no
 * declaration keyword, or inside brackets an `=` follows that no declaration keyword precedes (`[a, b] = pair()`).
 */
function mayRebind(toks: readonly Token[]): Set<string> {
  const out = new Set<string>();
  const isOp = (k: number, ...ops: string[]) => toks[k]?.t === 'op' && ops.includes(toks[k].text);
  const declares = (k: number) => (toks[k]?.t === 'name' && DECLARES.has(toks[k].text)) || inDeclarationList(k);
  // `const a = 1, b = 2`: a `,` of a declaration list — back over the statement, brackets skipped, to its keyword.
  const inDeclarationList = (k: number) => {
    if (!isOp(k, ',')) return false;
    for (let j = k - 1; j >= 0; j--) {
      const t = toks[j]!;
      if (t.t === 'op' && t.match >= 0 && t.match < j) j = t.match;
      else if ((t.t === 'op' && (t.text === ';' || t.match > j)) || (t.t === 'name' && t.text === 'for')) return false;
      else if (t.t === 'name' && DECLARES.has(t.text)) return true;
    }
    return false;
  };
  const namesIn = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (toks[k]!.t === 'name' && !isOp(k - 1, '.', '?.')) out.add(toks[k]!.text);
  };
  toks.forEach((t, k) => {
    if (t.t === 'name') {
      if (isOp(k - 1, '.', '?.')) return;
      const next = toks[k + 1];
      if (
        (next?.t === 'op' && ASSIGNS.test(next.text) && !declares(k - 1)) ||
        isOp(k + 1, '++', '--') ||
        isOp(k - 1, '++', '--')
      )
        out.add(t.text);
      if (t.text === 'for' && isOp(k + 1, '(') && !declares(k + 2)) {
        const close = toks[k + 1]!.match < 0 ? toks.length : toks[k + 1]!.match;
        let end = k + 2;
        while (end < close && !(toks[end]!.t === 'name' && (toks[end]!.text === 'of' || toks[end]!.text === 'in')))
          end++;
        namesIn(k + 2, end);
      }
    } else if (t.t === 'op' && (t.text === '[' || t.text === '{') && t.match >= 0) {
      const after = toks[t.match + 1];
      if (after?.t === 'op' && after.text === '=' && !declares(k - 1)) namesIn(k + 1, t.match);
    }
  });
  return out;
}

/** Assignment operators: javascript.ts reads the target of every `AssignmentExpression`. */
const ASSIGNS = /^(?:=|[-+*/%&|^]=|\*\*=|<<=|>>>?=|&&=|\|\|=|\?\?=)$/;

/**
 * javascript.ts's reading of `env.<setting> = <literal>` (transformersjs-env.ts): a dotted target ending in one of
 * the settings, then `=` and one string or `true`/`false` that ends the expression; any other value is unknown.
 */
function transformersJsEnv(toks: readonly Token[], imports: ReadonlyMap<string, string>) {
  const reader = new TransformersJsEnvReader();
  const isOp = (k: number, ...ops: string[]) => toks[k]?.t === 'op' && ops.includes(toks[k].text);
  toks.forEach((t, k) => {
    if (t.t !== 'name' || (t.text !== 'allowRemoteModels' && t.text !== 'remoteHost') || !isOp(k - 1, '.')) return;
    const op = toks[k + 1];
    if (op?.t !== 'op' || !ASSIGNS.test(op.text)) return;
    let head = k;
    while (isOp(head - 1, '.') && toks[head - 2]?.t === 'name') head -= 2;
    if (isOp(head - 1, '.', '?.')) return;
    const written = toks
      .slice(head, k + 1)
      .filter((x) => x.t === 'name')
      .map((x) => x.text)
      .join('.');
    const value = toks[k + 2];
    const after = toks[k + 3];
    const ends = !after || isOp(k + 3, ';', ',', ')', '}', ']') || (after.nl && after.t !== 'op');
    let literal: string | undefined;
    if (op.text === '=' && ends && value?.t === 'string') literal = unquote(value.text);
    else if (op.text === '=' && ends && value?.t === 'name' && (value.text === 'true' || value.text === 'false'))
      literal = value.text;
    reader.assign(resolveCallee(imports, written), literal, toks[head]!.from);
  });
  return reader;
}

/**
 * Whether the `:` at `colon` ends a `case …:` or `default:` label: back over its bracket level to the statement's
 * start, a `case` or `default` there.
 */
function inCaseLabel(toks: readonly Token[], colon: number): boolean {
  const level = toks[colon]!.up;
  for (let j = colon - 1; j >= 0 && toks[j]!.up >= level; j--) {
    const t = toks[j]!;
    if (t.up !== level) continue;
    if (t.t === 'name' && (t.text === 'case' || t.text === 'default'))
      return toks[j - 1]?.t !== 'op' || toks[j - 1]!.text !== '.';
    if (t.t === 'op' && (t.text === ';' || t.text === '{' || t.text === '}')) return false;
  }
  return false;
}

/**
 * Syntax errors the parser recovers from in its own way (its tree around them is not the one this reader assumes):
 * a `;` inside parentheses other than a `for` head's or inside brackets, and a declaration that does not start a
 * statement or bind a name or pattern. Hand-written source has none; a file that has one goes to the parser.
 */
function checkStatements(toks: readonly Token[]): void {
  toks.forEach((t, k) => {
    if (t.t === 'op' && t.text === ';' && t.up >= 0) {
      const open = toks[t.up]!;
      const head = toks[t.up - 1];
      const forHead = head?.text === 'for' || (head?.text === 'await' && toks[t.up - 2]?.text === 'for');
      if (open.t !== 'op' || open.text !== '(' || !forHead) {
        if (!(open.t === 'op' && open.text === '{')) throw new Unsure();
      }
    } else if (t.t === 'op' && t.text === '=') {
      // An assignment or initializer needs a target before it and a value after it.
      const before = toks[k - 1];
      const after = toks[k + 1];
      if (
        !before ||
        (before.t !== 'name' && !(before.t === 'op' && [')', ']', '}', '>', '>>', '>>>'].includes(before.text)))
      )
        throw new Unsure();
      if (!after || (after.t === 'op' && [',', ')', ']', '}', ';', '=', '.'].includes(after.text))) throw new Unsure();
    } else if (t.t === 'name' && DECLARES.has(t.text)) {
      // TypeScript's `… as const`: a type, no declaration.
      if (toks[k - 1]?.t === 'name' && toks[k - 1]!.text === 'as' && t.text === 'const' && !t.nl) return;
      const next = toks[k + 1];
      if (!(next?.t === 'name' || next?.text === '{' || next?.text === '[')) throw new Unsure();
      const third = toks[k + 2];
      if (
        next.t === 'name' &&
        third &&
        !third.nl &&
        !['=', ',', ';', ':', '!', 'of', 'in', ')', 'enum'].includes(third.text)
      )
        throw new Unsure();
      const before = toks[k - 1];
      if (!before || before.text === 'export' || before.text === 'declare') return;
      if (before.t === 'op' && [';', '{', '}'].includes(before.text)) return;
      if (before.t === 'op' && before.text === '(' && toks[k - 2]?.text === 'for') return;
      // `for await (const chunk of stream)`.
      if (before.t === 'op' && before.text === '(' && toks[k - 2]?.text === 'await' && toks[k - 3]?.text === 'for')
        return;
      // A case clause's statements (`case 'a': const x = …`, `default: let y`).
      if (before.t === 'op' && before.text === ':' && inCaseLabel(toks, k - 1)) return;
      // A line break after an operand ends the statement before (automatic semicolon insertion).
      if (t.nl && (before.t === 'name' || before.t === 'number' || before.t === 'string' || before.t === 'regex'))
        return;
      if (t.nl && (before.t === 'template' || before.t === 'tpl-tail' || [')', ']'].includes(before.text))) return;
      throw new Unsure();
    }
  });
}

const DECLARES = new Set(['const', 'let', 'var']);

/** Names a `for (const|let|var … of|in …)` head declares (every name before `of`/`in`). */
function loopDeclared(toks: readonly Token[]): Set<string> {
  const out = new Set<string>();
  toks.forEach((t, k) => {
    // javascript.ts `destructure`: `const { model } = CONFIG` — every name in the pattern, loosely.
    if (t.t === 'op' && t.text === '{' && t.match > k && toks[k - 1]?.t === 'name' && DECLARES.has(toks[k - 1]!.text))
      for (let j = k + 1; j < t.match; j++) if (toks[j]!.t === 'name') out.add(toks[j]!.text);
    // javascript.ts `arrayCallback`: `.map((m) => …)`, `.forEach(function (m) {…})` — every parameter name, loosely.
    if (t.t === 'name' && ITERATING.has(t.text) && toks[k - 1]?.t === 'op' && toks[k + 1]?.text === '(') {
      const open = toks[k + 1]!;
      const close = open.match < 0 ? toks.length : open.match;
      for (let j = k + 2; j < close; j++) {
        const x = toks[j]!;
        if (x.t === 'op' && (x.text === '=>' || x.text === '{')) break;
        if (x.t === 'name') out.add(x.text);
      }
    }
    const open = toks[k + 1];
    const keyword = toks[k + 2];
    if (t.t !== 'name' || t.text !== 'for' || open?.t !== 'op' || open.text !== '(') return;
    if (keyword?.t !== 'name' || !DECLARES.has(keyword.text)) return;
    const close = open.match < 0 ? toks.length : open.match;
    for (let j = k + 3; j < close; j++) {
      const x = toks[j]!;
      if (x.t === 'name' && (x.text === 'of' || x.text === 'in')) break;
      if (x.t === 'name') out.add(x.text);
    }
  });
  return out;
}

/** javascript.ts `arrayCallback`'s methods. */
const ITERATING = new Set(ITERATING_METHODS);

function definesBefore(t: Token): boolean {
  return (t.t === 'name' && DEFINES.has(t.text)) || (t.t === 'op' && (t.text === '*' || t.text === '@'));
}

/**
 * A loader call in a class body, an interface, an enum or a type literal would be a method's declaration there: the
 * braces around it must be a block, a function body or an object literal.
 */
function checkEnclosingBraces(toks: readonly Token[], head: number): void {
  let u = toks[head]!.up;
  while (u >= 0 && !(toks[u]!.t === 'op' && toks[u]!.text === '{')) u = toks[u]!.up;
  if (u < 0) return;
  let b = toks[u - 1];
  if (!b) return;
  if (b.t === 'name' && ['else', 'try', 'finally', 'do', 'return', 'yield', 'await'].includes(b.text)) return;
  // A function's body after its return type: `): Promise<Model> {`.
  if (b.t === 'name' || (b.t === 'op' && b.text === '>')) b = beforeReturnType(toks, u - 1);
  if (b?.t !== 'op' || !['(', ')', '=>', ';', '{', '=', ',', ':', '[', '?', '&&', '||', '??', '...'].includes(b.text))
    throw new Unsure();
  // `type T = { … }`, `type T<A> = { … }`.
  if (b.text === '=' && (toks[u - 2]?.t === 'op' || toks[u - 3]?.text === 'type')) throw new Unsure();
  // The body of `class A extends mixin(B) { … }`: a class body after all.
  if (b.text === ')') {
    let k = b.match - 1;
    while (toks[k]?.t === 'name' || toks[k]?.text === '.') {
      if (toks[k]!.text === 'extends') throw new Unsure();
      k--;
    }
  }
}

/** The `)` before `: Type` ending at `end` (a plain or generic type name), or undefined. */
function beforeReturnType(toks: readonly Token[], end: number): Token | undefined {
  for (let k = end; k > end - 30 && k > 0; k--) {
    const t = toks[k]!;
    if (t.t === 'op' && t.text === ':')
      return toks[k - 1]?.t === 'op' && toks[k - 1]!.text === ')' ? toks[k - 1] : undefined;
    if (t.t !== 'name' && !(t.t === 'op' && ['.', '<', '>', '>>', ',', '[', ']', '|', '&'].includes(t.text)))
      return undefined;
  }
  return undefined;
}
