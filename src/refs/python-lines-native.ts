import { PYTHON_LINES_WASM } from './python-lines-wasm.js';
import { logicalLines, type LogicalLine } from './python-lines.js';
import { lineIndex } from './text.js';
import { wasmApi, type WasmApi } from './wasm.js';

/**
 * A Python file's logical lines and assignment hits, from python-lines.wat: what python-lines.ts `logicalLines` and
 * python-snippet.ts `assignmentHits` give, over the file's bytes in WebAssembly. Those two ran over every character
 * of each file that names a loader, interpreted while V8 compiled them on another thread: most of the Python quick
 * finder's CPU (bench `refs`). The module reads only the common shapes (ASCII text, no carriage return, f-string
 * fields of names, calls and format specs) and says so when a file has anything else: the caller then runs the
 * JavaScript, which decides exactly (test/refs/python-lines-wasm.test.ts holds the two together).
 */
export interface NativeLines {
  /** Per logical line, two numbers: its start, and its end with bit 31 set for a block header (`lineEnd`). */
  readonly lines: Int32Array;
  /**
   * Per assignment hit, four numbers: the logical line's index, the name's start and end, and the hit before it whose
   * name hashes alike (its number + 1; 0 for none): the chains `assignedIn` follows from `heads`.
   */
  readonly hits: Int32Array;
  /** Per hash of a name (FNV-1a, low 12 bits), its last hit's number + 1 (0 for none). */
  readonly heads: Int32Array;
  /**
   * Per place a name stands (python-lines.wat `words`: where python-snippet.ts's patterns match it), four numbers as
   * in `hits`: the logical line's index (-1 between lines), the name's start and end, the place before it whose name
   * hashes alike; and their chains' heads (`namedAt`).
   */
  readonly words: Int32Array;
  readonly wordHeads: Int32Array;
}

/** Numbers per hit in `NativeLines.hits`. */
export const HIT = 4;

/**
 * The logical lines `name` may be assigned in (python-snippet.ts's assigners: each line once, in file order), from
 * the hits chained under its hash: no string is made for the thousands of names a file assigns. Each hit walked
 * takes a step from `budget`; undefined once it runs out (names made to share a hash): the caller builds its map.
 */
export function assignedIn(
  native: NativeLines,
  text: string,
  name: string,
  budget = { steps: Infinity },
  /** Which hits count (line, offset): all by default. */
  counts: (line: number, start: number) => boolean = () => true,
): number[] | undefined {
  const head = native.heads[hashOf(name)]!;
  if (head === 0) return [];
  const lines: number[] = [];
  const walked = walkChain(native.hits, head, text, name, budget, (line, start) => {
    // The chain runs back through the file: a line met again is the one just added.
    if (lines[lines.length - 1] !== line && counts(line, start)) lines.push(line);
  });
  return walked ? lines.reverse() : undefined;
}

/**
 * Where `name` stands in a logical line, as python-snippet.ts's patterns find it (`(?<![A-Za-z_])name(?![\\w])`: a
 * digit may stand before it) — each place's start and its line, flat, in file order — from the places chained under
 * its hash (python-lines.wat `words`): one pass over the file answers every name asked, where a search per name
 * stopped at each place its letters stand inside longer words. Each place walked takes a step from `budget`;
 * undefined once it runs out (names made to share a hash): the caller searches the text then.
 */
export function namedAt(
  native: NativeLines,
  text: string,
  name: string,
  budget = { steps: Infinity },
): readonly number[] | undefined {
  const head = native.wordHeads[placeHash(name)]!;
  // Most names asked (the snippet's loader words) stand nowhere in a file: no chain, nothing to walk or allocate.
  if (head === 0) return NOWHERE;
  const found: number[] = [];
  const walked = walkChain(native.words, head, text, name, budget, (line, start) => {
    if (line >= 0) found.push(line, start);
  });
  // The chain runs back through the file: pairs of (line, start), reversed into (start, line) in file order.
  return walked ? found.reverse() : undefined;
}

/**
 * Whether a name whose `placeHash` is `hash` stands nowhere in the text `native` read (no chain of places under its
 * hash: `namedAt` answers NOWHERE without a step of its budget), for a caller that hashed its names once for every
 * file: the hundred loader words python-snippet.ts asks of each file, most of them in none, cost a call and a hash
 * each otherwise (bench `refs`).
 */
export function standsNowhere(native: NativeLines, hash: number): boolean {
  return native.wordHeads[hash] === 0;
}

