import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { exitCodeForFindings } from '../../../src/cli/exit-codes.js';
import { detectFormat } from '../../../src/discover/detect.js';
import { inspectStage } from '../../../src/inspect/stage.js';
import { corpusPath } from '../../helpers/corpus.js';
import { scanWith } from '../../helpers/scan.js';
import { buildZip } from '../containers/build.js';

const root = mkdtempSync(join(tmpdir(), 'cp-loader-gate-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
/** Protocol 0, no PROTO: `os.system('id')`. */
const EVIL_P0 = b("cos\nsystem\n(S'id'\ntR.");
/** Protocol 2 of the same call. */
const EVIL_P2 = Buffer.concat([b('\x80\x02cos\nsystem\nX\x02\x00\x00\x00id\x85R.')]);
/** 100,001 open MARKs: past the VM's MARK budget before anything else is read. */
const MARK_FLOOD = Buffer.alloc(100_001, 0x28);
/** Budget first, payload after it: the payload is never reached, so the budget hit itself must fail the gate. */
const PADDING_THEN_EVIL = Buffer.concat([b('\x80\x02'), MARK_FLOOD, b('cos\nsystem\nX\x02\x00\x00\x00id\x85R.')]);
/** Payload first, then padding that exhausts a budget: the payload's finding must be kept. */
const EVIL_THEN_PADDING = Buffer.concat([b('\x80\x02cos\nsystem\nX\x02\x00\x00\x00id\x85R0'), MARK_FLOOD, b('N.')]);

/** A legacy torch.save stream whose magic number is pickled under protocol 0, no storages, a payload after the keys. */
function legacyTorchWithTrailer(): Buffer {
  return Buffer.concat([
    b('L119547037146038801333356L\n.'), // magic (protocol 0)
    b('I1001\n.'), // protocol version
    b("(dp0\nS'little_endian'\np1\nI01\ns."), // sys_info
    b('(dp0\n.'), // the model: an empty dict
    b('(lp0\n.'), // storage keys: none
    EVIL_P0, // torch never reads this, `pickle.load` called again would
  ]);
}

/** A zip whose only member claims 2^40 bytes in its zip64 extra field (a size lie). */
function zip64SizeLie(): Buffer {
  const zip = buildZip([{ name: 'archive/data.pkl', data: EVIL_P2 }]);
  // Rewrite the central directory entry's uncompressed size to 0xffffffff and append nothing: readers that trust
  // the zip64 field see a 4 GiB member. The directory entry is the first PK\x01\x02.
  const cd = zip.indexOf('PK\x01\x02', 0, 'latin1');
  zip.writeUInt32LE(0xffffffff, cd + 24);
  zip.writeUInt32LE(0xffffffff, cd + 20);
  return zip;
}

interface Case {
  readonly name: string;
  readonly file: string;
  readonly bytes: Buffer;
  readonly rule: string;
}

const CASES: Case[] = [
  { name: 'headerless protocol-0 pickle with no name claim', file: 'notes', bytes: EVIL_P0, rule: 'CPI001' },
  {
    name: 'zip whose only member is a protocol-0 pickle named readme.txt',
    file: 'docs.zip',
    bytes: buildZip([{ name: 'readme.txt', data: EVIL_P0 }]),
    rule: 'CPI001',
  },
  {
    name: 'zip inside a zip, any name',
    file: 'bundle.dat',
    bytes: buildZip([{ name: 'inner.bin', data: buildZip([{ name: 'x/data.pkl', data: EVIL_P2, deflate: true }]) }]),
    rule: 'CPI001',
  },
  {
    name: 'legacy torch magic under protocol 0, payload after the storage keys',
    file: 'model.pt',
    bytes: legacyTorchWithTrailer(),
    rule: 'CPI001',
  },
  {
    name: 'pickle: padding exhausts a budget before the payload',
    file: 'model.pkl',
    bytes: PADDING_THEN_EVIL,
    rule: 'CPI004',
  },
  { name: 'pickle: payload, then padding past a budget', file: 'model.pkl', bytes: EVIL_THEN_PADDING, rule: 'CPI001' },
  {
    name: 'joblib (zlib): padding past a budget',
    file: 'model.joblib',
    bytes: deflateSync(PADDING_THEN_EVIL),
    rule: 'CPI004',
  },
  { name: 'gzip: padding past a budget', file: 'weights.gz', bytes: gzipSync(PADDING_THEN_EVIL), rule: 'CPI004' },
  {
    name: 'torch zip member: padding past a budget',
    file: 'model.pt',
    bytes: buildZip([{ name: 'archive/data.pkl', data: PADDING_THEN_EVIL, deflate: true }]),
    rule: 'CPI004',
  },
  { name: 'zip64 size lie on the pickle member', file: 'model.pt', bytes: zip64SizeLie(), rule: 'CPI013' },
  {
    name: 'zip member in a method chainproof cannot decode, harmless name',
    file: 'bundle.zip',
    bytes: (() => {
      const z = buildZip([{ name: 'notes.txt', data: EVIL_P0 }]);
      z.writeUInt16LE(98, 8); // PPMd in the local header
      z.writeUInt16LE(98, z.indexOf('PK\x01\x02', 0, 'latin1') + 10); // and in the directory
      return z;
    })(),
    rule: 'CPI015',
  },
];

describe('loader cases fail the default --fail-on error gate', () => {
  it.each(CASES)('$name', async ({ file, bytes, rule, name }) => {
    const dir = join(root, name.replace(/[^a-z0-9]+/gi, '-'));
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), bytes);
    const res = await scanWith(dir, [inspectStage]);
    const ids = res.findings.map((f) => `${f.ruleId}:${f.level}`);
    expect(ids).toContain(`${rule}:error`);
    expect(exitCodeForFindings(res, 'error')).toBe(1);
  });
});

describe('no false alarms on ordinary repository files', () => {
  it('the demo project and real lockfiles are not sniffed as pickles or compressed streams', () => {
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const n of readdirSync(d)) {
        const abs = join(d, n);
        if (statSync(abs).isDirectory()) walk(abs);
        else files.push(abs);
      }
    };
    walk(join(import.meta.dirname, '../../../fixtures/demo-project'));
    walk(corpusPath('lockfiles'));
    walk(join(import.meta.dirname, '../../../src/discover'));
    files.push(join(import.meta.dirname, '../../../README.md'), join(import.meta.dirname, '../../../package.json'));
    const wrong = files
      .filter((f) => !/\.(pt|pkl|keras|bin|safetensors|gguf|onnx|npy|npz|joblib|h5)$/.test(f))
      .map((f) => {
        const data = readFileSync(f);
        return { f, format: detectFormat(data.subarray(0, 4096), f, data.length).format };
      })
      .filter(({ format }) => ['pickle', 'joblib', 'xz', 'bzip2', 'gzip', 'pytorch-legacy'].includes(format));
    expect(wrong).toEqual([]);
    expect(files.length).toBeGreaterThan(20);
  });
});
