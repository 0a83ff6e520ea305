import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyZip } from '../../src/discover/formats/zip-names.js';
import { inspectStage } from '../../src/inspect/stage.js';
import { corpusPath } from '../helpers/corpus.js';
import { scanWith } from '../helpers/scan.js';

/**
 * Red-team cases on format detection and container reading (fixtures/models-cases/redteam-containers, whose README
 * says where each file came from): each case folder is scanned alone, since its file's name is part of the case
 * (what the loader is). A malicious case must be judged (CPI001); a genuine one must stay free of errors.
 */
const CASES = join(import.meta.dirname, '../../fixtures/models-cases/redteam-containers');

async function findingsOf(dir: string): Promise<string[]> {
  const res = await scanWith(dir, [inspectStage]);
  return [...new Set(res.findings.map((f) => `${f.ruleId}:${f.level}`))].sort();
}

describe('red-team containers: what the loader unpickles is judged', () => {
  it.each([
    // `(0` (MARK, POP) first: _pickle.c load_pop pops the MARK; torch.load's _legacy_load unpickles any non-zip.
    { name: 'markpop-bin', loader: 'torch.load → _legacy_load → pickle.load' },
    { name: 'markpop-hf', loader: 'transformers load_state_dict → torch.load' },
    { name: 'markpop-noext', loader: 'pickle.load' },
    // A first opcode whose argument spells a GIF or MZ magic.
    { name: 'gif-markpop-model-bin', loader: 'torch.load' },
    { name: 'gif-markpop-model-pkl', loader: 'pickle.load' },
    { name: 'gif-markpop-model-pt', loader: 'torch.load' },
    { name: 'mz-markpop-model-bin', loader: 'torch.load' },
    { name: 'mz-markpop-model-pkl', loader: 'pickle.load' },
    { name: 'mz-markpop-model-pt', loader: 'torch.load' },
    // A code/ folder without <root>/constants.pkl: torch.load unpickles data.pkl normally (_is_torchscript_zip).
    { name: 'classes-codefolder', loader: 'torch.load → _load (not torch.jit.load)' },
    { name: 'classes-nested-constants', loader: 'torch.load → _load (constants.pkl not at the root)' },
    // Storage-like names read by np.load: NpzFile.__getitem__ → format.read_array → pickle.load.
    { name: 'npz-storage-name', loader: "np.load(allow_pickle=True)['version']" },
    { name: 'torch-storage-npy', loader: "np.load(allow_pickle=True)['archive/data/9']" },
    // .npy headers numpy 1.24 accepts (_read_array_header: _filter_header, safe_eval, descr_to_dtype).
    { name: 'npy-descr-dict', loader: 'np.load(allow_pickle=True)' },
    { name: 'npy-descr-set', loader: 'np.load(allow_pickle=True)' },
    { name: 'npy-shape-negative', loader: 'np.load(allow_pickle=True)' },
    { name: 'npy-shape-py2-long', loader: 'np.load(allow_pickle=True)' },
    { name: 'npy-shape-bool', loader: 'np.load(allow_pickle=True)' },
    { name: 'npy-descr-concat', loader: 'np.load(allow_pickle=True)' },
    { name: 'npy-descr-escape', loader: 'np.load(allow_pickle=True)' },
  ])('$name is judged ($loader)', async ({ name }) => {
    const got = await findingsOf(join(CASES, name));
    expect(got).toContain('CPI001:error');
    expect(got.filter((f) => f.startsWith('CPI013'))).toEqual([]);
  });

  it.each([
    // Genuine images and a PE header under pickle names fail as pickles within their first bytes: no false error.
    { name: 'genuine-gif-bin', want: [] },
    { name: 'genuine-png-bin', want: [] },
    { name: 'genuine-gif-pt', want: ['CPI016:warning'] },
    { name: 'genuine-pe-pkl', want: ['CPI016:warning'] },
    { name: 'genuine-torchscript', want: [] },
    { name: 'genuine-npz', want: [] },
    { name: 'genuine-npy-py2-long', want: [] },
  ])('$name stays as it is', async ({ name, want }) => {
    expect(await findingsOf(join(CASES, name))).toEqual(want);
  });

  it('a torch.save zip with code/ but no <root>/constants.pkl is no TorchScript archive to torch.load', async () => {
    // `__torch__.Tiny` resolves only in torch.jit's unpickler; torch.load's ordinary one meets an unknown callable
    // (not clean; its rule is the pickle judge's to choose).
    expect(await findingsOf(join(CASES, 'torchscript-global-codefolder'))).not.toEqual([]);
  });

  it.each([
    { names: ['archive/data.pkl', 'archive/code/', 'archive/version'], want: 'pytorch-zip' },
    { names: ['archive/data.pkl', 'archive/code/__torch__.py', 'archive/sub/constants.pkl'], want: 'pytorch-zip' },
    { names: ['archive/data.pkl', 'other/constants.pkl'], want: 'pytorch-zip' },
    { names: ['archive/data.pkl', 'archive/Constants.pkl'], want: 'pytorch-zip' },
    { names: ['archive/data.pkl', 'archive/code/__torch__.py', 'archive/constants.pkl'], want: 'torchscript' },
    { names: ['m/constants.pkl', 'm/data.pkl'], want: 'torchscript' },
  ])('_is_torchscript_zip: $names → $want', ({ names, want }) => {
    expect(classifyZip(names)).toBe(want);
  });

  it('the model corpus raises errors only on its crafted Keras and GGUF files', async () => {
    const res = await scanWith(corpusPath('models'), [inspectStage]);
    const errors = res.findings.filter((f) => f.level === 'error').map((f) => `${f.ruleId} ${f.location.path}`);
    expect(errors.sort()).toEqual([
      'CPI055 real-gguf/llama-2-tiny-random.chat_template_ssti.gguf',
      'CPI060 keras_legacy_lambda_layout.h5',
      'CPI060 keras_v3_layout_lambda.keras',
      'CPI061 keras_v3_layout_getfile_gadget.keras',
    ]);
  }, 120_000);
});
