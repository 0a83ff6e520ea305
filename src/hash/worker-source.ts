import { READ_CHUNK_BYTES } from './algorithms.js';

/**
 * The hashing worker, as source text run with `new Worker(src, { eval: true })`. Inline so it works the same from
 * `build/`, from TypeScript under vitest, and inside the single-file Action bundle (no worker file to locate).
 *
 * Protocol: in `{ id, path, algorithms, readAhead }`, out `{ id, ok: true, digests, bytes, stat }` or
 * `{ id, ok: false, code, message }`. Two reused buffers per worker: memory is constant whatever the file size.
 * The file is fstat'ed after open so a swap between the walk and the hash is detected, not hashed blindly.
 *
 * With `readAhead`, reads overlap hashing: while this thread digests one buffer, libuv's thread pool fills the other
 * (`fs.read`), so a file costs max(read, hash) rather than their sum — `openssl dgst` reads and hashes in turn on one
 * thread. At most one read is in flight, and it is always awaited before the file is closed (a read still pending on
 * a closed fd could land in whatever file reuses that number). Without it (the pool limits how many jobs use the
 * shared thread pool at once), this thread reads in turn.
 */
export const WORKER_SOURCE = `
'use strict';
// Eval'd workers run as CommonJS or as a module depending on the parent's flags (--input-type): load built-ins in
// a way that works in both.
const load = (m) => (typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule(m) : require(m));
const { parentPort } = load('node:worker_threads');
const fs = load('node:fs');
const crypto = load('node:crypto');
const CHUNK = ${READ_CHUNK_BYTES};
const bufs = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];

function makeHash(alg, size) {
  if (alg === 'git-sha1') {
    const h = crypto.createHash('sha1');
    h.update('blob ' + size + '\\0');
    return h;
  }
  return crypto.createHash(alg);
}

function readAt(fd, buf, pos) {
  return new Promise((resolve, reject) => {
    fs.read(fd, buf, 0, CHUNK, pos, (err, n) => (err ? reject(err) : resolve(n)));
  });
}

function reply(job, hashes, bytes, st) {
  const digests = {};
  job.algorithms.forEach((a, k) => { digests[a] = hashes[k].digest('hex'); });
  return {
    id: job.id, ok: true, digests, bytes,
    stat: { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs },
  };
}

async function hashFile(job) {
  const fd = fs.openSync(job.path, 'r');
  let pending;
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTFILE' });
    const hashes = job.algorithms.map((a) => makeHash(a, st.size));
    let bytes = 0;
    if (!job.readAhead) {
      for (;;) {
        const n = fs.readSync(fd, bufs[0], 0, CHUNK, bytes);
        if (n === 0) break;
        const chunk = n === CHUNK ? bufs[0] : bufs[0].subarray(0, n);
        for (const h of hashes) h.update(chunk);
        bytes += n;
      }
      return reply(job, hashes, bytes, st);
    }
    let i = 0;
    pending = readAt(fd, bufs[0], 0);
    for (;;) {
      const n = await pending;
      pending = undefined;
      if (n === 0) break;
      const chunk = n === CHUNK ? bufs[i] : bufs[i].subarray(0, n);
      bytes += n;
      i ^= 1;
      pending = readAt(fd, bufs[i], bytes);
      for (const h of hashes) h.update(chunk);
    }
    return reply(job, hashes, bytes, st);
  } finally {
    if (pending) await pending.catch(() => 0);
    try { fs.closeSync(fd); } catch {}
  }
}

parentPort.on('message', (job) => {
  hashFile(job).then(
    (out) => parentPort.postMessage(out),
    (err) => parentPort.postMessage({
      id: job.id, ok: false, code: String((err && err.code) || 'EIO'), message: String((err && err.message) || err),
    }),
  );
});
`;
