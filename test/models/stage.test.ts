import path from 'node:path';
import { createHash } from 'node:crypto';
import {
  chmod,
  copyFile,
  cp,
  mkdir,
  mkdtemp,
  readFile,
  rename,
  rm,
  symlink,
  truncate,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { createFileOpener } from '../../src/io/file-source.js';
import { toText } from '../../src/report/text.js';
import { upsertModelEntry } from '../../src/trust/registry/add.js';
import { corpusPath } from '../helpers/corpus.js';
import { policyWith, repoWith, ruleIds, scanModels, REPO } from './helpers.js';

const FILES = {
  'models/int8.safetensors': 'real-safetensors/model2vec-test-model-int8.safetensors',
  'models/f16.safetensors': 'real-safetensors/model2vec-test-model-float16.safetensors',
  'models/tiny.gguf': 'real-gguf/llama-2-tiny-random.gguf',
  'models/state.pt': 'torch_state_dict_zip.pt',
  'models/logreg.pkl': 'sklearn_logreg_p4.pkl',
  'models/tiny.onnx': 'onnx_tiny_matmul.onnx',
};

const sha256 = (buf: Buffer) => createHash('sha256').update(buf).digest('hex');

/** A repo with the six files, every one registered under acme/bundle@1. */
async function registeredRepo(): Promise<string> {
  const dir = await repoWith(FILES);
  const files = await Promise.all(
    Object.keys(FILES).map(async (p) => {
      const buf = await readFile(path.join(dir, p));
      return { path: p, size: buf.length, sha256: sha256(buf) };
    }),
  );
  await upsertModelEntry(path.join(dir, 'trusted-registry/models.yml'), 'trusted-registry/models.yml', {
    name: 'acme/bundle',
    revision: '1',
    source: 'https://example.com/acme/bundle',
    license: 'MIT',
    files,
  });
  return dir;
}

describe('models stage against the trusted registry', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await registeredRepo();
  });

  it('records every model file with format, size and sha256, all verified', async () => {
    const r = await scanModels(dir);
    expect(ruleIds(r)).toEqual([]);
    expect(r.models.map((m) => [m.path, m.format, m.registryEntry])).toEqual([
      ['models/f16.safetensors', 'safetensors', 'acme/bundle@1'],
      ['models/int8.safetensors', 'safetensors', 'acme/bundle@1'],
      ['models/logreg.pkl', 'pickle', 'acme/bundle@1'],
      ['models/state.pt', 'pytorch-zip', 'acme/bundle@1'],
      ['models/tiny.gguf', 'gguf', 'acme/bundle@1'],
      ['models/tiny.onnx', 'onnx', 'acme/bundle@1'],
    ]);
    for (const m of r.models) {
      const buf = readFileSync(path.join(dir, m.path));
      expect(m.size).toBe(buf.length);
      expect(m.digests['sha256']).toBe(sha256(buf));
    }
    expect(r.summary.verified).toBe(6);
  });

  it('a one-byte change is CPM002 with the expected and actual digest', async () => {
    const p = path.join(dir, 'models/int8.safetensors');
    const before = await readFile(p);
    const after = Buffer.from(before);
    after[after.length - 1] = after[after.length - 1]! ^ 0x01;
    await writeFile(p, after);
    const r = await scanModels(dir);
    expect(ruleIds(r)).toEqual(['CPM002 models/int8.safetensors']);
    const f = r.findings[0]!;
    expect(f.level).toBe('error');
    expect(f.evidence).toMatchObject({
      expected: sha256(before),
      actual: sha256(after),
      field: 'sha256',
      entry: 'acme/bundle@1',
    });
    expect(f.artifact).toEqual({
      kind: 'model',
      path: 'models/int8.safetensors',
      format: 'safetensors',
      sha256: sha256(after),
    });
    expect(r.summary.failed).toBe(1);
  });

  it('a truncation is CPM002 and carries both sizes', async () => {
    const p = path.join(dir, 'models/tiny.gguf');
    const size = (await readFile(p)).length;
    await truncate(p, 1000);
    const r = await scanModels(dir);
    expect(ruleIds(r)).toEqual(['CPM002 models/tiny.gguf']);
    expect(r.findings[0]!.evidence).toMatchObject({ expectedSize: size, actualSize: 1000 });
  });

  it('two swapped files are each CPM002', async () => {
    await rename(path.join(dir, 'models/int8.safetensors'), path.join(dir, 'tmp'));
    await rename(path.join(dir, 'models/f16.safetensors'), path.join(dir, 'models/int8.safetensors'));
    await rename(path.join(dir, 'tmp'), path.join(dir, 'models/f16.safetensors'));
    const r = await scanModels(dir);
    expect(ruleIds(r)).toEqual(['CPM002 models/f16.safetensors', 'CPM002 models/int8.safetensors']);
  });

  it('a listed file that is missing is CPM004 at the registry entry', async () => {
    await rm(path.join(dir, 'models/tiny.onnx'));
    const r = await scanModels(dir);
    expect(ruleIds(r)).toEqual(['CPM004 trusted-registry/models.yml']);
    expect(r.findings[0]!.location.line).toBe(5);
    expect(r.findings[0]!.artifact).toMatchObject({ kind: 'model', path: 'models/tiny.onnx' });
  });

  // --exclude, an --include it does not match, a skipped folder: the file is there, only not scanned.
  it('a listed file the walk leaves out by choice is not CPM004', async () => {
    expect(ruleIds(await scanModels(dir, { exclude: ['models/tiny.onnx'] }))).toEqual([]);
    expect(ruleIds(await scanModels(dir, { exclude: ['models'] }))).toEqual([]);
    expect(ruleIds(await scanModels(dir, { include: ['models/*.gguf', 'trusted-registry/**'] }))).toEqual([]);
    await rm(path.join(dir, 'models/tiny.onnx'));
    expect(ruleIds(await scanModels(dir, { exclude: ['models/*.gguf'] }))).toEqual([
      'CPM004 trusted-registry/models.yml',
    ]);
  });

  it('a revoked digest is CPM003, wherever the file sits', async () => {
    const pkl = sha256(await readFile(path.join(dir, 'models/logreg.pkl')));
    await writeFile(
      path.join(dir, 'trusted-registry/revoked.yml'),
      `version: 1\nrevoked:\n  - sha256: ${pkl}\n    reason: pickles a backdoor\n`,
    );
    const r = await scanModels(dir);
    expect(ruleIds(r)).toEqual(['CPM003 models/logreg.pkl']);
    expect(r.findings[0]!.evidence).toMatchObject({
      actual: pkl,
      reason: 'pickles a backdoor',
      registry: 'trusted-registry/revoked.yml:3',
    });
  });

  it('an unregistered model is CPM001 at the policy level; the same content elsewhere is known', async () => {
    await writeFile(path.join(dir, 'extra.npy'), readFileSync(corpusPath('models/numpy_float32.npy')));
    await writeFile(
      path.join(dir, 'copy-of-int8.safetensors'),
      readFileSync(path.join(dir, 'models/int8.safetensors')),
    );
    for (const [level, want] of [
      ['note', ['CPM001 extra.npy']],
      ['error', ['CPM001 extra.npy']],
      ['off', []],
    ] as const) {
      const r = await scanModels(dir, { policy: policyWith({ unknownModel: level }) });
      expect(ruleIds(r)).toEqual(want);
      if (level !== 'off') expect(r.findings[0]!.level).toBe(level);
      expect(r.models.find((m) => m.path === 'copy-of-int8.safetensors')?.registryEntry).toBe('acme/bundle@1');
    }
  });

  it.each([
    {
      name: 'forbid pickle',
      policy: { forbiddenFormats: ['pickle'] },
      want: ['CPM006 models/logreg.pkl', 'CPM006 models/state.pt'],
    },
    { name: 'forbid pytorch', policy: { forbiddenFormats: ['pytorch'] }, want: ['CPM006 models/state.pt'] },
    {
      name: 'allow safetensors, gguf, onnx',
      policy: { allowedFormats: ['safetensors', 'gguf', 'onnx'] },
      want: ['CPM006 models/logreg.pkl', 'CPM006 models/state.pt'],
    },
    { name: 'allow all', policy: { allowedFormats: [] }, want: [] },
  ])('format policy: $name', async ({ policy, want }) => {
    const r = await scanModels(dir, { policy: policyWith(policy) });
    expect(ruleIds(r)).toEqual(want);
  });

  it('numpy object arrays count as pickle under forbiddenFormats: [pickle]', async () => {
    await writeFile(path.join(dir, 'obj.npy'), readFileSync(corpusPath('models/numpy_object_pickle.npy')));
    await writeFile(path.join(dir, 'plain.npy'), readFileSync(corpusPath('models/numpy_float32.npy')));
    const r = await scanModels(dir, { policy: policyWith({ forbiddenFormats: ['pickle'], unknownModel: 'off' }) });
    expect(ruleIds(r)).toEqual(['CPM006 models/logreg.pkl', 'CPM006 models/state.pt', 'CPM006 obj.npy']);
  });

  it('a file that vanishes before it is hashed is CPM009, never verified', async () => {
    const { walkTree } = await import('../../src/discover/walk.js');
    const { runModelsStage } = await import('../../src/models/stage.js');
    const { loadTrustedRegistry } = await import('../../src/trust/registry/load.js');
    const { DEFAULT_POLICY } = await import('../../src/trust/policy/default.js');
    const { silentLogger, noProgress } = await import('../../src/core/context.js');
    const walk = await walkTree(dir, { include: [], exclude: [], skipDirs: [] });
    await rm(path.join(dir, 'models/tiny.gguf'));
    const { buildTrustMaterial } = await import('../../src/app/trust.js');
    const trust = await buildTrustMaterial(DEFAULT_POLICY, await loadTrustedRegistry(dir), dir);
    const { ScanHasher } = await import('../../src/app/scan-digests.js');
    const digests = new ScanHasher({ cacheDir: undefined });
    const out = await runModelsStage(
      { files: walk.files, skipped: [], graphs: [], models: [] },
      {
        root: dir,
        trust,
        policy: trust.policy,
        registry: trust.registry,
        options: {
          offline: true,
          concurrency: 2,
          verifyTarballs: false,
          cacheDir: undefined,
          registry: undefined,
          shard: undefined,
          env: {},
        },
        logger: silentLogger,
        progress: noProgress,
        signal: new AbortController().signal,
        limit: (fn) => fn(),
        files: createFileOpener(),
        digests,
      },
    );
    await digests.close();
    expect(out.findings?.map((f) => f.ruleId)).toEqual(['CPM009']);
    expect(out.verifications?.find((v) => v.key === 'file:models/tiny.gguf')?.status).toBe('unverifiable');
    expect(out.findings?.[0]?.message).not.toContain(dir);
  });

  it('a symlink out of the root is CPX002 and not followed', async () => {
    await symlink(corpusPath('models/sklearn_logreg_p0.pkl'), path.join(dir, 'models/outside.pkl'));
    const r = await scanModels(dir);
    expect(ruleIds(r)).toEqual(['CPX002 models/outside.pkl']);
    expect(r.models.map((m) => m.path)).not.toContain('models/outside.pkl');
  });

  it.skipIf(process.getuid?.() === 0)('an unreadable model file is a finding', async () => {
    await chmod(path.join(dir, 'models/tiny.gguf'), 0o000);
    const r = await scanModels(dir);
    expect(ruleIds(r)).toContain('CPX001 models/tiny.gguf');
  });

  it('a model under a lying extension is CPX005 and checked as what it is', async () => {
    await writeFile(path.join(dir, 'weights.safetensors'), readFileSync(path.join(dir, 'models/logreg.pkl')));
    const r = await scanModels(dir);
    expect(ruleIds(r)).toEqual(['CPX005 weights.safetensors']);
    expect(r.findings[0]!.evidence).toEqual({ claimed: 'safetensors', detected: 'pickle' });
    expect(r.models.find((m) => m.path === 'weights.safetensors')).toMatchObject({
      format: 'pickle',
      registryEntry: 'acme/bundle@1',
    });
  });
});

