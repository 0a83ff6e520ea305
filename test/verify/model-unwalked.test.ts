import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/core/result.js';
import { signaturesStage } from '../../src/verify/stage.js';
import { scanWith } from '../helpers/scan.js';
import { blockNetwork, modelsSignedBy, RELEASED_MS } from './helpers.js';

beforeAll(blockNetwork);

/**
 * model_signing verify hashes every file under the model folder (file.py `Serializer.serialize` over
 * `model_path.glob("**\/*")`) but the model root's `.git`, `.gitattributes`, `.github`, `.gitignore` (hashing.py
 * `Config.hash`), and fails on any file the signature does not list. The scan's walk never enters a folder named
 * node_modules or .git, so a file added in one inside a signed model was invisible and the model verified.
 */
const policy = modelsSignedBy(['ecKey'], ['ignore-me', 'vendor/**']);

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

/**
 * The genuine v1.1.0 key-signed sample at `models/bert`: signme-1 and signme-2 signed, `ignore-me` recorded in the
 * signature's ignore_paths. `files` are written into it, over `ignore-me` when they go below it.
 */
function signedModel(files: Readonly<Record<string, string>>): void {
  root = mkdtempSync(path.join(tmpdir(), 'cp-ms-unwalked-'));
  const dir = path.join(root, 'models/bert');
  cpSync(path.join(RELEASED_MS, 'v1.1.0-elliptic-key'), dir, { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    if (rel.startsWith('ignore-me/')) rmSync(path.join(dir, 'ignore-me'));
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
}

const scan = (): Promise<ScanResult> => scanWith(root, [signaturesStage], { policy });
const ids = (r: ScanResult) => r.findings.map((f) => `${f.ruleId} ${f.location.path}`).sort();
const statuses = (r: ScanResult) =>
  Object.fromEntries(r.verifications.filter((v) => v.key.startsWith('file:models/')).map((v) => [v.key, v.status]));

describe('folders the walk skips inside a signed model', () => {
  it.each([
    { name: 'a node_modules folder', files: { 'node_modules/evil/index.js': 'x' }, at: 'models/bert/node_modules' },
    { name: 'a .git folder below the model root', files: { 'sub/.git/hooks/x': 'x' }, at: 'models/bert/sub/.git' },
  ])('$name is not verified (CPS007), and neither is the model', async ({ files, at }) => {
    signedModel(files);
    const r = await scan();
    expect(ids(r)).toEqual([`CPS007 ${at}`]);
    expect(statuses(r)).toMatchObject({
      'file:models/bert/signme-1': 'unverifiable',
      'file:models/bert/signme-2': 'unverifiable',
    });
  });

  it.each([
    { name: 'the model root is a clone (its .git is left out by model_signing)', files: { '.git/HEAD': 'x' } },
    { name: 'the signature ignores the folder', files: { 'ignore-me/node_modules/x.js': 'x' } },
    { name: "the requirement's ignore globs cover the folder", files: { 'vendor/node_modules/x.js': 'x' } },
  ])('$name: verified', async ({ files }) => {
    signedModel(files);
    const r = await scan();
    expect(ids(r)).toEqual([]);
    expect(statuses(r)).toMatchObject({ 'file:models/bert/signme-1': 'verified' });
  });
});
