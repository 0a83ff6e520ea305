import { describe, expect, it } from 'vitest';
import type { Policy } from '../../src/core/policy.js';
import { FILE_GROUP_MIN } from '../../src/refs/causes.js';
import { refsStage } from '../../src/refs/stage.js';
import { DEFAULT_POLICY } from '../../src/trust/policy/default.js';
import { EMPTY_REGISTRY } from '../../src/core/trusted-registry.js';
import { runMain } from '../helpers/cli.js';
import { scanWith } from '../helpers/scan.js';
import { tempTrees } from '../helpers/temp-tree.js';

const tree = tempTrees('cp-refs-causes-');

/** A Python module that loads each model of `ids` in a call of its own, on lines 3, 4, 5… */
const loads = (ids: readonly string[], cls = (_: number) => 'AutoModel') =>
  `from transformers import AutoModel, AutoTokenizer\nimport os, sys\n` +
  ids.map((id, i) => `m${i} = ${cls(i)}.from_pretrained("${id}")\n`).join('');

/** `n` calls whose model comes from the command line, each its own argument. */
const runTime = (n: number) =>
  `from transformers import AutoModel\nimport sys\n` +
  Array.from({ length: n }, (_, i) => `m${i} = AutoModel.from_pretrained(sys.argv[${i + 1}])\n`).join('');

const shown = (r: Awaited<ReturnType<typeof scanWith>>) =>
  r.findings.map((f) => `${f.ruleId} ${f.location.path}:${f.location.line} ${f.evidence?.['count'] ?? 1}`);

describe('one refs finding per cause in a file', () => {
  it('repeated unpinned loads of one model become one finding a rule, with the count, lines and every call', async () => {
    const ids = [...Array<string>(6).fill('org/a'), 'org/b', 'org/b'];
    const r = await scanWith(tree({ 'tests/test_a.py': loads(ids) }), [refsStage]);
    expect(shown(r)).toEqual([
      // With no model in the registry, one CPR003 for the scan, at its root (below).
      'CPR003 .:undefined 8',
      'CPR001 tests/test_a.py:3 6',
      'CPR001 tests/test_a.py:9 1',
      'CPR001 tests/test_a.py:10 1',
    ]);
    const group = r.findings[1]!;
    expect(group.message).toMatch(
      /^6 calls in this file \(lines 3, 4, 5, 6, 7 and 1 more\), the first: AutoModel\.from_pretrained loads org\/a with no revision/,
    );
    expect(group.related?.map((l) => l.line)).toEqual([4, 5, 6, 7, 8]);
    expect(group.members).toHaveLength(6);
    // Every reference stays in the result (ML-BOM, JSON): only the findings are grouped.
    expect(r.references).toHaveLength(8);
    expect(r.summary.byLevel).toEqual({ error: 0, warning: 3, note: 1 });
  });

  it(`below ${FILE_GROUP_MIN} calls a cause stays per call`, async () => {
    const r = await scanWith(tree({ 'a.py': loads(Array(FILE_GROUP_MIN - 1).fill('org/a')) }), [refsStage]);
    expect(r.findings.filter((f) => f.ruleId === 'CPR001').map((f) => f.location.line)).toEqual([3, 4, 5, 6]);
    expect(r.findings.some((f) => f.ruleId === 'CPR001' && f.related !== undefined)).toBe(false);
  });

  it('the loader class is not the cause: AutoModel and AutoTokenizer of one model group together', async () => {
    const r = await scanWith(
      tree({ 'a.py': loads(Array(6).fill('org/a'), (i) => (i % 2 ? 'AutoTokenizer' : 'AutoModel')) }),
      [refsStage],
    );
    expect(shown(r)).toEqual(['CPR003 .:undefined 6', 'CPR001 a.py:3 6']);
  });

  it('another model or another revision is another cause', async () => {
    const pinned = (rev: string) => `m = AutoModel.from_pretrained("org/a", revision="${rev}")\n`;
    const text = `from transformers import AutoModel\n` + pinned('main').repeat(5) + pinned('dev').repeat(5);
    const r = await scanWith(tree({ 'a.py': text }), [refsStage]);
    expect(
      r.findings.filter((f) => f.ruleId === 'CPR001').map((f) => [f.location.line, f.evidence?.['revision']]),
    ).toEqual([
      [2, 'main'],
      [7, 'dev'],
    ]);
  });

  it('thousands of run-time choices in one file are one CPR010 note', async () => {
    const r = await scanWith(tree({ 'train.py': runTime(3000) }), [refsStage]);
    expect(shown(r)).toEqual(['CPR010 train.py:3 3000']);
    expect(r.findings[0]!.related).toHaveLength(1000);
    expect(r.findings[0]!.members).toHaveLength(3000);
  });

  it('calls spread over files stay per file, so a path suppression and a shard see each file', async () => {
    const three = loads(['org/a', 'org/a', 'org/a']);
    const policy: Policy = {
      ...DEFAULT_POLICY,
      suppressions: [{ rule: 'CPR001', path: 'tests/**', reason: 'test models', expires: '2099-01-01' }],
    };
    const root = tree({ 'tests/a.py': loads(Array(6).fill('org/a')), 'b.py': three, 'c.py': three });
    const r = await scanWith(root, [refsStage], { policy });
    expect(shown(r).filter((s) => s.startsWith('CPR001'))).toEqual([
      'CPR001 b.py:3 1',
      'CPR001 b.py:4 1',
      'CPR001 b.py:5 1',
      'CPR001 c.py:3 1',
      'CPR001 c.py:4 1',
      'CPR001 c.py:5 1',
    ]);
    expect(r.suppressed.map((f) => `${f.location.path} ${f.evidence?.['count']}`)).toEqual(['tests/a.py 6']);
  });

  it('the policy level of each call is the level of the group', async () => {
    const policy: Policy = { ...DEFAULT_POLICY, models: { ...DEFAULT_POLICY.models, requirePinnedRevision: true } };
    const r = await scanWith(tree({ 'a.py': loads(Array(5).fill('org/a')) }), [refsStage], { policy });
    expect(r.findings.filter((f) => f.ruleId === 'CPR001').map((f) => [f.level, f.evidence?.['count']])).toEqual([
      ['error', 5],
    ]);
  });

  it('the CLI prints one line for the group; registry add still counts every run-time call', async () => {
    const root = tree({ 'train.py': runTime(40) });
    const scan = await runMain(['scan', root, '--offline', '--no-cache', '--no-progress', '--fail-on', 'none']);
    expect(scan.stdout.split('\n').filter((l) => l.includes('CPR010'))).toHaveLength(1);
    expect(scan.stdout).toContain('1 note');
    const add = await runMain(['registry', 'add', '--from-refs', root, '--root', root]);
    expect(add.stdout).toContain('40 model name(s) chosen at run time (CPR010) cannot be recorded');
  });
});

