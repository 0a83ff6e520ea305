import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import '../../../src/inspect/formats/keras.js'; // registers the archive judge, as the analyser registry does
import { MAX_KERAS_ARCHIVE } from '../../../src/inspect/pickle/keras-object.js';
import { analysePickleBuffer, analysePickleFile } from '../../../src/inspect/pickle/pickles.js';
import { createFileOpener } from '../../../src/io/file-source.js';
import { FIXTURES } from './scan-folder.js';

const BENIGN = readFileSync(path.join(FIXTURES, 'keras-archives/benign/sequential-h5.keras'));
const LAMBDA = readFileSync(path.join(FIXTURES, 'keras-archives/malicious/lambda-bytecode.keras'));

const u = (s: string) => Buffer.concat([Buffer.from([0x8c, Buffer.byteLength(s)]), Buffer.from(s)]); // SHORT_BINUNICODE
const global = (m: string, n: string) => Buffer.concat([u(m), u(n), Buffer.from([0x93])]); // STACK_GLOBAL
const binbytes = (b: Buffer) => {
  const n = Buffer.alloc(4);
  n.writeUInt32LE(b.length);
  return Buffer.concat([Buffer.from([0x42]), n, b]); // BINBYTES
};
const op = (...codes: number[]) => Buffer.from(codes);
const [TUPLE1, TUPLE2, TUPLE3, REDUCE, NEWOBJ, BUILD, EMPTY_TUPLE, NONE, STOP] = [
  0x85, 0x86, 0x87, 0x52, 0x81, 0x62, 0x29, 0x4e, 0x2e,
];

/** `getattr(<owner>, attr)` on the stack. */
const lookup = (owner: Buffer, attr: string) =>
  Buffer.concat([global('builtins', 'getattr'), owner, u(attr), op(TUPLE2, REDUCE)]);
/** `io.BytesIO()` restored with `(archive, 0, None)` (bytesio.c `__setstate__`), or with no state at all. */
const bytesIo = (archive: Buffer | undefined) =>
  Buffer.concat([
    global('_io', 'BytesIO'),
    op(EMPTY_TUPLE, NEWOBJ),
    ...(archive ? [binbytes(archive), op(0x4b, 0, NONE, TUPLE3, BUILD)] : []),
  ]);
const FUNCTIONAL = global('keras.src.models.functional', 'Functional');
const stream = (...parts: Buffer[]) => Buffer.concat([op(0x80, 4), ...parts, op(STOP)]);
const unpickle = (owner: Buffer, archive: Buffer | undefined) =>
  Buffer.concat([lookup(owner, '_unpickle_model'), bytesIo(archive), op(TUPLE1, REDUCE)]);

const CASES: readonly { name: string; data: Buffer; rules: readonly string[] }[] = [
  { name: 'benign archive, in memory', data: stream(unpickle(FUNCTIONAL, BENIGN)), rules: [] },
  { name: 'Lambda archive', data: stream(unpickle(FUNCTIONAL, LAMBDA)), rules: ['CPI112'] },
  { name: 'BytesIO never given its bytes', data: stream(unpickle(FUNCTIONAL, undefined)), rules: ['CPI112'] },
  {
    // The archive is benign, but the class is a Keras helper module, not a model: not the Keras shape.
    name: 'owner from a Keras gadget module',
    data: stream(unpickle(global('keras.src.utils.file_utils', 'Helper'), BENIGN)),
    rules: ['CPI001', 'CPI001', 'CPI001'], // getattr (and the call of what it fetched), the helper, _io.BytesIO
  },
  {
    // A second, unexplained getattr call keeps getattr and the computed calls dangerous.
    name: 'getattr also used on another attribute',
    data: stream(
      unpickle(FUNCTIONAL, BENIGN),
      lookup(FUNCTIONAL, '__init_subclass__'),
      op(EMPTY_TUPLE, REDUCE, TUPLE2),
    ),
    rules: ['CPI001'], // getattr, called via the computed REDUCEs too
  },
];

describe('the Keras _unpickle_model call shape', () => {
  it.each(CASES)('$name', ({ data, rules }) => {
    const all = analysePickleBuffer(data, { path: 'model.pkl', allow: {}, what: 'pickle' });
    const got = all.map((f) => f.ruleId);
    expect(got.sort()).toEqual([...rules].sort());
  });
});

describe('an archive past the re-read bound', () => {
  it('is CPI004 and never read (a sparse file in a temp dir)', async () => {
    const len = MAX_KERAS_ARCHIVE + 1;
    const n = Buffer.alloc(8);
    n.writeBigUInt64LE(BigInt(len));
    const head = Buffer.concat([
      op(0x80, 4),
      lookup(FUNCTIONAL, '_unpickle_model'),
      global('_io', 'BytesIO'),
      op(EMPTY_TUPLE, NEWOBJ, 0x8e), // BINBYTES8
      n,
    ]);
    const tail = op(0x4b, 0, NONE, TUPLE3, BUILD, TUPLE1, REDUCE, STOP);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chainproof-keras-object-'));
    try {
      const file = path.join(dir, 'big.pkl');
      const fd = openSync(file, 'w');
      writeSync(fd, head, 0, head.length, 0);
      writeSync(fd, tail, 0, tail.length, head.length + len); // the payload is a hole: nothing is written
      closeSync(fd);
      const src = await createFileOpener().open(file, 'big.pkl');
      try {
        const got = await analysePickleFile(src, { path: 'big.pkl', allow: {}, what: 'pickle' });
        expect(got.map((f) => [f.ruleId, f.evidence?.notChecked])).toEqual([['CPI004', 'too-large']]);
      } finally {
        await src.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
