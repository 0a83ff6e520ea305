/**
 * Static checks of a Jinja chat template for server-side template injection (CVE-2024-34359 shape). The template is
 * tokenized, never rendered. Benign chat templates loop over messages, compare roles, call `.strip()`,
 * `raise_exception` and `namespace()`; payloads need Python internals, which they reach through the shapes below.
 */

import { CHARACTER_FORMATTING, checkTemplateAst } from './chat-template-ast.js';
import { DOUBLING_IN_LOOP, loopWork, MACRO_RECURSION, NESTED_RANGES } from './chat-template-loops.js';

export interface TemplateHit {
  readonly indicator: string;
  readonly snippet: string;
  /** Character index in the template. */
  readonly index: number;
}

/** Names that only a payload reaches for, wherever they appear as identifiers or attribute names. */
const DANGEROUS_NAMES = new Set([
  'os',
  'sys',
  'subprocess',
  'popen',
  'eval',
  'exec',
  'compile',
  'builtins',
  'importlib',
  'import_module',
  'globals',
  'getattr',
  'setattr',
  'mro',
  'subclasses',
  'func_globals',
  'f_globals',
  'gi_frame',
  'check_output',
  'spawnv',
]);
/** Jinja's default globals whose `__globals__` lead to Python's builtins; chat templates never use them. */
const GADGET_GLOBALS = new Set(['lipsum', 'cycler', 'joiner', 'url_for', 'get_flashed_messages', 'request', 'config']);
/** Attribute names that are harmless as variables (`system`) but are process calls after a dot. */
const DANGEROUS_ATTRS = new Set(['system', 'popen', 'read', 'write', 'load_module', 'spawn']);
/** Strings a payload passes to `attr`/`getattr`-like lookups; `system` is left out: it is a chat role. */
const DANGEROUS_STRINGS = new Set([...DANGEROUS_NAMES, 'builtins', 'import', '__import__']);

interface Token {
  readonly kind: 'name' | 'string' | 'op';
  readonly value: string;
  readonly raw: string;
  readonly index: number;
  /** For strings: some escape spelled a printable ASCII character (a way to hide names). */
  readonly hidden?: boolean;
}

export function checkChatTemplate(template: string): TemplateHit[] {
  const hits = new Map<string, TemplateHit>();
  const hit = (indicator: string, index: number) => {
    if (!hits.has(indicator))
      hits.set(indicator, { indicator, index, snippet: template.slice(Math.max(0, index - 40), index + 80) });
  };
  for (const block of blocks(template)) {
    const toks = tokenize(template, block.start, block.end);
    if (block.kind === '%' && toks[0]?.kind === 'name' && /^(import|include|extends|from)$/.test(toks[0].value))
      hit(TEMPLATE_LOADING, toks[0].index);
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i]!;
      const prev = toks[i - 1];
      const next = toks[i + 1];
      if (t.kind === 'name') {
        const afterDot = prev?.kind === 'op' && prev.value === '.';
        if (t.value.includes('__')) hit('dunder attribute', t.index);
        else if (afterDot && t.value.startsWith('_')) hit('private attribute', t.index);
        // After a dot, a name is an attribute: `{% set ns.system = … %}` only stores into a namespace. It is a
        // payload step when it is called or reached through (`.popen(`, `.os.popen`), never as an assignment target.
        const usedAsObject = next?.kind === 'op' && (next.value === '(' || next.value === '.' || next.value === '[');
        if (DANGEROUS_NAMES.has(t.value.toLowerCase()) && (!afterDot || usedAsObject))
          hit(`reference to ${t.value}`, t.index);
        if (afterDot && DANGEROUS_ATTRS.has(t.value) && next?.kind === 'op' && next.value === '(')
          hit(`call of .${t.value}`, t.index);
        if (!afterDot && GADGET_GLOBALS.has(t.value)) hit(globalIndicator(t.value), t.index);
        if (t.value === 'attr' && ((prev?.kind === 'op' && prev.value === '|') || next?.value === '('))
          hit('attr filter', t.index);
      } else if (t.kind === 'string') {
        if (t.hidden) hit('escaped characters in a string', t.index);
        if (t.value.includes('__')) hit('dunder string', t.index);
        if (DANGEROUS_STRINGS.has(t.value.toLowerCase())) hit(nameStringIndicator(t.value), t.index);
        if (t.value.includes('%c')) hit(CHARACTER_FORMATTING, t.index);
        const concatenated = (o: Token | undefined) =>
          o?.kind === 'op' && (o.value === '~' || o.value === '+' || o.value === '*');
        // Underscores kept aside (`set u = '_'`) or glued on (`'_' ~ x`) are how dunders get spelled piecewise.
        const assigned = prev?.kind === 'op' && prev.value === '=';
        if (/^_+$/.test(t.value) && (assigned || concatenated(prev) || concatenated(next)))
          hit(UNDERSCORES_KEPT, t.index);
      }
    }
    // Adjacent string literals joined by ~ or + that spell a dunder or a dangerous name.
    for (let i = 0; i < toks.length; i++) {
      if (toks[i]!.kind !== 'string') continue;
      let joined = toks[i]!.value;
      let j = i;
      while (toks[j + 1]?.kind === 'op' && /^[~+]$/.test(toks[j + 1]!.value) && toks[j + 2]?.kind === 'string') {
        joined += toks[j + 2]!.value;
        j += 2;
      }
      if (j > i && (joined.includes('__') || DANGEROUS_STRINGS.has(joined.toLowerCase())))
        hit('concatenated dunder or name', toks[i]!.index);
      i = j;
    }
  }
  // The syntax tree sees what tokens cannot: names built at render time and reached through subscripts.
  const ast = checkTemplateAst(template);
  if (ast === undefined) hit(UNPARSED, 0);
  for (const h of ast ?? []) hit(h.indicator, 0);
  return [...hits.values()].sort((a, b) => a.index - b.index);
}

