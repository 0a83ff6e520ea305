import path from 'node:path';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../../src/core/result.js';
import { SYSTEMIC_MIN } from '../../../src/deps/checks/systemic.js';
import { pythonDepsStage } from '../../../src/deps/parsers/python/stage.js';
import { scanWith } from '../../helpers/scan.js';

/** Files written into a fresh folder, then scanned by the Python stage alone. */
async function scanFiles(files: Record<string, string>): Promise<ScanResult> {
  const root = await mkdtemp(path.join(tmpdir(), 'cp-py-systemic-'));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), text);
  }
  return scanWith(root, [pythonDepsStage], {});
}

const HASH = `--hash=sha256:${'a'.repeat(64)}`;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** `ruleId@path:line count` of every finding but the offline note. */
function summary(r: ScanResult): string[] {
  return r.findings
    .filter((f) => f.ruleId !== 'CPP050')
    .map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0} ${String(f.evidence?.['count'] ?? '')}`)
    .sort();
}

describe('Python files: one finding per cause, not one per line (deps/checks/systemic.ts)', () => {
  it('one --hash line puts 30 unhashed requirements in hash-checking mode: one CPP011 with the count', async () => {
    const lines = [`pkg0==1.0 ${HASH}`, ...range(30).map((i) => `pkg${i + 1}==1.0`)];
    const r = await scanFiles({ 'requirements.txt': lines.join('\n') + '\n' });
    expect(summary(r)).toEqual(['CPP011@requirements.txt:2 30']);
    const f = r.findings.find((x) => x.ruleId === 'CPP011')!;
    expect(f.message).toMatch(
      /^30 of the 31 packages in requirements\.txt have no --hash while the file uses hash-checking mode/,
    );
    // The cause is in evidence, so two groups of one rule in one file keep apart fingerprints.
    expect({ hashMode: f.evidence?.['hashMode'], ecosystem: f.evidence?.['ecosystem'] }).toEqual({
      hashMode: 'on',
      ecosystem: 'pypi',
    });
    expect(f.members).toHaveLength(30);
    expect(f.related).toHaveLength(29);
  });

  it('a few unhashed lines among hashed ones stay per line: that is what tampering looks like', async () => {
    const lines = [...range(10).map((i) => `pkg${i}==1.0 ${HASH}`), 'evil==1.0', 'other==2.0'];
    const r = await scanFiles({ 'requirements.txt': lines.join('\n') + '\n' });
    expect(summary(r)).toEqual(['CPP011@requirements.txt:11 ', 'CPP011@requirements.txt:12 ']);
  });

  it('a file hashed with md5 throughout is one CPP004 (pip refuses the algorithm), not one per line', async () => {
    const lines = range(SYSTEMIC_MIN + 5).map((i) => `pkg${i}==1.0 --hash=md5:${'b'.repeat(32)}`);
    const r = await scanFiles({ 'requirements.txt': lines.join('\n') + '\n' });
    expect(summary(r)).toEqual([`CPP004@requirements.txt:1 ${SYSTEMIC_MIN + 5}`]);
    expect(r.findings.find((x) => x.ruleId === 'CPP004')!.message).toContain('lines 1, 2, 3, 4, 5, …');
  });

  it('a uv.lock written without hashes is one CPP011 for the lockfile', async () => {
    const entries = range(25).map(
      (i) =>
        `[[package]]\nname = "pkg${i}"\nversion = "1.0"\nsource = { registry = "https://pypi.org/simple" }\n` +
        `wheels = [{ url = "https://files.pythonhosted.org/packages/pkg${i}-1.0-py3-none-any.whl" }]\n`,
    );
    const r = await scanFiles({ 'uv.lock': `version = 1\nrequires-python = ">=3.10"\n\n${entries.join('\n')}` });
    expect(summary(r)).toEqual(['CPP011@uv.lock:4 25']);
    expect(r.findings.find((x) => x.ruleId === 'CPP011')!.message).toMatch(
      /^25 of the 25 packages in uv\.lock are locked without any file hash/,
    );
  });

  it('an included file is grouped on its own, at its own lines', async () => {
    const r = await scanFiles({
      'requirements.txt': `-r deps/base.txt\nroot==1.0 ${HASH}\n`,
      'deps/base.txt':
        range(22)
          .map((i) => `pkg${i}==1.0`)
          .join('\n') + '\n',
    });
    expect(summary(r)).toEqual(['CPP011@deps/base.txt:1 22']);
  });
});
