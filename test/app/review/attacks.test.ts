import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { corpusPath } from '../../helpers/corpus.js';
import { makeRepo, type Tree, reviewHead } from './repo.js';

/**
 * Attacks built on top of real Dependabot updates (../shared/corpora/lockfiles/update-pairs): the genuine "after"
 * lockfile with one thing changed the way an attacker would. Each must be flagged by its own rule at the head
 * lockfile's line, and each must fail `--gate patch`/`--gate minor`.
 */
const pair = (prefix: string, file: string) => ({
  before: readFileSync(corpusPath('lockfiles', 'update-pairs', `${prefix}.before.${file}`), 'utf8'),
  after: readFileSync(corpusPath('lockfiles', 'update-pairs', `${prefix}.after.${file}`), 'utf8'),
});
const NPM = pair('actions-checkout-130a169', 'package-lock.json');
const YARN = pair('webpack-enhanced-resolve-367d0f6', 'yarn.lock');

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

async function review(base: Tree, head: Tree, gate: 'patch' | 'minor' | 'any' = 'minor') {
  const repo = makeRepo(base, head);
  cleanups.push(repo.cleanup);
  return reviewHead(repo.dir, { gate });
}

/** 1-based line of the first line containing `needle`. */
function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`not in text: ${needle}`);
  return i + 1;
}

function replaceOnce(text: string, from: string | RegExp, to: string): string {
  const out = text.replace(from, to);
  if (out === text) throw new Error(`no change replacing ${String(from)}`);
  return out;
}

