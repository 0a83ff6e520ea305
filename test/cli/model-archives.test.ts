import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTar, buildZip } from '../inspect/containers/build.js';
import { FIXTURES } from '../inspect/pickle/scan-folder.js';
import { runMain } from '../helpers/cli.js';
import { corpusPath } from '../helpers/corpus.js';

interface JsonFinding {
  readonly ruleId: string;
  readonly level: string;
  readonly location: { readonly path: string; readonly member?: string };
}

/** `ruleId level path (member)` of every finding a scan of `files` reports, and the exit code at --fail-on error. */
async function scan(files: Record<string, Buffer>): Promise<{ code: number; found: string[] }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-model-archives-'));
  for (const [name, data] of Object.entries(files)) writeFileSync(path.join(dir, name), data);
  const r = await runMain(['scan', dir, '--offline', '--quiet', '--format', 'json', '--fail-on', 'error']);
  const json = JSON.parse(r.stdout) as { findings: JsonFinding[] };
  const found = json.findings
    .filter((f) => f.ruleId !== 'CPM001') // no trusted registry in a temp folder
    .map((f) => `${f.ruleId} ${f.level} ${f.location.path} (${f.location.member ?? ''})`);
  return { code: r.code, found };
}

const fixture = (name: string) => readFileSync(path.join(FIXTURES, 'model-archives', name));
/** The corpora's real GGUF files (ollama's test data): one with a Jinja SSTI chat template (CVE-2024-34359 shape). */
const realGguf = (name: string) => readFileSync(corpusPath('models', 'real-gguf', name));

/**
 * Nobody loads a model bundle whole: the user extracts it and hands the member to its loader (`skops.io.load`,
 * llama.cpp / llama-cpp-python, `onnx.load`), so a member gets the verdict the same file gets alone.
 */
