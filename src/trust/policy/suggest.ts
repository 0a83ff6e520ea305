/** "did you mean" for near misses: the closest candidate within a small edit distance, case-insensitively. */
export function didYouMean(word: string, candidates: Iterable<string>, maxDistance?: number): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = maxDistance ?? Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  return best !== undefined && bestDistance <= limit ? best : undefined;
}

export function suggestion(word: string, candidates: Iterable<string>, maxDistance?: number): string {
  const s = didYouMean(word, candidates, maxDistance);
  return s === undefined ? '' : `; did you mean "${s}"?`;
}

/**
 * Damerau (optimal string alignment) distance: a swapped pair of letters counts as one edit. Lengths more than 3 apart
 * are Infinity (never a near miss).
 */
export function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return Infinity;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
