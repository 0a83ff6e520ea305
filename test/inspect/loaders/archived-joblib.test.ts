import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { buildTar } from '../containers/build.js';
import { zip } from '../formats/build.js';
import { describeUnseenCases, type UnseenCase } from './unseen-runner.js';

/**
 * A zlib-compressed joblib file inside an archive: SageMaker's scikit-learn container extracts model.tar.gz and
 * calls `joblib.load(os.path.join(model_dir, "model.joblib"))`, which picks zlib by its magic byte whatever the name
 * (`numpy_pickle_utils._detect_compressor`). chainproof read a member's zlib stream only under a .pkl/.pickle name, so
 * `model.joblib` (the name every SageMaker example uses), `clf.sav` or `weights.bin` holding one was reported clean.
 * A top-level file is detected by its head inflating to a pickle (compressed-head.ts `inflatesToPickle`); members
 * are now read by the same test.
 */

const LOADER_CASES = join(import.meta.dirname, '../../../fixtures/loader-cases');
const fixture = (name: string): Buffer => readFileSync(join(LOADER_CASES, name));
const evil = fixture('evil_zlib.joblib');
const benign = fixture('logreg_zlib.joblib');

const CASES: readonly UnseenCase[] = [
  {
    name: 'model.tar.gz holding a compressed model.joblib',
    loader: 'tar extraction, then joblib.load("model.joblib"): zlib by magic',
    files: { 'model.tar.gz': gzipSync(buildTar('model.joblib', evil)) },
    want: ['CPI001:error'],
  },
  {
    name: 'a zip holding a compressed clf.sav',
    loader: 'zip extraction, then joblib.load("clf.sav")',
    files: { 'bundle.zip': zip([{ name: 'pkg/clf.sav', data: evil }]) },
    want: ['CPI001:error'],
  },
  {
    name: 'a zip holding a compressed weights.bin',
    loader: 'joblib.load("weights.bin")',
    files: { 'bundle.zip': zip([{ name: 'pkg/weights.bin', data: evil }]) },
    want: ['CPI001:error'],
  },
  {
    name: 'model.tar.gz holding a genuine compressed scikit-learn model',
    loader: 'joblib.dump(LogisticRegression(), compress=3) — fixtures/loader-cases',
    files: { 'model.tar.gz': gzipSync(buildTar('model.joblib', benign)) },
    want: [],
  },
  {
    name: 'a zlib stream of text in a zip is data',
    loader: 'joblib.load would stop at its first byte ("invalid load key")',
    files: { 'bundle.zip': zip([{ name: 'notes.bin', data: deflateSync(Buffer.from('x = 1\ny = 2\n'.repeat(50))) }]) },
    want: [],
  },
];

describeUnseenCases('compressed joblib files inside archives', CASES);
