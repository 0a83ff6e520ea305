import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, inspectFolder } from '../pickle/scan-folder.js';

const DIR = path.join(FIXTURES, 'keras-archives');

/** `fixtures/keras-archives/generate.py`: what Keras's `saving_lib.load_model` would run, config first. */
const TABLE: readonly {
  file: string;
  want: readonly { ruleId: string; level: string; member?: string | undefined }[];
}[] = [
  { file: 'benign/sequential-h5.keras', want: [] },
  { file: 'benign/sequential-npz.keras', want: [] },
  { file: 'benign/builtins-activation.keras', want: [] },
  { file: 'benign/kerashub-gemma-causal-lm.keras', want: [] },
  { file: 'benign/kerashub-backbone.keras', want: [] },
  // zipfile reads bzip2 and lzma members: a config stored that way loads like a deflated one.
  { file: 'benign/sequential-lzma.keras', want: [] },
  // h5py's userblock_size=512: H5F__super_read takes the stored end-of-file address as absolute, user block included.
  { file: 'benign/userblock-dense.h5', want: [] },
  { file: 'malicious/lambda-bzip2.keras', want: [{ ruleId: 'CPI060', level: 'error', member: 'config.json' }] },
  { file: 'malicious/lambda-lzma.keras', want: [{ ruleId: 'CPI060', level: 'error', member: 'config.json' }] },
  // _load_model_from_fileobj deserializes config.json before it looks for weights.
  {
    file: 'malicious/lambda-config-only.keras',
    want: [{ ruleId: 'CPI060', level: 'error', member: 'config.json' }],
  },
  { file: 'malicious/lambda-bytecode.keras', want: [{ ruleId: 'CPI060', level: 'error', member: 'config.json' }] },
  { file: 'malicious/builtins-eval.keras', want: [{ ruleId: 'CPI061', level: 'error', member: 'config.json' }] },
  {
    file: 'malicious/os-system-function.keras',
    want: [{ ruleId: 'CPI061', level: 'error', member: 'config.json' }],
  },
  {
    file: 'malicious/kerashub-preset-download.keras',
    want: [{ ruleId: 'CPI061', level: 'error', member: 'config.json' }],
  },
  {
    file: 'malicious/custom-module-layer.keras',
    want: [{ ruleId: 'CPI062', level: 'warning', member: 'config.json' }],
  },
  {
    file: 'malicious/duplicate-key-class-name.keras',
    want: [{ ruleId: 'CPI060', level: 'error', member: 'config.json' }],
  },
  // generate_bundles.py: json.loads reads the Lambda's 600-deep `arguments`, and tf.keras runs its bytecode. Past
  // the parser's depth the text is reported unread, not skipped as though it were not JSON (it was clean before),
  // and the Lambda around it is still found.
  {
    file: 'malicious/lambda-deep-arguments.h5',
    want: [
      { ruleId: 'CPI051', level: 'error', member: undefined },
      { ruleId: 'CPI060', level: 'error', member: 'JSON at byte 984' },
    ],
  },
  // legacy_serialization.deserialize_keras_object finds a bare name only in what the loading program supplies
  // (custom_objects, a registered class) or in Keras's own tables: a layer, loss or metric Keras does not have is
  // code outside the file (modelaudit's custom_layer_attack / loss_injection / metric_injection shapes).
  {
    file: 'malicious/custom-layer-legacy.h5',
    want: [{ ruleId: 'CPI062', level: 'warning', member: expect.stringMatching(/^JSON at byte \d+$/) }],
  },
  {
    file: 'malicious/custom-loss-legacy.h5',
    want: [{ ruleId: 'CPI062', level: 'warning', member: expect.stringMatching(/^JSON at byte \d+$/) }],
  },
  {
    file: 'malicious/custom-metric-legacy.h5',
    want: [{ ruleId: 'CPI062', level: 'warning', member: expect.stringMatching(/^JSON at byte \d+$/) }],
  },
  // Keras's own layers nested in wrappers and cells, compiled with its own losses and metrics (snake-case aliases too).
  { file: 'benign/compiled-legacy.h5', want: [] },
  {
    file: 'malicious/npz-weights-pickle.keras',
    want: [{ ruleId: 'CPI001', level: 'error', member: 'model.weights.npz!layers/dense/vars.npy' }],
  },
];

const scanned = new Map<
  string,
  Promise<Map<string, { ruleId: string; level: string; location: { member?: string } }[]>>
>();
const scan = (folder: string) => {
  if (!scanned.has(folder)) scanned.set(folder, inspectFolder(path.join(DIR, folder)));
  return scanned.get(folder)!;
};

describe('Keras archives, judged in the order saving_lib.load_model reads them', () => {
  it.each(TABLE)('$file', async ({ file, want }) => {
    const [folder, name] = file.split('/') as [string, string];
    const got = ((await scan(folder)).get(name) ?? []).map((f) => ({
      ruleId: f.ruleId,
      level: f.level,
      member: f.location.member,
    }));
    expect(got).toEqual(want);
  });
});

/**
 * `fixtures/keras-archives/generate_bundles.py`: models inside archives. Extracted and handed to
 * `keras.saving.load_model`, each member is loaded as the same file outside the archive is, so it gets the same
 * verdict, named by its place in the archive.
 */
const BUNDLES: readonly { file: string; want: readonly { ruleId: string; level: string; member: string }[] }[] = [
  {
    file: 'lambda-keras-bundle.zip',
    want: [{ ruleId: 'CPI060', level: 'error', member: 'model.keras!config.json' }],
  },
  {
    file: 'lambda-keras-release.tar.gz',
    want: [{ ruleId: 'CPI060', level: 'error', member: '<gzip>!release/model.keras!config.json' }],
  },
  // tf.keras `load_model` of a Keras 2 .h5 deserializes the model_config attribute's Lambda.
  {
    file: 'lambda-h5-bundle.zip',
    want: [{ ruleId: 'CPI060', level: 'error', member: expect.stringMatching(/^model\.h5!JSON at byte \d+$/) }],
  },
  // h5py skips the user block; pickle.load of the same extracted file runs the pickle it holds.
  // (The CPI003 is the pickle reader going on past the first STOP into the block's zero padding.)
  {
    file: 'pickle-userblock-h5-bundle.zip',
    want: [
      { ruleId: 'CPI001', level: 'error', member: 'model.h5' },
      { ruleId: 'CPI003', level: 'warning', member: 'model.h5' },
    ],
  },
  { file: 'benign-release.tar.gz', want: [] },
];

describe('Keras models inside zip and tar bundles', () => {
  it.each(BUNDLES)('$file', async ({ file, want }) => {
    const got = ((await scan('bundles')).get(file) ?? []).map((f) => ({
      ruleId: f.ruleId,
      level: f.level,
      member: f.location.member,
    }));
    expect(got).toEqual(want);
  });
});