/** `namedAt`'s answer for a name whose hash heads no chain (frozen: callers only read it). */
const NOWHERE: readonly number[] = Object.freeze([]);

/**
 * The entries of `table` (HIT numbers each: line, start, end, the entry before in the chain) chained from entry
 * number `k` (+ 1; 0 for none) whose text is `name`, latest first, each given to `visit`; false once `budget` runs out.
 */
function walkChain(
  table: Int32Array,
  k: number,
  text: string,
  name: string,
  budget: { steps: number },
  visit: (line: number, start: number) => void,
): boolean {
  for (; k !== 0; k = table[HIT * (k - 1) + 3]!) {
    if (--budget.steps < 0) return false;
    const at = HIT * (k - 1);
    const start = table[at + 1]!;
    if (table[at + 2]! - start === name.length && text.startsWith(name, start)) visit(table[at]!, start);
  }
  return true;
}

/** FNV-1a over a name's characters (ASCII: its bytes), low 12 bits: the module's chain of assignments to it. */
function hashOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h & 4095;
}

/**
 * FNV-1a over a name's length and its first, middle and last characters, low 12 bits: the module's chain of places
 * (python-lines.wat `$word`); a name has at least one character.
 */
export function placeHash(name: string): number {
  const n = name.length;
  let h = Math.imul(0x811c9dc5 ^ n, 0x01000193);
  h = Math.imul(h ^ name.charCodeAt(0), 0x01000193);
  h = Math.imul(h ^ name.charCodeAt(n >> 1), 0x01000193);
  h = Math.imul(h ^ name.charCodeAt(n - 1), 0x01000193);
  return h & 4095;
}

/** Larger files go to the JavaScript: the module's memory grows to about 25 times the file's size. */
export const NATIVE_MAX_BYTES = 1024 * 1024;
const PAGE = 65536;
/** Where the module reads the input (python-lines.wat's header: its class table comes first). */
const INPUT = 128;

/** Where `nativeLines` puts the lines, the hits and the chains' heads for a text of `n` bytes, and the bytes it needs. */
function regions(n: number) {
  const out = align(INPUT + n + 16);
  const hits = out + 8 * (n + 1);
  const heads = hits + 4 * HIT * n;
  // A name starts after a byte that is no letter: at most one place per two bytes, and one more.
  const words = heads + 4 * 4096;
  const wordHeads = words + 4 * HIT * (Math.ceil(n / 2) + 1);
  return { out, hits, heads, words, wordHeads, end: wordHeads + 4 * 4096 };
}

interface Exports {
  lines(n: number, out: number): number;
  assignments(n: number, out: number, lines: number, hits: number, heads: number): number;
  words(n: number, out: number, lines: number, words: number, heads: number): number;
  shape(n: number): number;
  newlines(from: number, to: number): number;
  blocks(out: number, count: number, indents: number, parents: number, stack: number): void;
  long: { readonly value: number };
  counted: { readonly value: number };
}

let instance:
  { exports: Exports; memory: { readonly buffer: ArrayBufferLike; grow(pages: number): number } } | undefined;
let compiled: object | undefined;

/**
 * Built at the first Python file a scan reads without a parser. The memory is shared, so that growing it never
 * detaches a buffer (needle-scan.ts says why that matters).
 */
function load(api: WasmApi) {
  const memory = new api.Memory({
    initial: 16,
    maximum: Math.ceil(regions(NATIVE_MAX_BYTES).end / PAGE),
    shared: true,
  });
  compiled ??= new api.Module(Buffer.from(PYTHON_LINES_WASM, 'base64'));
  return { exports: new api.Instance(compiled, { env: { memory } }).exports as Exports, memory };
}

/**
 * The lines and hits of `text` — views of the module's memory, valid until the next call — or undefined when the
 * module does not read it (a character over U+007F, a carriage
 * return, a rarer shape, a file over NATIVE_MAX_BYTES, no WebAssembly): the caller's JavaScript reads it then.
 */
