import { open } from 'node:fs/promises';

/** Read at most `max` bytes from the start of a file (pointers, manifests, headers): bounded whatever the file. */
export async function readHead(abs: string, max: number): Promise<Buffer> {
  const fh = await open(abs, 'r');
  try {
    const buf = Buffer.alloc(max);
    let off = 0;
    while (off < max) {
      const { bytesRead } = await fh.read(buf, off, max - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return buf.subarray(0, off);
  } finally {
    await fh.close();
  }
}
