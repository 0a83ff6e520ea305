/** Characters a POSIX shell reads as themselves anywhere in a word. */
const PLAIN = /^[A-Za-z0-9_./@%+=:,-]+$/;

/**
 * A path as one word that a POSIX shell reads back unchanged, for a command a message suggests (`chainproof registry
 * add <path>`). A file name is the scanned tree's: it can hold `$(…)`, backticks, `;` or `|`, and whoever pastes the
 * suggested command would run them. Plain names are shown as they are, any other is single-quoted (a `'` in it as
 * `'\''`, as Python's `shlex.quote` does), and a name starting with `-` gets `./` so it is not read as an option.
 */
export function shellWord(path: string): string {
  const word = path.startsWith('-') ? `./${path}` : path;
  return PLAIN.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
