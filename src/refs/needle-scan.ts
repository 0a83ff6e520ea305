import { NEEDLE_SCAN_RELAXED_WASM, NEEDLE_SCAN_WASM } from './needle-scan-wasm.js';
import { wasmApi, type WasmApi } from './wasm.js';
import { isAsciiWordChar } from '../core/ascii.js';

/**
 * Which of a fixed set of ASCII needles some bytes hold, in one pass that allocates nothing: the byte test every
 * source file meets (prefilter.ts). A regular expression needs a string, and a latin1 copy of every file (23 MB in
 * bench `refs`) was young garbage: about ten more scavenges per scan. A `Buffer.includes` per needle costs a native
 * call per needle per file, more than the search itself on the few-KiB files most source is.
 *
 * Teddy (Hyperscan's literal matcher): the needles in eight buckets, and sixteen positions tested at once for the
 * buckets whose needles' windows (four bytes of each, chosen offline where rare) their bytes may be, by nibble
 * lookups (WebAssembly SIMD); a needle is compared byte by byte only where its bucket's test passes (in about 5 of
 * 100 blocks of sixteen positions of ordinary source: scripts/gen-needle-buckets.mjs) and the four bytes there are its
 * window, looked up in a hash table of the windows: most places the nibble tables let through hold a mix of the
 * needles' nibbles and no needle's window. Walking each bucket's needles there instead cost a third of the scan.
 * Wu–Manber over byte pairs, before it, moved one to three bytes per step: 0.85 GB/s compiled, where this does 1.4.
 *
 * The loop runs in WebAssembly (needle-scan.wat): the same loop in JavaScript ran interpreted for the first few MB
 * of a repository while V8 compiled it on another thread, then again for each path it had not yet taken — about
 * three times the CPU of the compiled loop over bench `refs`'s 23 MB of source. WebAssembly is compiled before it
 * first runs, in a few hundred microseconds.
 */
export interface NeedleScan {
  /**
   * The needles `bytes` holds, bit `k` for `needles[k]` (for a group, any of its strings); the bytes `has` looks in
   * until the next scan.
   */
  (bytes: Uint8Array): number;
  /**
   * Whether the bytes last scanned hold `words[k]`: the words too short to scan for (each would cut every skip of
   * the scan short) or needed only beside a needle, looked up in a file the scan has let through. A `whole` word
   * counts only standing alone (`NeedleWord`).
   */
  has(k: number): boolean;
  /** Whether the bytes last scanned, which hold the needles `found`, meet one of the scanner's rules. */
  passes(found: number): boolean;
  /**
   * A buffer of at least `size` bytes to read the next bytes to scan into, valid until the next call: bytes scanned
   * where they are (the module's own memory) are not copied first. The same buffer while it is large enough.
   */
  input(size: number): Buffer;
  /**
   * The scan of the first `n` bytes of `input`'s buffer and the rules over its answer, in one call: 0 when no rule
   * passes, 1 when one does, 2 when a needle of `ask` (bits) is there and so is `words[word]` (the caller has a test
   * of its own for that case, and scans again).
   */
  verdict(n: number, ask: number, word: number): 0 | 1 | 2;
}

/**
 * A test over a scan's answer, run in the module (no JavaScript per file): every needle of `all` (bits), then one of
 * `any` (bits) or of the words `anyWords` (indices into the words), then the word `word` unless it is -1.
 */
export interface NeedleRule {
  readonly all: number;
  readonly any: number;
  readonly anyWords: readonly number[];
  readonly word: number;
}

/**
 * A word to look up: anywhere, or (`whole`) only where no ASCII letter, digit or `_` stands just before or after it —
 * a regular expression's `\b` on both sides, over the decoded text too (a byte over 0x7f is part of a character that
 * is no word character).
 */
export type NeedleWord = string | { readonly whole: string };

/** At most this many needles or groups: the answer is a bit set, bit `k` for `needles[k]`. */
export const MAX_NEEDLES = 31;
/** Needles and looked-up words together, at most (the module's NEXT, START, LENGTH, HEAD and BIT tables). */
const MAX_ENTRIES = 128;

