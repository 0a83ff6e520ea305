import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { sniffCompression } from '../../src/discover/formats/compressed-head.js';
import { parseNpyHeaderFields } from '../../src/discover/formats/npy-header.js';
import { sniffPickleStream } from '../../src/discover/formats/pickle-head.js';
import { OPCODES } from '../../src/discover/formats/pickle-opcodes.js';
import { readZipNames } from '../../src/discover/formats/zip-names.js';
import { sniffCompression as inspectSniff } from '../../src/inspect/containers/compression.js';
import { parseNpyHeader } from '../../src/inspect/containers/npy.js';
import { readZip } from '../../src/inspect/containers/zip.js';
import { bufferSource } from '../../src/inspect/formats/source.js';
import { readCentralDirectory } from '../../src/inspect/formats/zip-member.js';
import { isOpcode, opName } from '../../src/inspect/pickle/vm.js';
import { corpusPath } from '../helpers/corpus.js';
import { buildZip } from '../inspect/containers/build.js';

const tmp = mkdtempSync(join(tmpdir(), 'cp-one-reader-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every zip-shaped file of the shared corpora (real torch, numpy, Keras and picklescan archives). */
function corpusZips(): string[] {
  const out: string[] = [];
  for (const dir of [corpusPath('models'), corpusPath('pickles', 'picklescan-data')]) {
    for (const name of readdirSync(dir)) {
      const abs = join(dir, name);
      if (!statSync(abs).isFile()) continue;
      const head = readFileSync(abs).subarray(0, 4);
      if (head.toString('latin1', 0, 2) === 'PK') out.push(abs);
    }
  }
  return out.sort();
}

let n = 0;
/** What each reader lists for the same bytes: discovery (file descriptor), inspection (buffer), Keras (ByteSource). */
function listings(data: Buffer): { discovery?: string[]; inspection?: string[]; keras?: string[] } {
  const path = join(tmp, `z${n++}.zip`);
  writeFileSync(path, data);
  const fd = openSync(path, 'r');
  let discovery: string[] | undefined;
  try {
    const r = readZipNames(fd, data.length);
    if (r.ok && !r.truncated) discovery = [...r.names];
  } finally {
    closeSync(fd);
  }
  let inspection: string[] | undefined;
  try {
    const z = readZip(data);
    if (z.problems.length === 0) inspection = z.entries.filter((e) => !e.hidden).map((e) => e.name);
  } catch {
    inspection = undefined;
  }
  let keras: string[] | undefined;
  try {
    keras = readCentralDirectory(bufferSource(data)).map((e) => e.name);
  } catch {
    keras = undefined;
  }
  return { ...(discovery ? { discovery } : {}), ...(inspection ? { inspection } : {}), ...(keras ? { keras } : {}) };
}

describe('one zip reader: discovery and inspection list the same members', () => {
  const files = corpusZips();
  it('finds zip fixtures to compare', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });
  it.each(files.map((f) => ({ name: f.slice(f.lastIndexOf('/') + 1), f })))('$name', ({ f }) => {
    const l = listings(readFileSync(f));
    if (l.discovery) expect(l.keras).toEqual(l.discovery);
    if (l.inspection && l.discovery) expect(l.inspection).toEqual(l.discovery);
  });

  it('agrees on generated and mutated zips (fast-check)', () => {
    const entry = fc.record({
      name: fc.stringMatching(/^[a-z]{1,8}(\/[a-z]{1,8})?(\.pkl|\.txt|)$/),
      data: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
      deflate: fc.boolean(),
    });
    const zipArb = fc.record({
      entries: fc.array(entry, { minLength: 1, maxLength: 6 }),
      prefix: fc.uint8Array({ maxLength: 40 }),
      comment: fc.uint8Array({ maxLength: 40 }),
      mutations: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(zipArb, ({ entries, prefix, comment, mutations }) => {
        const zip = buildZip(entries);
        // An archive comment (the end record's comment length set to match) and bytes before the archive.
        zip.writeUInt16LE(comment.length, zip.length - 2);
        const data = Buffer.concat([Buffer.from(prefix), zip, Buffer.from(comment)]);
        for (const [at, byte] of mutations) data[at % data.length] = byte;
        const l = listings(data);
        // Whenever discovery lists members, every reader lists exactly those.
        if (l.discovery) {
          expect(l.keras).toEqual(l.discovery);
          if (l.inspection) expect(l.inspection).toEqual(l.discovery);
        }
        if (mutations.length === 0) expect(l.discovery).toEqual(entries.map((e) => e.name));
      }),
      { numRuns: 200 },
    );
  });
});

describe('one npy header parser', () => {
  const npy = (header: string, version = 1): Buffer => {
    const body = Buffer.from(header, 'latin1');
    const head = Buffer.alloc(version === 1 ? 10 : 12);
    head.write('\x93NUMPY', 0, 'latin1');
    head[6] = version;
    if (version === 1) head.writeUInt16LE(body.length, 8);
    else head.writeUInt32LE(body.length, 8);
    return Buffer.concat([head, body, Buffer.alloc(64)]);
  };
  it.each([
    {
      name: 'plain float',
      header: "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }",
      object: false,
      dup: [],
    },
    {
      name: 'object array',
      header: "{'descr': '|O', 'fortran_order': False, 'shape': (2, 3), }",
      object: true,
      dup: [],
    },
    {
      name: 'duplicate descr: the last (object) wins as in ast.literal_eval',
      header: "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), 'descr': '|O'}",
      object: true,
      dup: ['descr'],
    },
    {
      name: 'duplicate descr: the last (float) wins',
      header: "{'descr': '|O', 'descr': '<f8', 'fortran_order': False, 'shape': ()}",
      object: false,
      dup: ['descr'],
    },
    {
      name: 'structured dtype with a nested object field',
      header: "{'descr': [('a', '<i4'), ('b', [('c', '|O')])], 'fortran_order': False, 'shape': (1,)}",
      object: true,
      dup: [],
    },
  ])('$name', ({ header, object, dup }) => {
    for (const version of [1, 2, 3]) {
      const h = parseNpyHeader(npy(header, version));
      if (typeof h === 'string') throw new Error(h);
      expect(h.hasObject).toBe(object);
      expect(h.duplicateKeys).toEqual(dup);
    }
  });
  it.each([
    { name: 'extra key', header: "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), 'x': 1}" },
    { name: 'not a dict', header: "['descr', '<f4']" },
    { name: 'call expression', header: "{'descr': __import__('os'), 'fortran_order': False, 'shape': ()}" },
    { name: 'shape of strings', header: "{'descr': '<f4', 'fortran_order': False, 'shape': ('a',)}" },
  ])('refuses $name like numpy', ({ header }) => {
    expect(typeof parseNpyHeaderFields(npy(header))).toBe('string');
  });
  // numpy 1.24 and 2.4: np.load of these fails in read_array's multiply.reduce(shape, dtype=int64) with "negative
  // dimensions are not allowed" (2**63) or "Python int too large to convert to C long" (-2**63 - 1), and for a float
  // in _read_array_header with "shape is not valid". The message says which, not that an int is not one.
  it.each([
    { dim: '9223372036854775808', why: "dimension of about 9.223e+18, at or past int64's limit" },
    { dim: '-9223372036854775809', why: "dimension of about -9.223e+18, at or past int64's limit" },
    { dim: '3.0', why: 'shape is not valid (numpy wants a tuple of ints)' },
  ])('says why numpy refuses the shape ($dim,)', ({ dim, why }) => {
    const h = parseNpyHeaderFields(npy(`{'descr': '<f4', 'fortran_order': False, 'shape': (${dim},)}`));
    expect(h).toContain(why);
  });
  it('discovery and inspection parse random headers the same way (fast-check)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.constantFrom(1, 2, 3), (text, version) => {
        const a = parseNpyHeaderFields(npy(text, version));
        const b = parseNpyHeader(npy(text, version));
        // Inspection refuses whatever the shared parser refuses, with the same reason.
        if (typeof a === 'string') expect(b).toBe(a);
        else expect(typeof b === 'string' ? b : b.dataOffset).toBe(typeof b === 'string' ? b : a.dataOffset);
      }),
    );
  });
});

