import { afterAll, describe, expect, it } from 'vitest';
import type { ReviewResult } from '../../../src/app/review/index.js';
import { withoutRepointedIndexes } from '../../../src/app/review/repointed-indexes.js';
import type { ResolvedFinding } from '../../../src/core/finding.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
import { makeRepo, reviewHead, type Tree } from './repo.js';
import { testOptions } from '../../helpers/scan.js';

/**
 * A change that points pip / uv at an index the policy does not allow, through pip.conf, uv.toml or pyproject.toml:
 * the review's CPU025 (the setting at both revisions) and the head scan's CPP070 (the index the file configures) are
 * one cause, said once by CPU025 — unless the policy puts CPU025 below CPP070.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const EVIL = 'https://pypi.evil.example/simple';
const BASE: Tree = { 'README.md': 'x\n', 'requirements.txt': 'idna==3.7\n' };

async function review(head: Tree, policy = DEFAULT_POLICY): Promise<ReviewResult> {
  const repo = makeRepo(BASE, head);
  cleanups.push(repo.cleanup);
  return reviewHead(repo.dir, { gate: 'any', policy });
}

/** `rule@path:level` of the index findings. */
const indexFindings = (r: ReviewResult) =>
  r.findings
    .filter((f) => f.ruleId === 'CPU025' || f.ruleId === 'CPP070')
    .map((f) => `${f.ruleId}@${f.location.path}:${f.level}`)
    .sort();

describe('review: an index added to a Python configuration file is one finding', () => {
  it.each([
    ['pip.conf', `[global]\nindex-url = ${EVIL}\n`],
    ['pip.conf', `[global]\nextra-index-url =\n    https://download.pytorch.org/whl/cpu\n    ${EVIL}\n`],
    ['uv.toml', `index-url = "${EVIL}"\n`],
    ['uv.toml', `[[index]]\nname = "evil"\nurl = "${EVIL}"\n`],
    ['pyproject.toml', `[project]\nname = "app"\nversion = "1.0"\n\n[tool.uv]\nindex-url = "${EVIL}"\n`],
    [
      'pyproject.toml',
      `[project]\nname = "app"\nversion = "1.0"\n\n[[tool.pdm.source]]\nname = "e"\nurl = "${EVIL}"\n`,
    ],
  ])('%s → CPU025 alone, failing the gate (%#)', async (file, text) => {
    const r = await review({ [file]: text });
    expect(indexFindings(r)).toEqual([`CPU025@${file}:error`]);
    expect(r.gate?.passed).toBe(false);
  });

  it('a host the setting names past the 200 characters CPU025 shows is folded too', async () => {
    // The first URL is an allowed index (no CPP070 of its own) long enough to push the evil host out of `after`.
    const long = `https://download.pytorch.org/whl/${'a'.repeat(220)}`;
    const r = await review({ 'pip.conf': `[global]\nextra-index-url =\n    ${long}\n    ${EVIL}\n` });
    expect(indexFindings(r)).toEqual(['CPU025@pip.conf:error']);
  });

  it('a CPU025 the policy lowers to a warning leaves the CPP070 error standing', async () => {
    const policy = { ...DEFAULT_POLICY, rules: { ...DEFAULT_POLICY.rules, CPU025: 'warning' as const } };
    const r = await review({ 'uv.toml': `index-url = "${EVIL}"\n` }, policy);
    expect(indexFindings(r)).toEqual(['CPP070@uv.toml:error', 'CPU025@uv.toml:warning']);
  });

  it('an index the policy allows (a default Python index, the CI environment) is a CPU025 warning, as a registry is', async () => {
    // download.pytorch.org/whl is a default `dependencies.python.indexes` entry: the scan's CPP070 accepts it.
    const pytorch = await review({ 'pip.conf': '[global]\nextra-index-url = https://download.pytorch.org/whl/cpu\n' });
    expect(indexFindings(pytorch)).toEqual(['CPU025@pip.conf:warning']);
    const repo = makeRepo(BASE, { 'uv.toml': 'index-url = "https://pypi.corp.example/simple"\n' });
    cleanups.push(repo.cleanup);
    const env = { UV_INDEX_URL: 'https://pypi.corp.example/simple' };
    const corp = await reviewHead(repo.dir, { gate: 'any', options: testOptions({ env }) });
    expect(indexFindings(corp)).toEqual(['CPU025@uv.toml:warning']);
  });

  it('a CPP070 for a host the CPU025 does not set, or in another file, stands', () => {
    const found = (ruleId: string, path: string, evidence: Record<string, string>): ResolvedFinding => ({
      ruleId,
      level: 'error',
      fingerprint: `${ruleId}:${path}:${JSON.stringify(evidence)}`,
      message: ruleId,
      location: { path, line: 2 },
      evidence,
    });
    const cpu025 = found('CPU025', 'pip.conf', { hosts: 'a.example download.pytorch.org' });
    const kept = withoutRepointedIndexes(
      [
        found('CPP070', 'pip.conf', { host: 'a.example' }),
        found('CPP070', 'pip.conf', { host: 'b.example' }),
        found('CPP070', 'uv.toml', { host: 'a.example' }),
      ],
      [cpu025],
    );
    expect(kept.map((f) => `${f.location.path}:${String(f.evidence?.['host'])}`)).toEqual([
      'pip.conf:b.example',
      'uv.toml:a.example',
    ]);
  });
});
