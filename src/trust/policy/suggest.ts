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

/**
 * `editDistance(a, b) <= k`, in time linear in the lengths: a cell of the table `|i - j|` off its diagonal is at least
 * that far, so only the cells within `k` of it are computed, the rest read as `k + 1` (the recurrence gives the same
 * answer on distances capped at `k + 1`). `chainproof review` pairs every removed dependency with every added one:
 * with the whole table, 150 of each with 200-character names took 30 s of CPU, and a pull request sets both counts.
 */
export function withinEditDistance(a: string, b: string, k: number): boolean {
  if (Math.abs(a.length - b.length) > k) return false;
  const far = k + 1;
  // Rows i-2, i-1 and i of the table; a cell outside the band is never written and reads as `far`.
  let [older, prev, row] = [
    new Array<number>(b.length + 1),
    new Array<number>(b.length + 1),
    new Array<number>(b.length + 1),
  ];
  const at = (r: number[], i: number, j: number) => (j === 0 ? Math.min(i, far) : Math.abs(i - j) > k ? far : r[j]!);
  for (let j = 0; j <= Math.min(b.length, k); j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = Math.max(1, i - k); j <= Math.min(b.length, i + k); j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(prev, i - 1, j) + 1, at(row, i, j - 1) + 1, at(prev, i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, at(older, i - 2, j - 2) + 1);
      row[j] = Math.min(v, far);
    }
    [older, prev, row] = [prev, row, older];
  }
  return at(prev, a.length, b.length) <= k;
}
