import path from 'node:path';
import { readFileSync } from 'node:fs';
import { mkdtemp, mkdir, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import semver from 'semver';
import { ConfigError } from '../../../src/core/errors.js';
import { EMPTY_REGISTRY } from '../../../src/core/trusted-registry.js';
import { loadTrustedRegistry, RegistryError } from '../../../src/trust/registry/load.js';
import { REGISTRY_SCHEMA } from '../../../src/trust/registry/schema.js';
import { reviewedCommits } from '../../../src/refs/judge.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const CASES = 'fixtures/models-cases/registry';

async function loadError(file: string): Promise<ConfigError> {
  try {
    await loadTrustedRegistry(ROOT, [`${CASES}/${file}`]);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`${file} loaded without error`);
}

describe('loadTrustedRegistry: invalid files name the file, line, column and field', () => {
  it.each([
    { name: 'bad-sha.yml', code: 'bad-value', want: '10:17: models[0].files[1].sha256: must be 64 lowercase hex' },
    { name: 'unknown-field.yml', code: 'unknown-key', want: '6:14: models[0].licence: is not a known field' },
    { name: 'missing-reason.yml', code: 'missing-key', want: '3:5: revoked[0].reason: is required' },
    {
      name: 'escaping-path.yml',
      code: 'bad-value',
      want: '7:15: models[0].files[0].path: must be a repo-relative POSIX path',
    },
    {
      name: 'bad-signer.yml',
      code: 'bad-value',
      want: "7:13: models[0].signer: must be a signer name of the policy's signatures.signers, or a Sigstore identity written SUBJECT (issuer https://…)",
    },
    {
      name: 'hub-signer.yml',
      code: 'bad-value',
      want: '7:13: models[0].signer: cannot be checked: the entry lists no file of the repository',
    },
    {
      name: 'hub-source-commit.yml',
      code: 'bad-value',
      want: '7:19: models[0].sourceCommit: cannot be checked: the entry lists no file',
    },
    {
      name: 'repository-without-commit.yml',
      code: 'bad-value',
      want: '7:23: models[0].sourceRepository: cannot be checked alone',
    },
    { name: 'bad-yaml.yml', code: 'yaml-syntax', want: '5:1: (root): YAML syntax error' },
    { name: 'duplicate-key.yml', code: 'yaml-syntax', want: '4:5: (root): YAML syntax error' },
    {
      name: 'bad-osv.json',
      code: 'bad-value',
      want: '6:65: affected[0].ranges[0].events[0].introduced: must be a semver version',
    },
  ])('$name', async ({ name, code, want }) => {
    const err = await loadError(name);
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.code).toBe('CONFIG_REGISTRY_INVALID');
    expect(err.file).toBe(`${CASES}/${name}`);
    expect((err as RegistryError).problems.map((p) => p.code)).toEqual([code]);
    expect(err.message).toContain(`${CASES}/${name}:${want}`);
  });
});