export function nativeLines(text: string, api: WasmApi | null = wasmApi): NativeLines | undefined {
  // The same text read again (python-scopes.ts after python-snippet.ts `keptStatements`): its tables are still in
  // the module's memory, as nothing else writes them between.
  if (lastLines !== undefined && lastLines.text === text && lastLines.api === api && held === text)
    return lastLines.lines;
  lastLines = undefined;
  const read = linesRead(text, api);
  if (!read) return undefined;
  const { m, count } = read;
  const { out, hits, heads, words, wordHeads } = regions(text.length);
  const found = m.exports.assignments(text.length, out, count, hits, heads);
  const named = m.exports.words(text.length, out, count, words, wordHeads);
  // Views of the module's memory, not copies (about 80 KB a file, young garbage and a relaxed copy each, for tables
  // read once): valid until the next `nativeLines` (python-snippet.ts `keptStatements` reads them and returns).
  const buffer = m.memory.buffer;
  const lines: NativeLines = {
    lines: new Int32Array(buffer, out, 2 * count),
    hits: new Int32Array(buffer, hits, HIT * found),
    heads: new Int32Array(buffer, heads, 4096),
    words: new Int32Array(buffer, words, HIT * named),
    wordHeads: new Int32Array(buffer, wordHeads, 4096),
  };
  lastLines = { text, api, lines };
  return lines;
}

/** text.ts's screen of a file, as `nativeShape` reads it. */
export interface TextShape {
  /** `nestingDepth`. */
  readonly depth: number;
  /** `looksGenerated`: lines over 1,000 characters among the first 2,000, and how many lines those are. */
  readonly long: number;
  readonly lines: number;
}

/**
 * text.ts `nestingDepth` and the line count of `looksGenerated` in one pass of the module (the refs stage's screen
 * of each Python file that names a loader), or undefined where the module does not read the text (a character over
 * U+007F, as `nativeLines`). The text stays in the module's memory for the `nativeLines` that follows.
 */
export function nativeShape(text: string, api: WasmApi | null = wasmApi): TextShape | undefined {
  const m = loaded(text, api);
  if (!m) return undefined;
  room(m, INPUT + text.length + 16);
  if (!put(m, text)) return undefined;
  const depth = m.exports.shape(text.length);
  return { depth, long: m.exports.long.value, lines: m.exports.counted.value };
}

/**
 * text.ts `lineIndex` for the text `nativeLines` or `nativeShape` last read whole (undefined for any other): the
 * line feeds before an offset counted in the module's memory when asked, from the last offset asked, not a table of
 * every line start built first (a loop turn per line of every file read). Offsets come in file order from the
 * finder; the first that does not gets the table.
 */
export function nativeLineIndex(text: string): ((offset: number) => { line: number; column: number }) | undefined {
  if (text !== held || !instance) return undefined;
  const m = instance;
  let from = 0;
  let lines = 0;
  // Where the line holding `from` starts.
  let start = 0;
  let table: ((offset: number) => { line: number; column: number }) | undefined;
  return (offset) => {
    const at = Math.max(0, Math.min(offset, text.length));
    // An offset before the last one asked (counting again from the start each time would be quadratic in a file of
    // nested calls), or another text read since (no reader does that between its questions): the table, as text.ts
    // builds it, from then on.
    if (table || at < from || held !== text) return (table ??= lineIndex(text))(offset);
    const added = m.exports.newlines(from, at);
    // A line feed lies between the two offsets: the search back stops there, so no byte is searched twice.
    if (added > 0) start = text.lastIndexOf('\n', at - 1) + 1;
    lines += added;
    from = at;
    return { line: lines + 1, column: offset - start + 1 };
  };
}

type Module = NonNullable<typeof instance>;

function loaded(text: string, api: WasmApi | null): Module | undefined {
  if (api === null || text.length > NATIVE_MAX_BYTES) return undefined;
  return (instance ??= load(api));
}

function room(m: Module, need: number): void {
  const have = m.memory.buffer.byteLength;
  if (need > have) m.memory.grow(Math.ceil((need - have) / PAGE));
}

/** The text INPUT holds (the last one `put` there whole), so a second reader of it does not encode it again. */
let held: string | undefined;
/** `nativeLines`' last answer, valid while `held` is its text (`put` of another text rewrites the tables). */
let lastLines: { readonly text: string; readonly api: WasmApi | null; readonly lines: NativeLines } | undefined;

/**
 * Encode the text into INPUT, unless it is there already; false when it is not all ASCII (a character over U+007F
 * is more than one byte in UTF-8: the encoder runs out of room before the end).
 */
function put(m: Module, text: string): boolean {
  if (text === held) return true;
  held = undefined;
  const { read } = encoder.encodeInto(text, new Uint8Array(m.memory.buffer, INPUT, text.length));
  if (read !== text.length) return false;
  held = text;
  return true;
}

