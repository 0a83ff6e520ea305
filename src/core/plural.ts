/** `3 files`, `1 file`: a count with its noun (English plural by `s`). */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The first `shown` items joined with commas, then `and N more` for the rest: a list a message can carry. */
export function listedWithMore(items: readonly string[], shown: number): string {
  return items.slice(0, shown).join(', ') + (items.length > shown ? ` and ${items.length - shown} more` : '');
}
