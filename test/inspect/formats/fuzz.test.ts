import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseGguf } from '../../../src/inspect/formats/gguf.js';
import { parseKerasH5 } from '../../../src/inspect/formats/keras-h5.js';
import { parseKerasArchive } from '../../../src/inspect/formats/keras.js';
import { llamafileSteps } from '../../../src/inspect/formats/llamafile.js';
import { parseOnnx } from '../../../src/inspect/formats/onnx.js';
import { Findings, runParser } from '../../../src/inspect/formats/report.js';
import { parseSafetensors } from '../../../src/inspect/formats/safetensors.js';
import { parseSavedModelPb } from '../../../src/inspect/formats/savedmodel.js';
import type { RandomAccess } from '../../../src/inspect/formats/source.js';
import { bufferSource, driveSync } from '../../../src/inspect/formats/source.js';
import { parseTfjsManifest } from '../../../src/inspect/formats/tfjs.js';
import { parseTflite } from '../../../src/inspect/formats/tflite.js';
import { torchPackageSteps } from '../../../src/inspect/formats/torch-package.js';
import { torchMobileSteps } from '../../../src/inspect/formats/torch-mobile.js';
import { corpusPath } from '../../helpers/corpus.js';
import { gguf, kerasArchive, onnxModel, safetensors, savedModel, sequential, zip } from './build.js';

/** A real model file of ../shared/corpora (e.g. `models/onnx_tiny_matmul.onnx`). */
const file = (p: string) => readFileSync(corpusPath(p));

type Parser = (src: RandomAccess, out: Findings) => void;

/** Every parser with real and built seeds to mutate; `own`: a rule it reports on every file (not a parse failure). */
const PARSERS: { name: string; parse: Parser; seeds: Buffer[]; own?: string }[] = [
  {
    name: 'safetensors',
    parse: parseSafetensors,
    seeds: [
      file('models/real-safetensors/model2vec-test-model-int8.safetensors').subarray(0, 4096),
      safetensors({ __metadata__: { a: 'b' }, x: { dtype: 'F16', shape: [2, 2], data_offsets: [0, 8] } }, 8),
    ],
  },
  {
    name: 'gguf',
    parse: parseGguf,
    seeds: [
      gguf({
        kv: [
          ['tokenizer.chat_template', { type: 'string', value: '{{ messages }}' }],
          ['tokenizer.ggml.tokens', { type: 'array-string', value: ['a', 'bb'] }],
          ['general.alignment', { type: 'u32', value: 32 }],
        ],
        tensors: [{ name: 'w', dims: [32], type: 0, offset: 0 }],
        dataLen: 128,
      }),
      gguf({ version: 1, tensors: [{ name: 'w', dims: [8], type: 0, offset: 0 }], dataLen: 32 }),
    ],
  },
  {
    name: 'keras archive',
    parse: (s, o) => parseKerasArchive(s, o, true),
    seeds: [
      file('models/keras_v3_layout_lambda.keras'),
      kerasArchive(sequential([{ module: 'keras.layers', class_name: 'Dense', config: { name: 'd' } }])),
    ],
  },
  {
    name: 'keras h5',
    parse: parseKerasH5,
    seeds: [file('models/keras_legacy_lambda_layout.h5'), file('models/keras_legacy_layout.h5')],
  },
  {
    name: 'onnx',
    parse: parseOnnx,
    seeds: [
      file('models/onnx_tiny_matmul.onnx'),
      file('models/onnx_external_data.onnx'),
      onnxModel({ nodes: [{ op: 'If', subgraphExternal: 'a.bin' }], functions: [{ name: 'f', domain: 'd' }] }),
    ],
  },
  {
    name: 'savedmodel',
    parse: parseSavedModelPb,
    seeds: [savedModel(['ReadFile', 'SaveV2'], ['PyFunc'], 'stderr')],
  },
  {
    name: 'tflite',
    parse: parseTflite,
    seeds: [file('models/npm/mediapipe-selfie_segmentation__selfie_segmentation.tflite').subarray(0, 8192)],
  },
  {
    name: 'llamafile',
    parse: (s, o) => driveSync(llamafileSteps(s, o)),
    seeds: [
      Buffer.concat([
        Buffer.from("MZqFpD='\n", 'latin1'),
        Buffer.alloc(64, 0x90),
        zip([{ name: 'm.gguf', data: 'GGUF' }]),
      ]),
    ],
    own: 'CPI130',
  },
  {
    name: 'torch.package',
    parse: (s, o) => driveSync(torchPackageSteps(s, o)),
    seeds: [readFileSync(new URL('../../../fixtures/torch-package/interned.pt', import.meta.url))],
    own: 'CPI132',
  },
  {
    name: 'torch mobile flatbuffer',
    parse: (s, o) => driveSync(torchMobileSteps(s, o)),
    seeds: [readFileSync(new URL('../../../fixtures/models-benign/mobile/tinynet_flatbuffer.ptl', import.meta.url))],
  },
  {
    name: 'tfjs',
    parse: (s, o) => parseTfjsManifest(s, o, false),
    seeds: [file('models/npm/vladmandic-face-api-1.7.15/tiny_face_detector_model-weights_manifest.json')],
  },
];