const align = (n: number) => (n + 7) & ~7;
const encoder = new TextEncoder();

/** Line `i`'s end offset in a `NativeLines.lines` table (bit 31 is the header flag). */
export const lineEnd = (lines: Int32Array, i: number) => lines[2 * i + 1]! & 0x7fffffff;

/** python-lines.ts's lines as a `NativeLines.lines` table. */
export function lineTable(lines: readonly LogicalLine[]): Int32Array {
  const table = new Int32Array(2 * lines.length);
  lines.forEach((l, i) => {
    table[2 * i] = l.start;
    table[2 * i + 1] = l.header ? l.end | 0x80000000 : l.end;
  });
  return table;
}

/**
 * A Python file's block structure: per logical line (`lines`, as `NativeLines.lines`), its indentation (its start less
 * the line feed before it) and its parent, the nearest line above it with less indentation that no line between has
 * closed (-1 for none). A line's parents, then theirs, are the blocks open around it, innermost first; the nearest
 * block header among them holds it in its body (CPython's tokenizer opens and closes blocks by the same comparison).
 * From the module (python-lines.wat `blocks`) where it reads the text, else from python-lines.ts; undefined when
 * neither reads it. Python readers ask of a few lines each (python-scopes.ts, `inFunctionBody`): a walk over every
 * line of every file that names a loader, in JavaScript, ran interpreted (bench `refs`).
 */
export interface Blocks {
  readonly lines: Int32Array;
  readonly indents: Int32Array;
  readonly parents: Int32Array;
}

let lastBlocks: { readonly text: string; readonly blocks: Blocks | undefined } | undefined;

export function lineBlocks(text: string): Blocks | undefined {
  if (lastBlocks?.text !== text) lastBlocks = { text, blocks: nativeBlocks(text) ?? jsBlocks(text) };
  return lastBlocks.blocks;
}

function nativeBlocks(text: string): Blocks | undefined {
  // The lines `nativeLines` left in the module's memory for this text, else read again.
  const count =
    lastLines?.text === text && lastLines.api === wasmApi && held === text
      ? lastLines.lines.lines.length / 2
      : linesRead(text, wasmApi)?.count;
  if (count === undefined || !instance) return undefined;
  const m = instance;
  const { out, end } = regions(text.length);
  const indents = end;
  const parents = indents + 4 * count;
  room(m, parents + 8 * count);
  m.exports.blocks(out, count, indents, parents, parents + 4 * count);
  const buffer = m.memory.buffer;
  return {
    lines: new Int32Array(buffer, out, 2 * count).slice(),
    indents: new Int32Array(buffer, indents, count).slice(),
    parents: new Int32Array(buffer, parents, count).slice(),
  };
}

/** `nativeBlocks` in JavaScript, over python-lines.ts's lines (test/refs/python-lines-wasm.test.ts holds the two together). */
export function jsBlocks(text: string): Blocks | undefined {
  const logical = logicalLines(text);
  if (!logical) return undefined;
  const lines = lineTable(logical);
  const count = logical.length;
  const indents = new Int32Array(count);
  const parents = new Int32Array(count);
  const open: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = lines[2 * i]!;
    const own = (indents[i] = start - (text.lastIndexOf('\n', start - 1) + 1));
    while (open.length > 0 && indents[open[open.length - 1]!]! >= own) open.pop();
    parents[i] = open[open.length - 1] ?? -1;
    open.push(i);
  }
  return { lines, indents, parents };
}

/** The logical line that starts at `offset` (-1 for none), by halves over `lines`' starts. */
export function lineStartingAt(lines: Int32Array, offset: number): number {
  const i = lineHolding(lines, offset);
  return i >= 0 && lines[2 * i] === offset ? i : -1;
}

