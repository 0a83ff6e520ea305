import { createDeflate, createGzip } from 'node:zlib';
import { joblibArrayPickle } from './sparse-checkpoints.js';

/**
 * `joblib.dump(obj, f, compress=(kind, 1))` of {'w': float32 zeros}, built here rather than by joblib (compressing
 * a GiB in Python takes minutes on a busy runner): the same pickle and array bytes, through the same codec framing
 * (joblib's zlib is a plain zlib stream, gzip a gzip member). The zeros are fed in chunks, never held whole.
 */
export async function compressedJoblib(kind: 'zlib' | 'gzip', arrayBytes: number, evil: boolean): Promise<Buffer> {
  const numel = Math.floor(arrayBytes / 4);
  const { lead, after } = joblibArrayPickle(numel, evil);
  const z = kind === 'zlib' ? createDeflate({ level: 1 }) : createGzip({ level: 1 });
  const out: Buffer[] = [];
  z.on('data', (c: Buffer) => out.push(c));
  const done = new Promise<void>((resolve, reject) => {
    z.on('end', resolve);
    z.on('error', reject);
  });
  const write = async (b: Buffer): Promise<void> => {
    if (!z.write(b)) await new Promise((r) => z.once('drain', r));
  };
  await write(lead);
  // At most 64 MiB of zeros at a time; no more than the arrays need (each page of it is faulted in: system time).
  const zeros = Buffer.alloc(Math.min(64 << 20, numel * 4));
  for (let left = numel * 4; left > 0; left -= zeros.length)
    await write(zeros.subarray(0, Math.min(left, zeros.length)));
  await write(after);
  z.end();
  await done;
  return Buffer.concat(out);
}
