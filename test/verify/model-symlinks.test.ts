import { cpSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/core/result.js';
import { signaturesStage } from '../../src/verify/stage.js';
import { scanWith } from '../helpers/scan.js';
import { blockNetwork, modelsSignedBy, MS, signFiles } from './helpers.js';

beforeAll(blockNetwork);

/**
 * model_signing refuses to serialize a model with a symbolic link in it unless the signer passed `allow_symlinks`,
 * which the signature records and `verify` uses again (`_filesystem.check_path_within_model`,
 * `serialization.check_file_or_directory`: "Cannot use … because it is a symlink"). The scan's walk follows links
 * that stay inside the scan root, so a signed file swapped for a link to identical bytes elsewhere used to verify.
 */
const policy = modelsSignedBy(['ibm', 'ecKey'], ['ignore-me']);

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** The genuine v1.0.1 keyless sample (signme-1, signme-2, ignore-me; allow_symlinks false) at `models/bert`. */
function genuine(): string {
  root = mkdtempSync(path.join(tmpdir(), 'cp-ms-links-'));
  cpSync(path.join(MS, 'v1.0.1-sigstore'), path.join(root, 'models/bert'), { recursive: true });
  return path.join(root, 'models/bert');
}

const scan = (): Promise<ScanResult> => scanWith(root, [signaturesStage], { policy, today: '2025-06-01' });
const ids = (r: ScanResult) => r.findings.map((f) => `${f.ruleId} ${f.location.path}`).sort();
const statuses = (r: ScanResult) =>
  Object.fromEntries(r.verifications.filter((v) => v.key.startsWith('file:models/')).map((v) => [v.key, v.status]));

describe('symbolic links in a signed model folder', () => {
  it('the genuine folder verifies (control)', async () => {
    genuine();
    const r = await scan();
    expect(ids(r)).toEqual([]);
    expect(statuses(r)).toMatchObject({ 'file:models/bert/signme-1': 'verified' });
  });

  it('refuses a signed file replaced by a link to the same bytes, and fails the whole model', async () => {
    const dir = genuine();
    mkdirSync(path.join(root, 'store'));
    renameSync(path.join(dir, 'signme-1'), path.join(root, 'store/signme-1'));
    symlinkSync('../../store/signme-1', path.join(dir, 'signme-1'));
    const r = await scan();
    expect(ids(r)).toEqual(['CPS004 models/bert/signme-1']);
    expect(r.findings[0]!.message).toContain('symbolic link');
    expect(r.findings[0]!.message).toContain('allow_symlinks');
    expect(statuses(r)).toMatchObject({
      'file:models/bert/signme-1': 'failed',
      'file:models/bert/signme-2': 'failed',
    });
  });

  it.each([
    ['an unsigned file added as a link out of the scan root', 'extra.pkl'],
    ['a signed file replaced by a link out of the scan root', 'signme-1'],
    ['a link to nothing', 'dangling'],
  ])('%s is refused as a link (an error), not only unreadable', async (_name, file) => {
    const dir = genuine();
    const outside = mkdtempSync(path.join(tmpdir(), 'cp-ms-outside-'));
    try {
      writeFileSync(path.join(outside, 'payload'), 'x');
      rmSync(path.join(dir, file), { force: true });
      symlinkSync(file === 'dangling' ? 'nowhere' : path.join(outside, 'payload'), path.join(dir, file));
      const r = await scan();
      const inModel = r.findings.filter((f) => f.ruleId.startsWith('CPS'));
      expect(inModel.map((f) => `${f.ruleId} ${f.location.path}`)).toEqual([`CPS004 models/bert/${file}`]);
      expect(statuses(r)).toMatchObject({ 'file:models/bert/signme-2': 'failed' });
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('a linked model folder is one finding, at the folder', async () => {
    genuine();
    renameSync(path.join(root, 'models/bert'), path.join(root, 'real-bert'));
    symlinkSync('../real-bert', path.join(root, 'models/bert'));
    const r = await scan();
    expect(ids(r)).toEqual(['CPS004 models/bert']);
    expect(r.findings[0]!.evidence).toMatchObject({ files: 2 });
  });

  it('a link above the model folder does not count: model_signing checks from the model root down', async () => {
    genuine();
    renameSync(path.join(root, 'models'), path.join(root, 'real-models'));
    symlinkSync('real-models', path.join(root, 'models'));
    const r = await scan();
    expect(ids(r)).toEqual([]);
    expect(statuses(r)).toMatchObject({ 'file:models/bert/signme-1': 'verified' });
  });

  it('a link the signer excluded (ignore_paths) does not count', async () => {
    const dir = genuine();
    rmSync(path.join(dir, 'ignore-me'));
    writeFileSync(path.join(root, 'elsewhere'), 'x');
    symlinkSync('../../elsewhere', path.join(dir, 'ignore-me'));
    expect(ids(await scan())).toEqual([]);
  });

  it('a signature made with allow_symlinks follows the link and hashes its target', async () => {
    root = mkdtempSync(path.join(tmpdir(), 'cp-ms-links-'));
    const dir = path.join(root, 'models/keyed');
    mkdirSync(path.join(root, 'store'), { recursive: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(root, 'store/weights.bin'), 'weights');
    writeFileSync(path.join(dir, 'config.json'), '{}');
    symlinkSync('../../store/weights.bin', path.join(dir, 'weights.bin'));
    signFiles(dir, ['config.json', 'weights.bin'], true);
    expect(ids(await scan())).toEqual([]);
    signFiles(dir, ['config.json', 'weights.bin'], false);
    expect(ids(await scan())).toEqual(['CPS004 models/keyed/weights.bin']);
  });
});

/**
 * model_signing lists a model with pathlib `glob("**" + "/*")` (file.py `Serializer.serialize`), and `**` never
 * descends into a linked folder (Python 3.10–3.13), even with `allow_symlinks`: the files below such a link are no part
 * of the model, whichever path the scan's walk reached them by first (it enters each real folder once).
 */
describe('a link to a folder in a model signed with allow_symlinks', () => {
  /** models/m/{config.json, link → ../../<target>/} with <target>/w.bin, signed over `signed` with allow_symlinks. */
  function linked(target: string, signed: readonly string[]): void {
    root = mkdtempSync(path.join(tmpdir(), 'cp-ms-folder-link-'));
    mkdirSync(path.join(root, target));
    writeFileSync(path.join(root, target, 'w.bin'), 'weights');
    mkdirSync(path.join(root, 'models/m'), { recursive: true });
    writeFileSync(path.join(root, 'models/m/config.json'), '{}');
    symlinkSync(`../../${target}`, path.join(root, 'models/m/link'));
    signFiles(path.join(root, 'models/m'), signed, true);
  }

  it.each(['data', 'zdata'])('signed as the signer makes it, verifies (target %s/)', async (target) => {
    linked(target, ['config.json']);
    const r = await scan();
    // Where the walk lists w.bin below the link, the policy's "models/** signed" sees an unsigned file (CPS003).
    expect(ids(r)).toEqual(target === 'zdata' ? ['CPS003 models/m/link/w.bin'] : []);
    expect(statuses(r)).toMatchObject({ 'file:models/m/config.json': 'verified' });
  });

  it.each(['data', 'zdata'])('a manifest listing a file below it is missing (target %s/)', async (target) => {
    linked(target, ['config.json', 'link/w.bin']);
    const r = await scan();
    expect(ids(r)).toEqual(['CPS005 models/m/link/w.bin']);
    expect(statuses(r)).toMatchObject({ 'file:models/m/link/w.bin': 'failed' });
  });
});
