import { isUtf8 } from 'node:buffer';
import { readdirSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import type { FsPath } from '../core/files.js';

/**
 * File names are bytes, not text: Linux and git store names that are not UTF-8, and Python and torch open them.
 * Node decodes a string listing lossily (every bad byte becomes U+FFFD), so a name like `model\xff.pkl` could not be
 * opened again by its string and a second file named `model\u{FFFD}.pkl` could stand in for it. A directory whose
 * listing shows U+FFFD is listed again as bytes, and its entries are opened by their raw bytes (a Buffer path).
 */

/** One directory entry: what it is, the name shown in reports and the path it is opened by. */
export interface ListedEntry {
  readonly dirent: Pick<Dirent, 'isDirectory' | 'isFile' | 'isSymbolicLink'>;
  /** The name for display and matching: the name itself when UTF-8, else with each bad byte as `\xNN`. */
  readonly name: string;
  /** The path to open: a string when every part of it is UTF-8, else the raw bytes. */
  readonly abs: FsPath;
}

/** The entries of `absDir`, sorted by display name (then by raw bytes: two names can show alike). */
export function listDirectory(absDir: FsPath): ListedEntry[] {
  if (typeof absDir === 'string') {
    const entries = readdirSync(absDir, { withFileTypes: true });
    if (!entries.some((e) => e.name.includes('\uFFFD'))) {
      const out = entries.map((e) => ({ dirent: e, name: e.name, abs: path.join(absDir, e.name) }));
      return out.sort((a, b) => compareNames(a.name, b.name));
    }
  }
  const raw = readdirSync(absDir, { withFileTypes: true, encoding: 'buffer' });
  const dirBytes = typeof absDir === 'string' ? Buffer.from(absDir) : absDir;
  const out = raw.map((e) => {
    const utf8 = isUtf8(e.name);
    const abs: FsPath =
      utf8 && typeof absDir === 'string'
        ? path.join(absDir, e.name.toString('utf8'))
        : Buffer.concat([dirBytes, SLASH, e.name]);
    return { dirent: e, name: utf8 ? e.name.toString('utf8') : displayName(e.name), abs, bytes: e.name };
  });
  out.sort((a, b) => compareNames(a.name, b.name) || Buffer.compare(a.bytes, b.bytes));
  return out.map(({ dirent, name, abs }) => ({ dirent, name, abs }));
}

const SLASH = Buffer.from('/');

const compareNames = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A name's bytes as text: valid UTF-8 sequences as themselves, every other byte as `\xNN` (lower-case hex, as
 * Python's `backslashreplace` shows them). Deterministic, and never a U+FFFD that another name could also show.
 */
export function displayName(bytes: Buffer): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const n = utf8SequenceLength(bytes, i);
    if (n > 0) {
      out += bytes.toString('utf8', i, i + n);
      i += n;
    } else {
      out += `\\x${bytes[i]!.toString(16).padStart(2, '0')}`;
      i++;
    }
  }
  return out;
}

/** The length of the well-formed UTF-8 sequence at `i` (RFC 3629: no overlongs, no surrogates), else 0. */
function utf8SequenceLength(b: Buffer, i: number): number {
  const lead = b[i]!;
  if (lead < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => {
    const c = b[i + k];
    return c !== undefined && c >= lo && c <= hi;
  };
  if (lead >= 0xc2 && lead <= 0xdf) return cont(1) ? 2 : 0;
  if (lead >= 0xe0 && lead <= 0xef) {
    const lo = lead === 0xe0 ? 0xa0 : 0x80;
    const hi = lead === 0xed ? 0x9f : 0xbf;
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    const lo = lead === 0xf0 ? 0x90 : 0x80;
    const hi = lead === 0xf4 ? 0x8f : 0xbf;
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/** A path as a string that keeps every byte (latin1): for comparing real paths, never for display or opening. */
export const byteKey = (p: Buffer): string => p.toString('latin1');

/**
 * The folder holding `abs`, as a string for path arithmetic (sidecar files named by a model). When the folder's own
 * path is not UTF-8 it cannot be a string: the result then holds a NUL byte, which every fs call refuses, so a lookup
 * beside the file finds nothing (and says so) rather than the lossily decoded twin folder an attacker could create.
 */
export function folderOf(abs: FsPath): string {
  const dir = rawFolderOf(abs);
  if (typeof dir === 'string') return dir;
  return isUtf8(dir) ? dir.toString('utf8') : `${displayName(dir)}\0`;
}

/** The folder holding `abs` (raw bytes stay bytes: a name that is not UTF-8 must reach the same folder). */
export function rawFolderOf(abs: FsPath): FsPath {
  return typeof abs === 'string' ? path.dirname(abs) : abs.subarray(0, Math.max(1, abs.lastIndexOf(0x2f)));
}

/**
 * Whether `abs` is a folder, following links (a link to a folder); false when it cannot be stat'ed. Blocking, as
 * `listDirectory` is, for the signature stage's bounded name listing under a signed model folder.
 */
export function isFolderThrough(abs: FsPath): boolean {
  try {
    return statSync(abs).isDirectory();
  } catch {
    return false;
  }
}
