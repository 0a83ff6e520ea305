/** `3 files`, `1 file`: a count with its noun (English plural by `s`). */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
