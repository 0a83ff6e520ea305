import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FileOpener } from '../../../src/core/file-source.js';
import type { ScanContext } from '../../../src/core/context.js';
import type { DiscoveredFile, FileFormat } from '../../../src/core/files.js';
import type { AnalysisReport, ModelAnalyser } from '../../../src/inspect/analyser.js';
import { ggufSteps } from '../../../src/inspect/formats/gguf.js';
import { kerasH5Steps } from '../../../src/inspect/formats/keras-h5.js';
import { kerasArchiveSteps } from '../../../src/inspect/formats/keras.js';
import { onnxSteps } from '../../../src/inspect/formats/onnx.js';
import { analyseSource, Findings, runParser } from '../../../src/inspect/formats/report.js';
import { safetensorsSteps } from '../../../src/inspect/formats/safetensors.js';
import { savedModelPbSteps, savedModelPbtxtSteps } from '../../../src/inspect/formats/savedmodel.js';
import type { ParseSteps, RandomAccess } from '../../../src/inspect/formats/source.js';
import { bufferSource, driveSync, readAt } from '../../../src/inspect/formats/source.js';
import { tfjsManifestSteps } from '../../../src/inspect/formats/tfjs.js';
import { tfliteSteps } from '../../../src/inspect/formats/tflite.js';
import { ANALYSERS } from '../../../src/inspect/analysers.js';
import { bufferFileSource, createFileOpener } from '../../../src/io/file-source.js';
import { corpusPath } from '../../helpers/corpus.js';
import { gguf, kerasArchive, onnxModel, safetensors, savedModel, sequential } from './build.js';

type Steps = (src: RandomAccess, out: Findings) => ParseSteps<void>;

const corpus = (p: string) => readFileSync(corpusPath(p));
const FIXTURES = path.resolve('fixtures/models-inspect');
const fixture = (p: string) => readFileSync(path.join(FIXTURES, p));

/** A GGUF header past one 64 KiB window: 3,000 tensors and a 5,000-string token list. */
const bigGguf = gguf({
  kv: [
    ['tokenizer.ggml.tokens', { type: 'array-string', value: Array.from({ length: 5000 }, (_, i) => `t${i}`) }],
    ['tokenizer.chat_template', { type: 'string', value: '{{ messages }}' }],
  ],
  tensors: Array.from({ length: 3000 }, (_, i) => ({ name: `blk.${i}.w`, dims: [32], type: 0, offset: i * 128 })),
  dataLen: 3000 * 128,
});

/** Every format parser with inputs that exercise its reads: real files, built ones, hand-made fixtures. */
const PARSERS: { name: string; steps: Steps; seeds: Buffer[] }[] = [
  {
    name: 'safetensors',
    steps: safetensorsSteps,
    seeds: [
      corpus('models/real-safetensors/model2vec-test-model-int8.safetensors'),
      safetensors({ __metadata__: { a: 'b' }, x: { dtype: 'F16', shape: [2, 2], data_offsets: [0, 8] } }, 8),
      fixture('safetensors_overlap.safetensors'),
    ],
  },
  {
    name: 'gguf',
    steps: ggufSteps,
    seeds: [bigGguf, fixture('gguf_escaped_ssti.gguf'), fixture('gguf_tensor_past_end.gguf')],
  },
  {
    name: 'keras archive',
    steps: (s, o) => kerasArchiveSteps(s, o, true),
    seeds: [
      corpus('models/keras_v3_layout_lambda.keras'),
      kerasArchive(sequential([{ module: 'keras.layers', class_name: 'Dense', config: { name: 'd' } }])),
      fixture('keras_member_size_lie.keras'),
    ],
  },
  {
    name: 'keras h5',
    steps: kerasH5Steps,
    seeds: [corpus('models/keras_legacy_lambda_layout.h5'), fixture('keras_h5_escaped_lambda.h5')],
  },
  {
    name: 'onnx',
    steps: onnxSteps,
    seeds: [
      corpus('models/onnx_tiny_matmul.onnx'),
      corpus('models/onnx_external_data.onnx'),
      onnxModel({ nodes: [{ op: 'If', subgraphExternal: 'a.bin' }], functions: [{ name: 'f', domain: 'd' }] }),
    ],
  },
  {
    name: 'savedmodel',
    steps: savedModelPbSteps,
    seeds: [savedModel(['ReadFile', 'SaveV2'], ['PyFunc'], 'stderr'), fixture('savedmodel_readfile/saved_model.pb')],
  },
  {
    name: 'savedmodel text',
    steps: savedModelPbtxtSteps,
    seeds: [Buffer.from('node { name: "r" op: "ReadFile" }\n')],
  },
  {
    name: 'tflite',
    steps: tfliteSteps,
    seeds: [corpus('models/npm/mediapipe-selfie_segmentation__selfie_segmentation.tflite')],
  },
  {
    name: 'tfjs',
    steps: (s, o) => tfjsManifestSteps(s, o, false),
    seeds: [fixture('tfjs_url-weights_manifest.json')],
  },
];