/** A product of literal factors of `*` from which a repeated string or list outgrows any chat: `'A' * 99999 * 99999`. */
const HUGE_FACTOR = 100_000;
/** A literal power past which the number is only useful as a factor or to burn CPU: `10 ** 9`, `9 ** 9 ** 9`. */
const HUGE_POWER = 1_000_000;
/**
 * A Jinja integer literal (lexer.py `integer_re`, case-insensitive: `0b`/`0o`/`0x` with `_` between digits, or
 * decimal digits with `_` between them), not the tail of a name or part of a float.
 */
const INTEGER = String.raw`(?<![\w.])(?:0b(?:_?[01])+|0o(?:_?[0-7])+|0x(?:_?[\da-f])+|\d(?:_?\d)*)(?![\w.])`;
const POWER = new RegExp(String.raw`(${INTEGER})\s*\)?\s*\*\*\s*\(?\s*(${INTEGER})`, 'gi');
/**
 * One operand of a `*` chain, in a block whose string literals are blanked to `''`: a string literal, a list literal
 * (a `[` that follows no name, `]` or `)`, so not a subscript), an integer, a parenthesised group, or a (dotted) name
 * not called or subscripted.
 */
const OPERAND = String.raw`(?:''|(?<![\w\])]\s*)\[[^\[\]]*\]|${INTEGER}|\([^()]*\)|(?<![\w.])[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*(?!\s*[(\[]))`;
/** A chain of operands joined by `*` (never `**`). */
const CHAIN = new RegExp(String.raw`${OPERAND}(?:\s*(?<!\*)\*(?!\*)\s*${OPERAND})+`, 'gi');
const CHAIN_OPERAND = new RegExp(OPERAND, 'gi');
const WHOLE_INTEGER = new RegExp(String.raw`^\(?\s*(${INTEGER})\s*\)?$`, 'i');

/**
 * Whether a `*` chain repeats a string or list by a huge amount: one of its operands is a string or list literal (or
 * a group holding one) or the `messages` list, and the rest are literals whose product is huge, or at least two
 * factors (`'A' * n * n` squares whatever n is). A chain of numbers and names (`loop.index * 1000000`) is arithmetic.
 */
