import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { ResolvedFinding } from '../../src/core/finding.js';
import { judgeGlobal } from '../../src/inspect/pickle/verdict.js';
import { corpusPath } from '../helpers/corpus.js';
import { FIXTURES, inspectFolder } from './pickle/scan-folder.js';

/**
 * Red-team false negatives of the pickle VM (fixtures/models-cases/redteam-pickle, written by its make.py): each
 * file has the attack's structure with a harmless payload, and must produce what the real loader's behaviour
 * calls for.
 */
const CASES: readonly { name: string; want: readonly string[]; global?: string }[] = [
  // joblib reads count * dtype.itemsize; numpy ignores a pickled elsize for float64 (descriptor.c setstate).
  // (the padding after the payload's STOP is a second pickle that leaves values behind: CPI009)
  { name: 'joblib_dtype_elsize.joblib', want: ['CPI001:error', 'CPI009:warning'], global: 'os.system' },
  // a version-3 dtype state's flags are dtype.hasobject: joblib pickle.loads what follows the wrapper.
  { name: 'joblib_dtype_hasobject_flag.joblib', want: ['CPI001:error'], global: 'os.system' },
  // _rebuild_from_type_v2 calls func(*args): getattr(pathlib.Path, 'write_text') is Path.write_text. The call of what
  // getattr returned is said in getattr's CPI001 ("called via"), not as a CPI006 of its own (one cause).
  {
    name: 'rebuild_from_type_getattr_write_text.pkl',
    want: ['CPI001:error'],
    global: 'builtins.getattr',
  },
  { name: 'rebuild_from_type_getattr_cwd.pkl', want: ['CPI001:error'], global: 'builtins.getattr' },
  { name: 'randomstate_ctor_getattr.pkl', want: ['CPI001:error'], global: 'builtins.getattr' },
  {
    name: 'rebuild_from_type_unknown_callable.pkl',
    want: ['CPI100:error'],
    global: 'chainproof_fixture.payload.run',
  },
  { name: 'rebuild_from_type_memmap.pkl', want: ['CPI001:error'], global: 'numpy.memmap' },
  { name: 'newobj_memmap.pkl', want: ['CPI001:error'], global: 'numpy.memmap' },
  {
    name: 'import_dotted_name.pt',
    want: ['CPI001:error'],
    global: 'torch._utils._import_dotted_name',
  },
  { name: 'classes_load_library.pkl', want: ['CPI001:error'], global: 'torch.classes.load_library' },
  { name: 'joblib_delete_folder.pkl', want: ['CPI001:error'], global: 'joblib.disk.delete_folder' },
  { name: 'npy_load_module.pkl', want: ['CPI001:error'], global: 'numpy.compat.py3k.npy_load_module' },
  // a structured (V16) dtype: numpy honours elsize for it, and joblib reads 128 bytes of data.
  { name: 'joblib_void16_clean.joblib', want: [] },
];

/** Rule and level of each finding, without the registry note every unregistered model gets. */
const shape = (fs: readonly ResolvedFinding[] | undefined): string[] =>
  [...new Set((fs ?? []).filter((f) => f.ruleId !== 'CPM001').map((f) => `${f.ruleId}:${f.level}`))].sort();

describe('red-team pickle cases', () => {
  let findings: Map<string, ResolvedFinding[]>;
  beforeAll(async () => {
    findings = await inspectFolder(path.join(FIXTURES, 'models-cases', 'redteam-pickle'));
  }, 60_000);

  it.each(CASES)('$name gives $want', ({ name, want, global }) => {
    const got = findings.get(name);
    expect(shape(got)).toEqual([...want].sort());
    if (global !== undefined) {
      const f = (got ?? []).find((x) => x.evidence?.['global'] === global);
      expect(f?.level).toBe('error');
    }
  });
});

describe('torch.classes.load_library in a zip taken for TorchScript', () => {
  // torch/_classes.py: `_Classes.load_library` is torch.ops.load_library (ctypes.CDLL), not a custom class.
  it.each([
    ['torch.classes', 'load_library'],
    ['torch', 'classes.load_library'],
  ])('%s + %s is dangerous even with the TorchScript names allowed', (module, name) => {
    expect(judgeGlobal(module, name, { torchscript: true }).kind).toBe('dangerous');
  });

  it('a custom class of torch.classes stays allowed there', () => {
    expect(judgeGlobal('torch.classes.quantized', 'Conv2dPackedParamsBase', { torchscript: true }).kind).toBe('safe');
  });
});

describe('genuine models stay clean', () => {
  let findings: Map<string, ResolvedFinding[]>;
  beforeAll(async () => {
    findings = await inspectFolder(corpusPath('models'));
  }, 60_000);

  it.each([
    'torch_state_dict_zip.pt',
    'torch_state_dict_legacy.pt',
    'torch_checkpoint.pth',
    'torchscript_tinynet.pt',
    'sklearn_logreg_p2.pkl',
    'sklearn_logreg_p4.pkl',
    'sklearn_logreg.joblib',
    'sklearn_tree_compressed.joblib',
    'numpy_float32.npy',
    'numpy_archive.npz',
  ])('%s has no finding', (name) => {
    expect(shape(findings.get(name))).toEqual([]);
  });

  it('no genuine torch, numpy, scikit-learn or joblib file gets an error-level finding', () => {
    const pickled = [...findings.entries()].filter(([p]) => /\.(pt|pth|pkl|joblib|npy|npz)$/.test(p));
    const errors = pickled.flatMap(([, fs]) => fs).filter((f) => f.level === 'error');
    expect(errors.map((f) => `${f.location.path} ${f.ruleId}`)).toEqual([]);
  });
});