const inMemory = (steps: Steps, data: Buffer): AnalysisReport =>
  runParser(bufferSource(data), new Findings('m', 'test'), 'the file', (s, o) => driveSync(steps(s, o)));

const overFile = (steps: Steps, data: Buffer, windowSize: number): Promise<AnalysisReport> =>
  analyseSource(bufferFileSource('m', data), new Findings('m', 'test'), 'the file', steps, windowSize);

/** Flip or overwrite bytes of a seed with an extreme length. */
const mutated = (seed: Buffer) =>
  fc
    .array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean()), { minLength: 1, maxLength: 6 })
    .map((edits) => {
      const b = Buffer.from(seed);
      for (const [at, byte, long] of edits) {
        const i = at % b.length;
        if (long && i + 8 <= b.length) b.writeBigUInt64LE(BigInt(byte) << 24n, i);
        else b[i] = byte;
      }
      return b;
    });

describe.each(PARSERS)('$name: the same report over a file read in windows as over bytes in memory', (p) => {
  // A 1-byte window loads exactly what each need asks for: a read the parser did not ask for first fails.
  it.each([1, 7, 4096, 64 * 1024])('window of %i bytes, every seed', async (windowSize) => {
    for (const seed of [Buffer.alloc(0), ...p.seeds]) {
      const want = inMemory(p.steps, seed);
      expect(await overFile(p.steps, seed, windowSize)).toEqual(want);
    }
  });

  it('mutated seeds, 1-byte window', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...p.seeds).chain(mutated), async (data) => {
        expect(await overFile(p.steps, data, 1)).toEqual(inMemory(p.steps, data));
      }),
      { numRuns: 40 },
    );
  });
});

describe('a parser that reads bytes it did not ask for', () => {
  function* careless(src: RandomAccess): ParseSteps<void> {
    yield* readAt(src, 0, 4);
    src.read(100, 4); // never needed
  }

  it('works over memory but fails loudly over a file, never as a clean report', async () => {
    const data = Buffer.alloc(200_000);
    expect(inMemory(careless, data).status).toBe('ok');
    await expect(overFile(careless, data, 1)).rejects.toThrow(/before they were loaded/);
  });
});

/** A FileOpener that remembers which files were opened. */
function recordingOpener(): FileOpener & { opened: string[] } {
  const inner = createFileOpener();
  const opened: string[] = [];
  return {
    opened,
    open: (abs, p) => {
      opened.push(p);
      return inner.open(abs, p);
    },
    record: (k, o, b) => inner.record(k, o, b),
    stats: () => inner.stats(),
  };
}

function discovered(rel: string, format: FileFormat, abs = path.join(FIXTURES, rel)): DiscoveredFile {
  const size = readFileSync(abs).length;
  return { path: rel, abs, size, dev: 0, ino: 0, mtimeMs: 0, ctimeMs: 0, format };
}

describe('format analysers read through the scan opener', () => {
  const analyser = (name: string): ModelAnalyser => ANALYSERS.find((a) => a.name === name)!;
  it.each([
    { name: 'safetensors', file: discovered('safetensors_overlap.safetensors', 'safetensors'), rules: ['CPI053'] },
    { name: 'gguf', file: discovered('gguf_escaped_ssti.gguf', 'gguf'), rules: ['CPI055'] },
    { name: 'keras', file: discovered('keras_module_os.keras', 'keras'), rules: ['CPI061'] },
    { name: 'keras-h5', file: discovered('keras_h5_escaped_lambda.h5', 'keras-h5'), rules: ['CPI060'] },
    { name: 'onnx', file: discovered('onnx_custom_domain.onnx', 'onnx'), rules: ['CPI066'] },
    { name: 'savedmodel', file: discovered('savedmodel_readfile/saved_model.pb', 'savedmodel'), rules: ['CPI070'] },
    { name: 'tfjs', file: discovered('tfjs_url-weights_manifest.json', 'tfjs-manifest'), rules: ['CPI076'] },
    {
      name: 'tflite',
      file: discovered(
        'selfie.tflite',
        'tflite',
        corpusPath('models/npm/mediapipe-selfie_segmentation__selfie_segmentation.tflite'),
      ),
      rules: ['CPI075'], // MediaPipe's Convolution2DTransposeBias
    },
  ])('$name: one open, its bytes counted', async ({ name, file, rules }) => {
    const files = recordingOpener();
    const report = await analyser(name).analyze(file, {
      files,
      policy: { models: { allowedGlobals: [] } },
    } as unknown as ScanContext);
    expect([...new Set(report.findings.map((f) => f.ruleId))].sort()).toEqual(rules);
    expect(files.opened).toEqual([file.path]);
    const { plugins } = files.stats().byKind;
    expect(plugins.opens).toBe(1);
    expect(plugins.bytesRead).toBeGreaterThan(0);
    // Small files are read whole in one window; the tflite's is read where the flatbuffer points.
    expect(plugins.bytesRead).toBeLessThanOrEqual(2 * file.size);
  });
});
