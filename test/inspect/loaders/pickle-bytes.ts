/** Pickle opcodes written by hand for the case files: bytes as Latin-1 text, and the two string opcodes. */
export const b = (s: string): Buffer => Buffer.from(s, 'latin1');

/** SHORT_BINUNICODE of an ASCII string (length in one byte). */
export const short = (s: string): Buffer => Buffer.concat([b('\x8c'), Buffer.from([s.length]), b(s)]);

/** BINUNICODE: the string's UTF-8 with its length in four bytes. */
export const binunicode = (s: string): Buffer => {
  const utf8 = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(utf8.length);
  return Buffer.concat([b('X'), len, utf8]);
};
