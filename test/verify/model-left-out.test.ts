import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { scanRepository } from '../../src/app/scan.js';
import { silentLogger } from '../../src/core/context.js';
import type { ScanResult } from '../../src/core/result.js';
import { EMPTY_REGISTRY } from '../../src/core/trusted-registry.js';
import { signaturesStage } from '../../src/verify/stage.js';
import { leftOutUnder } from '../../src/verify/stage/left-out.js';
import { corpusPath } from '../helpers/corpus.js';
import { testOptions } from '../helpers/scan.js';
import { blockNetwork, modelsSignedBy, MS, RELEASED_MS, signFiles } from './helpers.js';

beforeAll(blockNetwork);

/**
 * model_signing verify hashes every file under the model folder (file.py `Serializer.serialize` over
 * `model_path.glob("**\/*")`) and fails on one the signature does not list. A scan run with `--exclude` or a narrow
 * `--include` never lists the files it leaves out: an unsigned file added to a signed model under such a glob passed
 * as verified, and a signed file the scan left out was reported missing (CPS005) although it is there.
 */
const policy = modelsSignedBy(['ecKey'], ['ignore-me', 'vendor/**']);

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** The genuine v1.1.0 key-signed sample at `models/bert` (signme-1, signme-2 signed; ignore-me in ignore_paths). */
function signedModel(files: Readonly<Record<string, string>>): void {
  root = mkdtempSync(path.join(tmpdir(), 'cp-ms-left-out-'));
  const dir = path.join(root, 'models/bert');
  cpSync(path.join(RELEASED_MS, 'v1.1.0-elliptic-key'), dir, { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
}

const scan = (sel: { include?: string[]; exclude?: string[] }): Promise<ScanResult> =>
  scanRepository({
    root,
    policy,
    registry: EMPTY_REGISTRY,
    options: testOptions(),
    include: sel.include ?? [],
    exclude: sel.exclude ?? [],
    logger: silentLogger,
    stages: [signaturesStage],
    today: '2025-01-01',
  });
const ids = (r: ScanResult) => r.findings.map((f) => `${f.ruleId} ${f.location.path}`).sort();
const statuses = (r: ScanResult) =>
  Object.fromEntries(r.verifications.filter((v) => v.key.startsWith('file:models/')).map((v) => [v.key, v.status]));

describe('files of a signed model the scan leaves out by --include / --exclude', () => {
  it.each([
    {
      name: 'an unsigned file under an exclude glob',
      files: { 'models/bert/evil.pkl': 'x' },
      sel: { exclude: ['**/*.pkl'] },
      at: 'models/bert/evil.pkl',
    },
    {
      name: 'an unsigned file in an excluded folder',
      files: { 'models/bert/extra/evil.py': 'x', 'models/bert/extra/b.py': 'y' },
      sel: { exclude: ['models/bert/extra'] },
      at: 'models/bert/extra/b.py',
    },
    {
      name: 'an unsigned file an include glob misses',
      files: { 'models/bert/evil.pkl': 'x' },
      sel: { include: ['**/signme-*', '**/model.sig'] },
      at: 'models/bert/evil.pkl',
    },
    {
      name: 'a signed file under an exclude glob (not missing: there, and not read)',
      files: {},
      sel: { exclude: ['**/signme-2'] },
      at: 'models/bert/signme-2',
    },
  ])('$name: the model is not verified (one CPS007)', async ({ files, sel, at }) => {
    signedModel(files);
    const r = await scan(sel);
    expect(ids(r)).toEqual([`CPS007 ${at}`]);
    expect(statuses(r)).toMatchObject({ 'file:models/bert/signme-1': 'unverifiable' });
    expect(r.findings[0]!.message).toContain('left out of the scan');
  });

  it('several left-out files are one cause', async () => {
    signedModel({ 'models/bert/a.pkl': 'x', 'models/bert/sub/b.pkl': 'y' });
    const r = await scan({ exclude: ['**/*.pkl'] });
    expect(ids(r)).toEqual(['CPS007 models/bert/a.pkl']);
    expect(r.findings[0]!.evidence).toMatchObject({ files: 2 });
  });

  it.each([
    { name: 'left out outside the model', files: { 'docs/x.pkl': 'x' }, sel: { exclude: ['**/*.pkl'] } },
    {
      name: "the signature's ignore_paths cover it",
      files: { 'models/bert/ignore-me': 'changed' },
      sel: { exclude: ['**/ignore-me'] },
    },
    {
      name: "the requirement's ignore globs cover it",
      files: { 'models/bert/vendor/x.pkl': 'x' },
      sel: { exclude: ['**/*.pkl'] },
    },
    { name: 'nothing left out', files: {}, sel: {} },
  ])('$name: verified', async ({ files, sel }) => {
    signedModel(files);
    const r = await scan(sel);
    expect(ids(r)).toEqual([]);
    expect(statuses(r)).toMatchObject({ 'file:models/bert/signme-1': 'verified' });
  });
});

describe('leftOutUnder', () => {
  it('stops at the scan budget and says the listing is incomplete', () => {
    signedModel({ 'models/bert/a.pkl': 'x', 'models/bert/b.pkl': 'y' });
    const all = leftOutUnder(path.join(root, 'models/bert'), 'models/bert/', (p) => p.endsWith('.pkl'), new Set(), {
      left: 100,
    });
    expect(all).toEqual({ paths: ['models/bert/a.pkl', 'models/bert/b.pkl'], truncated: false });
    const cut = leftOutUnder(path.join(root, 'models/bert'), 'models/bert/', () => true, new Set(), { left: 2 });
    expect(cut.truncated).toBe(true);
    expect(cut.paths.length).toBeLessThanOrEqual(2);
  });

  it('does not enter the folders the walk skips by name', () => {
    signedModel({ 'models/bert/node_modules/x.pkl': 'x' });
    const got = leftOutUnder(
      path.join(root, 'models/bert'),
      'models/bert/',
      () => true,
      new Set(['models/bert/node_modules']),
      { left: 100 },
    );
    expect(got.paths.filter((p) => p.includes('node_modules'))).toEqual([]);
  });
});

describe('a detached bundle whose file the scan leaves out', () => {
  const CONF = corpusPath('sigstore', 'conformance', 'bundle-verify');

  /** sigstore-conformance's happy-path bundle beside its artifact, at artifacts/a.txt. */
  function bundled(): void {
    root = mkdtempSync(path.join(tmpdir(), 'cp-detached-left-out-'));
    mkdirSync(path.join(root, 'artifacts'));
    cpSync(path.join(CONF, 'a.txt'), path.join(root, 'artifacts/a.txt'));
    cpSync(path.join(CONF, 'happy-path-v0.3/bundle.sigstore.json'), path.join(root, 'artifacts/a.txt.sigstore.json'));
  }

  it('is not checked (CPS007), and its file is not reported missing (CPS005)', async () => {
    bundled();
    const r = await scan({ exclude: ['**/*.txt'] });
    expect(ids(r)).toEqual(['CPS007 artifacts/a.txt.sigstore.json']);
    expect(r.findings[0]!.message).toContain('left out of the scan');
  });

  it('whose file does not exist is still a missing file (CPS005)', async () => {
    bundled();
    rmSync(path.join(root, 'artifacts/a.txt'));
    const r = await scan({ exclude: ['**/*.txt'] });
    expect(ids(r)).toEqual(['CPS005 artifacts/a.txt.sigstore.json']);
  });
});

describe('a single-file model signature', () => {
  /** The genuine v1.0.0 key-signed single-file sample (subject signme-1) at models/single, with `files` beside it. */
  function singleFile(files: Readonly<Record<string, string>>): void {
    root = mkdtempSync(path.join(tmpdir(), 'cp-ms-single-left-out-'));
    cpSync(path.join(MS, 'v1.0.0-elliptic-key'), path.join(root, 'models/single'), { recursive: true });
    for (const [rel, text] of Object.entries(files)) writeFileSync(path.join(root, rel), text);
  }

  it('over a file the scan leaves out is not verified (CPS007), not missing (CPS005)', async () => {
    singleFile({});
    const r = await scan({ exclude: ['**/signme-1'] });
    expect(ids(r)).toEqual(['CPS007 models/single/signme-1']);
  });

  it('is not concerned by a file beside it that the scan leaves out', async () => {
    singleFile({ 'models/single/other.pkl': 'x' });
    const r = await scan({ exclude: ['**/*.pkl'] });
    expect(ids(r)).toEqual([]);
    expect(statuses(r)).toMatchObject({ 'file:models/single/signme-1': 'verified' });
  });
});

describe('a link to a folder in a signed model (allow_symlinks)', () => {
  /** models/m/link → ../../<target>/ holding w.bin, signed through the link with allow_symlinks. */
  function linked(target: string): void {
    root = mkdtempSync(path.join(tmpdir(), 'cp-ms-left-out-link-'));
    mkdirSync(path.join(root, target));
    writeFileSync(path.join(root, target, 'w.bin'), 'weights');
    mkdirSync(path.join(root, 'models/m'), { recursive: true });
    symlinkSync(`../../${target}`, path.join(root, 'models/m/link'));
    signFiles(path.join(root, 'models/m'), ['link/w.bin'], true);
  }

  it('is never left out by an --include (the walk enters every folder): its file is missing, not unknown', async () => {
    linked('zdata');
    const r = await scan({ include: ['**/*.bin', '**/model.sig'] });
    // pathlib glob("**/*") does not descend into the link: model_signing hashes no w.bin there (model-symlinks test).
    expect(ids(r)).toEqual(['CPS005 models/m/link/w.bin']);
  });

  it('whose target the walk reached first by its own path is not reported left out', async () => {
    linked('data');
    const r = await scan({ include: ['**/*.bin', '**/model.sig'] });
    expect(ids(r).filter((id) => id.startsWith('CPS007'))).toEqual([]);
  });
});
