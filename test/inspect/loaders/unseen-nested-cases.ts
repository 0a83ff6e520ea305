import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UnseenCase } from './unseen-attacks.test.js';

const fixture = (name: string): Buffer =>
  readFileSync(join(import.meta.dirname, '../../../fixtures/loader-cases', name));

/**
 * Globals that load another blob. `torch.storage._load_from_bytes(b)` is `torch.load(io.BytesIO(b),
 * weights_only=False)` (torch/storage.py): every storage pickled by plain pickle or joblib is written that way
 * (`TypedStorage.__reduce__`), so the call is judged by what the embedded file holds.
 */
export const NESTED_CASES: readonly UnseenCase[] = [
  {
    name: 'tensors pickled by plain pickle, protocol 2 (storage bytes as _codecs.encode text)',
    loader: 'torch.storage._load_from_bytes → torch.load → _legacy_load of a storage',
    files: { 'tensors.pkl': fixture('torch_tensors_p2.pkl') },
    want: [],
  },
  {
    name: 'tensors pickled by plain pickle, protocol 4',
    loader: 'torch.storage._load_from_bytes → torch.load → _legacy_load of a storage',
    files: { 'tensors.pkl': fixture('torch_tensors_p4.pkl') },
    want: [],
  },
  {
    name: 'tensors in a zlib joblib file (streamed pickle)',
    loader: 'joblib.load → NumpyUnpickler → torch.storage._load_from_bytes',
    files: { 'tensors.joblib': fixture('torch_tensors_zlib.joblib') },
    want: [],
  },
  {
    name: '_load_from_bytes of a torch.save zip holding tensors',
    loader: 'torch.storage._load_from_bytes → torch.load → _load (data.pkl)',
    files: { 'm.pkl': fixture('load_from_bytes_benign_zip.pkl') },
    want: [],
  },
  {
    name: '_load_from_bytes of a legacy torch.save of os.system',
    loader: 'torch.storage._load_from_bytes → torch.load(weights_only=False) → _legacy_load',
    files: { 'm.pkl': fixture('load_from_bytes_evil_legacy.pkl') },
    want: ['CPI001:error'],
  },
  {
    name: '_load_from_bytes of a torch.save zip of os.system',
    loader: 'torch.storage._load_from_bytes → torch.load(weights_only=False) → _load',
    files: { 'm.pkl': fixture('load_from_bytes_evil_zip.pkl') },
    want: ['CPI001:error'],
  },
];

/**
 * dill writes numpy arrays, `type(None)`, `Ellipsis` and `NotImplemented` through helpers of its own
 * (`dill/_dill.py` `_create_array`, `_load_type`, `_eval_repr`): harmless with dill's arguments, a call forwarder,
 * a type table holding CodeType, and `eval` with others. `dill.load` is `pickle.load` with dill's `find_class`.
 */
export const DILL_CASES: readonly UnseenCase[] = [
  {
    name: 'numpy arrays and a masked array written by dill',
    loader: 'dill._dill._create_array(numpy.core.multiarray._reconstruct, …)',
    files: { 'arrays.dill': fixture('dill_numpy.dill') },
    want: [],
  },
  {
    name: 'scikit-learn model written by dill',
    loader: 'dill.load → _create_array for each fitted array',
    files: { 'model.dill': fixture('dill_logreg.dill') },
    want: [],
  },
  {
    name: 'NoneType, Ellipsis and NotImplemented written by dill',
    loader: "dill._dill._load_type('NoneType'), _eval_repr('Ellipsis')",
    files: { 'singletons.dill': fixture('dill_singletons.dill') },
    want: [],
  },
  {
    name: 'a lambda written by dill',
    loader: 'dill._dill._create_function(_create_code(…)): the file carries code',
    files: { 'fn.dill': fixture('dill_lambda.dill') },
    want: ['CPI001:error'],
  },
  {
    name: '_create_array forwarding to os.system',
    loader: 'dill._dill._create_array calls f(*args)',
    files: { 'm.pkl': fixture('dill_create_array_system.pkl') },
    want: ['CPI001:error'],
  },
  {
    name: '_eval_repr of an expression',
    loader: 'dill._dill._eval_repr is eval',
    files: { 'm.pkl': fixture('dill_eval_repr.pkl') },
    want: ['CPI001:error'],
  },
  {
    name: "_load_type('CodeType')",
    loader: 'dill._dill._load_type reads _reverse_typemap, which holds CodeType',
    files: { 'm.pkl': fixture('dill_load_type_code.pkl') },
    want: ['CPI001:error'],
  },
];
