import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedFinding } from '../../../src/core/finding.js';
import { corpusPath } from '../../helpers/corpus.js';
import { inspectFolder } from './scan-folder.js';

/**
 * The samples released after the first round (corpora `released/pickles`, read in place), judged as
 * `released/README.md` says: promptfoo/modelaudit's test assets by name, picklescan's tests/data2 by picklescan's
 * own verdict (`picklescan-oracle.json`).
 */
const ROOT = corpusPath('released', 'pickles');
const ASSETS = 'modelaudit/tests/assets';

function filesUnder(dir: string, rel = ''): string[] {
  return readdirSync(path.join(dir, rel)).flatMap((name) => {
    const r = rel ? `${rel}/${name}` : name;
    return statSync(path.join(dir, r)).isDirectory() ? filesUnder(dir, r) : [r];
  });
}

/** modelaudit's expectation: exploits/, pickles/, malicious*, *attack*, *evil* flagged; benign*, safe*, licenses clean. */
function modelauditVerdict(file: string): 'flagged' | 'clean' | undefined {
  const rel = file.slice(ASSETS.length + 1);
  const base = path.posix.basename(rel).toLowerCase();
  if (rel.startsWith('scenarios/license_scenarios/')) return 'clean';
  if (!rel.startsWith('samples/')) return /^(exploits|pickles)\//.test(rel) ? 'flagged' : undefined;
  if (/(^|\/)malicious/.test(rel) || base.includes('attack') || base.includes('evil')) return 'flagged';
  if (/^(benign|safe)/.test(base) || rel.includes('/benign/')) return 'clean';
  return undefined;
}

const ORACLE = JSON.parse(readFileSync(path.join(ROOT, 'picklescan-oracle.json'), 'utf8')) as Record<
  string,
  { infected: number; issues: number }
>;

/** picklescan's verdict on a tests/data2 file, keyed in the oracle by its path in picklescan's tree. */
function picklescanVerdict(file: string): 'flagged' | undefined {
  const entry = ORACLE[`pickles/picklescan/tests/data2/${path.posix.basename(file)}`];
  return entry !== undefined && (entry.infected > 0 || entry.issues > 0) ? 'flagged' : undefined;
}

const CASES = filesUnder(ROOT)
  .map((file) => ({
    file,
    want: file.startsWith(`${ASSETS}/`)
      ? modelauditVerdict(file)
      : file.startsWith('picklescan-data2/')
        ? picklescanVerdict(file)
        : undefined,
  }))
  .filter((c): c is { file: string; want: 'flagged' | 'clean' } => c.want !== undefined);

/** Content findings at warning or above: what "flagged" means (a note is not a verdict against the file). */
const flagging = (got: readonly ResolvedFinding[]) => got.filter((f) => f.level === 'error' || f.level === 'warning');

describe('released samples: modelaudit assets and picklescan tests/data2', () => {
  let findings: Map<string, ResolvedFinding[]>;
  beforeAll(async () => {
    findings = await inspectFolder(ROOT);
  }, 120_000);

  it('covers the samples the README gives a verdict for', () => {
    expect(CASES.filter((c) => c.want === 'flagged').length).toBeGreaterThan(90);
    expect(CASES.filter((c) => c.want === 'clean').length).toBeGreaterThan(25);
  });

  it.each(CASES)('$file is $want', ({ file, want }) => {
    const got = findings.get(file) ?? [];
    if (want === 'flagged') expect(flagging(got).map((f) => f.ruleId)).not.toEqual([]);
    else expect(got.map((f) => `${f.ruleId} ${f.message}`)).toEqual([]);
  });

  it('finds the second pickle inside a bytes value of malicious_model_realistic.pkl (a nested pickle)', () => {
    const got = findings.get(`${ASSETS}/samples/pickles/malicious_model_realistic.pkl`) ?? [];
    expect(got.map((f) => f.ruleId)).toContain('CPI101');
  });
});