describe('loadTrustedRegistry: a valid registry', () => {
  it('reads models, revoked, pinned packages and OSV malicious records with lines', async () => {
    const reg = await loadTrustedRegistry(ROOT, [`${CASES}/valid.yml`, `${CASES}/MAL-2024-1234.json`]);
    expect(reg.files).toEqual([`${CASES}/MAL-2024-1234.json`, `${CASES}/valid.yml`]);
    expect(reg.models).toHaveLength(1);
    expect(reg.models[0]).toMatchObject({
      name: 'minishlab/model2vec-test',
      revision: 'v0.1.0',
      signer: 'ml-release',
      line: 4,
      file: `${CASES}/valid.yml`,
    });
    expect(reg.models[0]!.files).toHaveLength(2);
    expect(reg.revoked[0]).toMatchObject({ name: 'acme/poisoned', line: 16 });
    expect(reg.packages).toEqual([expect.objectContaining({ name: 'left-pad', version: '1.3.0' })]);
    expect(Object.isFrozen(reg.models[0])).toBe(true);
    const byName = new Map(reg.malicious.map((m) => [m.name, m]));
    expect([...byName.keys()].sort()).toEqual(['evil-pkg', 'half-evil', 'typo-lodash']);
    expect(byName.get('evil-pkg')!.ranges).toEqual(['>=0.0.0']);
    expect(byName.get('typo-lodash')!.id).toBe('MAL-2024-1234');
    const half = byName.get('half-evil')!;
    expect(half.ranges).toEqual(['>=1.2.0 <1.2.5', '>=2.0.0 <=2.0.3']);
    expect(half.versions).toEqual(['1.2.0', '1.2.4']);
    const hit = (v: string) => half.ranges.some((r) => semver.satisfies(v, r, { includePrerelease: true }));
    expect([hit('1.2.4'), hit('1.2.5'), hit('2.0.3'), hit('2.0.4'), hit('1.1.9')]).toEqual([
      true,
      false,
      true,
      false,
      false,
    ]);
  });

  it('with no files: every yml/yaml/json under trusted-registry/ except the schema, recursively', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-reg-'));
    await mkdir(path.join(dir, 'trusted-registry/osv/npm'), { recursive: true });
    await copyFile(path.join(ROOT, CASES, 'valid.yml'), path.join(dir, 'trusted-registry/models.yml'));
    await copyFile(
      path.join(ROOT, CASES, 'MAL-2024-1234.json'),
      path.join(dir, 'trusted-registry/osv/npm/MAL-2024-1234.json'),
    );
    await copyFile(path.join(ROOT, 'trusted-registry/schema.json'), path.join(dir, 'trusted-registry/schema.json'));
    await writeFile(path.join(dir, 'trusted-registry/README.md'), '# not read\n');
    const reg = await loadTrustedRegistry(dir);
    expect(reg.files).toEqual(['trusted-registry/models.yml', 'trusted-registry/osv/npm/MAL-2024-1234.json']);
  });

  it('returns EMPTY_REGISTRY when there is no trusted-registry folder', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-reg-'));
    expect(await loadTrustedRegistry(dir)).toBe(EMPTY_REGISTRY);
  });

  it('refuses the same name@revision twice', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-reg-'));
    await mkdir(path.join(dir, 'trusted-registry'));
    await copyFile(path.join(ROOT, CASES, 'valid.yml'), path.join(dir, 'trusted-registry/a.yml'));
    await copyFile(path.join(ROOT, CASES, 'valid.yml'), path.join(dir, 'trusted-registry/b.yml'));
    const err = (await loadTrustedRegistry(dir).catch((e: unknown) => e)) as RegistryError;
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.problems.map((p) => `${p.code} ${p.line}`)).toEqual(['duplicate 4']);
    expect(err.message).toMatch(
      /trusted-registry\/b\.yml:4:1: models: minishlab\/model2vec-test@v0\.1\.0 is already defined at trusted-registry\/a\.yml:4/,
    );
  });

  it('keeps a ModelScope repository apart from the Hugging Face one of the same name@revision', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-reg-'));
    await mkdir(path.join(dir, 'trusted-registry'));
    const entry = (source: string) =>
      `version: 1\nmodels:\n  - name: qwen/Qwen2-0.5B\n    revision: ${'c'.repeat(40)}\n    source: ${source}\n`;
    await writeFile(path.join(dir, 'trusted-registry/hf.yml'), entry('https://huggingface.co/qwen/Qwen2-0.5B'));
    await writeFile(path.join(dir, 'trusted-registry/ms.yml'), entry('https://modelscope.cn/models/qwen/Qwen2-0.5B'));
    const reg = await loadTrustedRegistry(dir);
    expect(reg.models.map((m) => m.file)).toEqual(['trusted-registry/hf.yml', 'trusted-registry/ms.yml']);
    // The judge files them under their own keys, each with its commit.
    expect([...reviewedCommits(reg).keys()].sort()).toEqual(['modelscope:qwen/Qwen2-0.5B', 'qwen/Qwen2-0.5B']);
    // Two entries for one ModelScope repository at one commit are still one too many.
    await writeFile(
      path.join(dir, 'trusted-registry/hf.yml'),
      entry('https://www.modelscope.cn/models/qwen/Qwen2-0.5B'),
    );
    const err = (await loadTrustedRegistry(dir).catch((e: unknown) => e)) as RegistryError;
    expect(err.problems.map((p) => p.code)).toEqual(['duplicate']);
  });

  it('refuses one entry listing one file twice with different digests (a glob may stand for several)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-reg-'));
    await mkdir(path.join(dir, 'trusted-registry'));
    const entry = (p: string) =>
      `version: 1\nmodels:\n  - name: acme/enc\n    revision: v1\n    source: https://example.org/enc\n    files:\n` +
      `      - path: ${p}\n        sha256: ${'a'.repeat(64)}\n      - path: ${p}\n        sha256: ${'b'.repeat(64)}\n`;
    await writeFile(path.join(dir, 'trusted-registry/models.yml'), entry('models/enc.safetensors'));
    const err = (await loadTrustedRegistry(dir).catch((e: unknown) => e)) as RegistryError;
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.problems.map((p) => `${p.code} ${p.line}`)).toEqual(['conflict 3']);
    expect(err.message).toContain('acme/enc@v1 lists models/enc.safetensors twice with different digests');
    await writeFile(path.join(dir, 'trusted-registry/models.yml'), entry('"models/*.safetensors"'));
    expect((await loadTrustedRegistry(dir)).models).toHaveLength(1);
  });

  it('this repository registry and the shipped schema are valid and in sync', async () => {
    expect(JSON.parse(readFileSync(path.join(ROOT, 'trusted-registry/schema.json'), 'utf8'))).toEqual(REGISTRY_SCHEMA);
    const reg = await loadTrustedRegistry(ROOT);
    expect(reg.models.length).toBeGreaterThan(0);
  });
});
