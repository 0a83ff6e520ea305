import * as jinja from '@huggingface/jinja';
import { pushAll } from '../../core/push-all.js';
import { bindValues } from './chat-template-bindings.js';
import { respellForParser } from './chat-template-spelling.js';
import { CLEAN, filterArgs, filterName, valueOf, type Node, type Val } from './chat-template-values.js';

/** Indicators of a template the checks could not finish reading: what it hides was not checked. */
export const TOO_LARGE = 'template too large to check';
export const TOO_COMPLEX = 'template too complex to check';

/** Material a payload spells names from (`'_'`, `'%c'`), and a call of what a key looked up. */
export const UNDERSCORE_STRING = 'underscore string';
export const CHARACTER_FORMATTING = 'character formatting';
export const COMPUTED_CALL = 'call through a computed attribute';

/** The package's .d.ts files use extensionless imports that NodeNext cannot follow: type the two calls here. */
const { parse, tokenize } = jinja as unknown as {
  parse: (tokens: unknown) => Node;
  tokenize: (source: string, options: { lstrip_blocks: boolean; trim_blocks: boolean }) => unknown;
};

/**
 * Syntax-tree checks of a chat template, parsed (never rendered) by `@huggingface/jinja` — the Jinja
 * implementation transformers.js renders chat templates with. Jinja turns `a[b]` and `a.b` into `getattr`, so a
 * payload needs an attribute whose name is built at render time or starts with `_`; real templates only use literal
 * keys, integer indices and public methods.
 */
export interface AstHit {
  readonly indicator: string;
}

/** Jinja globals whose `__globals__` reach Python's builtins; chat templates never name them. */
const GADGET_GLOBALS = new Set([
  'lipsum',
  'cycler',
  'joiner',
  'self',
  'config',
  'request',
  'url_for',
  'get_flashed_messages',
  'range.__class__',
]);
const RAW_BLOCK = /\{%-?\s*raw\s*-?%\}[\s\S]*?\{%-?\s*endraw\s*-?%\}/g;
/** Walk bound: a template with more nodes than this is not a chat template. */
export const MAX_NODES = 200_000;

/** The nodes directly under `n`, in the order its fields list them. */
export function children(n: Node): Node[] {
  const out: Node[] = [];
  for (const v of Object.values(n)) {
    if (Array.isArray(v)) for (const x of v) if (x && typeof x === 'object') out.push(x as Node);
    if (v instanceof Map) for (const [k, x] of v) out.push(k as Node, x as Node);
    else if (v && typeof v === 'object' && typeof (v as Node).type === 'string') out.push(v as Node);
  }
  return out;
}

/**
 * `root` and what `expand` finds under each item, depth first, at most MAX_NODES of them: the checks that read a part
 * of a template's tree stop there rather than fail (the injection walk below refuses a larger tree instead).
 */
export function* boundedWalk<T>(root: T, expand: (item: T) => readonly T[]): Generator<T> {
  const stack = [root];
  for (let seen = 0; stack.length > 0 && seen < MAX_NODES; seen++) {
    const item = stack.pop()!;
    yield item;
    pushAll(stack, expand(item));
  }
}

function* walk(root: Node): Generator<Node> {
  const stack: Node[] = [root];
  let seen = 0;
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (++seen > MAX_NODES) throw new Error('template too large');
    yield n;
    pushAll(stack, children(n));
  }
}

/**
 * `@huggingface/jinja`'s preprocess runs `/(\s*){%(-?)\s*(?:end)?generation…/gs` over the template, which backtracks
 * quadratically through a run of whitespace (64 KiB of spaces: 5 s). Runs longer than 64 characters keep their first
 * and last 32: what Jinja's whitespace control looks at (a newline right after a tag, the indentation before the next
 * one) is at the ends of a run, and no injection is spelled with whitespace in the middle of one.
 */
const LONG_WHITESPACE = /\s{65,}/g;
const shortenWhitespaceRuns = (s: string) => s.replace(LONG_WHITESPACE, (run) => run.slice(0, 32) + run.slice(-32));

/** The last template parsed and its tree: the injection and the loop checks read the same template in turn. */
let lastParsed: { template: string; program: Node | undefined } | undefined;

/** The template's syntax tree as `@huggingface/jinja` parses it (never to be changed); `undefined` when it does not parse. */
export function parseTemplate(template: string): Node | undefined {
  if (lastParsed?.template !== template) lastParsed = { template, program: parseFresh(template) };
  return lastParsed.program;
}

