import { READ_CHUNK_BYTES } from './algorithms.js';

/**
 * The hashing worker, as source text run with `new Worker(src, { eval: true })`. Inline so it works the same from
 * `build/`, from TypeScript under vitest, and inside the single-file Action bundle (no worker file to locate).
 *
 * Protocol: in `{ id, path, algorithms, dev, ino, size }`, out `{ id, ok: true, digests, bytes, stat }` or
 * `{ id, ok: false, code, message }`. One reused buffer per worker: memory is constant whatever the file size.
 * The file is fstat'ed after open so a swap between the walk and the hash is detected, not hashed blindly.
 */
export const WORKER_SOURCE = `
'use strict';
// Eval'd workers run as CommonJS or as a module depending on the parent's flags (--input-type): load built-ins in
// a way that works in both.
const load = (m) => (typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule(m) : require(m));
const { parentPort } = load('node:worker_threads');
const fs = load('node:fs');
const crypto = load('node:crypto');
const buf = Buffer.allocUnsafe(${READ_CHUNK_BYTES});

function makeHash(alg, size) {
  if (alg === 'git-sha1') {
    const h = crypto.createHash('sha1');
    h.update('blob ' + size + '\\0');
    return h;
  }
  return crypto.createHash(alg);
}

parentPort.on('message', (job) => {
  let fd = -1;
  try {
    fd = fs.openSync(job.path, 'r');
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTFILE' });
    const hashes = job.algorithms.map((a) => makeHash(a, st.size));
    let bytes = 0;
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const chunk = n === buf.length ? buf : buf.subarray(0, n);
      for (const h of hashes) h.update(chunk);
      bytes += n;
    }
    const digests = {};
    job.algorithms.forEach((a, i) => { digests[a] = hashes[i].digest('hex'); });
    parentPort.postMessage({
      id: job.id, ok: true, digests, bytes,
      stat: { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs },
    });
  } catch (err) {
    parentPort.postMessage({ id: job.id, ok: false, code: String((err && err.code) || 'EIO'), message: String((err && err.message) || err) });
  } finally {
    if (fd >= 0) { try { fs.closeSync(fd); } catch {} }
  }
});
`;
