import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, inspectFolder } from '../pickle/scan-folder.js';

const CASES = path.join(FIXTURES, 'joblib-sidecars');

/** What joblib.load does with each case (`fixtures/joblib-sidecars/generate.py`), as findings on the joblib file. */
const TABLE: readonly {
  name: string;
  root: string;
  file: string;
  want: readonly { ruleId: string; level: string; member?: string; reason?: string }[];
}[] = [
  { name: 'npy sidecars made by numpy: clean', root: 'benign-npy', file: 'model.pkl', want: [] },
  { name: 'ZF pickle with a ZF sidecar: clean', root: 'benign-zfile', file: 'model.pkl', want: [] },
  {
    name: 'a sidecar that is a pickle',
    root: 'evil-pickle-sidecar',
    file: 'model.pkl',
    want: [{ ruleId: 'CPI001', level: 'error', member: '<sidecar model.pkl_01.npy>' }],
  },
  {
    name: 'a sidecar npy with an object array',
    root: 'evil-object-npy',
    file: 'model.pkl',
    want: [{ ruleId: 'CPI001', level: 'error', member: '<sidecar model.pkl_01.npy>' }],
  },
  {
    name: 'a ZF-compressed pickle naming a .dat sidecar',
    root: 'evil-zf-main',
    file: 'model.pkl',
    want: [{ ruleId: 'CPI001', level: 'error', member: '<sidecar weights.dat>' }],
  },
  {
    name: 'a name climbing out of the scan root (never read)',
    root: 'traversal/models',
    file: 'model.pkl',
    want: [{ ruleId: 'CPI110', level: 'error', reason: 'outside-root' }],
  },
  {
    name: 'an absolute name',
    root: 'absolute',
    file: 'model.pkl',
    want: [{ ruleId: 'CPI110', level: 'error', reason: 'outside-root' }],
  },
  {
    name: 'one of two npy sidecars missing',
    root: 'missing',
    file: 'model.pkl',
    want: [{ ruleId: 'CPI110', level: 'error', reason: 'missing' }],
  },
  {
    name: 'a ZF sidecar missing',
    root: 'missing-zfile',
    file: 'model.pkl',
    want: [{ ruleId: 'CPI110', level: 'error', reason: 'missing' }],
  },
];

const tmp = mkdtempSync(path.join(tmpdir(), 'cp-sidecar-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const shape = (f: { ruleId: string; level: string; location: { member?: string }; evidence?: object }) => ({
  ruleId: f.ruleId,
  level: f.level,
  ...(f.location.member !== undefined ? { member: f.location.member } : {}),
  ...(f.ruleId === 'CPI110' ? { reason: (f.evidence as { reason?: string }).reason } : {}),
});

describe('joblib NDArrayWrapper / ZNDArrayWrapper sidecars, as joblib.load opens them', () => {
  it.each(TABLE)('$name', async ({ root, file, want }) => {
    const by = await inspectFolder(path.join(CASES, root));
    const got = (by.get(file) ?? []).map(shape);
    expect(got).toEqual(want.map((w) => expect.objectContaining(w)));
  });

  it('the file a climbing name points at is never read', async () => {
    const by = await inspectFolder(path.join(CASES, 'traversal/models'));
    expect([...by.values()].flat().some((f) => f.ruleId === 'CPI001')).toBe(false);
  });

  it('a sidecar that is a symlink out of the scan root is CPI110, and not followed', async () => {
    const root = path.join(tmp, 'symlink');
    mkdirSync(root);
    copyFileSync(path.join(CASES, 'evil-pickle-sidecar/model.pkl'), path.join(root, 'model.pkl'));
    symlinkSync(path.join(CASES, 'evil-pickle-sidecar/model.pkl_01.npy'), path.join(root, 'model.pkl_01.npy'));
    const by = await inspectFolder(root);
    expect((by.get('model.pkl') ?? []).map(shape)).toEqual([
      { ruleId: 'CPI110', level: 'error', reason: 'symlink-outside-root' },
    ]);
  });

  it('a sidecar name the pickle computes (not a literal) is CPI110, never guessed', async () => {
    const root = path.join(tmp, 'computed');
    mkdirSync(root);
    const str = (t: string) => Buffer.concat([Buffer.from([0x8c, t.length]), Buffer.from(t)]); // SHORT_BINUNICODE
    // {NDArrayWrapper(): BUILD {'filename': str('model.pkl_01.npy')}} — the name comes out of a REDUCE.
    const pickle = Buffer.concat([
      Buffer.from([0x80, 0x02]),
      Buffer.from('cjoblib.numpy_pickle\nNDArrayWrapper\n', 'latin1'),
      Buffer.from([0x29, 0x81, 0x7d, 0x28]), // EMPTY_TUPLE NEWOBJ EMPTY_DICT MARK
      str('filename'),
      Buffer.from('cbuiltins\nstr\n', 'latin1'),
      str('model.pkl_01.npy'),
      Buffer.from([0x85, 0x52, 0x75, 0x62, 0x2e]), // TUPLE1 REDUCE SETITEMS BUILD STOP
    ]);
    writeFileSync(path.join(root, 'model.pkl'), pickle);
    const by = await inspectFolder(root);
    expect((by.get('model.pkl') ?? []).map(shape)).toContainEqual({
      ruleId: 'CPI110',
      level: 'error',
      reason: 'computed-name',
    });
  });
});
