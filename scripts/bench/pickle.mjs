// Pickle-analysis throughput and memory on large generated streams, against reading the same bytes from disk
// (the floor any analyser pays) in the same run. Streams are written at bench time into a temp dir:
//   dense  — a torch-state-dict-shaped protocol-2 pickle: millions of REDUCE(_rebuild_tensor_v2, persistent id…)
//   joblib — a joblib stream of NumpyArrayWrapper arrays whose raw bytes follow each BUILD (mostly payload)
// Run `npx tsc -p tsconfig.build.json` first (npm run bench does).
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ByteSource } from '../../build/inspect/pickle/source.js';
import { analysePickleSource } from '../../build/inspect/containers/pickles.js';

const MB = 1024 * 1024;
const dir = mkdtempSync(path.join(os.tmpdir(), 'chainproof-bench-pickle-'));

function u32(n) {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}
const s = (str) => Buffer.concat([Buffer.from([0x8c, Buffer.byteLength(str)]), Buffer.from(str)]);

/** Write a file of about `bytes` by repeating `chunk(i)` between `head` and `tail`, in 8 MB batches. */
function writeStream(file, bytes, head, chunk, tail) {
  const fd = openSync(file, 'w');
  writeSync(fd, head);
  let written = head.length;
  let i = 0;
  while (written < bytes) {
    const batch = [];
    let n = 0;
    while (n < 8 * MB && written + n < bytes) {
      const c = chunk(i++);
      batch.push(c);
      n += c.length;
    }
    writeSync(fd, Buffer.concat(batch));
    written += n;
  }
  writeSync(fd, tail);
  closeSync(fd);
  return statSync(file).size;
}

function denseStateDict(file, bytes) {
  // memo 0: _rebuild_tensor_v2, 1: FloatStorage, 2: OrderedDict
  const head = Buffer.concat([
    Buffer.from(
      '\x80\x02ctorch._utils\n_rebuild_tensor_v2\nq\x000ctorch\nFloatStorage\nq\x010ccollections\nOrderedDict\nq\x020h\x02)R',
      'latin1',
    ),
  ]);
  const entry = (i) => {
    const key = `layer${i}.weight`;
    return Buffer.concat([
      Buffer.from([0x28]), // MARK
      Buffer.from('X', 'latin1'),
      u32(key.length),
      Buffer.from(key),
      Buffer.from('h\x00((X\x07\x00\x00\x00storageh\x01', 'latin1'),
      Buffer.from('X', 'latin1'),
      u32(String(i).length),
      Buffer.from(String(i)),
      Buffer.from('X\x03\x00\x00\x00cpuJ\x00\x10\x00\x00tQK\x00K@K@\x86K@K\x01\x86\x89h\x02)RtR', 'latin1'),
      Buffer.from('u', 'latin1'), // SETITEMS
    ]);
  };
  return writeStream(file, bytes, head, entry, Buffer.from('.'));
}

function joblibArrays(file, bytes) {
  const head = Buffer.from('\x80\x04]\x94(', 'latin1');
  const array = 1 * MB;
  const one = Buffer.concat([
    s('joblib.numpy_pickle'),
    s('NumpyArrayWrapper'),
    Buffer.from([0x93]),
    Buffer.from(')\x81}(', 'latin1'),
    s('subclass'),
    s('numpy'),
    s('ndarray'),
    Buffer.from([0x93]),
    s('shape'),
    Buffer.from('J', 'latin1'),
    u32(array / 8),
    Buffer.from([0x85]),
    s('order'),
    s('C'),
    s('dtype'),
    s('numpy'),
    s('dtype'),
    Buffer.from([0x93]),
    s('f8'),
    Buffer.from('\x89\x88\x87R(K\x03', 'latin1'),
    s('<'),
    Buffer.from('NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb', 'latin1'),
    s('allow_mmap'),
    Buffer.from([0x88]),
    s('numpy_array_alignment_bytes'),
    Buffer.from('K\x10ub', 'latin1'),
    Buffer.from([0]),
    Buffer.alloc(array, 7),
  ]);
  return writeStream(file, bytes, head, () => one, Buffer.from('e.', 'latin1'));
}

function readAll(file) {
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(MB);
  let pos = 0;
  let n;
  while ((n = readSync(fd, buf, 0, MB, pos)) > 0) pos += n;
  closeSync(fd);
}

function analyse(file) {
  const size = statSync(file).size;
  const fd = openSync(file, 'r');
  try {
    return analysePickleSource(ByteSource.fromFd(fd, 0, size), { path: 'bench.pkl', allow: {}, what: 'pickle' });
  } finally {
    closeSync(fd);
  }
}

function measure(fn) {
  globalThis.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const t0 = process.hrtime.bigint();
  const out = fn();
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { secs, growth: (peak - base) / MB, heap: process.memoryUsage().heapUsed / MB, out };
}

const rows = [];
try {
  for (const [kind, make] of [
    ['dense', denseStateDict],
    ['joblib', joblibArrays],
  ]) {
    for (const target of [64 * MB, 128 * MB, 256 * MB]) {
      const file = path.join(dir, `${kind}-${target / MB}.pkl`);
      const size = make(file, target);
      const read = measure(() => readAll(file));
      const run = measure(() => analyse(file));
      if (run.out.length !== 0)
        throw new Error(`${kind}: expected a clean stream, got ${run.out.map((f) => f.ruleId).join(',')}`);
      rows.push({
        stream: kind,
        'size MB': (size / MB).toFixed(0),
        'analyse MB/s': (size / MB / run.secs).toFixed(0),
        'read MB/s': (size / MB / read.secs).toFixed(0),
        'analyse/read': (read.secs / run.secs).toFixed(2),
        'RSS growth MB': run.growth.toFixed(1),
        'heap MB': run.heap.toFixed(1),
      });
      rmSync(file);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.table(rows);
console.log('analyse/read: share of plain sequential-read speed the analyser keeps (1.00 = as fast as reading).');
console.log('RSS growth should stay flat as the stream doubles: payloads are skipped, the window is fixed.');
