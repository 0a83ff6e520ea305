import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signaturesStage } from '../../src/verify/stage.js';
import { scanWith } from '../helpers/scan.js';
import { blockNetwork, modelsSignedBy, signFiles, writeModelSignature } from './helpers.js';

beforeAll(blockNetwork);

/**
 * A folder of unsigned files dropped into a signed model (a checkpoint folder, a vendored tokenizer) is one cause:
 * model_signing verify fails the model once (manifest.py `Manifest.__eq__`), so the scan says it once, at the folder,
 * and still fails every file of it for a requirement over them (no CPS003 per file).
 */
const policy = modelsSignedBy(['ecKey'], []);

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

function signedModel(): string {
  root = mkdtempSync(path.join(tmpdir(), 'cp-ms-unsigned-'));
  const dir = path.join(root, 'models/m');
  mkdirSync(path.join(dir, 'sub'), { recursive: true });
  writeFileSync(path.join(dir, 'weights.bin'), 'AAAA');
  writeFileSync(path.join(dir, 'sub/tokenizer.json'), '{}');
  signFiles(dir, ['weights.bin', 'sub/tokenizer.json'], false);
  return dir;
}

const scan = () => scanWith(root, [signaturesStage], { policy, today: '2025-06-01' });

describe('unsigned files in a signed model folder', () => {
  it('a folder holding no signed file is one CPS006 with its count; its files all fail', async () => {
    const dir = signedModel();
    mkdirSync(path.join(dir, 'checkpoint-500/optim'), { recursive: true });
    for (const f of ['a.bin', 'b.bin', 'optim/state.pt']) writeFileSync(path.join(dir, 'checkpoint-500', f), f);
    const r = await scan();
    expect(r.findings.map((f) => `${f.ruleId} ${f.location.path}`)).toEqual(['CPS006 models/m/checkpoint-500']);
    expect(r.findings[0]!.message).toContain('holds 3 files');
    expect(r.findings[0]!.message).toContain('optim/state.pt');
    const failed = r.verifications.filter((v) => v.status === 'failed').map((v) => v.key);
    expect(failed.sort()).toEqual([
      'file:models/m/checkpoint-500/a.bin',
      'file:models/m/checkpoint-500/b.bin',
      'file:models/m/checkpoint-500/optim/state.pt',
    ]);
  });

  it('unsigned files beside signed ones stay one finding each', async () => {
    const dir = signedModel();
    writeFileSync(path.join(dir, 'sub/merges.txt'), 'x');
    writeFileSync(path.join(dir, 'evil.pkl'), 'y');
    const r = await scan();
    expect(r.findings.map((f) => `${f.ruleId} ${f.location.path}`).sort()).toEqual([
      'CPS006 models/m/evil.pkl',
      'CPS006 models/m/sub/merges.txt',
    ]);
  });

  it('a lone unsigned file in a new folder is named by its own path', async () => {
    const dir = signedModel();
    mkdirSync(path.join(dir, 'extra'));
    writeFileSync(path.join(dir, 'extra/payload.pkl'), 'z');
    const r = await scan();
    expect(r.findings.map((f) => `${f.ruleId} ${f.location.path}`)).toEqual(['CPS006 models/m/extra/payload.pkl']);
  });
});