/** Offsets in the module's memory: needle-scan.wat's header says what each holds. */
const LAYOUT = {
  masks: 0,
  next: 512,
  start: 1024,
  length: 1536,
  head: 2048,
  bit: 2560,
  off: 3072,
  needles: 3584,
  rules: 32768,
  slots: 36864,
  window: 40960,
  input: 65536,
};
/** Bytes past an input the module may read (its last block of sixteen positions reads up to 19 past them). */
const SLACK = 32;
/**
 * The most bytes the module scans (its memory's maximum); anything larger is scanned by `includesScanner`, with the
 * same answers. The refs stage searches no source file over 2 MiB (search.ts MAX_SOURCE_BYTES).
 */
const CAPACITY = 64 * 1024 * 1024;
/** Buckets, and the bytes of a needle each bucket's tables test. */
const BUCKETS = 8;
const TESTED = 4;
/** The hash table of windows (needle-scan.wat SLOTS): its slots, and the bits of a slot's number. */
const SLOT_BITS = 10;
const SLOTS = 1 << SLOT_BITS;
/** Rules, and words per rule, at most (the module's RULES table). */
const MAX_RULES = 64;
const MAX_RULE_WORDS = 4;
const PAGE = 65536;

// Compiled at the first scanner (a scan with no source file never compiles it), once for each WebAssembly API (the
// runtime's; tests hand others); each scanner has its own instance.
const compiled = new WeakMap<WasmApi, object>();

/**
 * The module with relaxed SIMD's swizzle where the runtime has it (V8 11.4+: Node 22 and later; Node 20's V8 11.3 with
 * `--experimental-wasm-relaxed-simd`, which bin/chainproof.js sets): x86's pshufb alone for each of the quiet loop's
 * eight table lookups, where the strict swizzle adds a saturating add and a constant's load to each (about 27 M
 * fewer instructions over bench refs's 23 MB). Its indices are nibbles (0–15), where the two agree. Else the strict.
 */
function compile(api: WasmApi): object {
  let module = compiled.get(api);
  if (!module) {
    module = new api.Module(Buffer.from(relaxedScan(api) ? NEEDLE_SCAN_RELAXED_WASM : NEEDLE_SCAN_WASM, 'base64'));
    compiled.set(api, module);
  }
  return module;
}

/** Whether the scan runs the relaxed build (`compile`) with this WebAssembly API. */
export function relaxedScan(api: WasmApi | null = wasmApi): boolean {
  return api !== null && api.validate(Buffer.from(NEEDLE_SCAN_RELAXED_WASM, 'base64'));
}

/**
 * A needle, or needles that stand in for each other (any one of them there sets the group's bit): a scanner answers
 * in 31 bits, and the loader words that each let a file through alone need only one.
 */
export type NeedleGroup = string | readonly string[];

