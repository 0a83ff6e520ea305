// A benign, opcode-heavy pickle stream of any size, written in bounded memory: the bytes CPython's
// `pickle.dumps(records, protocol=4)` writes for a list of OrderedDict records (see RECORD_PY below). Python itself
// cannot write a 1 GB one without building the whole list first, so this emulates its pickler — framing
// (`_Framer`, 64 KiB frames), the memo (MEMOIZE for every new str/tuple/dict/list/object, BINGET for repeats) and
// batching (1000 items per APPENDS) — and scripts/bench/pickle.mjs checks the output equals
// Python's byte for byte on a small size before measuring.
import { closeSync, openSync, writeSync } from 'node:fs';

/** The Python that builds the same records; the bench runs it to compare bytes. */
export const RECORD_PY = `
import collections
def record(i):
    rec = collections.OrderedDict()
    rec['name'] = f'layer{i}.weight'
    rec['shape'] = (i % 97, 64)
    rec['stride'] = STRIDE
    rec['dtype'] = 'float32'
    rec['offset'] = (i * 4096) % 2147483648
    rec['scale'] = 0.5 + i
    rec['flags'] = {'requires_grad': False, 'sparse': i % 3 == 0}
    rec['tags'] = [f't{i % 1000}', RAW, complex(i, 1)]
    return rec
STRIDE = (64, 1)
RAW = b'\\x00\\x01'
`;

/** The globals the stream imports: what a `find_class` for it admits. */
export const RECORD_GLOBALS = [
  ['collections', 'OrderedDict'],
  ['builtins', 'complex'],
];

const FRAME_TARGET = 64 * 1024;

class Writer {
  constructor(fd) {
    this.fd = fd;
    this.buf = Buffer.allocUnsafe(1 << 20); // the current frame (a record never passes 64 KiB + one record)
    this.frameLen = 0;
    this.memo = new Map(); // constant key → memo index
    this.memoSize = 0;
    this.written = 0;
  }
  op(...parts) {
    for (const p of parts) {
      if (typeof p === 'number') this.buf[this.frameLen++] = p;
      else this.frameLen += p.copy(this.buf, this.frameLen);
    }
  }
  memoize() {
    this.op(0x94);
    return this.memoSize++;
  }
  get(i) {
    if (i < 256) this.op(0x68, i);
    else {
      this.buf[this.frameLen] = 0x6a;
      this.frameLen = this.buf.writeUInt32LE(i, this.frameLen + 1);
    }
  }
  /** A constant object: written and memoized the first time, BINGET afterwards (pickle's memo is by identity). */
  once(key, write) {
    this.maybeCommit();
    const at = this.memo.get(key);
    if (at !== undefined) return this.get(at);
    write();
    this.memo.set(key, this.memoize());
  }
  str(s) {
    this.maybeCommit();
    // the record strings are ASCII and short: one byte of length
    this.buf[this.frameLen] = 0x8c;
    this.buf[this.frameLen + 1] = s.length;
    this.frameLen += 2 + this.buf.write(s, this.frameLen + 2, 'latin1');
  }
  int(n) {
    this.maybeCommit();
    if (n >= 0 && n <= 0xff) this.op(0x4b, n);
    else if (n >= 0 && n <= 0xffff) {
      this.buf[this.frameLen] = 0x4d;
      this.frameLen = this.buf.writeUInt16LE(n, this.frameLen + 1);
    } else {
      this.buf[this.frameLen] = 0x4a;
      this.frameLen = this.buf.writeInt32LE(n, this.frameLen + 1);
    }
  }
  float(x) {
    this.maybeCommit();
    this.buf[this.frameLen] = 0x47;
    this.frameLen = this.buf.writeDoubleBE(x, this.frameLen + 1);
  }
  global(module, name) {
    this.once(`g:${module}.${name}`, () => {
      this.str(module);
      this.memoize();
      this.str(name);
      this.memoize();
      this.op(0x93);
    });
  }
  key(s) {
    this.once(`s:${s}`, () => this.str(s));
  }
  /** Saving an empty tuple, a dict, a list or a tuple's elements starts with a frame boundary too. */
  begin(...ops) {
    this.maybeCommit();
    this.op(...ops);
  }
  /** `_Framer.commit_frame`: before each object is saved, a frame holding at least 64 KiB is closed. */
  maybeCommit(force = false) {
    if (this.frameLen < FRAME_TARGET && !(force && this.frameLen > 0)) return;
    const head = Buffer.alloc(9);
    head[0] = 0x95;
    head.writeBigUInt64LE(BigInt(this.frameLen), 1);
    // frames under 4 bytes are written bare (_FRAME_SIZE_MIN)
    if (this.frameLen >= 4) this.written += writeSync(this.fd, head);
    this.written += writeSync(this.fd, this.buf, 0, this.frameLen);
    this.frameLen = 0;
  }
}

function record(w, i) {
  w.maybeCommit();
  w.global('collections', 'OrderedDict');
  w.begin(0x29); // EMPTY_TUPLE
  w.op(0x52); // REDUCE
  w.memoize();
  w.op(0x28); // MARK
  w.key('name');
  w.str(`layer${i}.weight`);
  w.memoize();
  w.key('shape');
  w.maybeCommit();
  w.int(i % 97);
  w.int(64);
  w.op(0x86);
  w.memoize();
  w.key('stride');
  w.once('stride', () => {
    w.int(64);
    w.int(1);
    w.op(0x86);
  });
  w.key('dtype');
  w.key('float32');
  w.key('offset');
  w.int((i * 4096) % 2147483648);
  w.key('scale');
  w.float(0.5 + i);
  w.key('flags');
  w.begin(0x7d); // EMPTY_DICT
  w.memoize();
  w.op(0x28);
  w.key('requires_grad');
  w.op(0x89);
  w.key('sparse');
  w.op(i % 3 === 0 ? 0x88 : 0x89);
  w.op(0x75); // SETITEMS
  w.key('tags');
  w.begin(0x5d); // EMPTY_LIST
  w.memoize();
  w.op(0x28);
  w.str(`t${i % 1000}`);
  w.memoize();
  w.once('raw', () => w.op(0x43, 2, 0, 1));
  w.maybeCommit();
  w.global('builtins', 'complex');
  w.maybeCommit();
  w.float(i);
  w.float(1);
  w.op(0x86);
  w.memoize();
  w.op(0x52);
  w.memoize();
  w.op(0x65); // APPENDS
  w.op(0x75); // SETITEMS
}

/**
 * Write records until the file reaches about `bytes`; returns the record count and size. Records go in batches of
 * 1000 as `_pickle.c` `batch_list_exact` writes them (MARK … APPENDS; APPEND only for a one-item list).
 */
export function writeRecordStream(file, bytes) {
  const count = Math.max(1, Math.round(bytes / 114.7)); // bytes per record, measured
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, Buffer.from([0x80, 4]));
    const w = new Writer(fd);
    w.written = 2;
    w.op(0x5d); // EMPTY_LIST
    w.memoize();
    for (let start = 0; start < count; start += 1000) {
      const n = Math.min(1000, count - start);
      if (count > 1) w.op(0x28);
      for (let i = start; i < start + n; i++) record(w, i);
      w.op(count > 1 ? 0x65 : 0x61);
    }
    w.op(0x2e);
    w.maybeCommit(true);
    return { count, size: w.written };
  } finally {
    closeSync(fd);
  }
}
