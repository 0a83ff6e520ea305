import { randomBytes } from 'node:crypto';
import { deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tempTrees } from '../../helpers/temp-tree.js';
import { inspectAtLimits, ROOMY_LIMITS, ruleAtMember } from './small-limits.js';

// joblib.load picks its decompressor by the file's magic alone (`numpy_pickle_utils._detect_compressor`) and unpickles
// what comes out, and `_Unpickler.readline` reads a UNICODE line of any length: a first line longer than the
// decompressed head that is sniffed hides what follows it only from a sniff that stops there. Checked with Debian's
// joblib on a benign twin of these streams (`builtins.len` in place of `os.system`): joblib.load returned its result
// for a gzip and a zlib file alike.

const tree = tempTrees('cp-long-line-');

/** A UNICODE line of random base64 (so it does not compress to a few bytes), longer than the 64 KiB head. */
const LINE = Buffer.from(`V${randomBytes(100_000).toString('base64')}\n`, 'latin1');
/** The line's str popped, then os.system('echo hi'). */
const PAYLOAD = Buffer.from("0cos\nsystem\n(S'echo hi'\ntR.", 'latin1');
/** What pickle.load stops on at once ("invalid load key 'O'"), after pushing the line's str: nothing runs. */
const TEXT = Buffer.from('OTHER=1\nTHIRD=2\n', 'latin1');

describe('a compressed pickle whose first line is longer than the decompressed head is judged by what follows', () => {
  it.each([
    {
      name: 'gzip, unclaimed name',
      file: 'm.bin',
      data: gzipSync(Buffer.concat([LINE, PAYLOAD])),
      want: ['CPI001:<gzip>'],
    },
    { name: 'gzip, .gz', file: 'm.gz', data: gzipSync(Buffer.concat([LINE, PAYLOAD])), want: ['CPI001:<gzip>'] },
    // Found by its magic only when the head inflates to a pickle (compressed-head.ts inflatesToPickle).
    {
      name: 'zlib, unclaimed name',
      file: 'm.z',
      data: deflateSync(Buffer.concat([LINE, PAYLOAD])),
      want: ['CPI001:<zlib>'],
    },
    // A gzipped text file with a long first line: the stream is walked on past it and is no pickle.
    { name: 'gzip of text', file: 't.gz', data: gzipSync(Buffer.concat([LINE, TEXT])), want: [] },
  ])('$name', async ({ file, data, want }) => {
    const found = await inspectAtLimits(tree({ [file]: data }), ROOMY_LIMITS);
    expect(found.map(ruleAtMember)).toEqual(want);
  });
});