export function needleScanner(
  needles: readonly NeedleGroup[],
  words: readonly NeedleWord[] = [],
  rules: readonly NeedleRule[] = [],
  /** The WebAssembly API to run the loop with; null for none (what `node --jitless` has), as tests ask. */
  webAssembly: WasmApi | null = wasmApi,
  /**
   * Each needle string's bucket (0 to 7), in the order of `needles` with groups spread out, chosen offline for the
   * scanner's needles (needle-buckets.ts); undefined, or an assignment that does not fit, for runs of the sorted
   * needles (`bucketsOf`). Only the speed changes.
   */
  buckets?: readonly number[],
  /**
   * Each needle string's window (in the same order): where in it the four bytes the tables test start, chosen offline
   * with the buckets (needle-buckets.ts) — a needle's rarest four bytes send far fewer blocks to the compare than its
   * first (`from_pretrained` at `pret`, not at the `from` of every import). Undefined, or offsets that do not fit
   * (each from 0 to its needle's length − 4), for 0 each. Only the speed changes.
   */
  offsets?: readonly number[],
): NeedleScan {
  // Every needle string, and the group (the bit of the answer) each belongs to.
  const strings = needles.flatMap((g) => (typeof g === 'string' ? [g] : g));
  const groupOf = needles.flatMap((g, k) => (typeof g === 'string' ? [k] : g.map(() => k)));
  const patterns = strings.map((n) => Buffer.from(n, 'latin1'));
  const m = Math.min(...patterns.map((p) => p.length));
  const texts = words.map((w) => (typeof w === 'string' ? w : w.whole));
  const lookups = texts.map((w) => Buffer.from(w, 'latin1'));
  const alone = words.map((w) => typeof w !== 'string');
  const bytesOf = (p: Buffer, i: number, all: readonly string[]) => p.length > 0 && p.toString('latin1') === all[i];
  if (
    !(m >= 2) ||
    needles.length > MAX_NEEDLES ||
    needles.some((g) => g.length === 0) ||
    patterns.length + words.length > MAX_ENTRIES ||
    !patterns.every((p, i) => bytesOf(p, i, strings)) ||
    !lookups.every((p, i) => bytesOf(p, i, texts))
  )
    throw new Error(
      `needleScanner: 1 to ${MAX_NEEDLES} needles or groups of needles of at least two characters and words of at least one, ${MAX_ENTRIES} strings in all, one-byte strings`,
    );
  const isWord = (k: number) => Number.isInteger(k) && k >= 0 && k < words.length;
  if (
    rules.length > MAX_RULES ||
    !rules.every(
      (r) => r.anyWords.length <= MAX_RULE_WORDS && r.anyWords.every(isWord) && (r.word === -1 || isWord(r.word)),
    )
  )
    throw new Error(
      `needleScanner: at most ${MAX_RULES} rules of at most ${MAX_RULE_WORDS} words, each a word's index`,
    );
  if (webAssembly === null) return includesScanner(patterns, groupOf, lookups, alone, rules);
  // Shared (a SharedArrayBuffer): growing it leaves the old buffer as it was. Growing an unshared memory detaches its
  // buffer, and the first buffer detached in a process makes V8 drop every compiled function that read a typed array
  // (its "array buffer detaching" protector): the walk's and the stages' code compiled again, mid-scan.
  const memory = new webAssembly.Memory({
    initial: LAYOUT.input / PAGE + 1,
    maximum: Math.ceil((LAYOUT.input + CAPACITY + SLACK) / PAGE),
    shared: true,
  });

  const exports = new webAssembly.Instance(compile(webAssembly), { env: { memory } }).exports as {
    setup(m: number, all: number, rules: number, short: number): void;
    scan(n: number): number;
    has(k: number, n: number): number;
    passes(found: number, n: number): number;
    verdict(n: number, ask: number, word: number): number;
  };
  const bytes = new Uint8Array(memory.buffer);
  const table = new Int32Array(memory.buffer);
  table.fill(-1, LAYOUT.slots / 4, LAYOUT.slots / 4 + SLOTS);
  // The needles shorter than TESTED, chained through NEXT: compared wherever a block leaves a bucket.
  let short = -1;
  let at = LAYOUT.needles;
  const windows =
    offsets?.length === patterns.length &&
    offsets.every((o, k) => Number.isInteger(o) && o >= 0 && (o === 0 || o + TESTED <= patterns[k]!.length))
      ? offsets
      : patterns.map(() => 0);
  (fits(buckets, patterns.length) ? buckets : bucketsOf(patterns)).forEach((b, k) => {
    const p = patterns[k]!;
    const o = windows[k]!;
    for (let j = 0; j < TESTED; j++) {
      const lo = LAYOUT.masks + 32 * j;
      // Past a needle's length its bucket lets every byte through. (Each entry set where it is, not a test of all
      // sixteen per byte: this ran interpreted, about 4 M instructions a scanner.)
      if (o + j >= p.length) for (let x = lo; x < lo + 32; x++) bytes[x]! |= 1 << b;
      else {
        bytes[lo + (p[o + j]! & 15)]! |= 1 << b;
        bytes[lo + 16 + (p[o + j]! >> 4)]! |= 1 << b;
      }
    }
    table[LAYOUT.off / 4 + k] = o;
    if (p.length >= TESTED) {
      // Chained in its window's hash slot: compared only where the four bytes there are its window.
      const window = p.readInt32LE(o);
      const slot = LAYOUT.slots / 4 + slotOf(window);
      table[LAYOUT.window / 4 + k] = window;
      table[LAYOUT.next / 4 + k] = table[slot]!;
      table[slot] = k;
      table[LAYOUT.head / 4 + k] = p.readInt32LE(0);
    } else {
      table[LAYOUT.next / 4 + k] = short;
      short = k;
    }
    table[LAYOUT.bit / 4 + k] = 1 << groupOf[k]!;
  });
  // A word that counts only standing alone has bit 31 of its length set (needle-scan.wat's header).
  const lengths = [
    ...patterns.map((p) => p.length),
    ...lookups.map((p, i) => (alone[i] ? p.length | (1 << 31) : p.length)),
  ];
  [...patterns, ...lookups].forEach((p, k) => {
    table[LAYOUT.start / 4 + k] = at;
    table[LAYOUT.length / 4 + k] = lengths[k]!;
    bytes.set(p, at);
    at += p.length;
  });
  if (at > LAYOUT.rules) throw new Error('needleScanner: the needles and words are too long together');
  // A word's entry in START/LENGTH comes after the needles'.
  rules.forEach((r, i) => {
    const row = LAYOUT.rules / 4 + 8 * i;
    table.set([r.all, r.any, r.word < 0 ? -1 : patterns.length + r.word, r.anyWords.length], row);
    table.set(
      r.anyWords.map((w) => patterns.length + w),
      row + 4,
    );
  });
  // The scan's last window position: the shortest reach from a window to its needle's end.
  exports.setup(
    Math.min(...patterns.map((p, k) => p.length - windows[k]!)),
    2 ** needles.length - 1,
    rules.length,
    short,
  );
  // The memory past LAYOUT.input but its SLACK, made again only when the memory grows: no view is made per file.
  const inputView = () => Buffer.from(memory.buffer, LAYOUT.input, memory.buffer.byteLength - LAYOUT.input - SLACK);
  let input = inputView();
  const room = (size: number) => {
    if (size <= input.length) return;
    memory.grow(Math.ceil((size - input.length) / PAGE));
    input = inputView();
  };
  let scanned = 0;
  // Bytes over CAPACITY go to the JavaScript scanner (made when first needed); `outside` while it holds the last.
  let large: NeedleScan | undefined;
  const outsider = (): NeedleScan => (large ??= includesScanner(patterns, groupOf, lookups, alone, rules));
  let outside = false;
  const scan = (data: Uint8Array) => {
    outside = data.length > CAPACITY;
    if (outside) return outsider()(data);
    // Bytes read into `input`'s buffer are in place already.
    if (data.buffer !== memory.buffer || data.byteOffset !== LAYOUT.input) {
      room(data.length);
      input.set(data);
    }
    scanned = data.length;
    return exports.scan(scanned);
  };
  return Object.assign(scan, {
    has: (k: number) => {
      if (!(k >= 0 && k < lookups.length)) throw new RangeError(`needleScanner: no word ${k}`);
      return outside ? outsider().has(k) : exports.has(patterns.length + k, scanned) === 1;
    },
    passes: (found: number) => (outside ? outsider().passes(found) : exports.passes(found, scanned) === 1),
    input: (size: number) => {
      outside = size > CAPACITY;
      if (outside) return outsider().input(size);
      room(size);
      return input;
    },
    verdict: (n: number, ask: number, word: number) => {
      if (outside) return outsider().verdict(n, ask, word);
      if (!(n >= 0 && n <= input.length) || !isWord(word))
        throw new RangeError(`needleScanner: no input ${n}, word ${word}`);
      scanned = n;
      return exports.verdict(n, ask, patterns.length + word) as 0 | 1 | 2;
    },
  });
}

