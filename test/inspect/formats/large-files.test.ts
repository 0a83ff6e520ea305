import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScanContext } from '../../../src/core/context.js';
import type { DiscoveredFile, FileFormat } from '../../../src/core/files.js';
import type { ModelAnalyser } from '../../../src/inspect/analyser.js';
import { ggufAnalyser, onnxAnalyser, safetensorsAnalyser } from '../../../src/inspect/formats/index.js';
import { gguf, onnxModel, safetensors } from './build.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'chainproof-formats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SIX_GB = 6 * 1024 ** 3;

/** A sparse file: the header is real, the multi-GB body costs no disk. A whole-file read would fail to allocate. */
function sparse(name: string, head: Buffer, size: number): DiscoveredFile {
  const abs = path.join(dir, name);
  writeFileSync(abs, head);
  truncateSync(abs, size);
  return { path: name, abs, size, dev: 0, ino: 0, mtimeMs: 0, ctimeMs: 0, format: name.split('.').pop() as FileFormat };
}

const ctx = {} as unknown as ScanContext;

describe('multi-GB model files are read by header only', () => {
  it.each<{ name: string; analyser: ModelAnalyser; file: () => DiscoveredFile }>([
    {
      name: 'safetensors with a 6 GiB tensor',
      analyser: safetensorsAnalyser,
      file: () => {
        const head = safetensors({ w: { dtype: 'F32', shape: [SIX_GB / 4], data_offsets: [0, SIX_GB] } }, 0);
        return sparse('big.safetensors', head, head.length + SIX_GB);
      },
    },
    {
      name: 'GGUF with a 6 GiB tensor',
      analyser: ggufAnalyser,
      file: () => {
        const head = gguf({ tensors: [{ name: 'w', dims: [SIX_GB / 4], type: 0, offset: 0 }] });
        return sparse('big.gguf', head, head.length + SIX_GB);
      },
    },
    {
      name: 'ONNX whose graph is followed by 6 GiB of trailing zeros (parsed as zero-length fields fail)',
      analyser: onnxAnalyser,
      file: () => sparse('big.onnx', onnxModel({ nodes: [{ op: 'Relu' }] }), SIX_GB),
    },
  ])('$name', async ({ analyser, file }) => {
    const f = file();
    const report = await analyser.analyze(f, ctx);
    if (f.path === 'big.onnx') {
      // Zero bytes are an invalid protobuf tag: reported at the first one, without reading the rest.
      expect(report.status).toBe('failed');
      expect(report.findings.map((x) => x.ruleId)).toEqual(['CPI050']);
    } else {
      expect(report).toEqual({ status: 'ok', findings: [] });
    }
  });
});
