import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signaturesStage } from '../../src/verify/stage.js';
import { scanWith } from '../helpers/scan.js';
import { blockNetwork, modelsSignedBy, writeModelSignature } from './helpers.js';

beforeAll(blockNetwork);

/**
 * A signed file that is there but an ignore list leaves out of the model: model_signing verify (verifying.py
 * `Config.verify`) adds the signature's recorded `ignore_paths`, its default git paths and any `--ignore-paths` to
 * the paths it skips, hashes the rest, and compares whole manifests (manifest.py `Manifest.__eq__`): the signed
 * file is absent from what it hashed and the signature fails. The file is not missing, and the finding says why.
 */
let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function signedModel(files: Record<string, string>, ignorePaths: string[]): void {
  root = mkdtempSync(path.join(tmpdir(), 'cp-ms-excluded-'));
  const dir = path.join(root, 'models/m');
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), body);
  }
  const resources = Object.entries(files)
    .map(([name, body]) => ({ name, algorithm: 'sha256', digest: sha(body) }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  writeModelSignature(
    dir,
    { method: 'files', hash_type: 'sha256', allow_symlinks: false, ignore_paths: ignorePaths },
    resources,
  );
}

const scan = (ignore: string[] = []) =>
  scanWith(root, [signaturesStage], { policy: modelsSignedBy(['ecKey'], ignore), today: '2025-06-01' });

describe('signed files an ignore list leaves out of the model', () => {
  it("the signature's own ignore_paths: one CPS008 naming the entry, never 'missing'", async () => {
    signedModel({ 'weights.bin': 'AAAA', 'docs/a.md': 'a', 'docs/b.md': 'b' }, ['docs', 'model.sig']);
    const r = await scan();
    expect(r.findings.map((f) => `${f.ruleId} ${f.location.path}`)).toEqual(['CPS008 models/m/docs/a.md']);
    const [f] = r.findings;
    expect(f!.message).toContain('models/m/docs/a.md and 1 other signed file(s) are listed in the model signature');
    expect(f!.message).toContain('ignore_paths entry "docs"');
    expect(f!.message).not.toContain('missing');
    expect(f!.evidence).toMatchObject({ ignorePath: 'docs', files: 2 });
    const status = (p: string) => r.verifications.find((v) => v.key === `file:models/m/${p}`)?.status;
    expect([status('weights.bin'), status('docs/a.md'), status('docs/b.md')]).toEqual(['verified', 'failed', 'failed']);
    // One more signed file under the entry keeps the finding's identity (--baseline, SARIF): the count is a tally.
    rmSync(root, { recursive: true, force: true });
    signedModel({ 'weights.bin': 'AAAA', 'docs/a.md': 'a', 'docs/b.md': 'b', 'docs/c.md': 'c' }, ['docs', 'model.sig']);
    expect((await scan()).findings.map((x) => x.fingerprint)).toEqual([f!.fingerprint]);
  });

  it('a signed .gitattributes was signed with --no-ignore-git-paths: compared as any file, as that verify does', async () => {
    signedModel({ 'weights.bin': 'AAAA', '.gitattributes': '*.bin filter=lfs' }, []);
    const r = await scan();
    expect(r.findings.map((f) => `${f.ruleId} ${f.location.path}`)).toEqual([]);
    const status = (p: string) => r.verifications.find((v) => v.key === `file:models/m/${p}`)?.status;
    expect([status('weights.bin'), status('.gitattributes')]).toEqual(['verified', 'verified']);
    // `model_signing verify --no-ignore-git-paths` hashes the other git paths too: an unsigned .gitignore is extra.
    writeFileSync(path.join(root, 'models/m/.gitignore'), '*.tmp');
    expect((await scan()).findings.map((f) => `${f.ruleId} ${f.location.path}`)).toEqual([
      'CPS006 models/m/.gitignore',
    ]);
  });

  it("the requirement's ignore globs (verify --ignore-paths) over a signed file", async () => {
    signedModel({ 'weights.bin': 'AAAA', 'README.md': 'hi' }, []);
    const r = await scan(['*.md']);
    expect(r.findings.map((f) => `${f.ruleId} ${f.location.path}`)).toEqual(['CPS005 models/m/README.md']);
    expect(r.findings[0]!.message).toContain(`the requirement's ignore glob "*.md" leaves it out of the model`);
  });

  it('a signed file that is gone is still missing', async () => {
    signedModel({ 'weights.bin': 'AAAA', 'docs/a.md': 'a' }, ['docs']);
    rmSync(path.join(root, 'models/m/docs/a.md'));
    const r = await scan();
    expect(r.findings.map((f) => `${f.ruleId} ${f.location.path}`)).toEqual(['CPS005 models/m/docs/a.md']);
    expect(r.findings[0]!.message).toContain('is missing');
  });
});
