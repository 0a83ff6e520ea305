import { execFileSync } from 'node:child_process';
import v8 from 'node:v8';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_NEEDLES, needleScanner as scanner, relaxedScan, type NeedleWord } from '../../src/refs/needle-scan.js';
import type { WasmApi } from '../../src/refs/wasm.js';

// As bin/chainproof.js does: Node 20's V8 (11.3) has relaxed SIMD behind a flag; later ones have it on.
if (process.versions.v8.startsWith('11.')) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
/** The runtime's WebAssembly as one without relaxed SIMD sees it: the scan's strict build. */
const runtime = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
const STRICT: WasmApi = {
  Memory: runtime.Memory,
  Module: runtime.Module,
  Instance: runtime.Instance,
  validate: () => false,
};

/** The scan must answer exactly as one `Buffer.includes` per needle: it decides which files are never decoded. */
const byIncludes = (needles: readonly string[], b: Buffer) =>
  needles.reduce((bits, n, k) => (b.includes(n) ? bits | (1 << k) : bits), 0);

// Run in WebAssembly, and without it (`node --jitless` has none): the same answers either way.
it('runs the relaxed build of the scan where the runtime has relaxed SIMD, the strict one where not', () => {
  expect(relaxedScan()).toBe(true);
  expect(relaxedScan(STRICT)).toBe(false);
  expect(relaxedScan(null)).toBe(false);
});

