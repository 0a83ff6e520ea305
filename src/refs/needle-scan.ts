/**
 * Which of a fixed set of ASCII needles some bytes hold, in one pass that allocates nothing: the byte test every
 * source file meets (prefilter.ts). A regular expression needs a string, and a latin1 copy of every file (23 MB in
 * bench `refs`) was young garbage: about ten more scavenges per scan. A `Buffer.includes` per needle costs a native
 * call per needle per file, more than the search itself on the few-KiB files most source is.
 *
 * Wu–Manber's shift table over byte pairs (the needles' first `m` bytes, `m` the shortest needle's length): at each
 * window the pair at its end says how far no needle can start, most windows skip `m - 1` bytes, and a needle is
 * compared byte by byte only where its leading pair ends the window.
 */
export type NeedleScan = (bytes: Uint8Array) => number;

/** At most this many needles: the answer is a bit set, bit `k` for `needles[k]`. */
export const MAX_NEEDLES = 31;

export function needleScanner(needles: readonly string[]): NeedleScan {
  const patterns = needles.map((n) => Buffer.from(n, 'latin1'));
  const m = Math.min(...patterns.map((p) => p.length));
  if (!(m >= 2) || needles.length > MAX_NEEDLES || patterns.some((p, i) => p.toString('latin1') !== needles[i]))
    throw new Error(`needleScanner: 1 to ${MAX_NEEDLES} needles, one-byte strings of at least two characters`);
  const shift = new Uint8Array(1 << 16).fill(m - 1);
  // Needles whose window-end pair is this pair, as a chain: first[pair] then next[k].
  const first = new Int16Array(1 << 16).fill(-1);
  const next = new Int16Array(patterns.length).fill(-1);
  patterns.forEach((p, k) => {
    for (let j = 1; j < m; j++) {
      const pair = (p[j - 1]! << 8) | p[j]!;
      shift[pair] = Math.min(shift[pair]!, m - 1 - j);
    }
    const end = (p[m - 2]! << 8) | p[m - 1]!;
    next[k] = first[end]!;
    first[end] = k;
  });
  const all = 2 ** patterns.length - 1;
  /** The needles whose leading pair ends the window at `i` (its shift is 0), added to `found` when there. */
  const verify = (bytes: Uint8Array, n: number, i: number, found: number): number => {
    const start = i - m + 1;
    for (let k = first[(bytes[i - 1]! << 8) | bytes[i]!]!; k >= 0; k = next[k]!) {
      const p = patterns[k]!;
      if ((found & (1 << k)) !== 0 || start + p.length > n) continue;
      // The needle's bytes after its first `m`, then its first `m` (the pair at the window's end matched only a
      // table entry).
      let j = m;
      while (j < p.length && bytes[start + j] === p[j]) j++;
      if (j < p.length) continue;
      j = 0;
      while (j < m && bytes[start + j] === p[j]) j++;
      if (j === m) found |= 1 << k;
    }
    return found;
  };
  /** Window ends from `i` up to `end` (exclusive), one at a time. */
  const tail = (bytes: Uint8Array, n: number, i: number, end: number, found: number): number => {
    while (i < end && found !== all) {
      const s = shift[(bytes[i - 1]! << 8) | bytes[i]!]!;
      if (s === 0) found = verify(bytes, n, i++, found);
      else i += s;
    }
    return found;
  };
  const scan: NeedleScan = (bytes) => {
    const n = bytes.length;
    if (n < m) return 0;
    // Two windows move side by side, one from the start and one from the middle. Where a window goes next depends on
    // the pair it has just read (a load, then a table load, then the add): one window waits on that chain at every
    // step, two independent ones overlap, at about two thirds of the CPU (bench `refs`). A needle is found by the
    // window that ends where its leading pair does, wherever it then runs to: `half` splits the window ends, not the
    // bytes.
    const half = m - 1 + ((n - m + 1) >> 1);
    let found = 0;
    let i = m - 1;
    let j = half;
    while (i < half && j < n) {
      const s = shift[(bytes[i - 1]! << 8) | bytes[i]!]!;
      const t = shift[(bytes[j - 1]! << 8) | bytes[j]!]!;
      if (s === 0) found = verify(bytes, n, i++, found);
      else i += s;
      if (t === 0) found = verify(bytes, n, j++, found);
      else j += t;
      if (found === all) return found;
    }
    return tail(bytes, n, j, n, tail(bytes, n, i, half, found));
  };
  // Every path of the scan taken once before the first file: V8 compiles a path that has never run as a bail-out,
  // and the first file to take it (a tail's first needle) threw the compiled scan away, to be compiled again: ten
  // times over bench `refs`'s repository. Needles at the start, the middle and the end, with text between them.
  const sample = needles.join(' ');
  const filler = ' '.repeat(sample.length);
  for (const text of [sample, filler + sample, sample + filler, filler + sample + filler])
    scan(Buffer.from(text, 'latin1'));
  return scan;
}
