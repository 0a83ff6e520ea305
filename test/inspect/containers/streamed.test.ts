import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { exitCodeForFindings } from '../../../src/cli/exit-codes.js';
import { DEFAULT_CONTENT_LIMITS } from '../../../src/inspect/content/content.js';
import { analyseCompressedStream } from '../../../src/inspect/content/streamed.js';
import { inspectStage } from '../../../src/inspect/stage.js';
import { bufferFileSource } from '../../../src/io/file-source.js';
import { scanWith } from '../../helpers/scan.js';
import { buildTar, buildZip, EVAL_PICKLE } from './build.js';

const root = mkdtempSync(join(tmpdir(), 'cp-streamed-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const MiB = 1 << 20;
/**
 * Zeros past the 1000:1 ratio limit once deflated (zeros deflate ~1030:1, so any size past the 1 MiB floor): the
 * whole-buffer reader stopped at the cap, before the payload.
 */
const PADDING = Buffer.alloc(8 * MiB);

/** Mostly zeros with a byte of noise every 256: compresses well under the 1000:1 ratio limit. */
function sparse(n: number): Buffer {
  const out = Buffer.alloc(n);
  let x = 12345;
  for (let i = 0; i < n; i += 256) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** BINBYTES8 (protocol 5) of `pad`, skipped by the pickle reader, then the payload. */
function skipThenEval(pad: Buffer): Buffer {
  const n = pad.length;
  const op = Buffer.alloc(9);
  op[0] = 0x8e;
  op.writeBigUInt64LE(BigInt(n), 1);
  return Buffer.concat([
    Buffer.from('\x80\x05', 'latin1'),
    op,
    pad,
    Buffer.from('0', 'latin1'),
    EVAL_PICKLE.subarray(2),
  ]);
}

describe('compressed pickles are decompressed as the pickle reader goes', () => {
  it.each([
    {
      name: 'state.pkl.gz: payload + STOP, then zeros',
      file: 'state.pkl.gz',
      bytes: gzipSync(Buffer.concat([EVAL_PICKLE, PADDING])),
      member: '<gzip>',
    },
    {
      name: 'model.joblib: zlib of payload + STOP, then zeros',
      file: 'model.joblib',
      bytes: deflateSync(Buffer.concat([EVAL_PICKLE, PADDING])),
      member: '<zlib>',
    },
    {
      name: 'weights.gz: gzip of gzip of payload + STOP, then zeros',
      file: 'weights.gz',
      bytes: gzipSync(gzipSync(Buffer.concat([EVAL_PICKLE, PADDING]))),
      member: '<gzip>!<gzip>',
    },
    {
      // Larger than the walk keeps by default, smaller than the in-memory cap: still opened whole, as before.
      name: 'bundle.tar.gz: a 12 MiB zip member holding the payload',
      file: 'bundle.tar.gz',
      bytes: gzipSync(
        buildTar(
          'inner.zip',
          buildZip([
            { name: 'pad.bin', data: sparse(12 * MiB) },
            { name: 'model.pkl', data: EVAL_PICKLE },
          ]),
        ),
      ),
      member: '<gzip>!inner.zip!model.pkl',
    },
    {
      name: 'state.pkl.gz: a 12 MiB BINBYTES8 skipped, then the payload',
      file: 'state.pkl.gz',
      bytes: gzipSync(skipThenEval(sparse(12 * MiB))),
      member: '<gzip>',
    },
  ])('$name → CPI001 at the stream member, exit 1', async ({ name, file, bytes, member }) => {
    const dir = join(root, name.replace(/[^a-z0-9]+/gi, '-'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, file), bytes);
    const res = await scanWith(dir, [inspectStage]);
    const evil = res.findings.filter((f) => f.ruleId === 'CPI001');
    expect(evil.map((f) => f.location.member)).toEqual([member]);
    expect(res.findings.map((f) => f.ruleId)).not.toContain('CPI012');
    expect(exitCodeForFindings(res, 'error')).toBe(1);
  });

  it('a stream past the budget while the reader still wants more → CPI012 at error, decompression stops at the budget', async () => {
    const limits = { ...DEFAULT_CONTENT_LIMITS, maxTotalBytes: 4 * MiB };
    const src = bufferFileSource('state.pkl.gz', gzipSync(skipThenEval(sparse(12 * MiB))));
    const out = await analyseCompressedStream(src, 'gzip', { path: 'state.pkl.gz', allow: {}, limits, claimed: true });
    const findings = Array.isArray(out) ? out : [];
    const hit = findings?.find((f) => f.ruleId === 'CPI012');
    expect(hit?.level).toBe('error');
    expect(hit?.evidence?.['decompressed']).toBe(4 * MiB);
  });

  it('a gzipped opcode bomb cut at the budget → CPI012 alone, not also a pickle that "ended without STOP" (CPI003)', async () => {
    const limits = { ...DEFAULT_CONTENT_LIMITS, maxTotalBytes: 4 * MiB };
    // PROTO 2, then NONE POP for 16 MiB: a valid pickle whose only problem is its size once decompressed.
    const bomb = Buffer.concat([Buffer.from([0x80, 2]), Buffer.alloc(16 * MiB, 'N0'), Buffer.from('N.')]);
    const src = bufferFileSource('bomb.pkl.gz', gzipSync(bomb));
    const out = await analyseCompressedStream(src, 'gzip', { path: 'bomb.pkl.gz', allow: {}, limits, claimed: true });
    expect((Array.isArray(out) ? out : []).map((f) => f.ruleId)).toEqual(['CPI012']);
  });

  it('bundle.tar.gz: a member past the in-memory cap, then a large evil model.pkl → read by range, CPI001', async () => {
    const limits = { ...DEFAULT_CONTENT_LIMITS, maxInMemory: 4 * MiB };
    // Both members past the 8 MiB a tar member is kept in the image up to (tar-stream.ts KEEP).
    const evil = Buffer.concat([EVAL_PICKLE, Buffer.alloc(9 * MiB)]);
    const tar = Buffer.concat([buildTar('pad.bin', sparse(10 * MiB)).subarray(0, -1024), buildTar('model.pkl', evil)]);
    const src = bufferFileSource('bundle.tar.gz', gzipSync(tar));
    const out = await analyseCompressedStream(src, 'gzip', {
      path: 'bundle.tar.gz',
      allow: {},
      limits,
      claimed: false,
    });
    if (out === undefined || Array.isArray(out)) throw new Error('expected the tar image back');
    // Only the two headers are kept; both bodies were read by the stream walk, not stored.
    expect(out.tar.length).toBeLessThan(4096);
    expect(out.findings.filter((f) => f.ruleId === 'CPI001').map((f) => f.location.member)).toEqual([
      '<gzip>!model.pkl',
    ]);
  });
});

/**
 * A stream whose end is cut off (a gzip trailer dropped, a zlib stream stopped mid-block): `zcat` writes what it
 * inflated before "unexpected end of file", and `pickle.load(gzip.open(...))` runs the payload before the EOFError at
 * the cut. The payload is judged beside the CPI013 for the stream, not hidden behind it.
 */
describe('compressed pickles cut short', () => {
  const evil = Buffer.concat([EVAL_PICKLE, Buffer.from('padding '.repeat(4096))]);
  it.each([
    {
      name: 'state.pkl.gz without its trailer',
      file: 'state.pkl.gz',
      bytes: gzipSync(evil).subarray(0, -8),
      member: '<gzip>',
    },
    {
      name: 'model.joblib: zlib stopped mid-stream',
      file: 'model.joblib',
      bytes: deflateSync(evil).subarray(0, -12),
      member: '<zlib>',
    },
    {
      name: 'bundle.tar.gz: its member model.pkl.gz cut short',
      file: 'bundle.tar.gz',
      bytes: gzipSync(buildTar('model.pkl.gz', gzipSync(evil).subarray(0, -8))),
      member: '<gzip>!model.pkl.gz!<gzip>',
    },
  ])('$name → CPI001 at the stream member beside CPI013, exit 1', async ({ name, file, bytes, member }) => {
    const dir = join(root, `cut-${name.replace(/[^a-z0-9]+/gi, '-')}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, file), bytes);
    const res = await scanWith(dir, [inspectStage]);
    expect(res.findings.filter((f) => f.ruleId === 'CPI001').map((f) => f.location.member)).toEqual([member]);
    expect(res.findings.map((f) => f.ruleId)).toContain('CPI013');
    expect(exitCodeForFindings(res, 'error')).toBe(1);
  });
});