describe.each([
  ['WebAssembly, relaxed SIMD', undefined],
  ['WebAssembly, strict SIMD', STRICT],
  ['no WebAssembly', null],
] as const)('needleScanner (%s)', (_runtime, api) => {
  const needleScanner = (needles: readonly string[], words?: readonly NeedleWord[]) => scanner(needles, words, [], api);
  const NEEDLES = ['torch', 'transformers', 'from_pretrained', 'create_model', 'huggingface', 'hf_hub_download'];
  const scan = needleScanner(NEEDLES);

  it.each([
    ['empty', '', []],
    ['shorter-than-any-needle', 'tor', []],
    ['needle-alone', 'torch', ['torch']],
    ['needle-at-start', 'torch.hub.load(x)', ['torch']],
    ['needle-at-end', 'import torch', ['torch']],
    ['longest-needle-at-end', 'm = M.from_pretrained', ['from_pretrained']],
    ['needle-cut-at-end', 'm = M.from_pretraine', []],
    ['prefix-then-mismatch', 'torcx transformer create_mode', []],
    ['same-end-pair-other-start', 'xorch storch', ['torch']],
    ['case-differs', 'TORCH Transformers', []],
    ['overlapping-tries', 'tortorch', ['torch']],
    ['non-ascii-around', '\u00e9torch\u00ff', ['torch']],
    ['split-by-a-newline', 'tor\nch', []],
    [
      'several',
      'from transformers import x\nimport torch\nhf_hub_download()',
      ['torch', 'transformers', 'hf_hub_download'],
    ],
    ['every-needle', NEEDLES.join(' '), NEEDLES],
    // Two windows scan side by side, from the start and from the middle: a needle across the middle, or after it.
    ['across-the-middle', `${'x'.repeat(40)}from_pretrained${'x'.repeat(40)}`, ['from_pretrained']],
    ['just-after-the-middle', `${'x'.repeat(30)}torch${'x'.repeat(25)}`, ['torch']],
    ['first-half-only', `torch${'x'.repeat(200)}`, ['torch']],
    ['second-half-only', `${'x'.repeat(200)}torch`, ['torch']],
  ])('%s', (_case, text, want) => {
    const b = Buffer.from(text, 'latin1');
    const bits = want.reduce((acc, n) => acc | (1 << NEEDLES.indexOf(n)), 0);
    expect(scan(b)).toBe(bits);
    expect(byIncludes(NEEDLES, b)).toBe(bits);
  });

  it('answers as a Buffer.includes per needle on text made of needles, their pieces and other bytes (fast-check)', () => {
    const piece = fc.oneof(
      fc.constantFrom(...NEEDLES),
      fc.constantFrom(...NEEDLES).map((n) => n.slice(0, -1)),
      fc.constantFrom(...NEEDLES).map((n) => n.slice(1)),
      fc.constantFrom(...NEEDLES).map((n) => n.slice(0, 2)),
      fc.string({ maxLength: 3 }),
      fc.constantFrom('\xff', '\u00e9', '\n', 'h', 'rc', 'el', '_h'),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 14 }), (pieces) => {
        const b = Buffer.from(pieces.join(''));
        expect(scan(b)).toBe(byIncludes(NEEDLES, b));
      }),
      { numRuns: 3000 },
    );
  });

  it('sets one bit for a group of needles, whichever is there, whatever bucket each is in (fast-check)', () => {
    const groups = [['from_pretrained', 'hf://', 'InferenceSession'], 'torch', ['ultralytics', 'to'], 'transformers'];
    const strings = groups.flat();
    const byGroup = (b: Buffer) =>
      groups.reduce((bits, g, k) => ([g].flat().some((n) => b.includes(n)) ? bits | (1 << k) : bits), 0);
    const piece = fc.oneof(
      fc.constantFrom(...strings),
      fc.constantFrom(...strings).map((n) => n.slice(0, -1)),
      fc.string({ maxLength: 3 }),
    );
    const buckets = fc.array(fc.integer({ min: 0, max: 7 }), { minLength: strings.length, maxLength: strings.length });
    fc.assert(
      fc.property(buckets, fc.array(piece, { maxLength: 14 }), (assign, pieces) => {
        const b = Buffer.from(pieces.join(''));
        expect(scanner(groups, [], [], api, assign)(b)).toBe(byGroup(b));
      }),
      { numRuns: 500 },
    );
    expect(() => scanner([[], 'torch'], [], [], api)).toThrow(/needles or groups/);
  });

  it('answers the same whatever four bytes of each needle its tables test (fast-check)', () => {
    // A window tested past a needle's start: the needle at the input's very start, its window anywhere in a block,
    // the needle cut at the input's end after a whole window; offsets that do not fit count as 0.
    const needles = ['from_pretrained', 'torch', 'hf://', 'tensorflow_hub', 'loadGraphModel', 'ab'];
    const piece = fc.oneof(
      fc.constantFrom(...needles),
      fc.constantFrom(...needles).map((n) => n.slice(0, -1)),
      fc.constantFrom(...needles).map((n) => n.slice(1)),
      fc.string({ maxLength: 3 }),
    );
    const windows = fc.tuple(...needles.map((n) => fc.integer({ min: 0, max: Math.max(0, n.length - 4) })));
    const buckets = fc.array(fc.integer({ min: 0, max: 7 }), { minLength: needles.length, maxLength: needles.length });
    fc.assert(
      fc.property(windows, buckets, fc.array(piece, { maxLength: 14 }), (offsets, assign, pieces) => {
        const b = Buffer.from(pieces.join(''));
        expect(scanner(needles, [], [], api, assign, offsets)(b)).toBe(byIncludes(needles, b));
      }),
      { numRuns: 1500 },
    );
    const odd = scanner(needles, [], [], api, undefined, [20, 0, 0, 0, 0, 0]);
    expect(odd(Buffer.from('x from_pretrained hf:// ab'))).toBe(
      byIncludes(needles, Buffer.from('x from_pretrained hf:// ab')),
    );
  });

  it('answers the same on long text, where the two windows meet anywhere (fast-check)', () => {
    const piece = fc.oneof(
      fc.constantFrom(...NEEDLES),
      fc.constantFrom(...NEEDLES).map((n) => n.slice(0, -1)),
      fc.string({ maxLength: 40 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const b = Buffer.from(pieces.join(''));
        expect(scan(b)).toBe(byIncludes(NEEDLES, b));
      }),
      { numRuns: 1000 },
    );
  });

  it('needles of two bytes (the shortest it takes) and needles sharing their leading pair', () => {
    const g = needleScanner(['ab', 'abc', 'xab']);
    expect([g(Buffer.from('zzab')), g(Buffer.from('a b')), g(Buffer.from('xabc'))]).toEqual([1, 0, 7]);
    const h = needleScanner(['hubx', 'huby']);
    expect([h(Buffer.from('..huby')), h(Buffer.from('hubz'))]).toEqual([2, 0]);
  });

  it('needles that share a window, or whose windows share a hash slot, beside short needles (fast-check)', () => {
    // The compare is reached through a hash table of windows (needle-scan.wat `$verify`): `torch` and `xtorc` (tested
    // from its second byte) have the same window, `torc`; `agit` hashes to its slot; `ab` and `tor` are too short for
    // a window and are compared wherever a block passes.
    const needles = ['torch', 'agit8', 'xtorc', 'ab', 'tor'];
    const offsets = [0, 0, 1, 0, 0];
    const piece = fc.oneof(
      fc.constantFrom(...needles),
      fc.constantFrom(...needles).map((n) => n.slice(0, -1)),
      fc.constantFrom(...needles).map((n) => n.slice(1)),
      fc.constantFrom('torc', 'agit', 'xtor', 'a'),
      fc.string({ maxLength: 3 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 16 }), (pieces) => {
        const b = Buffer.from(pieces.join(''), 'latin1');
        expect(scanner(needles, [], [], api, [0, 0, 1, 2, 0], offsets)(b)).toBe(byIncludes(needles, b));
      }),
      { numRuns: 1500 },
    );
  });

  it('looks up words in the bytes it last scanned, as Buffer.includes does (fast-check)', () => {
    const words = ['hub', 'LLM', '\\', 'huggingface_hub', 'x'];
    const g = needleScanner(NEEDLES, words);
    const piece = fc.oneof(
      fc.constantFrom(...words, ...NEEDLES),
      fc.constantFrom(...words).map((w) => w.slice(1)),
      fc.string({ maxLength: 4 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 20 }), (pieces) => {
        const b = Buffer.from(pieces.join(''));
        expect(g(b)).toBe(byIncludes(NEEDLES, b));
        expect(words.map((_, k) => g.has(k))).toEqual(words.map((w) => b.includes(w)));
      }),
      { numRuns: 2000 },
    );
    // Long subjects too: past 48 bytes `has` skips sixty-four places at a time where none holds a word's first two bytes.
    fc.assert(
      fc.property(fc.array(piece, { minLength: 20, maxLength: 120 }), (pieces) => {
        const b = Buffer.from(pieces.join(''));
        g(b);
        expect(words.map((_, k) => g.has(k))).toEqual(words.map((w) => b.includes(w)));
      }),
      { numRuns: 1000 },
    );
    // Sixteen places at a time (sixty-four in the quiet loop): a word at every place of every block, the last place it
    // fits at, one past it; a near miss (`hu` with no `b`) everywhere else.
    for (let size = 3; size <= 200; size++)
      for (let at = 0; at + 3 <= size; at++) {
        const b = Buffer.alloc(size, 'h');
        for (let i = 1; i < size; i += 3) b.write('u', i);
        b.write('hub', at);
        g(b);
        expect(g.has(0)).toBe(true);
        g(b.subarray(0, at + 2));
        expect(g.has(0)).toBe(b.subarray(0, at + 2).includes('hub'));
      }
    for (let size = 3; size <= 40; size++)
      for (let at = 0; at + 3 <= size; at++) {
        const b = Buffer.alloc(size, 'h');
        b.write('hub', at);
        g(b);
        expect(g.has(0)).toBe(true);
        g(b.subarray(0, at + 2));
        expect(g.has(0)).toBe(false);
      }
    // The subject is the last scan's bytes, not an earlier (longer) one's.
    g(Buffer.from('github hub'));
    g(Buffer.from('gi'));
    expect(g.has(0)).toBe(false);
    expect(() => g.has(words.length)).toThrow(RangeError);
  });

  // A whole word counts where no ASCII letter, digit or `_` stands beside it: what `\bhub\b` finds in the text the
  // bytes decode to (a byte over 0x7f is part of a character that is no word character).
  it('looks up whole words where they stand alone, as \\b…\\b finds them (fast-check)', () => {
    const words: NeedleWord[] = [{ whole: 'hub' }, 'hub', { whole: 'x' }, { whole: 'LLM' }];
    const alone = (w: string) => new RegExp(`(?<![A-Za-z0-9_])${w}(?![A-Za-z0-9_])`);
    const want = (text: string) => [
      alone('hub').test(text),
      text.includes('hub'),
      alone('x').test(text),
      alone('LLM').test(text),
    ];
    const g = needleScanner(NEEDLES, words);
    const piece = fc.oneof(
      fc.constantFrom(
        'hub',
        'x',
        'LLM',
        'github',
        'hub_',
        '_hub',
        'hub9',
        '9hub',
        'torch',
        'xx',
        '.',
        ' ',
        '\xe9',
        '\xff',
      ),
      fc.string({ maxLength: 3 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }), (pieces) => {
        const text = pieces.join('');
        g(Buffer.from(text, 'latin1'));
        expect(words.map((_, k) => g.has(k))).toEqual(want(text));
      }),
      { numRuns: 2000 },
    );
    for (const [text, got] of [
      ['hub', true],
      ['github', false],
      ['torch.hub.load', true],
      ['hub_utils', false],
      ['\u00e9hub\u00e9', true],
      [`${'github '.repeat(5)}hubs hub`, true],
    ] as const) {
      g(Buffer.from(text));
      expect(g.has(0)).toBe(got);
    }
  });

  it('tests its rules over the last scan as the rules say, looking words up (fast-check)', () => {
    const words = ['hub', 'LLM', '\\', 'x'];
    const rule = fc.record({
      all: fc.integer({ min: 0, max: 2 ** NEEDLES.length - 1 }),
      any: fc.integer({ min: 0, max: 2 ** NEEDLES.length - 1 }),
      anyWords: fc.uniqueArray(fc.integer({ min: 0, max: words.length - 1 }), { maxLength: 4 }),
      word: fc.integer({ min: -1, max: words.length - 1 }),
    });
    const piece = fc.oneof(fc.constantFrom(...words, ...NEEDLES), fc.string({ maxLength: 4 }));
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 6 }), fc.array(piece, { maxLength: 16 }), (rules, pieces) => {
        const g = scanner(NEEDLES, words, rules, api);
        const b = Buffer.from(pieces.join(''));
        const found = g(b);
        const holds = (k: number) => b.includes(words[k]!);
        const want = rules.some(
          (r) =>
            (found & r.all) === r.all &&
            ((found & r.any) !== 0 || r.anyWords.some(holds)) &&
            (r.word < 0 || holds(r.word)),
        );
        expect(g.passes(found)).toBe(want);
        // The same test in one call over bytes read into the scanner's input (the walk's), with its `ask` case.
        const ask = pieces.length & 3 ? found : 0;
        const word = pieces.length % words.length;
        const input = g.input(b.length);
        b.copy(input);
        const verdict = found === 0 ? 0 : (found & ask) !== 0 && holds(word) ? 2 : want ? 1 : 0;
        expect(g.verdict(b.length, ask, word)).toBe(verdict);
      }),
      { numRuns: 300 },
    );
  });

  // More needles than the scan has buckets (eight): needles share a bucket and its tables, and each is still
  // compared on its own. Needles of two bytes and up, the bytes drawn from a few so that they share nibbles.
  it('answers as a Buffer.includes per needle for up to 31 needles of any bytes (fast-check)', () => {
    const byte = fc.constantFrom(...'aeiotnr_.A\x00\n\xff\x7f'.split(''));
    const needle = fc.array(byte, { minLength: 2, maxLength: 9 }).map((c) => c.join(''));
    fc.assert(
      fc.property(
        fc.uniqueArray(needle, { minLength: 1, maxLength: 31 }),
        fc.array(fc.oneof(needle, byte), { maxLength: 40 }),
        (needles, pieces) => {
          const g = scanner(needles, [], [], api);
          const b = Buffer.from(pieces.join(''), 'latin1');
          const want = needles.reduce(
            (bits, n, k) => (b.includes(Buffer.from(n, 'latin1')) ? bits | (1 << k) : bits),
            0,
          );
          expect(g(b)).toBe(want);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses rules it cannot hold', () => {
    const over = { all: 0, any: 1, anyWords: [0, 0, 0, 0, 0], word: -1 };
    expect(() => scanner(NEEDLES, ['hub'], [over], api)).toThrow(/rules/);
    expect(() => scanner(NEEDLES, ['hub'], [{ all: 0, any: 1, anyWords: [], word: 1 }], api)).toThrow(/rules/);
  });

  it('scans bytes read into its own input buffer where they are, with the same answers', () => {
    const g = needleScanner(NEEDLES, ['hub']);
    for (const text of ['import torch\ntorch.hub.load(x)', 'nothing here', `${'x'.repeat(200_000)}from_pretrained`]) {
      const at = g.input(text.length);
      expect(at.length).toBeGreaterThanOrEqual(text.length);
      at.write(text, 'latin1');
      const b = Buffer.from(text, 'latin1');
      expect(g(at.subarray(0, text.length))).toBe(byIncludes(NEEDLES, b));
      expect(g.has(0)).toBe(b.includes('hub'));
    }
  });

  // The module's memory starts at 64 KiB of input and grows (shared: no buffer is detached); the input views made
  // before a growth are made again. Scanned, and read into its buffer, a file of MB, and small ones after it.
  it('answers for a file of MB past its first memory, and for small ones after it', () => {
    const g = needleScanner(NEEDLES, ['hub']);
    const big = Buffer.alloc(3 * 1024 * 1024, 'a');
    big.write('torch.hub', big.length - 9, 'latin1');
    expect(g(big)).toBe(1 << NEEDLES.indexOf('torch'));
    expect(g.has(0)).toBe(true);
    const read = g.input(big.length);
    big.copy(read);
    expect(g.verdict(big.length, 1 << NEEDLES.indexOf('torch'), 0)).toBe(2);
    expect(g(Buffer.from('from_pretrained'))).toBe(1 << NEEDLES.indexOf('from_pretrained'));
    expect(g.has(0)).toBe(false);
    const small = g.input(9);
    small.write('torch.hub', 'latin1');
    expect(g.verdict(9, 1 << NEEDLES.indexOf('torch'), 0)).toBe(2);
    expect(g.verdict(5, 1 << NEEDLES.indexOf('torch'), 0)).toBe(0);
  });

  it('holds 128 strings, needles and words together, and finds the last of each; refuses one more', () => {
    // 31 groups of 90 needles (the first group holds 60), and 38 words: 128 strings, the layout's room.
    const first = Array.from({ length: 60 }, (_, i) => `first${i}x`);
    const groups = [first, ...Array.from({ length: 30 }, (_, i) => `group${i}y`)];
    const words = Array.from({ length: 38 }, (_, i) => `word${i}z`);
    const g = scanner(groups, words, [], api);
    const b = Buffer.from(`a ${first[59]} b group29y c ${words[37]}`);
    expect(g(b)).toBe(1 | (1 << 30));
    expect(g.has(37)).toBe(true);
    expect(g.has(36)).toBe(false);
    expect(() => scanner(groups, [...words, 'one-more'], [], api)).toThrow(/128 strings/);
  });

  it.each([
    ['one-byte', ['a']],
    ['not-latin1', ['\u2028x']],
    ['too-many', Array.from({ length: MAX_NEEDLES + 1 }, (_, i) => `needle${i}`)],
  ])('refuses needles it cannot search: %s', (_case, needles) => {
    expect(() => needleScanner(needles)).toThrow(/needleScanner/);
  });
});

// Once, not per runtime: the module the WebAssembly runs is what scripts/gen-wasm.mjs assembles from the text.
it('runs the module scripts/gen-wasm.mjs assembles from needle-scan.wat (the committed bytes have not drifted)', () => {
  expect(() => execFileSync(process.execPath, ['scripts/gen-wasm.mjs', '--check'], { stdio: 'pipe' })).not.toThrow();
});