describe('model files inside archives, through the CLI', () => {
  beforeAll(() => import('../../src/cli/commands/scan.js'), 300_000);

  it('a GGUF whose chat template runs code, in a release .tar.gz: CPI055, exit 1', async () => {
    const ssti = realGguf('llama-2-tiny-random.chat_template_ssti.gguf');
    const r = await scan({ 'release.tar.gz': gzipSync(buildTar('llama/model.gguf', ssti)) });
    expect(r).toEqual({ code: 1, found: ['CPI055 error release.tar.gz (<gzip>!llama/model.gguf)'] });
  });

  it('a skops pipeline naming os.system, in a zip: CPI117, exit 1', async () => {
    const schema = JSON.stringify({
      __class__: 'FunctionTransformer',
      __module__: 'sklearn.preprocessing._function_transformer',
      __loader__: 'ObjectNode',
      protocol: 1,
      _skops_version: '0.9.0',
      content: { __class__: 'system', __module__: 'os', __loader__: 'TypeNode' },
    });
    const skops = buildZip([{ name: 'schema.json', data: Buffer.from(schema), deflate: true }]);
    const r = await scan({ 'bundle.zip': buildZip([{ name: 'model/pipeline.skops', data: skops }]) });
    expect(r).toEqual({ code: 1, found: ['CPI117 error bundle.zip (model/pipeline.skops!schema.json)'] });
  });

  it('ONNX external data leaving the extracted folder, in a zip and in a .tar.gz: CPI065, exit 1', async () => {
    const r = await scan({
      'bundle.zip': fixture('onnx-escape-bundle.zip'),
      'release.tar.gz': fixture('onnx-escape-release.tar.gz'),
    });
    expect(r).toEqual({
      code: 1,
      found: ['CPI065 error bundle.zip (model/model.onnx)', 'CPI065 error release.tar.gz (<gzip>!release/model.onnx)'],
    });
  });

  it('genuine GGUF and ONNX models in archives are clean, exit 0', async () => {
    const dir = { 'onnx.tar.gz': fixture('onnx-benign-release.tar.gz') };
    const gguf = realGguf('llama-2-tiny-random.gguf');
    const onnx = readFileSync(corpusPath('models', 'onnx_tiny_matmul.onnx'));
    const zip = buildZip([
      { name: 'm/model.gguf', data: gguf, deflate: true },
      { name: 'm/matmul.onnx', data: onnx },
    ]);
    expect(await scan({ ...dir, 'models.zip': zip })).toEqual({ code: 0, found: [] });
  });

  /**
   * A self-extractor: a shell stub, then a zip. Python's zipfile finds the end record in the tail (`_EndRecData`) and
   * `unzip` does too, so a `.zip` or `.keras` so made opens; torch.load (`_is_zipfile`) and np.load read byte 0, and
   * nobody opens a README as a zip, so only names whose loader finds the archive from the tail are read so.
   */
  it('a zip behind a shell stub: read where its name says zip, not in a README ending with one', async () => {
    const stub = Buffer.from('#!/bin/sh\nexec python3 -m zipfile -e "$0" "$HOME"\nexit 0\n');
    const evil = Buffer.from("cposix\nsystem\n(S'id'\ntR.", 'latin1');
    const zip = buildZip([{ name: 'model/data.pkl', data: evil, deflate: true }]);
    const keras = readFileSync(corpusPath('models', 'keras_v3_layout_lambda.keras'));
    const clean = buildZip([{ name: 'notes.txt', data: Buffer.from('hello\n') }]);
    const r = await scan({
      'bundle.zip': Buffer.concat([stub, zip]),
      'model.keras': Buffer.concat([stub, keras]),
      'clean.zip': Buffer.concat([stub, clean]),
      'README.md': Buffer.concat([Buffer.from('# model card\n'), zip]),
    });
    expect(r).toEqual({
      code: 1,
      found: ['CPI001 error bundle.zip (model/data.pkl)', 'CPI060 error model.keras (config.json)'],
    });
  });

  /** A pickle, then a zip: pickle.load (by content) reads the head, zipfile (by the end record) the archive. */
  it('a pickle with a zip behind it, named .zip: both are judged', async () => {
    const evil = Buffer.from("cposix\nsystem\n(S'id'\ntR.", 'latin1');
    const benign = Buffer.from('\x80\x02}q\x00.', 'latin1');
    const evilZip = buildZip([{ name: 'payload/data.pkl', data: evil }]);
    const cleanZip = buildZip([{ name: 'notes.txt', data: Buffer.from('hello\n') }]);
    const r = await scan({ 'head.zip': Buffer.concat([evil, cleanZip]), 'tail.zip': Buffer.concat([benign, evilZip]) });
    expect(r.code).toBe(1);
    expect(r.found.filter((f) => f.startsWith('CPI001'))).toEqual([
      'CPI001 error head.zip ()',
      'CPI001 error tail.zip (payload/data.pkl)',
    ]);
  });

  /**
   * torch.load (`_is_zipfile` reads byte 0) and pickle.load go by content: a `.keras` or `.skops` whose head is a
   * pickle runs that pickle, whatever archive zipfile finds behind it. The head keeps its pickle verdict, the polyglot
   * its CPI003 and the name its CPX005, and the name's reader still judges the zip.
   */
  it('a pickle with a zip behind it, named .keras or .skops: the head pickle is judged', async () => {
    const evil = Buffer.from("cposix\nsystem\n(S'id'\ntR.", 'latin1');
    const keras = readFileSync(corpusPath('models', 'keras_v3_layout_lambda.keras'));
    const schema = { __class__: 'system', __module__: 'os', __loader__: 'TypeNode', protocol: 1 };
    const skops = buildZip([{ name: 'schema.json', data: Buffer.from(JSON.stringify(schema)) }]);
    const r = await scan({ 'head.keras': Buffer.concat([evil, keras]), 'head.skops': Buffer.concat([evil, skops]) });
    expect([...r.found].sort()).toEqual([
      'CPI001 error head.keras ()',
      'CPI001 error head.skops ()',
      'CPI003 warning head.keras ()',
      'CPI003 warning head.skops ()',
      'CPI060 error head.keras (config.json)',
      'CPI117 error head.skops (schema.json)',
      'CPX005 warning head.keras ()',
      'CPX005 warning head.skops ()',
    ]);
  });

  /** zipfile's `_EndRecData` finds the end record behind any head: HDF5's and GGUF's too, in a file named .zip. */
  it('a zip behind an HDF5 or GGUF head, named .zip: its members are judged', async () => {
    const evil = Buffer.from("cposix\nsystem\n(S'id'\ntR.", 'latin1');
    const evilZip = buildZip([{ name: 'payload/data.pkl', data: evil }]);
    const hdf5 = Buffer.concat([Buffer.from('\x89HDF\r\n\x1a\n', 'latin1'), Buffer.alloc(504)]);
    const gguf = Buffer.concat([Buffer.from('GGUF'), Buffer.from([3, 0, 0, 0]), Buffer.alloc(56)]);
    const r = await scan({
      'hdf5head.zip': Buffer.concat([hdf5, evilZip]),
      'ggufhead.zip': Buffer.concat([gguf, evilZip]),
    });
    expect(r.found.filter((f) => f.startsWith('CPI001'))).toEqual([
      'CPI001 error ggufhead.zip (payload/data.pkl)',
      'CPI001 error hdf5head.zip (payload/data.pkl)',
    ]);
  });

  /** np.load reads a `.npy` by its magic and unpickles an object array; zipfile opens the archive behind it. */
  it('an object-array .npy with a zip behind it, named .zip: both are judged', async () => {
    const evil = Buffer.from("cposix\nsystem\n(S'id'\ntR.", 'latin1');
    const dict = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }";
    const header = Buffer.from(`${dict.padEnd(117)}\n`, 'latin1');
    const npy = Buffer.concat([Buffer.from('\x93NUMPY\x01\x00', 'latin1'), Buffer.from([118, 0]), header, evil]);
    const evilZip = buildZip([{ name: 'payload/data.pkl', data: evil }]);
    const r = await scan({ 'npyhead.zip': Buffer.concat([npy, evilZip]) });
    expect(r.found.filter((f) => f.startsWith('CPI001'))).toEqual([
      'CPI001 error npyhead.zip ()',
      'CPI001 error npyhead.zip (payload/data.pkl)',
    ]);
  });

  /**
   * The self-extractor inside a release archive: whoever extracts the tar (or the outer zip) and opens `model.zip`
   * with zipfile finds the archive behind the stub, as for the file alone. A stub before a `model.pt` is no zip to
   * torch.load (`_is_zipfile` reads byte 0), and nothing more is read of it.
   */
  it('a zip behind a shell stub, as a member of a tar or a zip: its members are judged', async () => {
    const stub = Buffer.from('#!/bin/sh\nexec python3 -m zipfile -e "$0" "$HOME"\nexit 0\n');
    const evil = Buffer.from("cposix\nsystem\n(S'id'\ntR.", 'latin1');
    const stubbed = Buffer.concat([stub, buildZip([{ name: 'model/data.pkl', data: evil, deflate: true }])]);
    const r = await scan({
      'release.tar': buildTar('release/model.zip', stubbed),
      'bundle.zip': buildZip([{ name: 'release/model.zip', data: stubbed }]),
      'release.tar.gz': gzipSync(buildTar('release/model.zip', stubbed)),
    });
    expect([...r.found].sort()).toEqual([
      'CPI001 error bundle.zip (release/model.zip!model/data.pkl)',
      'CPI001 error release.tar (release/model.zip!model/data.pkl)',
      'CPI001 error release.tar.gz (<gzip>!release/model.zip!model/data.pkl)',
    ]);
  });
});
