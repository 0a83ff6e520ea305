import { beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedFinding } from '../../../src/core/finding.js';
import type { Policy } from '../../../src/core/policy.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
import { corpusPath } from '../../helpers/corpus.js';
import { inspectFolder } from './scan-folder.js';

const BENIGN = [
  'torch_state_dict_zip.pt',
  'torch_state_dict_legacy.pt',
  'torch_checkpoint.pth',
  'torchscript_tinynet.pt',
  'sklearn_logreg_p0.pkl',
  'sklearn_logreg_p2.pkl',
  'sklearn_logreg_p4.pkl',
  'sklearn_logreg_p5.pkl',
  'sklearn_logreg.joblib',
  'sklearn_tree_compressed.joblib',
  'numpy_float32.npy',
  'numpy_archive.npz',
];

describe('real models made by torch, numpy, scikit-learn and joblib', () => {
  let findings: Map<string, ResolvedFinding[]>;
  beforeAll(async () => {
    findings = await inspectFolder(corpusPath('models'));
  }, 60_000);

  it.each(BENIGN.map((name) => ({ name })))('$name is clean', ({ name }) => {
    expect((findings.get(name) ?? []).map((f) => `${f.ruleId} ${f.message}`)).toEqual([]);
  });

  it('a benign object array is only the note that np.load needs allow_pickle=True (CPI120)', () => {
    expect((findings.get('numpy_object_pickle.npy') ?? []).map((f) => `${f.ruleId}:${f.level}`)).toEqual([
      'CPI120:note',
    ]);
  });

  it('an .npz whose member obj is an object array is the same note: np.load refuses that member (CPI120)', () => {
    const got = findings.get('numpy_archive_compressed.npz') ?? [];
    expect(got.map((f) => [f.ruleId, f.level, f.location.member])).toEqual([['CPI120', 'note', 'obj.npy']]);
  });

  it('a pickled user class (__main__.TinyNet) is an unknown global, a warning — not a dangerous one', () => {
    const got = findings.get('torch_full_module_zip.pt') ?? [];
    expect(got.map((f) => [f.ruleId, f.level, f.evidence?.global])).toEqual([
      ['CPI002', 'warning', '__main__.TinyNet'],
    ]);
    expect(got[0]!.location.member).toBe('torch_full_module_zip/data.pkl');
  });

  it('the policy allowlist extends the built-in one', async () => {
    const policy: Policy = { ...DEFAULT_POLICY, models: { ...DEFAULT_POLICY.models, allowedGlobals: ['__main__.*'] } };
    const again = await inspectFolder(corpusPath('models'), policy);
    // Allowed by the policy, yet the default torch.load still refuses the module classes: only that note remains.
    expect((again.get('torch_full_module_zip.pt') ?? []).map((f) => f.ruleId)).toEqual(['CPI119']);
  });
});