/**
 * The hash slot of a window's four bytes read little-endian (needle-scan.wat `$verify`): the top SLOT_BITS bits of
 * their product with 2^32 / φ (Fibonacci hashing), which spreads the loader needles' windows over distinct slots.
 */
function slotOf(window: number): number {
  return Math.imul(window, 0x9e3779b1) >>> (32 - SLOT_BITS);
}

/** Whether `buckets` gives each of `n` needles a bucket. */
function fits(buckets: readonly number[] | undefined, n: number): buckets is readonly number[] {
  return (
    buckets !== undefined && buckets.length === n && buckets.every((b) => Number.isInteger(b) && b >= 0 && b < BUCKETS)
  );
}

/**
 * Each needle's bucket when none is given: the needles in byte order, cut into eight runs (one needle a bucket when
 * there are fewer). A bucket's tables pass, at each tested byte, every byte whose low nibble one of its needles has
 * there and whose high nibble one has there: needles alike in their first bytes share a bucket well, and neighbours
 * in byte order are. With 29 loader needles the runs let 3.9 % of the bench repository's 16-byte blocks through to
 * the compare; two more needles moved every run's edges and made it 11.2 %, which is why the loader needles' buckets
 * are chosen offline (scripts/gen-needle-buckets.mjs: 2.7 %). A search at run time costs more than it saves.
 */
