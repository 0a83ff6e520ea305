import { TomlError, parse } from 'smol-toml';
import { PyLockError } from './types.js';

/** Inline arrays/tables nest no deeper than this in any real lockfile; hostile nesting stops here. */
export const MAX_TOML_DEPTH = 32;
/** No key or value of a real lockfile comes near this; a huge string is a sign of a hostile file. */
export const MAX_TOML_STRING = 1024 * 1024;

/** Parse a TOML lockfile defensively: bounded nesting, no prototype keys, a syntax error carries its line. */
export function parseToml(file: string, text: string): Record<string, unknown> {
  try {
    return parse(text, { maxDepth: MAX_TOML_DEPTH, unsafeKeyBehaviour: 'drop' });
  } catch (err) {
    if (err instanceof TomlError) {
      throw new PyLockError('LOCKFILE_SYNTAX', file, `not valid TOML: ${firstLine(err.message)}`, err.line, {
        cause: err,
      });
    }
    // smol-toml signals a nesting past maxDepth with a RangeError-like error; anything else is also a parse failure.
    throw new PyLockError('LOCKFILE_SYNTAX', file, `not valid TOML: ${firstLine(String(err))}`, undefined, {
      cause: err,
    });
  }
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.slice(0, 200);
}

/**
 * 1-based lines of each `[[name]]` array-of-tables header, in order: the n-th header starts the n-th element.
 * (A header inside a multi-line string would be miscounted; lockfile writers never emit one, and a count that
 * disagrees with the parsed array falls back to line 1 rather than to a wrong line.)
 */
export function arrayTableLines(text: string, name: string): number[] {
  const out: number[] = [];
  const header = new RegExp(`^\\s*\\[\\[\\s*${name.replace(/[.]/g, '\\.')}\\s*\\]\\]\\s*(#.*)?$`);
  let line = 0;
  for (const raw of text.split('\n')) {
    line++;
    if (raw.charCodeAt(0) === 91 /* [ */ || raw.startsWith(' ') || raw.startsWith('\t')) {
      if (header.test(raw.replace(/\r$/, ''))) out.push(line);
    }
  }
  return out;
}

/** The line for element `i` of an array of tables whose header lines were counted; 1 when the count disagrees. */
export function lineOf(lines: readonly number[], count: number, i: number): number {
  return lines.length === count ? (lines[i] ?? 1) : 1;
}

/**
 * Each element of a lockfile's `[[key]]` array of tables with its name and header line; an element that is not a
 * table with a string `name` is refused at its line (every Python lockfile names each package).
 */
export function namedTables(
  file: string,
  text: string,
  doc: Record<string, unknown>,
  key: string,
): { entry: Record<string, unknown>; name: string; line: number }[] {
  const list: unknown[] = Array.isArray(doc[key]) ? (doc[key] as unknown[]) : [];
  const lines = arrayTableLines(text, key);
  return list.map((entry, i) => {
    const line = lineOf(lines, list.length, i);
    const name = isTable(entry) ? strOf(entry.name) : undefined;
    if (!isTable(entry) || name === undefined)
      throw new PyLockError('LOCKFILE_SHAPE', file, `[[${key}]] without a name`, line);
    return { entry, name, line };
  });
}

export function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

export function strOf(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Every string in a parsed document must fit the bound: a hostile huge string is a finding, not data. */
export function assertStringsBounded(file: string, text: string): void {
  // The text bound is the cheap test: a string longer than the bound needs a line at least that long.
  let start = 0;
  let line = 1;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    const stop = end < 0 ? text.length : end;
    if (stop - start > MAX_TOML_STRING) {
      throw new PyLockError('LOCKFILE_SHAPE', file, `line longer than ${MAX_TOML_STRING} characters`, line);
    }
    line++;
    start = stop + 1;
  }
}
