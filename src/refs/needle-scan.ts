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
  return (bytes) => {
    const n = bytes.length;
    let found = 0;
    for (let i = m - 1; i < n;) {
      const pair = (bytes[i - 1]! << 8) | bytes[i]!;
      const s = shift[pair]!;
      if (s !== 0) {
        i += s;
        continue;
      }
      const start = i - m + 1;
      for (let k = first[pair]!; k >= 0; k = next[k]!) {
        const p = patterns[k]!;
        if ((found & (1 << k)) !== 0 || start + p.length > n) continue;
        // The needle's bytes after its first `m`, then its first `m` (the pair at the window's end matched only a
        // table entry). Compared here, not in a function: a call first made after the JIT compiled this loop
        // (a needle's first hit) sent it back to the interpreter, to be compiled again.
        let j = m;
        while (j < p.length && bytes[start + j] === p[j]) j++;
        if (j < p.length) continue;
        j = 0;
        while (j < m && bytes[start + j] === p[j]) j++;
        if (j === m) {
          found |= 1 << k;
          if (found === all) return found;
        }
      }
      i++;
    }
    return found;
  };
}
