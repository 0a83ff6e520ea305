import { isAsciiLetter as isLetter, isAsciiWordChar, isSchemeChar } from '../../core/ascii.js';

/**
 * `scheme://user:secret@host` → `scheme://***@host`, for every URL in `text`: exactly what
 * `text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, '$1***@')` gives, without a regular expression. That
 * expression has no literal to anchor on before the `://`, so V8 tries it at every character; a 300k-finding scan
 * redacted each finding's message and evidence three times (fingerprint, JSON, SARIF) and spent about a second of
 * its ten in it (issue 18). Here each `://` is found by string search and only its neighbours are looked at. The
 * test holds the two equal on generated text (test/deps/redact-userinfo.test.ts). With `emptyToo`, an empty userinfo
 * (`scheme://@host`) is replaced too: `[^/\s@]*@`, the registry redactor's expression (src/registry/redact.ts).
 */
export function redactUserinfo(text: string, { emptyToo = false } = {}): string {
  let at = text.indexOf('://');
  if (at === -1) return text;
  let out = '';
  let copied = 0;
  while (at !== -1) {
    const userinfo = at + 3;
    let end = userinfo;
    while (end < text.length) {
      const c = text.charCodeAt(end);
      if (c === SLASH || c === AT || isRegExpSpace(c)) break;
      end++;
    }
    if ((emptyToo || end > userinfo) && text.charCodeAt(end) === AT && schemeEndsAt(text, at)) {
      out += `${text.slice(copied, userinfo)}***@`;
      copied = end + 1;
      at = text.indexOf('://', copied);
    } else {
      at = text.indexOf('://', at + 1);
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
}

const SLASH = 0x2f;
const AT = 0x40;

/**
 * Whether `\b[a-z][a-z0-9+.-]*` (case-insensitive) can match ending right before `text[at]`: the run of scheme
 * characters before it holds a letter at a word boundary (the run's first character after a non-word character or
 * the start, or a letter after one of `+ . -` inside the run).
 */
function schemeEndsAt(text: string, at: number): boolean {
  for (let p = at - 1; p >= 0; p--) {
    const c = text.charCodeAt(p);
    if (!isSchemeChar(c)) return false;
    if (isLetter(c) && (p === 0 || !isAsciiWordChar(text.charCodeAt(p - 1)))) return true;
  }
  return false;
}

/** `\s` in a JavaScript regular expression: WhiteSpace and LineTerminator (ECMA-262 CharacterClassEscape). */
export function isRegExpSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}
