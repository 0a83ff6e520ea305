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