describe('unknown model files: one CPM001 per folder they share (one finding per cause)', () => {
  it('a folder of unknown files is one finding with a count; a file alone in its folder, or at the root, its own', async () => {
    const dir = await repoWith({
      'ckpt/shard-0.pkl': 'sklearn_logreg_p4.pkl',
      'ckpt/shard-1.safetensors': 'real-safetensors/model2vec-test-model-int8.safetensors',
      'ckpt/shard-2.onnx': 'onnx_tiny_matmul.onnx',
      'ckpt/sub/inner.gguf': 'real-gguf/llama-2-tiny-random.gguf',
      'root.onnx': 'onnx_tiny_matmul.onnx',
      'root2.pkl': 'sklearn_logreg_p4.pkl',
    });
    // The registry records a model (another one): each unknown file is its own question.
    await upsertModelEntry(path.join(dir, 'trusted-registry/models.yml'), 'trusted-registry/models.yml', {
      name: 'acme/other',
      revision: '1',
      source: 'https://example.com/acme/other',
      files: [{ path: 'elsewhere/model.safetensors', size: 1, sha256: 'ab'.repeat(32) }],
    });
    const r = await scanModels(dir, { policy: policyWith({ unknownModel: 'error' }) });
    expect(ruleIds(r).filter((id) => id.startsWith('CPM001'))).toEqual([
      'CPM001 ckpt',
      'CPM001 ckpt/sub/inner.gguf',
      'CPM001 root.onnx',
      'CPM001 root2.pkl',
    ]);
    const folder = r.findings.find((f) => f.location.path === 'ckpt')!;
    expect(folder.level).toBe('error');
    expect(folder.evidence).toMatchObject({
      count: 3,
      formats: 'onnx, pickle, safetensors',
      first: 'ckpt/shard-0.pkl',
    });
    expect(folder.message).toContain('chainproof registry add ckpt ');
    // Every file is still listed and unverifiable on its own.
    expect(r.verifications.filter((v) => v.status === 'unverifiable')).toHaveLength(6);
    const text = toText(r, { color: false });
    expect(text).toMatch(/! ckpt\/shard-1\.safetensors/);
    expect(text).not.toMatch(/✓ ckpt\//);
    await rm(dir, { recursive: true, force: true });
  });

  it('with no model in the trusted registry, every unknown file is one finding for that one cause', async () => {
    const dir = await repoWith({
      'ckpt/shard-0.pkl': 'sklearn_logreg_p4.pkl',
      'ckpt/shard-1.safetensors': 'real-safetensors/model2vec-test-model-int8.safetensors',
      'root.onnx': 'onnx_tiny_matmul.onnx',
      'root2.pkl': 'sklearn_logreg_p4.pkl',
      'other/inner.gguf': 'real-gguf/llama-2-tiny-random.gguf',
    });
    const r = await scanModels(dir);
    expect(ruleIds(r)).toEqual(['CPM001 ckpt/shard-0.pkl']);
    const f = r.findings[0]!;
    expect(f.evidence).toMatchObject({
      count: 5,
      formats: 'gguf, onnx, pickle, safetensors',
      first: 'ckpt/shard-0.pkl',
    });
    expect(f.message).toContain('The trusted registry records no model');
    expect(f.message).toContain('ckpt/shard-0.pkl, ckpt/shard-1.safetensors, other/inner.gguf and 2 more');
    // Every file is still listed and unverifiable on its own.
    expect(r.verifications.filter((v) => v.status === 'unverifiable')).toHaveLength(5);
    await rm(dir, { recursive: true, force: true });
  });

  it('with no registry, a single unknown file keeps its own finding and advice', async () => {
    const dir = await repoWith({ 'models/tiny.onnx': 'onnx_tiny_matmul.onnx' });
    const r = await scanModels(dir);
    expect(ruleIds(r)).toEqual(['CPM001 models/tiny.onnx']);
    expect(r.findings[0]!.message).toContain('chainproof registry add models/tiny.onnx ');
    await rm(dir, { recursive: true, force: true });
  });
});

describe('Git LFS pointers (fixtures/models-cases/lfs)', () => {
  it('counts the unfetched pointers among unknown models as content not inspected', async () => {
    const dir = await repoWith({ 'models/tiny.onnx': 'onnx_tiny_matmul.onnx' });
    const oid = 'ab'.repeat(32);
    const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize 438000000\n`;
    await writeFile(path.join(dir, 'pytorch_model.bin'), pointer);
    const r = await scanModels(dir);
    expect(ruleIds(r)).toEqual(['CPM001 models/tiny.onnx']);
    expect(r.findings[0]!.message).toContain(
      '1 of them is a Git LFS pointer: the weights are not in the checkout, so their content was not inspected.',
    );
    await rm(dir, { recursive: true, force: true });
  });

  it('verifies pointers by oid without the content', async () => {
    const r = await scanModels(path.join(REPO, 'fixtures/models-cases/lfs'));
    expect(ruleIds(r)).toEqual([
      'CPM001 models/unknown.onnx',
      'CPM003 models/revoked.gguf',
      'CPM005 models/tiny.gguf',
      'CPM008 models/broken.bin',
    ]);
    const ok = r.models.find((m) => m.path === 'models/model.safetensors')!;
    expect(ok).toMatchObject({
      format: 'lfs-pointer',
      registryEntry: 'acme/lfs-demo@2024.05',
      lfs: { oid: '4321cac7c50617bea431196d9818bf1a679f037feab4efb539c48e07ebf07bc4', size: 59136 },
    });
    // The unknown pointer's weights were never read: the note says so, or the scan reads as "inspected and clean".
    expect(r.findings.find((f) => f.ruleId === 'CPM001')!.message).toContain(
      'It is a Git LFS pointer: the weights are not in the checkout, so their content was not inspected.',
    );
    const bad = r.findings.find((f) => f.ruleId === 'CPM005')!;
    expect(bad.evidence).toMatchObject({
      expected: '81f226c62d28ed4a1a9b9fa080fcd9f0cc40e0f9d5680036583ff98fbcd035cb',
      actual: '3d1fd3671c89055bb727660a19a3b521d6538b2ca5138dbed2d206ad67a413dc',
    });
  });
});

/**
 * fixtures/models-cases/hf-cache holds the layout (refs, snapshot links, config blob, registry); the two LFS blobs
 * are a third-party safetensors file, so they are written into a temp copy from ../shared/corpora at test time.
 */
async function hfCache(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cp-hf-cache-'));
  await cp(path.join(REPO, 'fixtures/models-cases/hf-cache'), dir, { recursive: true, verbatimSymlinks: true });
  const int8 = corpusPath('models/real-safetensors/model2vec-test-model-int8.safetensors');
  const blobs = {
    'models--acme--tiny': '4321cac7c50617bea431196d9818bf1a679f037feab4efb539c48e07ebf07bc4',
    'models--acme--tampered': 'a904dddd5e4de69436aeccdfda919f01b78d46b29b37f5f8b7bee3004355c3cb',
  };
  for (const [repo, name] of Object.entries(blobs)) {
    await mkdir(path.join(dir, 'hub', repo, 'blobs'), { recursive: true });
    await copyFile(int8, path.join(dir, 'hub', repo, 'blobs', name));
  }
  return dir;
}

describe('Hugging Face cache (fixtures/models-cases/hf-cache)', () => {
  it('matches snapshot files to the artifact by repo id and revision and checks blobs against their names', async () => {
    const root = await hfCache();
    const r = await scanModels(root);
    await rm(root, { recursive: true, force: true });
    const tampered = 'hub/models--acme--tampered';
    // The tampered blob holds bytes that are known-good elsewhere (acme/tiny), so its snapshot matches by content;
    // the blob itself no longer hashes to its name, which is the finding.
    expect(ruleIds(r)).toEqual([
      `CPM007 ${tampered}/blobs/a904dddd5e4de69436aeccdfda919f01b78d46b29b37f5f8b7bee3004355c3cb`,
    ]);
    const blob = r.findings.find((f) => f.ruleId === 'CPM007')!;
    expect(blob.evidence).toMatchObject({
      expected: 'a904dddd5e4de69436aeccdfda919f01b78d46b29b37f5f8b7bee3004355c3cb',
      actual: '4321cac7c50617bea431196d9818bf1a679f037feab4efb539c48e07ebf07bc4',
      algorithm: 'sha256',
    });
    expect(
      r.models.find((m) =>
        m.path.endsWith('models--acme--tiny/snapshots/0123456789abcdef0123456789abcdef01234567/model.safetensors'),
      )?.registryEntry,
    ).toBe('acme/tiny@0123456789abcdef0123456789abcdef01234567');
    // Blobs are represented by their snapshot links, not listed twice.
    expect(r.models.some((m) => m.path.includes('/blobs/'))).toBe(false);
  });
});