/** Flip, insert, delete bytes, or overwrite 8 bytes with an extreme length, in a seed. */
const mutate = (seeds: Buffer[]) =>
  fc
    .tuple(
      fc.constantFrom(...seeds),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 3 })), {
        minLength: 1,
        maxLength: 8,
      }),
    )
    .map(([seed, edits]) => {
      let b = Buffer.from(seed);
      for (const [at, byte, kind] of edits) {
        const i = at % (b.length + 1);
        if (kind === 0 && i < b.length) b[i] = byte;
        else if (kind === 1) b = Buffer.concat([b.subarray(0, i), Buffer.from([byte]), b.subarray(i)]);
        else if (kind === 2) b = Buffer.concat([b.subarray(0, i), b.subarray(i + 1)]);
        else if (i + 8 <= b.length) b.writeBigUInt64LE(byte & 1 ? 0xffffffffffffffffn : BigInt(byte) << 40n, i);
      }
      return b;
    });

const anyBytes = fc.uint8Array({ maxLength: 4096 }).map((u) => Buffer.from(u));

/** Counts the bytes a parser asks for: work stays linear in the input, whatever it claims. */
function counted(data: Buffer): { src: RandomAccess; read: () => number } {
  const inner = bufferSource(data);
  let total = 0;
  return {
    src: {
      size: inner.size,
      read(pos, len) {
        total += len;
        return inner.read(pos, len);
      },
    },
    read: () => total,
  };
}

describe.each(PARSERS)('$name parser on random and mutated bytes', ({ parse, seeds, own }) => {
  it('never throws, reports every failure as a finding, and reads a bounded amount', () => {
    fc.assert(
      fc.property(fc.oneof(anyBytes, mutate(seeds)), (data) => {
        const { src, read } = counted(data);
        const r = runParser(src, new Findings('f', 'x'), 'the file', parse);
        if (r.status !== 'ok') expect(r.findings.length).toBeGreaterThan(0);
        for (const f of r.findings) if (f.ruleId !== own) expect(f.ruleId).toMatch(/^CPI0[5-9]\d$/);
        expect(read()).toBeLessThanOrEqual(16 * data.length + 1024 * 1024);
      }),
      { numRuns: 300 },
    );
  });

  it('is never clean on a truncated seed', () => {
    for (const seed of seeds) {
      for (const cut of [0, 3, 7, Math.floor(seed.length / 2)]) {
        const r = runParser(bufferSource(seed.subarray(0, cut)), new Findings('f', 'x'), 'the file', parse);
        if (cut === 0 && parse === parseSavedModelPb) continue; // an empty proto is a valid empty message
        expect(r.findings.length, `cut at ${cut}`).toBeGreaterThan(0);
      }
    }
  });
});

describe('regressions found by the property tests', () => {
  it('a zip member whose directory claims more compressed bytes than the file holds is refused before any read', () => {
    // fixtures/models-inspect/keras_member_size_lie.keras: fast-check's counterexample (config.json's compressed size
    // mutated to 1,114,438 in a 600-byte archive); the reader once sized a read by the claim.
    const data = readFileSync(new URL('../../../fixtures/models-inspect/keras_member_size_lie.keras', import.meta.url));
    const { src, read } = counted(data);
    const r = runParser(src, new Findings('f', 'x'), 'the file', (s, o) => parseKerasArchive(s, o, true));
    expect(r.status).not.toBe('ok');
    expect(r.findings.map((f) => f.ruleId)).toContain('CPI050');
    expect(read()).toBeLessThanOrEqual(16 * data.length + 1024 * 1024);
  });
});
