import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sequential, zip } from '../formats/build.js';
import { KERAS_CASES, KERAS_NESTED_CASES } from './unseen-keras-cases.js';
import { DILL_CASES, NESTED_CASES } from './unseen-nested-cases.js';
import { NAMED_FORMAT_CASES } from './unseen-named-format-cases.js';
import { NPY_CASES } from './unseen-npy-cases.js';
import { PICKLE_CASES } from './unseen-pickle-cases.js';
import { REPO_CODE_CASES, TFJS_PATH_CASES } from './unseen-repo-code-cases.js';
import { describeUnseenCases, type UnseenCase } from './unseen-runner.js';

/**
 * Cases nobody showed us, each judged by what the real loader does with the file (named in `loader`). Every case
 * is built here, in a temp folder, from hand-made bytes or from our own Debian-made fixtures under a new name.
 */
const LOADER_CASES = join(import.meta.dirname, '../../../fixtures/loader-cases');
const fixture = (name: string): Buffer => readFileSync(join(LOADER_CASES, name));

// The case shape lives beside the runner; the case files import it from here.
export type { UnseenCase };

const CASES: readonly UnseenCase[] = [
  {
    name: 'LZMA_Alone joblib stream named .pkl',
    loader: 'joblib.numpy_pickle_utils._detect_compressor (content, not name)',
    files: { 'model.pkl': fixture('evil_lzma.joblib') },
    want: ['CPI001:error'],
  },
  {
    name: 'LZMA_Alone joblib stream named .pkl.lzma',
    loader: 'joblib.numpy_pickle_utils._detect_compressor',
    files: { 'model.pkl.lzma': fixture('evil_lzma.joblib') },
    want: ['CPI001:error'],
  },
  {
    name: 'LZMA_Alone joblib stream named .bin',
    loader: 'joblib.numpy_pickle_utils._detect_compressor',
    files: { 'weights.bin': fixture('evil_lzma.joblib') },
    want: ['CPI001:error'],
  },
  {
    name: 'benign LZMA_Alone sklearn model named .pkl',
    loader: 'joblib.numpy_pickle_utils._detect_compressor',
    files: { 'logreg.pkl': fixture('logreg_lzma.joblib') },
    want: [],
  },
  {
    name: 'HDF5 external link in a legacy Keras weights file',
    loader: 'keras legacy_h5_format.load_weights_from_hdf5_group (h5py follows the link on f[name])',
    files: { 'model.h5': fixture('hdf5_external_link.h5') },
    want: ['CPI114:error'],
  },
  {
    name: 'HDF5 dataset stored in an external file',
    loader: 'h5py Dataset read of external storage (H5D contiguous external)',
    files: { 'model.h5': fixture('hdf5_external_storage.h5') },
    want: ['CPI114:error'],
  },
  {
    name: 'HDF5 soft link inside the file',
    loader: 'h5py SoftLink resolves within the same file',
    files: { 'model.h5': fixture('hdf5_soft_link.h5') },
    want: [],
  },
  {
    name: '.keras whose model.weights.h5 holds an HDF5 external link',
    loader: 'keras.src.saving.saving_lib H5IOStore (h5_file[path] follows the link before 3.12.1)',
    files: {
      'model.keras': zip([
        { name: 'metadata.json', data: '{"keras_version": "3.8.0"}' },
        { name: 'config.json', data: JSON.stringify(sequential([])) },
        { name: 'model.weights.h5', data: fixture('hdf5_external_link.h5') },
      ]),
    },
    want: ['CPI114:error'],
  },
  ...KERAS_CASES,
  ...KERAS_NESTED_CASES,
  ...NAMED_FORMAT_CASES,
  ...NPY_CASES,
  ...PICKLE_CASES,
  ...NESTED_CASES,
  ...DILL_CASES,
  ...REPO_CODE_CASES,
  ...TFJS_PATH_CASES,
];

describeUnseenCases('verdicts on unseen model files agree with the real loader', CASES);
