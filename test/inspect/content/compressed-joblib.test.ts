import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { analyseCompressedStream } from '../../../src/inspect/content/streamed.js';
import { bufferFileSource } from '../../../src/io/file-source.js';
import { compressedJoblib } from './compressed-joblib.js';
import { joblibArrayPickle } from './sparse-checkpoints.js';
import { exitAtError, inspectAtLimits, ROOMY_LIMITS, ruleAtMember, SMALL_LIMITS } from './small-limits.js';
import { buildTar } from '../../hostile/helpers/tar.js';
import { joblibUint8Pickle, noOpPadding, SYSTEM_OPS } from '../pickle/joblib-wrapper.js';

const root = mkdtempSync(path.join(tmpdir(), 'cp-joblib-big-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const MiB = 1 << 20;
const LARGE = path.resolve(import.meta.dirname, '../../../fixtures/large-compressed');

/** A joblib stream whose arrays total `arrayBytes` (zeros), the payload after them when `evil`. */
function joblibBytes(arrayBytes: number, evil: boolean): Buffer {
  const { lead, after } = joblibArrayPickle(arrayBytes / 4, evil);
  return Buffer.concat([lead, Buffer.alloc(arrayBytes), after]);
}

describe('a joblib pickle in a gzipped tar, read as the stream decompresses', () => {
  // A tar member over 8 MiB is read from the decompressing stream (tar-stream.ts), never held: pickle.load of that
  // member runs the opcodes after its NumpyArrayWrapper however far out, so the stream is decompressed again from its
  // start for that reading (streamed.ts reopenStreams), with a budget of its own.
  it.each([
    // 9 MiB of strings pushed and popped, and then os.system: pickle.load runs it, joblib.load copies it as array bytes.
    {
      name: 'padded-payload',
      data: Buffer.concat([noOpPadding(9 * MiB), SYSTEM_OPS]),
      want: ['CPI001:<gzip>!model.pkl'],
    },
    // 9 MiB of array bytes that are no opcodes: the reading stops at once.
    { name: 'plain-array', data: Buffer.alloc(9 * MiB, 0xff), want: [] },
  ])('$name', async ({ name, data, want }) => {
    const dir = path.join(root, `tar-${name}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'checkpoint.pkl.gz'),
      gzipSync(buildTar([{ name: 'model.pkl', data: joblibUint8Pickle(data) }])),
    );
    expect((await inspectAtLimits(dir, ROOMY_LIMITS)).map(ruleAtMember)).toEqual(want);
  });
});

describe('a gzipped joblib pickle whose array data pickle.load would read past the byte budget', () => {
  // joblib.load skips 9 MiB of array data within the array allowance (16 MiB); pickle.load reads the same bytes as
  // opcodes, charged to the 8 MiB byte budget of SMALL_LIMITS when the stream is decompressed again: the reading
  // stops at the limit with the payload unread, and says so (CPI004), never a silent pass.
  it('CPI004 where the second reading stops, nothing silent', async () => {
    const dir = path.join(root, 'plain-past-budget');
    mkdirSync(dir, { recursive: true });
    const data = Buffer.concat([noOpPadding(9 * MiB), SYSTEM_OPS]);
    const pickle = joblibUint8Pickle(data);
    writeFileSync(path.join(dir, 'model.pkl.gz'), gzipSync(pickle));
    const found = await inspectAtLimits(dir, SMALL_LIMITS);
    expect(found.map(ruleAtMember)).toEqual(['CPI004:<gzip>']);
    expect(exitAtError(found)).toBe(1);
  });
});

describe('genuine large compressed joblib files: array bytes are skipped, not charged as a bomb', () => {
  // joblib.load → NumpyArrayWrapper.read_array copies `count * itemsize` bytes from the decompressor into
  // np.empty(count): data, never unpickled. Past the 1 GiB budget these files were a CPI012 error; bzip2, xz and lzma
  // streams past the 192 MiB they were once decompressed whole into were one too. The suite proves both at limits
  // scaled to MiBs (SMALL_LIMITS: an 8 MiB budget, 6 MiB held in memory) with 12 MiB of arrays, through the same
  // per-file path the scan takes; `npm run bench` (scripts/bench/large-streams.mjs) scans the real sizes at the
  // default limits: 1.1 GiB of zlib, the 256 MiB bzip2/xz/lzma files.
  it.each([
    { kind: 'zlib' as const, evil: false },
    { kind: 'zlib' as const, evil: true },
    { kind: 'gzip' as const, evil: false },
    { kind: 'gzip' as const, evil: true },
  ])(
    'joblib.dump(compress=$kind) of 12 MiB of arrays past an 8 MiB budget, payload after them: $evil',
    async ({ kind, evil }) => {
      const dir = path.join(root, `${kind}-${evil}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'model.joblib'), await compressedJoblib(kind, 12 * MiB, evil));
      const found = await inspectAtLimits(dir);
      const member = kind === 'zlib' ? '<zlib>' : '<gzip>';
      expect(found.map(ruleAtMember)).toEqual(evil ? [`CPI001:${member}`] : []);
      expect(exitAtError(found)).toBe(evil ? 1 : 0);
    },
  );

  // The pickle reader reads ahead about 4 MiB before it meets an array's BUILD: those bytes count as parsed ones.
  // Made by Debian's joblib (fixtures/large-compressed/generate.py): 12 MiB of arrays, past the 6 MiB held in memory
  // and the 8 MiB budget of SMALL_LIMITS. Each benign file's twin has the payload after the same arrays: the twin's
  // findings being exactly that CPI001 also say its array bytes were streamed through within budget. Array bytes of
  // these codecs cost up to ten times zlib's against the allowance (inflate-source.ts DATA_COST), as at the defaults.
  const codecLimits = { ...SMALL_LIMITS, maxArrayBytes: 10 * SMALL_LIMITS.maxArrayBytes };
  it.each([
    { codec: 'bz2', member: '<bzip2>', evil: false },
    { codec: 'bz2', member: '<bzip2>', evil: true },
    { codec: 'xz', member: '<xz>', evil: false },
    { codec: 'xz', member: '<xz>', evil: true },
    { codec: 'lzma', member: '<lzma>', evil: false },
    { codec: 'lzma', member: '<lzma>', evil: true },
  ])(
    'joblib.dump(compress=$codec) of 12 MiB of arrays is streamed (payload after them: $evil)',
    async ({ codec, member, evil }) => {
      const dir = path.join(root, `${codec}-${evil}`);
      mkdirSync(dir, { recursive: true });
      const name = `zeros-12mib${evil ? '-then-evil' : ''}.${codec}.joblib`;
      copyFileSync(path.join(LARGE, name), path.join(dir, 'model.joblib'));
      const found = await inspectAtLimits(dir, codecLimits);
      expect(found.map(ruleAtMember)).toEqual(evil ? [`CPI001:${member}`] : []);
      expect(exitAtError(found)).toBe(evil ? 1 : 0);
    },
  );

  const limits = SMALL_LIMITS;
  const run = async (name: string, bytes: Buffer, kind: 'zlib' | 'gzip' = 'zlib') => {
    const out = await analyseCompressedStream(bufferFileSource(name, bytes), kind, {
      path: name,
      allow: {},
      limits,
      claimed: true,
    });
    if (!Array.isArray(out)) throw new Error('expected findings');
    return out;
  };

  it('arrays past the byte budget but within the array allowance: read through, payload after them found', async () => {
    const found = await run('model.joblib', deflateSync(joblibBytes(12 * MiB, true)));
    expect(found.map((f) => f.ruleId)).toEqual(['CPI001']);
  });

  it('arrays past the array allowance: CPI012 at error (limit array-data), decompression stops there', async () => {
    const found = await run('model.joblib', deflateSync(joblibBytes(24 * MiB, true)));
    const hit = found.find((f) => f.ruleId === 'CPI012');
    expect(hit?.level).toBe('error');
    expect(hit?.evidence?.['limit']).toBe('array-data');
    expect(hit?.evidence?.['arrayData']).toBe(SMALL_LIMITS.maxArrayBytes);
  });

  it('a payload, then an array declared larger than the allowance over endless zeros: CPI001 and CPI012, both errors', async () => {
    const { lead } = joblibArrayPickle(2 ** 40, false);
    const evilFirst = Buffer.concat([
      lead.subarray(0, 2),
      Buffer.from('\x8c\x08builtins\x8c\x04eval\x93\x8c\x011\x85R0', 'latin1'),
      lead.subarray(2),
    ]);
    const found = await run('model.joblib', deflateSync(Buffer.concat([evilFirst, Buffer.alloc(24 * MiB)])));
    expect(
      found
        .filter((f) => f.level === 'error' || f.ruleId === 'CPI001')
        .map((f) => f.ruleId)
        .sort(),
    ).toEqual(['CPI001', 'CPI012']);
  });

  it('zeros the pickle does not declare as array data are still charged to the byte budget', async () => {
    // PROTO and a 12 MiB BINBYTES8 of zeros: a bytes object the pickle builds, not array data joblib copies.
    const found = await run(
      'model.joblib',
      gzipSync(Buffer.concat([Buffer.from([0x80, 0x05, 0x8e, 0, 0, 0xc0, 0, 0, 0, 0, 0]), Buffer.alloc(12 * MiB)])),
      'gzip',
    );
    expect(found.find((f) => f.ruleId === 'CPI012')?.evidence?.['limit']).toBe('stream');
  });
});
