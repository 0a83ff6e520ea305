import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exitCodeForFindings } from '../../../src/cli/exit-codes.js';
import { inspectStage } from '../../../src/inspect/stage.js';
import { scanWith } from '../../helpers/scan.js';
import { ROUND3_GGUF_CASES } from './round3-gguf-cases.js';
import { ROUND3_PICKLE_CASES } from './round3-pickle-cases.js';
import { ROUND3_SAFETENSORS_CASES } from './round3-safetensors-cases.js';
import { ROUND3_SKOPS_CASES } from './round3-skops-cases.js';
import type { UnseenCase } from './unseen-attacks.test.js';

/** Round 3 of cases nobody showed us, each judged by the real loader named in `loader` (see unseen-attacks.test.ts). */
const CASES: readonly UnseenCase[] = [
  ...ROUND3_PICKLE_CASES,
  ...ROUND3_SAFETENSORS_CASES,
  ...ROUND3_SKOPS_CASES,
  ...ROUND3_GGUF_CASES,
];

const root = mkdtempSync(join(tmpdir(), 'cp-unseen3-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('round 3: verdicts on unseen model files agree with the real loader', () => {
  it.each(CASES.map((c, i) => ({ ...c, i })))('$name ($loader)', async ({ files, want, i }) => {
    const dir = join(root, String(i));
    for (const [name, data] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), data);
    }
    const res = await scanWith(dir, [inspectStage]);
    const got = [
      ...new Set(res.findings.filter((f) => f.ruleId.startsWith('CPI')).map((f) => `${f.ruleId}:${f.level}`)),
    ];
    expect(got.sort()).toEqual(want);
    expect(exitCodeForFindings(res, 'error')).toBe(want.some((w) => w.endsWith(':error')) ? 1 : 0);
  });
});