const ruleLines = (r: Awaited<ReturnType<typeof review>>) =>
  r.findings.map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? '-'}`);

describe('review attack cases (npm v3, actions/checkout js-yaml update)', () => {
  const F = 'package-lock.json';
  const jsYamlLine = lineOf(NPM.after, '"node_modules/js-yaml": {');

  it('a republished version: same name@version, other integrity → CPU001 (error) at its line', async () => {
    // Take an entry that the update did not touch and give it other bytes under the same version.
    const m =
      /"node_modules\/(@actions\/core)": \{\n\s+"version": "([^"]+)",\n\s+"resolved": "[^"]+",\n\s+"integrity": "(sha512-[^"]+)"/.exec(
        NPM.after,
      )!;
    const tampered = replaceOnce(NPM.after, m[3]!, 'sha512-' + Buffer.alloc(64, 7).toString('base64'));
    const r = await review({ [F]: NPM.before }, { [F]: tampered });
    expect(ruleLines(r)).toContain(`CPU001@${F}:${lineOf(NPM.after, `"node_modules/${m[1]!}": {`)}`);
    expect(r.findings.find((f) => f.ruleId === 'CPU001')?.level).toBe('error');
    expect(r.gate?.passed).toBe(false);
  });

  it('the updated package now resolves from a host the policy does not allow → CPD005 alone, saying where it came from', async () => {
    const moved = replaceOnce(
      NPM.after,
      'https://registry.npmjs.org/js-yaml/-/js-yaml-4.2.0.tgz',
      'https://npm.evil.example/js-yaml/-/js-yaml-4.2.0.tgz',
    );
    const r = await review({ [F]: NPM.before }, { [F]: moved });
    // One cause: the review's CPU002 folds into the head scan's CPD005 (moved-entries.test.ts).
    expect(ruleLines(r).filter((l) => l.endsWith(`:${jsYamlLine}`))).toEqual([`CPD005@${F}:${jsYamlLine}`]);
    expect(r.findings.find((f) => f.ruleId === 'CPD005')?.message).toContain(
      'came from registry (registry.npmjs.org) at the base revision',
    );
    expect(r.gate?.passed).toBe(false);
  });

  it('the updated package now comes from a git repository → CPD020 (the manifest asks for a range), not also CPU002', async () => {
    const moved = replaceOnce(
      NPM.after,
      '"resolved": "https://registry.npmjs.org/js-yaml/-/js-yaml-4.2.0.tgz"',
      '"resolved": "git+ssh://git@github.com/evil/js-yaml.git#0123456789abcdef0123456789abcdef01234567"',
    );
    const r = await review({ [F]: NPM.before }, { [F]: moved });
    expect(ruleLines(r).filter((l) => l.endsWith(`:${jsYamlLine}`))).toEqual([`CPD020@${F}:${jsYamlLine}`]);
  });

  it('install scripts appear in the new version → CPU003 alone, not also the head scan’s CPD012', async () => {
    const scripted = replaceOnce(
      NPM.after,
      /("node_modules\/js-yaml": \{\n\s+"version": "4.2.0",\n)/,
      '$1      "hasInstallScript": true,\n',
    );
    const r = await review({ [F]: NPM.before }, { [F]: scripted });
    expect(ruleLines(r).filter((l) => l.endsWith(`:${jsYamlLine}`))).toEqual([`CPU003@${F}:${jsYamlLine}`]);
    expect(r.gate?.passed).toBe(false);
  });

  it('a known-malicious version comes in → the dependency rule fires and only as introduced', async () => {
    const osv = JSON.stringify({
      id: 'MAL-2026-0001',
      summary: 'test advisory',
      affected: [{ package: { ecosystem: 'npm', name: 'js-yaml' }, versions: ['4.2.0'] }],
    });
    const reg = { 'trusted-registry/malicious.json': osv };
    const r = await review({ [F]: NPM.before, ...reg }, { [F]: NPM.after, ...reg });
    expect(ruleLines(r)).toContain(`CPD013@${F}:${jsYamlLine}`);
    expect(r.gate?.passed).toBe(false);
  });

  it('a lockfile that no longer parses at head → CPU013, and the gate fails', async () => {
    const r = await review({ [F]: NPM.before }, { [F]: NPM.after.slice(0, 5000) });
    expect(r.findings.map((f) => f.ruleId)).toContain('CPU013');
    expect(r.gate?.passed).toBe(false);
  });
});

describe('review attack cases (yarn classic, enhanced-resolve form-data patch)', () => {
  const F = 'yarn.lock';

  it('a "patch" update that also pulls in a new package → CPU006, and --gate patch fails', async () => {
    const added = `${YARN.after}\nleft-pad@^1.3.0:\n  version "1.3.0"\n  resolved "https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz#5b8a3a7765dfe001261dde915589e782f8c94d1e"\n  integrity sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQ9Gj8qQOtVbrVW7dbm3E1gFa8Gx4hmJqMNlWcMPBcyUvDsw==\n`;
    const r = await review({ [F]: YARN.before }, { [F]: added }, 'patch');
    const cpu006 = r.findings.find((f) => f.ruleId === 'CPU006');
    expect(cpu006?.evidence?.['addedPackages']).toBe('left-pad@1.3.0');
    expect(r.gate?.passed).toBe(false);
    expect(r.gate?.reasons.join('\n')).toContain('adds left-pad@1.3.0');
  });

  it('a downgrade → CPU014 and the gate fails', async () => {
    const down = replaceOnce(YARN.after, /(form-data@\^3\.0\.0:\n\s+version )"3\.0\.4"/, '$1"3.0.1"');
    const r = await review({ [F]: YARN.before }, { [F]: down }, 'patch');
    expect(r.findings.map((f) => f.ruleId)).toContain('CPU014');
    expect(r.gate?.passed).toBe(false);
  });

  it('a patch label hiding a major move of another package → CPU006', async () => {
    const major = replaceOnce(YARN.after, /(\nhasown@[^\n]*:\n\s+version )"2\.[0-9.]+"/, '$1"9.0.0"');
    const r = await review({ [F]: YARN.before }, { [F]: major }, 'patch');
    expect(r.findings.find((f) => f.ruleId === 'CPU006')?.evidence?.['majorMove']).toBe('hasown');
    expect(r.gate?.passed).toBe(false);
  });
});

describe('review of model files against the trusted registry', () => {
  const registry = (sha: string) =>
    [
      'version: 1',
      'models:',
      '  - name: acme/encoder',
      '    revision: v1',
      '    source: https://models.acme.example/encoder',
      '    files:',
      '      - path: models/encoder.safetensors',
      `        sha256: ${sha}`,
      '',
    ].join('\n');
  const A = 'a'.repeat(64);
  const B = 'b'.repeat(64);

  it('model bytes changed while the registry entry did not → CPU010 (error)', async () => {
    const r = await review(
      { 'models/encoder.safetensors': 'weights-v1', 'trusted-registry/models.yml': registry(A) },
      { 'models/encoder.safetensors': 'weights-v2' },
    );
    expect(r.models).toEqual([{ path: 'models/encoder.safetensors', kind: 'changed' }]);
    expect(ruleLines(r)).toContain('CPU010@models/encoder.safetensors:-');
    expect(r.gate?.passed).toBe(false);
  });

  it('model and registry entry changed together → no CPU010 (still not a clean dependency update)', async () => {
    const r = await review(
      { 'models/encoder.safetensors': 'weights-v1', 'trusted-registry/models.yml': registry(A) },
      { 'models/encoder.safetensors': 'weights-v2', 'trusted-registry/models.yml': registry(B) },
    );
    expect(r.findings.map((f) => f.ruleId)).not.toContain('CPU010');
    expect(r.gate?.reasons).toContain('model file models/encoder.safetensors changed');
  });
});

describe('review of model references in code', () => {
  const A = 'a'.repeat(40);
  const B = 'b'.repeat(40);
  const train = (rev: string, extra = '') =>
    `from transformers import AutoModel\n\nmodel = AutoModel.from_pretrained("acme/encoder", revision="${rev}")\n${extra}`;

  it('a pinned revision that moves → CPU011 at the head line, and the gate fails', async () => {
    const r = await review({ 'train.py': train(A) }, { 'train.py': train(B) }, 'patch');
    expect(ruleLines(r)).toContain('CPU011@train.py:3');
    expect(r.references.map((c) => [c.kind, c.from, c.reference.revision])).toEqual([['moved', A, B]]);
    expect(r.gate?.passed).toBe(false);
  });

  it.each([
    {
      name: 'trust_remote_code=True added to a pinned reference → CPU021 at its line',
      from: train(A),
      want: ['CPU021@train.py:3'],
    },
    {
      name: 'a new reference with trust_remote_code=True → CPU021 (and CPU012 when unpinned)',
      from: 'print(1)\n',
      to: `from transformers import AutoModel\n\nmodel = AutoModel.from_pretrained("acme/encoder", trust_remote_code=True)\n`,
      want: ['CPU012@train.py:3', 'CPU021@train.py:3'],
    },
    {
      name: 'remote code already allowed at the base → no CPU021',
      from: train(A).replace(`revision="${A}"`, `revision="${A}", trust_remote_code=True`),
      to: train(B).replace(`revision="${B}"`, `revision="${B}", trust_remote_code=True`),
      want: ['CPU011@train.py:3'],
    },
  ])('$name', async ({ from, to, want }) => {
    const head = to ?? train(A).replace(`revision="${A}"`, `revision="${A}", trust_remote_code=True`);
    const r = await review({ 'train.py': from }, { 'train.py': head }, 'any');
    expect(ruleLines(r).sort()).toEqual(want);
  });

  it('a new unpinned reference → CPU012; an unchanged file is not re-read', async () => {
    const r = await review(
      { 'train.py': train(A), 'serve.py': 'print(1)\n' },
      { 'train.py': train(A, 'tok = AutoModel.from_pretrained("acme/tokenizer")\n'), 'serve.py': 'print(1)\n' },
      'any',
    );
    expect(ruleLines(r)).toEqual(['CPU012@train.py:4']);
    expect(r.references.map((c) => [c.kind, c.reference.repoId])).toEqual([['added', 'acme/tokenizer']]);
  });
});
