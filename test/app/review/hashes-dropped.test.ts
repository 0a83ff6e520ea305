import { afterAll, describe, expect, it } from 'vitest';
import { makeRepo, reviewHead, type Tree } from './repo.js';

/**
 * pip checks hashes only when some requirement carries `--hash` (req_command `get_requirements`): a change that drops
 * every hash from a requirements file is not a missing hash pip refuses but a file it installs unchecked. The review
 * used to say "No dependency or model change" and pass `--gate patch`.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const hex = (n: number) => String(n).padStart(64, '0');
const hashed =
  'requests==2.31.0 \\\n    --hash=sha256:' + hex(1) + '\nidna==3.7 \\\n    --hash=sha256:' + hex(2) + '\n';

async function review(base: Tree, head: Tree) {
  const repo = makeRepo(base, head);
  cleanups.push(repo.cleanup);
  const r = await reviewHead(repo.dir, { gate: 'patch' });
  return {
    rules: r.findings.map((f) => `${f.ruleId}@${f.location.path}:${f.location.line}`),
    passed: r.gate?.passed,
    evidence: r.findings.find((f) => f.ruleId === 'CPU034')?.evidence,
    fingerprint: r.findings.find((f) => f.ruleId === 'CPU034')?.fingerprint,
  };
}

describe('review of a requirements file that drops its hashes (CPU034)', () => {
  it('every --hash removed → one CPU034 for the file, and the gate fails', async () => {
    const r = await review({ 'requirements.txt': hashed }, { 'requirements.txt': 'requests==2.31.0\nidna==3.7\n' });
    expect(r.rules).toEqual(['CPU034@requirements.txt:1']);
    expect(r.evidence?.['count']).toBe(2);
    expect(r.passed).toBe(false);
  });

  it('one file keeps one fingerprint however many requirements lost their hashes', async () => {
    const six = 'six==1.16.0 \\\n    --hash=sha256:' + hex(3) + '\n';
    const two = await review({ 'requirements.txt': hashed }, { 'requirements.txt': 'requests==2.31.0\nidna==3.7\n' });
    const three = await review(
      { 'requirements.txt': hashed + six },
      { 'requirements.txt': 'requests==2.31.0\nidna==3.7\nsix==1.16.0\n' },
    );
    expect([two.evidence?.['count'], three.evidence?.['count']]).toEqual([2, 3]);
    expect(three.fingerprint).toBe(two.fingerprint);
  });

  it('one hash removed while the file stays in hash mode is the head scan’s CPP011 alone', async () => {
    const r = await review(
      { 'requirements.txt': hashed },
      { 'requirements.txt': 'requests==2.31.0 \\\n    --hash=sha256:' + hex(1) + '\nidna==3.7\n' },
    );
    expect(r.rules).toEqual(['CPP011@requirements.txt:3']);
  });

  it('a file that never had hashes, or keeps them, → nothing', async () => {
    // Offline, only the note that the new pin's index was not asked (python-index-builds.test.ts).
    expect(
      (await review({ 'requirements.txt': 'idna==3.7\n' }, { 'requirements.txt': 'idna==3.7\nsix==1.16.0\n' })).rules,
    ).toEqual(['CPD130@.:undefined']);
    expect((await review({ 'requirements.txt': hashed }, { 'requirements.txt': hashed + '\n' })).rules).toEqual([]);
  });
});