/** The last logical line that starts at or before `offset` (-1 for none), by halves over `lines`' starts. */
export function lineHolding(lines: Int32Array, offset: number): number {
  let lo = 0;
  let hi = lines.length / 2;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (lines[2 * mid]! <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Whether the block header at line `i` is a `def` (`async def`) or a `class`, else neither. */
export function headerKind(text: string, lines: Int32Array, i: number): 'function' | 'class' | undefined {
  if (lines[2 * i + 1]! >= 0) return undefined;
  const at = lines[2 * i]!;
  const c = text.charCodeAt(at);
  // Only a `def`, `class` or `async def` (first letter d, c or a).
  if (c !== 0x61 && c !== 0x63 && c !== 0x64) return undefined;
  const head = text.slice(at, at + 16);
  return /^(?:async[ \t]+)?def\b/.test(head) ? 'function' : /^class\b/.test(head) ? 'class' : undefined;
}

/**
 * The scope of each logical line's statement, as CPython's symtable nests them: 0 for the module, `h + 1` for the body
 * of the `def` or `class` header at line `h` — the nearest such header among the blocks open around the line (an
 * `if`, `for` or `with` opens no scope). Worked out once a line, when first asked. python-scopes.ts and
 * python-snippet.ts `scopedBindings` read it.
 */
export function lineScopes(text: string, blocks: Blocks): (i: number) => number {
  const { lines, parents } = blocks;
  const known = new Int32Array(parents.length);
  return (i) => {
    if (known[i]! > 0) return known[i]! - 1;
    let scope = 0;
    for (let above = parents[i]!; above >= 0; above = parents[above]!) {
      if (lines[2 * above + 1]! >= 0 || !headerKind(text, lines, above)) continue;
      scope = above + 1;
      break;
    }
    known[i] = scope + 1;
    return scope;
  };
}

/** `inFunctionBody`'s answers for the last text it read, each line's worked out on first need (0 not yet, 1 no, 2 yes). */
let bodiesOf: { readonly text: string; readonly blocks: Blocks | undefined; readonly answers: Uint8Array } | undefined;

/**
 * Whether the statement starting at `offset`, indented and first on its line, sits in a function's body: the nearest
 * logical line above it with less indentation, and so on out through the blocks that hold it, reaches a `def` before
 * a `class` or the left margin. An annotated assignment there (`model_id: str = "org/x"` in `main()`) binds a local
 * name; in a class body it declares a field (a dataclass's), which binds none. False whenever the lines cannot be
 * read, the offset starts no logical line, or the text is not laid out as Python requires (a less-indented line that
 * opens no block).
 */
export function inFunctionBody(text: string, offset: number): boolean {
  return bodyAt(text, offset) === 'function';
}

/**
 * `inFunctionBody` with its no told apart: 'none' where the offset starts no logical line (a keyword argument on a
 * call's continuation line, a line of a docstring: no statement at all), 'other' for a statement outside any
 * function's body, and wherever the lines cannot be read.
 */
export function bodyAt(text: string, offset: number): 'function' | 'other' | 'none' {
  const margin = text.lastIndexOf('\n', offset - 1) + 1;
  if (offset === margin || !/^[ \t]*$/.test(text.slice(margin, offset))) return 'other';
  if (bodiesOf?.text !== text) {
    const blocks = lineBlocks(text);
    bodiesOf = { text, blocks, answers: new Uint8Array(blocks ? blocks.indents.length : 0) };
  }
  const { blocks, answers } = bodiesOf;
  if (!blocks) return 'other';
  const i = lineStartingAt(blocks.lines, offset);
  if (i < 0) return 'none';
  return inFunction(text, blocks, answers, i) ? 'function' : 'other';
}

function inFunction(text: string, blocks: Blocks, answers: Uint8Array, i: number): boolean {
  // Iteratively: out through the parents to the first answer known or decided, then back in.
  const path: number[] = [];
  let answer = false;
  for (let at = i; ;) {
    if (answers[at] !== 0) {
      answer = answers[at] === 2;
      break;
    }
    const above = blocks.parents[at]!;
    if (blocks.indents[at] === 0 || above < 0 || blocks.lines[2 * above + 1]! >= 0) {
      answers[at] = 1;
      break;
    }
    const kind = headerKind(text, blocks.lines, above);
    if (kind === 'function') {
      answers[at] = 2;
      answer = true;
      break;
    }
    if (kind === 'class' || blocks.indents[above] === 0) {
      answers[at] = 1;
      break;
    }
    path.push(at);
    at = above;
  }
  for (const at of path) answers[at] = answer ? 2 : 1;
  return answer;
}

/**
 * The module's logical lines of `text`, written at `regions(…).out` (room made for the assignment hits too): how
 * many, or undefined where the module does not read the text.
 */
function linesRead(text: string, api: WasmApi | null): { m: Module; count: number } | undefined {
  const m = loaded(text, api);
  if (!m) return undefined;
  const { out, end } = regions(text.length);
  room(m, end);
  if (!put(m, text)) return undefined;
  const count = m.exports.lines(text.length, out);
  return count < 0 ? undefined : { m, count };
}
