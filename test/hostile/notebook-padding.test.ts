import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT, exitCodeForScan } from '../../src/cli/exit-codes.js';
import { MAX_NOTEBOOK_BYTES, MAX_SOURCE_BYTES } from '../../src/refs/search.js';
import { scanAsCli } from '../helpers/scan.js';

/**
 * A notebook whose code cell loads a model with `trust_remote_code=True`, padded where the kernel never looks:
 * metadata or an output nested 500 deep (nbformat's `json.loads` reads that; it recurses to about 1,000), or an output
 * past MAX_SOURCE_BYTES (a plot does that). The screens measured the whole file, so the padding turned CPR002 (error)
 * into one CPR011 note and the scan exited 0. The cells themselves stay bounded, and so does the file.
 */
const root = mkdtempSync(path.join(tmpdir(), 'chainproof-notebook-padding-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const CALL = [
  'from transformers import AutoModel\n',
  'm = AutoModel.from_pretrained("evil/model", trust_remote_code=True)\n',
];
const nested = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));

function notebook(source: readonly string[], extra: { metadata?: unknown; outputs?: unknown[] }): string {
  const cell = { cell_type: 'code', metadata: {}, source, outputs: extra.outputs ?? [], execution_count: null };
  return JSON.stringify({ cells: [cell], metadata: extra.metadata ?? {}, nbformat: 4, nbformat_minor: 5 });
}

async function scanNotebook(name: string, text: string) {
  const dir = path.join(root, name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'train.ipynb'), text);
  return scanAsCli(dir);
}

const image = (bytes: number) => ({ output_type: 'display_data', data: { 'image/png': 'A'.repeat(bytes) } });

describe('notebook padding outside the code cells', () => {
  it.each([
    { name: 'metadata', extra: { metadata: { pad: nested(500) } } },
    {
      name: 'output',
      extra: { outputs: [{ output_type: 'display_data', data: { 'application/json': nested(500) } }] },
    },
    { name: 'image', extra: { outputs: [image(MAX_SOURCE_BYTES)] } },
  ])('$name padding → CPR002, exit 1', async ({ name, extra }) => {
    const result = await scanNotebook(name, notebook(CALL, extra));
    expect(result.findings.map((f) => f.ruleId)).toContain('CPR002');
    expect(result.findings.map((f) => f.ruleId)).not.toContain('CPR011');
    expect(exitCodeForScan(result, 'error')).toBe(EXIT.findings);
  });

  it('code cells past MAX_SOURCE_BYTES, or a file past MAX_NOTEBOOK_BYTES, are not searched, and counted', async () => {
    const comment = `# ${'x'.repeat(MAX_SOURCE_BYTES)}\n`;
    const code = await scanNotebook('code', notebook([...CALL, comment], {}));
    expect(code.findings.map((f) => f.ruleId)).toEqual(['CPR011']);
    const file = await scanNotebook('file', notebook(CALL, { outputs: [image(MAX_NOTEBOOK_BYTES)] }));
    expect(file.findings.map((f) => f.ruleId)).toEqual(['CPR011']);
  });

  it('a code cell itself nested past the bound is still not searched, and counted', async () => {
    const deep = `x = ${'('.repeat(500)}1${')'.repeat(500)}\n`;
    const result = await scanNotebook('cell', notebook([...CALL, deep], {}));
    expect(result.findings.map((f) => f.ruleId)).toEqual(['CPR011']);
  });
});
