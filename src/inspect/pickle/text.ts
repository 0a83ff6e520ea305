import { SIMPLE_ESCAPES } from '../../discover/formats/py-tokens.js';
/**
 * Protocol-0 text arguments, decoded the way CPython's `_pickle.c` decodes them. A `undefined` return means
 * CPython would raise on this argument.
 */

/** STRING argument: a quoted Python 2 `repr`, unescaped with `codecs.escape_decode`. */
export function decodeStringLine(line: Buffer): string | undefined {
  if (line.length < 2) return undefined;
  const q = line[0];
  if ((q !== 0x27 && q !== 0x22) || line[line.length - 1] !== q) return undefined;
  return decodeEscapes(line.subarray(1, line.length - 1));
}

/** The text between a STRING's quotes, unescaped with `codecs.escape_decode`. */
export function decodeEscapes(b: Buffer): string | undefined {
  const s = b.toString('latin1');
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = s[++i];
    if (n === undefined) return undefined; // trailing backslash: "Trailing \ in string"
    const simple = SIMPLE_ESCAPES[n];
    if (simple !== undefined) {
      out += simple;
    } else if (n === 'x') {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
      out += String.fromCharCode(parseInt(hex, 16));
      i += 2;
    } else if (n >= '0' && n <= '7') {
      let oct = n;
      while (oct.length < 3 && s[i + 1] !== undefined && s[i + 1]! >= '0' && s[i + 1]! <= '7') oct += s[++i]!;
      out += String.fromCharCode(parseInt(oct, 8) & 0xff);
    } else {
      out += `\\${n}`; // unknown escapes are kept verbatim
    }
  }
  return out;
}

/** UNICODE argument: `raw-unicode-escape` (only \uXXXX and \UXXXXXXXX are escapes; other bytes are Latin-1). */
export function decodeRawUnicodeEscape(b: Buffer): string | undefined {
  const s = b.toString('latin1');
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') {
      // An odd run of backslashes before u/U starts an escape.
      let run = 1;
      while (s[i + run] === '\\') run++;
      const next = s[i + run];
      if (run % 2 === 1 && (next === 'u' || next === 'U')) {
        out += '\\'.repeat(run - 1);
        const width = next === 'u' ? 4 : 8;
        const hex = s.slice(i + run + 1, i + run + 1 + width);
        if (hex.length !== width || !/^[0-9a-fA-F]+$/.test(hex)) return undefined;
        const cp = parseInt(hex, 16);
        if (cp > 0x10ffff) return undefined;
        out += String.fromCodePoint(cp);
        i += run + width;
        continue;
      }
      out += '\\'.repeat(run);
      i += run - 1;
      continue;
    }
    out += c;
  }
  return out;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** GLOBAL / INST lines are strict UTF-8 in CPython 3. */
export function decodeUtf8Strict(b: Buffer): string | undefined {
  try {
    return UTF8.decode(b);
  } catch {
    return undefined;
  }
}

/** BINUNICODE payloads use `surrogatepass`; a lossy decode is enough for naming. */
export function decodeUtf8Lenient(b: Buffer): string {
  return b.toString('utf8');
}
