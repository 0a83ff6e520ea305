/**
 * A tar header as Python's `tarfile.TarInfo.frombuf` accepts it: any 512-byte block whose checksum field matches
 * the sum of its bytes (the field counted as spaces). The `ustar` magic is optional — a v7 header without it is read
 * the same way, and `torch.load`'s legacy tar path (`tarfile.open(mode='r:')`) loads such a file.
 */
export function looksLikeTar(head: Buffer): boolean {
  if (head.length >= 262 && head.toString('latin1', 257, 262) === 'ustar') return true;
  return head.length >= 512 && checksumOk(head.subarray(0, 512));
}

export function checksumOk(h: Buffer): boolean {
  return checksumMatches(h) && h[0] !== 0;
}

/** `frombuf`: `nti(buf[148:156]) in calc_chksums(buf)`, the unsigned and the signed sum with the field as spaces. */
function checksumMatches(h: Buffer): boolean {
  const want = parseOctal(h.subarray(148, 156));
  if (want === undefined) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < 512; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : h[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return want === unsigned || want === signed;
}

/** Numeric fields `frombuf` passes to `nti` (mode, uid, gid, size, mtime, devmajor, devminor): one bad one stops it. */
const NUMBER_FIELDS: readonly (readonly [string, number, number])[] = [
  ['mode', 100, 108],
  ['uid', 108, 116],
  ['gid', 116, 124],
  ['size', 124, 136],
  ['mtime', 136, 148],
  ['devmajor', 329, 337],
  ['devminor', 337, 345],
];

/**
 * Why `tarfile.TarInfo.frombuf` refuses this (non-zero) header block, or undefined when it reads it: a bad checksum
 * or a numeric field `nti` rejects raises InvalidHeaderError, and `TarFile.next` ends the archive there. A negative
 * size (base-256 `\xff`, or `-` in octal) is read by tarfile but moves its offset backwards: no reader follows that.
 */
export function tarHeaderProblem(h: Buffer): string | undefined {
  if (!checksumMatches(h)) return 'has a bad checksum';
  for (const [field, from, to] of NUMBER_FIELDS) {
    const v = parseOctal(h.subarray(from, to));
    if (v === undefined) return `has a ${field} field Python's tarfile rejects (it stops reading there)`;
    if (field === 'size' && v < 0) return 'declares a negative size';
  }
  return undefined;
}

/**
 * A tar number field as Python's `tarfile.nti` reads it: base-256 when the first byte is 0x80 (or 0xff, negative);
 * otherwise `nts` (up to the first NUL, ASCII strict) then `int(s.strip() or "0", 8)`, which takes surrounding
 * whitespace, a sign, a `0o` prefix and `_` between digits. Undefined where `nti` raises (InvalidHeaderError).
 */
export function parseOctal(b: Buffer): number | undefined {
  if (b.length === 0) return undefined;
  if (b[0] === 0x80 || b[0] === 0xff) {
    let v = 0n;
    for (let i = 1; i < b.length; i++) v = v * 256n + BigInt(b[i]!);
    if (b[0] === 0xff) v -= 256n ** BigInt(b.length - 1);
    return Number(v); // past 2^53 inexact, but far past any size a bound check lets through
  }
  const nul = b.indexOf(0);
  const raw = b.subarray(0, nul < 0 ? b.length : nul);
  if (raw.some((c) => c > 0x7f)) return undefined; // nts(..., "ascii", "strict") raises
  return pythonInt(raw.toString('latin1'), 8);
}

/** Python's `str.strip()` whitespace within ASCII (the set `int()` also skips): \t \n \v \f \r, 0x1c-0x1f, space. */
const isPySpace = (c: number): boolean => (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20);

function stripPy(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isPySpace(s.charCodeAt(a))) a++;
  while (b > a && isPySpace(s.charCodeAt(b - 1))) b--;
  return s.slice(a, b);
}

/**
 * `int(s.strip() or "0", base)` for base 8 or 10 (Objects/longobject.c `PyLong_FromString`): a sign, a `0o` prefix
 * in base 8 (an `_` may follow it), digits with single `_` between them. Undefined where Python raises ValueError.
 */
export function pythonInt(s: string, base: 8 | 10): number | undefined {
  const t = stripPy(s);
  if (t === '') return 0;
  const re = base === 8 ? /^([+-]?)(?:0[oO]_?)?([0-7]+(?:_[0-7]+)*)$/ : /^([+-]?)([0-9]+(?:_[0-9]+)*)$/;
  const m = re.exec(t);
  if (!m) return undefined;
  const v = parseInt(m[2]!.replaceAll('_', ''), base);
  return m[1] === '-' ? -v : v;
}