function hugeRepeat(chain: string): boolean {
  let sequences = 0;
  let factors = 0;
  let product = 1;
  for (const [operand] of chain.matchAll(CHAIN_OPERAND)) {
    const integer = WHOLE_INTEGER.exec(operand);
    if (integer !== null) product *= literal(integer[1]!);
    if (/''|\[/.test(operand) || operand === 'messages') sequences++;
    else factors++;
  }
  return sequences > 0 && (product >= HUGE_FACTOR || factors >= 2);
}

/**
 * Where the template computes something no chat needs and no renderer survives: a string or list repeated by a
 * huge amount, or a huge literal power. Jinja's `SandboxedEnvironment` (which transformers'
 * `apply_chat_template`, vLLM and llama-cpp-python render with) intercepts no binary operator by default
 * (`intercepted_binops` is empty) and bounds only `range` (MAX_RANGE), so `{{ 'A' * 10**10 }}` allocates until the
 * server dies on every request; nor loops nested over ranges, a value doubled in a loop, or a macro that calls itself
 * exponentially (`loopWork`). Not code
 * execution: what the sandbox allows.
 */
export function exhaustionHit(template: string): TemplateHit | undefined {
  for (const block of blocks(template)) {
    // String literals blanked, so digits and stars inside them are text, not operands.
    const code = template
      .slice(block.start, block.end)
      .replace(/'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"/g, (m) => "''".padEnd(m.length, ' '));
    const at = (index: number): TemplateHit => ({
      indicator: 'huge repetition or power',
      index: block.start + index,
      snippet: template.slice(Math.max(0, block.start + index - 40), block.start + index + 80),
    });
    for (const m of code.matchAll(CHAIN)) if (hugeRepeat(m[0])) return at(m.index);
    for (const m of code.matchAll(POWER)) if (literal(m[1]!) ** literal(m[2]!) >= HUGE_POWER) return at(m.index);
  }
  const work = loopWork(template);
  if (work === undefined) return undefined;
  const index = work.near.exec(template)?.index ?? 0;
  return { indicator: work.indicator, index, snippet: template.slice(Math.max(0, index - 40), index + 80) };
}

/** A Jinja integer literal's value (`1_000` is 1000, `0x7f` 127), as lexer.py reads it. */
const literal = (digits: string): number => Number(digits.replace(/_/g, ''));

/** CPI055's message for a template that exhausts its renderer (`exhaustionHit`). */
export function exhaustionMessage(key: string, hit: TemplateHit, consequence: string): string {
  const what =
    hit.indicator === NESTED_RANGES
      ? "nests loops over range() to a hundred million passes or more (at SNIPPET); Jinja's sandbox caps each range() at 100,000 items but not loops inside loops"
      : hit.indicator === DOUBLING_IN_LOOP
        ? "doubles a namespace value on each pass of a loop (at SNIPPET); Jinja's sandbox lets a namespace attribute grow without bound"
        : hit.indicator === MACRO_RECURSION
          ? "has a macro call itself at two places or more, counting down from a literal (at SNIPPET), to ten million calls or more; Jinja's sandbox does not count calls"
          : "repeats a string or list by a huge number, or raises to a huge power (at SNIPPET); Jinja's sandbox does not limit * or **";
  return `chat template ${key} ${what.replace('SNIPPET', JSON.stringify(hit.snippet))}, so rendering it exhausts the memory or CPU of the server that renders it (transformers, vLLM, llama-cpp-python), for every chat. ${consequence}`;
}

/**
 * Whether the template reads `messages` as given to it, the conversation transformers' `apply_chat_template` renders
 * it with (as do vLLM, llama.cpp and TGI): every chat template does. A template that binds the name itself (Flask's
 * `{% with messages = get_flashed_messages() %}`) reads its own.
 */
export function readsMessages(template: string): boolean {
  let reads = false;
  for (const block of blocks(template)) {
    const toks = tokenize(template, block.start, block.end);
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i]!;
      if (t.kind !== 'name' || t.value !== 'messages') continue;
      const prev = toks[i - 1];
      const next = toks[i + 1];
      if (prev?.kind === 'op' && prev.value === '.') continue;
      const assigned = next?.kind === 'op' && next.value === '=' && toks[i + 2]?.value !== '=';
      if (assigned || (prev?.kind === 'name' && (prev.value === 'set' || prev.value === 'for'))) return false;
      reads = true;
    }
  }
  return reads;
}

/** The indicator of a template the syntax tree could not be read from: what it hides was not checked. */
export const UNPARSED = 'template does not parse (it cannot be checked)';

/** The indicator of underscores kept aside or glued on (`set u = '_'`, `x ~ '_'`): material for a dunder. */
export const UNDERSCORES_KEPT = 'concatenated underscores';

/** The indicator of `{% import %}`, `{% include %}`, `{% extends %}` or `{% from %}`. */
export const TEMPLATE_LOADING = 'template-loading statement';

/** The indicator of a Jinja global that reaches Python objects (GADGET_GLOBALS: `cycler`, `joiner`, …). */
export function globalIndicator(name: string): string {
  return `${name} global`;
}