describe('one pickle opcode table and one compression sniffer', () => {
  it('the VM and the sniffer share every opcode', () => {
    for (let b = 0; b < 256; b++) {
      expect(isOpcode(b)).toBe(OPCODES.has(b));
      if (OPCODES.has(b)) expect(opName(b)).toBe(OPCODES.get(b)!.name);
    }
  });
  it('discovery and inspection sniff compression identically (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 32 }), (a) => {
        const b = Buffer.from(a);
        expect(inspectSniff(b)).toBe(sniffCompression(b));
      }),
    );
  });
  it.each([
    { name: 'protocol 0 GLOBAL/REDUCE, no PROTO', bytes: "cos\nsystem\n(S'id'\ntR.", want: 'pickle' },
    { name: 'protocol 1 with EMPTY_DICT first', bytes: '}q\x00(X\x01\x00\x00\x00aK\x01u.', want: 'pickle' },
    { name: 'FRAME first (protocol 4 without PROTO)', bytes: '\x95\x05\x00\x00\x00\x00\x00\x00\x00N.', want: 'pickle' },
    { name: 'leading no-ops (MARK POP_MARK) then PROTO', bytes: '(1\x80\x02N.', want: 'pickle' },
    // pickle.load returns the top of the stack at STOP and runs the REDUCE before it, whatever is left below.
    { name: 'a MARK and a value left at STOP', bytes: "(S'aaaaa{'\ncos\nsystem\n(S'id'\ntR.", want: 'pickle' },
    { name: 'STOP with nothing above the MARK (stack underflow)', bytes: "(S'a'\n(.", want: 'not-pickle' },
    {
      name: 'a STRING line longer than 4 KiB (readline has no limit)',
      bytes: `S'${'a'.repeat(5000)}'\nN.`,
      want: 'pickle',
    },
    { name: 'prose starting N.B.', bytes: 'N.B. this is a note\n', want: 'not-pickle' },
    { name: 'JSON', bytes: '{"a": 1}\n', want: 'not-pickle' },
    { name: 'markdown', bytes: '# Title\n\nSome text\n', want: 'not-pickle' },
    { name: 'copyright line', bytes: '(c) 2024 someone\n', want: 'not-pickle' },
    { name: 'unquoted STRING', bytes: 'Some text here\n.', want: 'not-pickle' },
  ])('sniffs $name', ({ bytes, want }) => {
    expect(sniffPickleStream(Buffer.from(bytes, 'latin1'), true)).toBe(want);
  });
  it.each([
    { name: 'a STRING the head ends inside', bytes: `S'${'a'.repeat(100)}`, want: 'more' },
    { name: 'a BINUNICODE longer than the head', bytes: `X\x70\x17\x00\x00${'a'.repeat(100)}`, want: 'more' },
    { name: 'PROTO as the last byte of the head', bytes: 'N0\x80', want: 'more' },
    { name: 'prose the head ends inside', bytes: 'Some text here', want: 'not-pickle' },
    { name: 'an INT line that is no number', bytes: 'Index of files', want: 'not-pickle' },
    // GLOBAL's module and name lines are what find_class imports: a character no name holds decides at once, as in a
    // one-line minified bundle of megabytes that starts `const` (kokoro-js's dist/kokoro.web.js).
    { name: 'minified JavaScript on one line', bytes: `const e=new Map,A=[];${'x'.repeat(100)}`, want: 'not-pickle' },
    { name: "GLOBAL's name line", bytes: `cbuiltins\neval(${'x'.repeat(100)}`, want: 'not-pickle' },
    { name: "GLOBAL's module line", bytes: `cos.path${'_'.repeat(100)}`, want: 'more' },
    { name: "INST's name line", bytes: `(ibuiltins\n${'e'.repeat(100)}`, want: 'more' },
  ])('a head that ends inside $name: $want', ({ bytes, want }) => {
    const head = Buffer.from(bytes, 'latin1');
    expect(sniffPickleStream(head, false)).toBe(want);
    // All of the file: a stream cut short is no pickle.
    expect(sniffPickleStream(head, true)).toBe('not-pickle');
  });
  // pickle.load raises "pickle data was truncated" at an argument longer than the rest of the file; when nothing before
  // it imported or called, nothing ran: the float32 weights of a tfjs shard (@vladmandic/human's models/iris.bin
  // starts `B`, a BINBYTES of 790 MB, in a file of 2.5 MB) are no pickle. After a call, the stream still is one.
  it.each([
    {
      name: 'BINBYTES longer than the file',
      bytes: `B\xd6\x29\x3f\x2f${'\x3e'.repeat(60)}`,
      size: 2_599_092,
      want: 'not-pickle',
    },
    { name: 'BINUNICODE within the file', bytes: `X\x70\x17\x00\x00${'a'.repeat(100)}`, size: 10_000, want: 'more' },
    {
      name: 'a call, then BINBYTES longer than the file',
      bytes: `cos\nsystem\n(S'id'\ntRB\xff\xff\xff\x0f${'a'.repeat(20)}`,
      size: 10_000,
      want: 'more',
    },
  ])('a head whose $name: $want', ({ bytes, size, want }) => {
    expect(sniffPickleStream(Buffer.from(bytes, 'latin1'), false, size)).toBe(want);
  });
});
