import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ContentContext } from '../../../src/inspect/content/content.js';
import { DEFAULT_CONTENT_LIMITS, inspectContent } from '../../../src/inspect/content/content.js';
import { readZip } from '../../../src/inspect/containers/zip.js';
import { runBuffer } from '../../../src/inspect/pickle/stream.js';
import { corpusPath } from '../../helpers/corpus.js';
import { FIXTURES } from './scan-folder.js';

const SEEDS = [
  corpusPath('models/sklearn_logreg_p0.pkl'),
  corpusPath('models/sklearn_logreg_p4.pkl'),
  corpusPath('models/sklearn_logreg.joblib'),
  corpusPath('models/torch_state_dict_legacy.pt'),
  corpusPath('models/torch_state_dict_zip.pt'),
  corpusPath('pickles/picklescan-data/malicious0.pkl'),
  path.join(FIXTURES, 'pickles/cases/benign_proto0_text_forms.pkl'),
].map((p) => readFileSync(p));

const budget = { maxOpcodes: 200_000, maxMemo: 10_000, maxStack: 10_000, maxMarks: 1000 };

/** Flip, insert and delete bytes of a real file. */
const mutated = fc
  .tuple(
    fc.constantFrom(...SEEDS),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 2 })), { maxLength: 8 }),
  )
  .map(([seed, edits]) => {
    let b = Buffer.from(seed);
    for (const [at, byte, kind] of edits) {
      const i = at % (b.length + 1);
      if (kind === 0 && i < b.length) b[i] = byte;
      else if (kind === 1) b = Buffer.concat([b.subarray(0, i), Buffer.from([byte]), b.subarray(i)]);
      else b = Buffer.concat([b.subarray(0, i), b.subarray(i + 1)]);
    }
    return b;
  });

const anyBytes = fc.uint8Array({ maxLength: 2048 }).map((u) => Buffer.from(u));

describe('parsers on random and mutated bytes', () => {
  it('the pickle VM never throws and ends every run at STOP or with a problem', () => {
    fc.assert(
      fc.property(fc.oneof(anyBytes, mutated), (data) => {
        const runs = runBuffer(data, { budget });
        expect(runs.length).toBeGreaterThan(0);
        for (const r of runs) expect(r.stopped || r.problems.length > 0).toBe(true);
        expect(runs[runs.length - 1]!.end).toBeLessThanOrEqual(data.length);
      }),
      { numRuns: 400 },
    );
  });

  it('a stream that is not pickles to its end is never clean', () => {
    fc.assert(
      fc.property(anyBytes, (data) => {
        const runs = runBuffer(data, { budget });
        const last = runs[runs.length - 1]!;
        if (last.stopped && last.end === data.length) return; // it really is a pickle stream
        expect(runs.some((r) => r.problems.length > 0)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('readZip and inspectContent only fail with findings, never exceptions', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          mutated,
          anyBytes.map((b) => Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), b])),
        ),
        (data) => {
          const ctx: ContentContext = {
            path: 'f',
            allow: {},
            limits: { ...DEFAULT_CONTENT_LIMITS, maxTotalBytes: 64 << 20 },
            findings: [],
            extracted: 0,
          };
          inspectContent(data, 'f.pt', undefined, 0, 'sniff', ctx);
          try {
            readZip(data);
          } catch (err) {
            expect((err as Error).name).toBe('ContainerLimitError');
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a huge declared length is a finding, not an allocation', () => {
    const data = Buffer.concat([
      Buffer.from('\x80\x04\x8e', 'latin1'),
      Buffer.from('ffffffffffff0f00', 'hex'),
      Buffer.from('.'),
    ]);
    const runs = runBuffer(data);
    expect(runs[0]!.problems.map((p) => p.kind)).toEqual(['malformed']);
  });

  it('an endless pickle hits the opcode budget', () => {
    const data = Buffer.concat([
      Buffer.from('\x80\x02', 'latin1'),
      Buffer.alloc(100_000, 0x4e /* NONE */),
      Buffer.from('.'),
    ]);
    const runs = runBuffer(data, { budget: { maxOpcodes: 1000 } });
    expect(runs[0]!.problems.map((p) => p.kind)).toContain('budget');
  });
});