function parseFresh(template: string): Node | undefined {
  try {
    // `{% raw %}` blocks are literal text (no code); the parser does not know the tag. Spellings Jinja2 reads and the
    // parser refuses (`1_000`, `0x1F`, `{%+`) are respelled first: a template transformers renders is checked.
    const code = shortenWhitespaceRuns(respellForParser(template.replace(RAW_BLOCK, '')));
    return parse(tokenize(code, { lstrip_blocks: true, trim_blocks: true }));
  } catch {
    return undefined;
  }
}

/** AST indicators of template injection; `undefined` when the template does not parse. */
export function checkTemplateAst(template: string): AstHit[] | undefined {
  const program = parseTemplate(template);
  return program === undefined ? undefined : indicators(program);
}

/** Filters that look attributes up by a name given as an argument (jinja2 `make_attrgetter`, dotted paths). */
const ATTRIBUTE_FILTERS = new Set([
  'map',
  'selectattr',
  'rejectattr',
  'groupby',
  'sort',
  'sum',
  'unique',
  'min',
  'max',
]);
/**
 * Python's `%c` and `{:c}` turn a number into any character, `_` included:
 * `/%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?c|\{[^{}]*:[^{}]*c\}/.test(s)`, by hand (that expression looked for a `)`
 * from every `%(` again: quadratic in a hostile template).
 */
export function hasCharFormat(s: string): boolean {
  let close = -1;
  for (let p = s.indexOf('%'); p >= 0; p = s.indexOf('%', p + 1)) {
    if (s[p + 1] === '(') {
      if (close !== Infinity && close < p + 2) {
        const at = s.indexOf(')', p + 2);
        close = at < 0 ? Infinity : at;
      }
      if (close !== Infinity && conversionC(s, close + 1)) return true;
    }
    if (conversionC(s, p + 1)) return true;
  }
  return braceGroups(s, (content) => {
    const colon = content.indexOf(':');
    return colon >= 0 && colon < content.length - 1 && content.endsWith('c');
  });
}

/** `[-#0 +]*\d*(?:\.\d+)?c` at `i` (greedy is exact here: what follows each part is none of its characters). */
function conversionC(s: string, i: number): boolean {
  while (i < s.length && '-#0 +'.includes(s[i]!)) i++;
  while (i < s.length && s[i]! >= '0' && s[i]! <= '9') i++;
  if (s[i] === '.' && s[i + 1]! >= '0' && s[i + 1]! <= '9') {
    i++;
    while (i < s.length && s[i]! >= '0' && s[i]! <= '9') i++;
  }
  return s[i] === 'c';
}

/** Whether some `{…}` of `s` with no brace inside meets `test` (each `{` with the first brace after it). */
export function braceGroups(s: string, test: (content: string) => boolean): boolean {
  for (let open = s.indexOf('{'); open >= 0;) {
    let next = open + 1;
    while (next < s.length && s[next] !== '{' && s[next] !== '}') next++;
    if (next >= s.length) return false;
    if (s[next] === '}' && test(s.slice(open + 1, next))) return true;
    open = s[next] === '{' ? next : s.indexOf('{', next + 1);
  }
  return false;
}
const privateName = (s: string) => s.split('.').some((part) => part.startsWith('_'));
const isLiteralKey = (k: Node): boolean =>
  k.type === 'StringLiteral' ||
  k.type === 'IntegerLiteral' ||
  (k.type === 'UnaryExpression' && (k.argument as Node).type === 'IntegerLiteral') ||
  k.type === 'SliceExpression';

/**
 * A name looked up at render time: built from the template's own characters (unless its start already rules out
 * every internal attribute — for a subscript only: `map(attribute=…)` splits a dotted path and looks each part up,
 * jinja2 filters.py `make_attrgetter`), or a `_`-prefixed literal choice.
 */
function judgeName(v: Val, hits: Set<string>, dotted = false): void {
  if (v.built && (dotted || v.plainStart !== true)) hits.add('attribute name built at render time');
  if ([...v.lits].some(privateName)) hits.add('private attribute');
}

