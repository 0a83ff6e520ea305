import { readSync } from 'node:fs';

/**
 * Fill `buf[off, off + len)` from the file at `pos`: one readSync may return fewer bytes than asked, so read until
 * the range is full or the file ends. The bytes read: fewer than `len` only at the file's end.
 */
export function readFullyAt(fd: number, buf: Buffer, off: number, len: number, pos: number): number {
  let n = 0;
  while (n < len) {
    const r = readSync(fd, buf, off + n, len - n, pos + n);
    if (r === 0) break;
    n += r;
  }
  return n;
}
