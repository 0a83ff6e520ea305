/** A minimal ustar writer for hostile-input tests: regular files and link members with any target. */
export interface TarMember {
  readonly name: string;
  /** A header type flag: '0' file, '1' hard link, '2' symlink, '5' directory, or any other byte tarfile meets. */
  readonly type?: string;
  readonly linkName?: string;
  readonly data?: Buffer;
}

/**
 * A link target past the header's 100 bytes goes in a GNU 'K' record before its member, as GNU tar writes it (tarfile
 * `_proc_gnulong` reads it back).
 */
export function buildTar(members: readonly TarMember[]): Buffer {
  const parts: Buffer[] = [];
  const withLongLinks = members.flatMap((m) =>
    m.linkName !== undefined && Buffer.byteLength(m.linkName) > 100
      ? [{ name: '././@LongLink', type: 'K', data: Buffer.from(`${m.linkName}\0`) }, m]
      : [m],
  );
  for (const m of withLongLinks) {
    const data = m.data ?? Buffer.alloc(0);
    parts.push(tarHeader(m, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** One member's 512-byte ustar header declaring `size` body bytes (a test may write a large body as a file hole). */
export function tarHeader(m: TarMember, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(m.name, 0, 100, 'utf8');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(size.toString(8).padStart(11, '0') + '\0', 124, 'latin1');
  h.write('00000000000\0', 136, 'latin1');
  h.write(m.type ?? '0', 156, 'latin1');
  if (m.linkName !== undefined) h.write(m.linkName, 157, 100, 'utf8');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return h;
}