describe('CPR003 when the trusted registry records no model', () => {
  const files = { 'b.py': loads(['org/b', 'org/a']), 'a.py': loads(['org/a']) };

  it('is one finding for every reference of the scan, at the scan root, naming the models and the first', async () => {
    const r = await scanWith(tree(files), [refsStage]);
    const unlisted = r.findings.filter((f) => f.ruleId === 'CPR003');
    expect(unlisted.map((f) => `${f.location.path}:${f.location.line} ${f.level} ${f.evidence?.['count']}`)).toEqual([
      '.:undefined note 3',
    ]);
    expect(unlisted[0]!.message).toMatch(
      /none of the 2 models the code loads by name \(3 references\).*: org\/a, org\/b, the first at a\.py:3\./,
    );
    expect(unlisted[0]!.related?.map((l) => `${l.path}:${l.line}`)).toEqual(['a.py:3', 'b.py:3', 'b.py:4']);
    expect(unlisted[0]!.members).toHaveLength(3);
    // Pinning is each load's own problem: CPR001 stays per call.
    expect(r.findings.filter((f) => f.ruleId === 'CPR001')).toHaveLength(3);
  });

  it('names one model as one, not "none of the 1 model"', async () => {
    const r = await scanWith(tree({ 'a.py': loads(['org/a', 'org/a']) }), [refsStage]);
    const unlisted = r.findings.filter((f) => f.ruleId === 'CPR003');
    expect(unlisted.map((f) => f.message)).toEqual([
      expect.stringMatching(/so the model the code loads by name \(2 references\) has no recorded review: org\/a,/),
    ]);
  });

  it('keeps its identity when another model is loaded (a baseline and a SARIF alert stay the same)', async () => {
    const fingerprint = async (more: string[]) =>
      (await scanWith(tree({ ...files, 'c.py': loads(more) }), [refsStage])).findings.find((f) => f.ruleId === 'CPR003')
        ?.fingerprint;
    expect(await fingerprint(['org/c', 'org/d'])).toBe(await fingerprint(['org/a']));
  });

  it('keeps its identity when a load is added in a file that sorts before every other', async () => {
    const fingerprint = async (more: Record<string, string>) =>
      (await scanWith(tree({ ...files, ...more }), [refsStage])).findings.find((f) => f.ruleId === 'CPR003')
        ?.fingerprint;
    expect(await fingerprint({ 'A.py': loads(['org/first']) })).toBe(await fingerprint({}));
  });

  it("a suppression by path takes its references out of the fold, and hides no other file's", async () => {
    const policy: Policy = {
      ...DEFAULT_POLICY,
      suppressions: [{ rule: 'CPR003', path: 'tests/**', reason: 'test models', expires: '2099-01-01' }],
    };
    const r = await scanWith(
      tree({ 'tests/test_a.py': loads(['org/test-model']), 'train.py': loads(['evil/prod-model']), ...files }),
      [refsStage],
      { policy },
    );
    const unlisted = r.findings.filter((f) => f.ruleId === 'CPR003');
    expect(unlisted.map((f) => `${f.location.path} ${f.evidence?.['count']}`)).toEqual(['. 4']);
    expect(unlisted[0]!.message).toContain('evil/prod-model');
    expect(unlisted[0]!.message).not.toContain('org/test-model');
    expect(r.suppressed.map((f) => `${f.ruleId} ${f.location.path}:${f.location.line}`)).toEqual([
      'CPR003 tests/test_a.py:3',
    ]);
  });

  it('keeps the policy level, and a registry with entries keeps one finding per unlisted reference', async () => {
    const policy: Policy = { ...DEFAULT_POLICY, models: { ...DEFAULT_POLICY.models, unknownModel: 'error' } };
    const r = await scanWith(tree(files), [refsStage], { policy });
    expect(r.findings.filter((f) => f.ruleId === 'CPR003').map((f) => f.level)).toEqual(['error']);
    const registry = {
      ...EMPTY_REGISTRY,
      models: [
        { name: 'org/c', revision: 'a'.repeat(40), source: 'https://huggingface.co/org/c', files: [], file: 'r.yml' },
      ],
    };
    const listed = await scanWith(tree(files), [refsStage], { registry });
    expect(listed.findings.filter((f) => f.ruleId === 'CPR003')).toHaveLength(3);
  });
});
