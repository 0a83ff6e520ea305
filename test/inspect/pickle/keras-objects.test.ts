import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, inspectFolder } from './scan-folder.js';

const DIR = path.join(FIXTURES, 'keras-objects');

/**
 * `fixtures/keras-objects/generate.py`: Keras 3 / KerasHub models pickled as `KerasSaveable.__reduce__` writes them
 * (`getattr(<model class>, '_unpickle_model')(<.keras archive in a BytesIO>)`), judged by the embedded archive.
 */
const TABLE: readonly { file: string; want: readonly { ruleId: string; level: string; archiveRules?: string }[] }[] = [
  { file: 'benign/functional-h5.pkl', want: [] },
  { file: 'benign/sequential-dict.pkl', want: [] },
  { file: 'benign/sequential-custom-objects.pkl', want: [] },
  { file: 'benign/kerashub-bert-classifier.pkl', want: [] },
  { file: 'benign/kerashub-gemma-causal-lm.pkl', want: [] },
  { file: 'malicious/lambda-bytecode.pkl', want: [{ ruleId: 'CPI112', level: 'error', archiveRules: 'CPI060' }] },
  { file: 'malicious/os-system-function.pkl', want: [{ ruleId: 'CPI112', level: 'error', archiveRules: 'CPI061' }] },
  { file: 'malicious/custom-module-layer.pkl', want: [{ ruleId: 'CPI112', level: 'error', archiveRules: 'CPI062' }] },
  { file: 'malicious/npz-weights-pickle.pkl', want: [{ ruleId: 'CPI112', level: 'error', archiveRules: 'CPI001' }] },
  // Six pickled models, each in the npz weights of the one above: past depth 4 the archive is not opened.
  { file: 'malicious/nested-too-deep.pkl', want: [{ ruleId: 'CPI112', level: 'error', archiveRules: 'CPI112' }] },
  { file: 'malicious/not-a-keras-archive.pkl', want: [{ ruleId: 'CPI112', level: 'error', archiveRules: 'CPI050' }] },
  // Keras 2 / tf_keras: pickle_utils.deserialize_model_from_bytecode(<.keras bytes>), judged by the same archive.
  { file: 'benign/keras2-sequential.pkl', want: [] },
  { file: 'benign/tf-keras-functional-p2.pkl', want: [] },
  {
    file: 'malicious/keras2-lambda-bytecode.pkl',
    want: [{ ruleId: 'CPI112', level: 'error', archiveRules: 'CPI060' }],
  },
  {
    file: 'malicious/tf-keras-custom-module-layer.pkl',
    want: [{ ruleId: 'CPI112', level: 'error', archiveRules: 'CPI062' }],
  },
  { file: 'malicious/keras2-not-an-archive.pkl', want: [{ ruleId: 'CPI112', level: 'error', archiveRules: 'CPI050' }] },
  // Keras 2.7–2.10: a numpy array holding a tar of a SavedModel folder, not opened: fail closed.
  { file: 'malicious/keras2-savedmodel-tar.pkl', want: [{ ruleId: 'CPI112', level: 'error' }] },
];

const scanned = new Map<string, ReturnType<typeof inspectFolder>>();
const scan = (folder: string) => {
  if (!scanned.has(folder)) scanned.set(folder, inspectFolder(path.join(DIR, folder)));
  return scanned.get(folder)!;
};

describe('pickled Keras models, judged by the archive _unpickle_model loads', () => {
  it.each(TABLE)('$file', async ({ file, want }) => {
    const [folder, name] = file.split('/') as [string, string];
    const got = ((await scan(folder)).get(name) ?? []).map((f) => ({
      ruleId: f.ruleId,
      level: f.level,
      ...(f.evidence?.archiveRules !== undefined ? { archiveRules: f.evidence.archiveRules } : {}),
    }));
    expect(got).toEqual(want);
  });
});