/** The indicator of a string that names what a payload reaches for (DANGEROUS_STRINGS: `'os'`, `'popen'`). */
function nameStringIndicator(value: string): string {
  return `string ${JSON.stringify(value)}`;
}

/** Whether an indicator is one `nameStringIndicator` makes. */
export function isNameStringIndicator(indicator: string): boolean {
  return indicator.startsWith('string "');
}

/** Whether an indicator is one `globalIndicator` makes. */
export function isGlobalIndicator(indicator: string): boolean {
  return indicator.endsWith(' global');
}

/**
 * CPI055's message for a template's hits (at least one): the payload's indicators, and apart from them whether the
 * template could not be parsed — no sign of a payload by itself, but what its syntax tree would show went unchecked.
 */
export function templateHitsMessage(key: string, hits: readonly TemplateHit[], consequence: string): string {
  const signs = hits.filter((h) => h.indicator !== UNPARSED);
  const unparsed = signs.length < hits.length;
  const first = signs[0] ?? hits[0]!;
  const at = `first at ${JSON.stringify(first.snippet)}`;
  if (signs.length === 0)
    return `chat template ${key} does not parse as a Jinja template, so it could not be checked for template injection (${at}); ${consequence}`;
  const also = unparsed ? '; it also does not parse, so what only its syntax would show was not checked' : '';
  return `chat template ${key} contains a template-injection payload (${signs.map((h) => h.indicator).join(', ')}; ${at})${also}; ${consequence}`;
}

/** The code regions of a template: `{{ … }}` and `{% … %}` (comments and literal text are not code). */
function* blocks(s: string): Generator<{ kind: '{' | '%'; start: number; end: number }> {
  let i = 0;
  for (;;) {
    const open = s.indexOf('{', i);
    if (open < 0 || open + 1 >= s.length) return;
    const k = s[open + 1];
    if (k === '#') {
      const close = s.indexOf('#}', open + 2);
      if (close < 0) return;
      i = close + 2;
      continue;
    }
    if (k !== '{' && k !== '%') {
      i = open + 1;
      continue;
    }
    const closer = k === '{' ? '}}' : '%}';
    const end = findCloser(s, open + 2, closer);
    yield { kind: k, start: open + 2, end };
    i = end + 2;
  }
}

/** The closing delimiter, skipping string literals (a `}}` inside a string does not end the block). */
function findCloser(s: string, from: number, closer: string): number {
  let q: string | undefined;
  for (let i = from; i < s.length; i++) {
    const c = s[i]!;
    if (q) {
      if (c === '\\') i++;
      else if (c === q) q = undefined;
    } else if (c === '"' || c === "'") q = c;
    else if (s.startsWith(closer, i)) return i;
  }
  return s.length;
}

function tokenize(s: string, start: number, end: number): Token[] {
  const toks: Token[] = [];
  let i = start;
  while (i < end) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i, Math.min(end, i + 256)))!;
      toks.push({ kind: 'name', value: m[0], raw: m[0], index: i });
      i += m[0].length;
    } else if (c === '"' || c === "'") {
      const lit = readString(s, i, end);
      toks.push({ kind: 'string', ...lit, index: i });
      i += lit.raw.length;
    } else {
      toks.push({ kind: 'op', value: c, raw: c, index: i });
      i++;
    }
  }
  return toks;
}

/** A Python string literal with its escapes decoded the way Jinja (Python) decodes them. */
function readString(s: string, at: number, end: number): { value: string; raw: string; hidden: boolean } {
  const q = s[at]!;
  let value = '';
  let hidden = false;
  let i = at + 1;
  while (i < end && s[i] !== q) {
    if (s[i] === '\\' && i + 1 < end) {
      const m = /^(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([0-7]{1,3})|N\{([^}]*)\})/.exec(
        s.slice(i + 1, i + 12),
      );
      if (m) {
        const hex = m[1] ?? m[2] ?? m[3];
        const code = hex !== undefined ? parseInt(hex, 16) : m[4] !== undefined ? parseInt(m[4], 8) : 0x5f;
        const ch = code <= 0x10ffff ? String.fromCodePoint(code) : '';
        if (m[5] !== undefined || (code >= 0x20 && code < 0x7f)) hidden = true;
        value += ch;
        i += 1 + m[0].length;
      } else {
        const e = s[i + 1]!;
        value += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
        i += 2;
      }
    } else {
      value += s[i];
      i++;
    }
  }
  return { value, raw: s.slice(at, Math.min(i + 1, end)), hidden };
}
