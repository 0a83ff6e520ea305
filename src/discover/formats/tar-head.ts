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
  const want = parseOctal(h.subarray(148, 156));
  if (want === undefined) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  return sum === want && h[0] !== 0;
}

export function parseOctal(b: Buffer): number | undefined {
  if (b[0]! & 0x80) {
    // base-256 (GNU) for sizes past 8 GiB
    let v = 0;
    for (let i = 1; i < b.length; i++) v = v * 256 + b[i]!;
    return v;
  }
  const s = b.toString('latin1').replace(/\0.*$/s, '').trim();
  return /^[0-7]+$/.test(s) ? parseInt(s, 8) : undefined;
}