function bucketsOf(patterns: readonly Buffer[]): number[] {
  const order = patterns.map((_, k) => k).sort((a, b) => Buffer.compare(patterns[a]!, patterns[b]!));
  const bucket: number[] = [];
  order.forEach((k, i) => (bucket[k] = Math.floor((i * BUCKETS) / order.length)));
  return bucket;
}

/**
 * The same answers from a `Buffer.includes` per needle, where the runtime has no WebAssembly (`node --jitless`):
 * slower, never a different verdict.
 */
function includesScanner(
  patterns: readonly Buffer[],
  groupOf: readonly number[],
  lookups: readonly Buffer[],
  alone: readonly boolean[],
  rules: readonly NeedleRule[],
): NeedleScan {
  let last: Uint8Array = Buffer.alloc(0);
  const scan = (data: Uint8Array) => {
    last = data;
    const b = Buffer.from(data.buffer, data.byteOffset, data.length);
    return patterns.reduce((bits, p, k) => (b.includes(p) ? bits | (1 << groupOf[k]!) : bits), 0);
  };
  const has = (k: number) => {
    if (!(k >= 0 && k < lookups.length)) throw new RangeError(`needleScanner: no word ${k}`);
    const b = Buffer.from(last.buffer, last.byteOffset, last.length);
    const w = lookups[k]!;
    if (!alone[k]) return b.includes(w);
    for (let at = b.indexOf(w); at >= 0; at = b.indexOf(w, at + 1))
      if (!(at > 0 && isAsciiWordChar(b[at - 1]!)) && !(at + w.length < b.length && isAsciiWordChar(b[at + w.length]!)))
        return true;
    return false;
  };
  const passes = (found: number) =>
    rules.some(
      (r) =>
        (found & r.all) === r.all && ((found & r.any) !== 0 || r.anyWords.some(has)) && (r.word < 0 || has(r.word)),
    );
  let own = Buffer.alloc(0);
  const input = (size: number) => {
    if (size > own.length) own = Buffer.allocUnsafe(size);
    return own;
  };
  const verdict = (n: number, ask: number, word: number): 0 | 1 | 2 => {
    if (!(n >= 0 && n <= own.length)) throw new RangeError(`needleScanner: no input ${n}`);
    const found = scan(own.subarray(0, n));
    if (found === 0) return 0;
    if ((found & ask) !== 0 && has(word)) return 2;
    return passes(found) ? 1 : 0;
  };
  return Object.assign(scan, { has, passes, input, verdict });
}
