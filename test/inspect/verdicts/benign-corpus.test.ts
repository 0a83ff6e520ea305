import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScanResult } from '../../../src/core/result.js';
import { scanRepository } from '../../../src/app/scan.js';
import { silentLogger } from '../../../src/core/context.js';
import { EMPTY_REGISTRY } from '../../../src/core/trusted-registry.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
import { testOptions } from '../../helpers/scan.js';
import { FIXTURES } from '../pickle/scan-folder.js';

const ROOT = path.join(FIXTURES, 'models-benign');

function listFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(dir, rel)).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    if (r === 'generate' || r === 'README.md') continue;
    if (statSync(path.join(dir, r)).isDirectory()) out.push(...listFiles(dir, r));
    else out.push(r);
  }
  return out;
}

const FILES = listFiles(ROOT);

describe('benign corpus made by torch, scikit-learn, scipy, pandas, numpy and joblib (class 5)', () => {
  let result: ScanResult;
  beforeAll(async () => {
    // The whole scan (every stage, default policy), as `chainproof scan` runs it.
    result = await scanRepository({
      root: ROOT,
      policy: DEFAULT_POLICY,
      registry: EMPTY_REGISTRY,
      options: testOptions(),
      include: [],
      exclude: [],
      logger: silentLogger,
      today: '2026-01-01',
    });
  }, 120_000);

  it('holds at least 50 files', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(50);
  });

  it.each(FILES.map((file) => ({ file })))('$file: no warning or error', ({ file }) => {
    const got = result.findings
      .filter((f) => f.location.path === file && (f.level === 'error' || f.level === 'warning'))
      .map((f) => `${f.ruleId} ${String(f.evidence?.global ?? '')} ${f.message}`);
    expect(got).toEqual([]);
  });

  it('no warning or error anywhere else in the scan', () => {
    const stray = result.findings.filter(
      (f) => (f.level === 'error' || f.level === 'warning') && !FILES.includes(f.location.path),
    );
    expect(stray.map((f) => `${f.ruleId} ${f.location.path}`)).toEqual([]);
  });
});
