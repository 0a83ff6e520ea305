import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exitCodeForFindings } from '../../../src/cli/exit-codes.js';
import { inspectStage } from '../../../src/inspect/stage.js';
import { scanWith } from '../../helpers/scan.js';

/** A model file (or folder) nobody showed us, with the verdict the real loader named in `loader` deserves. */
export interface UnseenCase {
  readonly name: string;
  /** The real loader function whose behaviour decides the verdict. */
  readonly loader: string;
  readonly files: Readonly<Record<string, Buffer | string>>;
  /** `ruleId:level` of every CPI finding, sorted and deduplicated. */
  readonly want: readonly string[];
}

/**
 * One test per case: its files written to a folder of their own, the inspect stage run over it, the CPI findings
 * (`ruleId:level`) equal to `want`, and the default `--fail-on error` gate failing exactly when one is an error.
 */
export function describeUnseenCases(title: string, cases: readonly UnseenCase[]): void {
  const root = mkdtempSync(join(tmpdir(), 'cp-unseen-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  describe(title, () => {
    it.each(cases.map((c, i) => ({ ...c, i })))('$name ($loader)', async ({ files, want, i }) => {
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
}
