/** An ASCII letter, digit or `_`: what `\w` matches in a regular expression without the `u` flag. */
export function isAsciiWordChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}

/** An ASCII letter: `[a-z]` with the `i` flag. */
export function isAsciiLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

/** What a URL scheme is made of after its first letter (RFC 3986): `[a-z0-9+.-]`, any case. */
export function isSchemeChar(c: number): boolean {
  return isAsciiLetter(c) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2e || c === 0x2d;
}