describe('signed files gone from a signed model folder', () => {
  it('a signed folder removed whole is one CPS005 with its count; a lone missing file stays its own', async () => {
    root = mkdtempSync(path.join(tmpdir(), 'cp-ms-missing-'));
    const dir = path.join(root, 'models/m');
    mkdirSync(path.join(dir, 'onnx/fp16'), { recursive: true });
    mkdirSync(path.join(dir, 'sub'));
    const signed = ['weights.bin', 'sub/tokenizer.json', 'onnx/model.onnx', 'onnx/fp16/model.onnx', 'onnx/config.json'];
    for (const f of signed) writeFileSync(path.join(dir, f), f);
    signFiles(dir, signed, false);
    rmSync(path.join(dir, 'onnx'), { recursive: true });
    rmSync(path.join(dir, 'sub/tokenizer.json'));
    const r = await scan();
    expect(r.findings.map((f) => `${f.ruleId} ${f.location.path}`).sort()).toEqual([
      'CPS005 models/m/onnx',
      'CPS005 models/m/sub/tokenizer.json',
    ]);
    expect(r.findings.find((f) => f.location.path === 'models/m/onnx')!.message).toContain('all 3 files');
    const failed = r.verifications.filter((v) => v.status === 'failed').map((v) => v.key);
    expect(failed.sort()).toEqual([
      'file:models/m/onnx/config.json',
      'file:models/m/onnx/fp16/model.onnx',
      'file:models/m/onnx/model.onnx',
      'file:models/m/sub/tokenizer.json',
    ]);
  });

  it('a folder that keeps one of its signed files reports each missing one', async () => {
    root = mkdtempSync(path.join(tmpdir(), 'cp-ms-missing-'));
    const dir = path.join(root, 'models/m');
    mkdirSync(path.join(dir, 'onnx'), { recursive: true });
    const signed = ['weights.bin', 'onnx/a.onnx', 'onnx/b.onnx', 'onnx/c.onnx'];
    for (const f of signed) writeFileSync(path.join(dir, f), f);
    signFiles(dir, signed, false);
    rmSync(path.join(dir, 'onnx/a.onnx'));
    rmSync(path.join(dir, 'onnx/b.onnx'));
    const r = await scan();
    expect(r.findings.map((f) => `${f.ruleId} ${f.location.path}`).sort()).toEqual([
      'CPS005 models/m/onnx/a.onnx',
      'CPS005 models/m/onnx/b.onnx',
    ]);
  });
});

/**
 * model_signing's CLI writes `model.sig` to the working directory unless told otherwise (`--signature model.sig`):
 * `model_signing sign models/m` at the repository root leaves it at the root, and `verify` is given the model path.
 */
describe('a model signature beside the model folder', () => {
  function signedFromRoot(): string {
    root = mkdtempSync(path.join(tmpdir(), 'cp-ms-beside-'));
    const dir = path.join(root, 'models/m');
    mkdirSync(path.join(dir, 'sub'), { recursive: true });
    writeFileSync(path.join(dir, 'weights.bin'), 'AAAA');
    writeFileSync(path.join(dir, 'sub/tokenizer.json'), '{}');
    signFiles(dir, ['weights.bin', 'sub/tokenizer.json'], false);
    renameSync(path.join(dir, 'model.sig'), path.join(root, 'model.sig'));
    writeFileSync(path.join(root, 'README.md'), '# repo');
    return dir;
  }

  it('verifies the folder below it named as the subject', async () => {
    signedFromRoot();
    const r = await scan();
    expect(r.findings).toEqual([]);
    const statuses = r.verifications.map((v) => `${v.key} ${v.status}`).sort();
    expect(statuses).toEqual(['file:models/m/sub/tokenizer.json verified', 'file:models/m/weights.bin verified']);
  });

  it('a changed or unsigned file of that folder fails it', async () => {
    const dir = signedFromRoot();
    writeFileSync(path.join(dir, 'weights.bin'), 'BBBB');
    writeFileSync(path.join(dir, 'evil.py'), 'import os');
    const r = await scan();
    expect(r.findings.map((f) => `${f.ruleId} ${f.location.path}`).sort()).toEqual([
      'CPS004 models/m/weights.bin',
      'CPS006 models/m/evil.py',
    ]);
  });

  it('two folders of that name: one CPS007 naming both, nothing compared over its own folder', async () => {
    signedFromRoot();
    mkdirSync(path.join(root, 'backup/m/sub'), { recursive: true });
    writeFileSync(path.join(root, 'backup/m/weights.bin'), 'AAAA');
    const r = await scan();
    expect(r.findings.map((f) => f.ruleId)).toEqual(['CPS007']);
    expect(r.findings[0]!.message).toContain('(backup/m, models/m)');
  });
});

describe('ignore_paths naming the model itself', () => {
  it('`.` leaves no file to match the signature: the signature contradicts itself, as model_signing hashes none', async () => {
    root = mkdtempSync(path.join(tmpdir(), 'cp-ms-ignore-all-'));
    const dir = path.join(root, 'models/m');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'weights.bin'), 'AAAA');
    writeModelSignature(dir, { method: 'files', hash_type: 'sha256', allow_symlinks: false, ignore_paths: ['.'] }, [
      { name: 'weights.bin', algorithm: 'sha256', digest: createHash('sha256').update('AAAA').digest('hex') },
    ]);
    const r = await scan();
    expect(r.findings.map((f) => `${f.ruleId} ${f.location.path}`)).toEqual(['CPS008 models/m/weights.bin']);
    expect(r.findings[0]!.message).toContain('ignore_paths entry "."');
  });
});
