import { invalidUtf8At, lineOfByte } from '../../../core/utf8.js';
import { PyLockError } from './types.js';

/**
 * The text of a requirements file as pip decodes it (`req_file._decode_req_file`, pip ≥ 24.2; `auto_decode`
 * before): a byte-order mark picks UTF-8/16/32, else a PEP 263 `coding:` declaration in a `#` line among the first
 * two, else UTF-8. A file declaring a codec chainproof cannot decode is an error (CPP001), never read as UTF-8:
 * under `# coding: utf-7` an extra index can be spelt so that only a UTF-7 reader sees it. So is a file that is not
 * UTF-8 and declares nothing.
 */
export function decodeRequirementsFile(file: string, bytes: Uint8Array): string {
  const bom = BOMS.find(([mark]) => mark.every((b, i) => bytes[i] === b));
  if (bom) return decodeAs(bom[1], bytes.subarray(bom[0].length))!;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const line of firstLines(buf)) {
    if (line[0] !== 0x23) continue;
    const m = PEP263.exec(line.toString('latin1'));
    if (!m) continue;
    const text = decodeAs(pythonCodec(m[1]!), bytes);
    if (text === undefined) {
      throw new PyLockError(
        'LOCKFILE_SYNTAX',
        file,
        `declares the encoding ${m[1]!.slice(0, 40)} (PEP 263), which pip decodes and chainproof does not`,
        1,
      );
    }
    return text;
  }
  // pip ≥ 24.2 falls back to `locale.getpreferredencoding()` for a file that is not UTF-8 (pip 23 decodes with it
  // outright): the install machine chooses the text. Under latin-1 a 0x85 starts a new line that a UTF-8 reading
  // keeps inside a comment, so the file is refused, not read with U+FFFD in it.
  const at = invalidUtf8At(bytes);
  if (at >= 0) {
    const line = lineOfByte(buf, at);
    throw new PyLockError(
      'LOCKFILE_SYNTAX',
      file,
      `is not valid UTF-8 (byte ${at}, line ${line}) and declares no encoding: pip refuses it under a UTF-8 locale and reads it in the install machine's locale encoding otherwise (_decode_req_file), where a byte such as 0x85 starts a line this scan cannot see. Save it as UTF-8 or declare its encoding (# -*- coding: latin-1 -*-)`,
      line,
    );
  }
  return buf.toString('utf8');
}

/** pip's `BOMS`, UTF-32 first (the UTF-32 LE mark begins with the UTF-16 LE one). */
const BOMS: readonly (readonly [readonly number[], string])[] = [
  [[0xef, 0xbb, 0xbf], 'utf_8'],
  [[0xff, 0xfe, 0, 0], 'utf_32_le'],
  [[0, 0, 0xfe, 0xff], 'utf_32_be'],
  [[0xff, 0xfe], 'utf_16_le'],
  [[0xfe, 0xff], 'utf_16_be'],
];
/** pip's `PEP263_ENCODING_RE` (a bytes pattern: `\w` is ASCII). */
const PEP263 = /coding[:=][ \t\n\r\f\v]*([-\w.]+)/;

function firstLines(buf: Buffer): Buffer[] {
  const first = buf.indexOf(0x0a);
  if (first < 0) return [buf];
  const second = buf.indexOf(0x0a, first + 1);
  return [buf.subarray(0, first), buf.subarray(first + 1, second < 0 ? buf.length : second)];
}

/** Python's codec lookup name (`encodings.normalize_encoding` + the aliases that matter here). */
function pythonCodec(name: string): string {
  const n = name.toLowerCase().replace(/[^a-z0-9.]+/g, '_');
  return ALIASES[n] ?? n;
}
const ALIASES: Record<string, string> = {
  utf8: 'utf_8',
  u8: 'utf_8',
  utf: 'utf_8',
  cp65001: 'utf_8',
  utf_8_sig: 'utf_8',
  latin1: 'latin_1',
  latin: 'latin_1',
  l1: 'latin_1',
  iso8859_1: 'latin_1',
  iso_8859_1: 'latin_1',
  '8859': 'latin_1',
  cp819: 'latin_1',
  ascii: 'utf_8',
  us_ascii: 'utf_8',
  '646': 'utf_8',
  utf16: 'utf_16',
  u16: 'utf_16',
  utf_16le: 'utf_16_le',
  utf_16be: 'utf_16_be',
  utf32: 'utf_32',
  u32: 'utf_32',
  utf_32le: 'utf_32_le',
  utf_32be: 'utf_32_be',
  utf7: 'utf_7',
  u7: 'utf_7',
};

function decodeAs(codec: string, bytes: Uint8Array): string | undefined {
  switch (codec) {
    case 'utf_8':
      return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    // WHATWG's "latin1" is windows-1252; Python's is the first 256 code points (0x85 is NEL, a line break to pip).
    case 'latin_1':
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    case 'utf_16':
    case 'utf_16_le':
      return new TextDecoder('utf-16le', { ignoreBOM: codec !== 'utf_16' }).decode(bytes);
    case 'utf_16_be':
      return new TextDecoder('utf-16be', { ignoreBOM: true }).decode(bytes);
    case 'utf_32':
    case 'utf_32_le':
    case 'utf_32_be':
      return utf32(bytes, codec === 'utf_32_be');
    case 'utf_7':
      return utf7(bytes);
    default:
      try {
        return new TextDecoder(codec.replace(/_/g, '-')).decode(bytes);
      } catch {
        return undefined;
      }
  }
}

function utf32(bytes: Uint8Array, bigEndian: boolean): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: string[] = [];
  for (let i = 0; i + 4 <= bytes.length; i += 4) {
    const cp = view.getUint32(i, !bigEndian);
    out.push(cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd');
  }
  return out.join('');
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** RFC 2152 UTF-7 as Python's codec reads it: `+…` is modified base64 of UTF-16BE, `-` ends it, `+-` is `+`. */
function utf7(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '+') {
      out += text[i];
      continue;
    }
    let j = i + 1;
    let bits = 0;
    let acc = 0;
    const units: number[] = [];
    for (; j < text.length && B64.includes(text[j]!); j++) {
      acc = (acc << 6) | B64.indexOf(text[j]!);
      bits += 6;
      if (bits >= 16) {
        bits -= 16;
        units.push((acc >> bits) & 0xffff);
        acc &= (1 << bits) - 1;
      }
    }
    out += j === i + 1 && text[j] === '-' ? '+' : fromCodeUnits(units);
    i = text[j] === '-' ? j : j - 1;
  }
  return out;
}

function fromCodeUnits(units: readonly number[]): string {
  let out = '';
  for (let i = 0; i < units.length; i += 0x8000) out += String.fromCharCode(...units.slice(i, i + 0x8000));
  return out;
}
