import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildZip } from '../containers/build.js';
import { describeUnseenCases, type UnseenCase } from './unseen-runner.js';

/** os.system('true') pickled and zstd-compressed (fixtures/loader-cases/generate.py `zstd_pickle`). */
const evil = readFileSync(path.resolve(import.meta.dirname, '../../../fixtures/loader-cases/evil.pkl.zst'));
const LOADER = 'pandas.read_pickle (pandas/io/common.py infer_compression: ".zst" → zstandard)';

/**
 * pandas decompresses a `.zst` file by its name and unpickles it (checked with Debian's pandas 1.5.3 and
 * python3-zstandard: the payload ran). chainproof cannot decode zstd: a pickle-named one must fail the gate.
 */
const CASES: readonly UnseenCase[] = [
  { name: 'model.pkl.zst at the top level', loader: LOADER, files: { 'model.pkl.zst': evil }, want: ['CPI015:error'] },
  {
    name: 'model.pkl.zst inside a zip',
    loader: LOADER,
    files: { 'bundle.zip': buildZip([{ name: 'm/model.pkl.zst', data: evil }]) },
    want: ['CPI015:error'],
  },
  {
    name: 'control: a zstd-compressed dataset is data',
    loader: 'no loader unpickles it',
    files: { 'train.jsonl.zst': evil },
    want: [],
  },
];

describeUnseenCases('zstd-compressed pickles pandas reads by name', CASES);
