import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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

  it("a whole module of the saving script's class (__main__.TinyNet): only the note that torch.load refuses it", () => {
    // The class is the loading program's own (pickle.py find_class('__main__', …)), only instantiated: nothing the
    // file brings runs. torch.load's default weights_only=True still refuses the module classes.
    const got = findings.get('torch_full_module_zip.pt') ?? [];
    expect(got.map((f) => [f.ruleId, f.level])).toEqual([['CPI119', 'note']]);
    expect(got[0]!.location.member).toBe('torch_full_module_zip/data.pkl');
  });

  it('the policy allowlist extends the built-in one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cp-allowed-globals-'));
    try {
      // An object of a class of an installed package nobody listed: CPI002 until the policy names it.
      writeFileSync(path.join(dir, 'net.pkl'), Buffer.from('\x80\x02cmymodels.nets\nTinyNet\n)\x81}b.', 'latin1'));
      const rules = async (policy?: Policy) =>
        ((await inspectFolder(dir, policy)).get('net.pkl') ?? []).map((f) => f.ruleId);
      expect(await rules()).toEqual(['CPI002']);
      const models = { ...DEFAULT_POLICY.models, allowedGlobals: ['mymodels.nets.*'] };
      expect(await rules({ ...DEFAULT_POLICY, models })).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