function indicators(program: Node): AstHit[] {
  let nodes: Node[];
  try {
    nodes = [...walk(program)];
  } catch {
    return [{ indicator: TOO_LARGE }];
  }
  const { env, macros, settled } = bindValues(nodes);
  const value = (e: Node): Val => valueOf(e, env, macros);
  const hits = new Set<string>();
  if (!settled) hits.add(TOO_COMPLEX);
  const callees = new Set<Node>();
  for (const n of nodes) if (n.type === 'CallExpression') callees.add(n.callee as Node);
  for (const n of nodes) {
    if (n.type === 'MemberExpression') {
      const key = n.property as Node;
      if (n.computed && !isLiteralKey(key)) judgeName(value(key), hits);
      if (n.computed && key.type === 'StringLiteral' && (key.value as string).startsWith('_'))
        hits.add('private attribute');
      if (!n.computed && key.type === 'Identifier' && (key.value as string).startsWith('_'))
        hits.add('private attribute');
      // Taking the method is enough: `{% set f = s.format %}{{ f(x) }}` calls it under another name.
      if (!n.computed && FORMAT_METHODS.has(key.value as string)) judgeFormatReceiver(n.object as Node, value, hits);
    } else if (n.type === 'Identifier') {
      const name = n.value as string;
      if (GADGET_GLOBALS.has(name)) hits.add(`${name} global`);
      // `namespace` is a class; anything but calling it reaches its `__init__.__globals__`.
      if (name === 'namespace' && !callees.has(n)) hits.add('namespace used as a gadget');
    } else if (n.type === 'StringLiteral') {
      const s = n.value as string;
      if (/^_+$|^__/.test(s)) hits.add(UNDERSCORE_STRING);
      if (hasCharFormat(s)) hits.add(CHARACTER_FORMATTING);
    } else if (n.type === 'KeywordArgumentExpression') {
      // `dict(_=1)|first` is an underscore with no underscore string in sight.
      if (((n.key as Node).value as string).startsWith('_')) hits.add('underscore keyword');
    } else if (n.type === 'CallExpression') {
      callOn(n, hits);
    } else if (n.type === 'FilterExpression') {
      const f = n.filter as Node;
      const name = filterName(f);
      if (name === 'attr') hits.add('attr filter');
      if (name === 'format' && !isPlainLiteral(n.operand as Node)) judgeFormat(value(n.operand as Node), hits);
      if (ATTRIBUTE_FILTERS.has(name))
        for (const a of filterArgs(f)) {
          const arg = a.type === 'KeywordArgumentExpression' ? (a.value as Node) : a;
          if (a.type !== 'KeywordArgumentExpression' || (a.key as Node).value === 'attribute') {
            const v = value(arg);
            judgeName(v, hits, true);
            // `fmts|map(attribute='format')` hands out the bound methods, to be called by a loop variable
            // (`map('format', …)` without the keyword applies Jinja's own %-style `format` filter instead).
            const attribute = a.type === 'KeywordArgumentExpression' || name !== 'map';
            if (attribute && [...v.lits].some((l) => FORMAT_METHODS.has(l)))
              hits.add('format method taken by a filter');
          }
        }
    }
  }
  return [...hits].sort().map((indicator) => ({ indicator }));
}

const isPlainLiteral = (e: Node) => e.type === 'StringLiteral';

/** `str.format` and `str.format_map` read the same field syntax: `'{0.x}'` and `'{m[x]}'` are getattr and getitem. */
const FORMAT_METHODS = new Set(['format', 'format_map']);

/**
 * The string whose format method is taken: a literal (or a choice of literals) with an attribute or item field
 * looks that attribute up; a format string built at render time can name any.
 */
function judgeFormatReceiver(recv: Node, value: (e: Node) => Val, hits: Set<string>): void {
  const v = recv.type === 'StringLiteral' ? { ...CLEAN, lits: new Set([recv.value as string]) } : value(recv);
  if ([...v.lits].some((l) => braceGroups(l, (c) => c.includes('.') || c.includes('['))))
    hits.add('attribute lookup in a format string');
  judgeFormat(v, hits);
}

/** A format string built at render time (`str.format` looks attributes up itself) can name any attribute. */
function judgeFormat(v: Val, hits: Set<string>): void {
  if (v.built || v.object) hits.add('format string built at render time');
}

/** Real templates call methods by name; calling whatever a computed key reached is a gadget call. */
function callOn(n: Node, hits: Set<string>): void {
  const callee = n.callee as Node;
  if (callee.type === 'MemberExpression' && callee.computed && !isLiteralKey(callee.property as Node))
    hits.add(COMPUTED_CALL);
}
