import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
import { loadPolicy, parsePolicy, readPolicy } from '../../../src/trust/policy/load.js';
import { PolicyError } from '../../../src/trust/policy/problems.js';
import { corpusPath } from '../../helpers/corpus.js';

const VALID = path.resolve('fixtures/policies/valid');
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'chainproof-policy-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function repoWith(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(tmp, 'repo-'));
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), text);
  }
  return root;
}

describe('finding the policy file', () => {
  it.each([
    { name: 'no file: embedded default', files: {}, want: '<embedded default policy>' },
    {
      name: '.chainproof/policy.yml',
      files: { '.chainproof/policy.yml': 'version: 1\n' },
      want: '.chainproof/policy.yml',
    },
    {
      name: 'chainproof.policy.yml',
      files: { 'chainproof.policy.yml': 'version: 1\n' },
      want: 'chainproof.policy.yml',
    },
    {
      name: '.chainproof/policy.yml wins over chainproof.policy.yml',
      files: { '.chainproof/policy.yml': 'version: 1\n', 'chainproof.policy.yml': 'version: 1\n' },
      want: '.chainproof/policy.yml',
    },
  ])('$name', async ({ files, want }) => {
    const root = await repoWith(files);
    const policy = await loadPolicy(undefined, root);
    expect(policy.source).toBe(want);
  });

  it('a given file that does not exist is a ConfigError naming it', async () => {
    const root = await repoWith({});
    const err = await loadPolicy(path.join(root, 'nope.yml'), root).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe('policy file nope.yml does not exist');
  });

  it('a discovered but broken policy stops the load (nothing scanned with a half-read policy)', async () => {
    const root = await repoWith({ '.chainproof/policy.yml': 'version: 1\nrules: {CPX004: loud}\n' });
    const err = await loadPolicy(undefined, root).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyError);
    expect((err as PolicyError).problems).toMatchObject([{ code: 'bad-value', path: ['rules', 'CPX004'], line: 2 }]);
  });

  it('a directory given as the policy is a ConfigError', async () => {
    const root = await repoWith({ 'dir/x': '' });
    await expect(loadPolicy(path.join(root, 'dir'), root)).rejects.toThrow('policy file dir is not a file');
  });
});

describe('merging over the default', () => {
  it('objects merge key by key, lists replace, suppressions keep their line', async () => {
    const p = await loadPolicy(path.join(VALID, 'merge.yml'), path.resolve('.'));
    expect(p.source).toBe('fixtures/policies/valid/merge.yml');
    // list replaced (and a trailing slash added so the prefix cannot match another host)
    expect(p.dependencies.allowedRegistries).toEqual(['https://npm.acme.dev/api/npm/']);
    expect(p.dependencies.privateScopes).toEqual(['@acme']);
    // object merged: git from the file, tarball and file from the default
    expect(p.dependencies.sources).toEqual({ git: 'error', tarball: 'warning', file: 'note' });
    expect(p.dependencies.verifySignatures).toBe(true);
    expect(p.models).toEqual(DEFAULT_POLICY.models);
    expect(p.rules).toEqual({ CPX005: 'off' });
    expect(p.suppressions).toEqual([
      {
        rule: 'CPX001',
        path: 'vendor/**',
        reason: 'Vendored copy checked by the upstream team.',
        expires: '2099-12-31',
        line: 11,
      },
      { rule: 'CPX003', package: 'left-pad@1.3.0', reason: 'Tracked in SEC-7.', expires: '2020-01-31', line: 15 },
    ]);
    expect(Object.isFrozen(p.dependencies.sources)).toBe(true);
  });

  it('an expired suppression loads (it becomes a CPX004 finding at scan time, not a load error)', async () => {
    const p = await loadPolicy('fixtures/policies/broken/expired-suppression.yml', '.');
    expect(p.suppressions).toMatchObject([{ rule: 'CPX005', expires: '2020-01-31', line: 3 }]);
  });

  it('the effective document keeps values as written', async () => {
    const loaded = await readPolicy(path.join(VALID, 'merge.yml'), '.');
    expect(loaded.effective['version']).toBe(1);
    expect(loaded.document?.has(['dependencies', 'sources', 'git'])).toBe(true);
    expect(loaded.document?.has(['dependencies', 'sources', 'tarball'])).toBe(false);
  });
});

describe('files a policy names', () => {
  it('resolve against the policy folder and are checked: P-256, P-384, Ed25519 keys, inline PEM, a CA', async () => {
    const p = await loadPolicy(path.join(VALID, 'signers.yml'), '.');
    const { signers } = p.signatures;
    // The policy names the public-good root where the corpora sit beside the checkout (../shared/corpora).
    expect(p.signatures.trustedRoot).toBe(path.resolve('../shared/corpora/sigstore/public-good/trusted_root.json'));
    expect(signers['p384-key']).toEqual({ kind: 'key', key: path.resolve('fixtures/policies/keys/p384-public.pem') });
    expect(signers['p256-key']).toEqual({ kind: 'key', key: path.resolve('fixtures/policies/keys/p256-public.pem') });
    expect(signers['corp-ca']).toEqual({ kind: 'certificate', ca: path.resolve('fixtures/policies/keys/ca-cert.pem') });
    expect(signers['inline-key']).toMatchObject({
      kind: 'key',
      key: expect.stringContaining('-----BEGIN PUBLIC KEY-----'),
    });
    expect(signers['brian']).toEqual({
      kind: 'sigstore',
      issuer: 'https://github.com/login/oauth',
      subject: 'brian@dehamer.com',
    });
    expect(p.signatures.registry).toEqual({ required: true, signers: ['release-workflow'] });
    expect(p.signatures.require).toEqual([{ paths: ['models/**'], signers: ['release-workflow', 'p384-key'] }]);
  });

  it.each([
    {
      name: 'trustedRoot that is not JSON',
      yaml: 'signatures:\n  trustedRoot: ../keys/p256-public.pem\n',
      code: 'bad-value',
      line: 3,
    },
    {
      name: 'trustedRoot that is JSON but not a trusted root',
      yaml: `signatures:\n  trustedRoot: ${corpusPath('sigstore/public-good/npm-registry-keys.json')}\n`,
      code: 'bad-value',
      line: 3,
    },
    {
      name: 'a pattern that only non-unicode regex syntax accepts (verifiers compile with the u flag)',
      yaml: 'signatures:\n  signers:\n    b: {kind: sigstore, issuer: https://x.example, subjectPattern: "ci\\\\-bot@acme\\\\.dev"}\n',
      code: 'bad-regex',
      line: 4,
    },
    {
      name: 'missing trustedRoot',
      yaml: 'signatures:\n  trustedRoot: nowhere/trusted_root.json\n',
      code: 'missing-file',
      line: 3,
    },
    {
      name: 'inline garbage key',
      yaml: 'signatures:\n  signers:\n    k: {kind: key, key: "-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----"}\n',
      code: 'bad-key',
      line: 4,
    },
    {
      name: 'a CA certificate given as a key',
      yaml: 'signatures:\n  signers:\n    k: {kind: key, key: ../keys/ca-cert.pem}\n',
      code: 'bad-key',
      line: 4,
    },
  ])('$name', async ({ yaml, code, line }) => {
    const run = parsePolicy(`version: 1\n${yaml}`, 'p.yml', VALID);
    const err = (await run.catch((e: unknown) => e)) as PolicyError;
    expect(err).toBeInstanceOf(PolicyError);
    expect(err.problems).toMatchObject([{ code, line }]);
  });
});

describe('the ecosystem of a package suppression', () => {
  const sup = (fields: string) =>
    `version: 1\nsuppressions:\n  - {rule: CPU001, reason: r, expires: 2099-01-01, ${fields}}\n`;

  it.each([
    { fields: 'package: six@1.16.0', want: { package: 'six@1.16.0' } },
    { fields: 'package: six@1.16.0, ecosystem: pypi', want: { package: 'six@1.16.0', ecosystem: 'pypi' } },
    { fields: 'package: "pkg:pypi/six@1.16.0"', want: { package: 'six@1.16.0', ecosystem: 'pypi' } },
    // The spelling of verifications[].key and the CycloneDX purl: the scope's @ percent-encoded.
    { fields: 'package: "pkg:npm/%40acme/x@1.0.0"', want: { package: '@acme/x@1.0.0', ecosystem: 'npm' } },
    { fields: 'package: "pkg:NPM/@acme/*", ecosystem: npm', want: { package: '@acme/*', ecosystem: 'npm' } },
  ])('$fields', async ({ fields, want }) => {
    const { policy } = await parsePolicy(sup(fields), 'p.yml', tmp);
    expect(policy.suppressions[0]).toEqual({ rule: 'CPU001', reason: 'r', expires: '2099-01-01', line: 3, ...want });
  });

  it.each([
    {
      fields: 'package: "pkg:cargo/six@1"',
      code: 'bad-value',
      message:
        'expected pkg:npm/<name>[@<version>] or pkg:pypi/<name>[@<version>]: chainproof reads npm and PyPI packages, not cargo, got "pkg:cargo/six@1"',
    },
    {
      fields: 'package: "pkg:pypi/six@1?repository_url=x"',
      code: 'bad-value',
      message:
        'expected pkg:npm/<name>[@<version>] or pkg:pypi/<name>[@<version>] (no qualifiers or subpath), got "pkg:pypi/six@1?repository_url=x"',
    },
    {
      fields: 'package: "pkg:npm/six@1", ecosystem: pypi',
      code: 'conflict',
      message: '"pypi" is not the ecosystem of the purl in package (npm)',
    },
    {
      fields: 'path: a, ecosystem: npm',
      code: 'incomplete-suppression',
      message: 'expected a package beside ecosystem: it says which package is meant',
    },
    { fields: 'package: six, ecosystem: cargo', code: 'bad-value', message: expect.any(String) as string },
  ])('$fields is refused at the suppression', async ({ fields, code, message }) => {
    const err = (await parsePolicy(sup(fields), 'p.yml', tmp).catch((e: unknown) => e)) as PolicyError;
    expect(err).toBeInstanceOf(PolicyError);
    expect(err.problems).toMatchObject([{ code, line: 3, message }]);
  });
});

describe('hostile or odd YAML', () => {
  it.each([
    {
      name: 'alias bomb',
      text: `version: 1\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`,
      code: 'yaml-syntax',
    },
    { name: 'two documents', text: 'version: 1\n---\nversion: 1\n', code: 'yaml-syntax' },
    { name: 'oversized', text: `version: 1\n# ${'x'.repeat(1024 * 1024)}\n`, code: 'too-large' },
    {
      name: 'YAML 1.1 timestamp stays a string and is checked as a date',
      text: 'version: 1\nsuppressions:\n  - {rule: CPX001, path: a, reason: r, expires: 2024-02-30}\n',
      code: 'bad-date',
    },
  ])('$name', async ({ text, code }) => {
    const err = (await parsePolicy(text, 'p.yml', tmp).catch((e: unknown) => e)) as PolicyError;
    expect(err).toBeInstanceOf(PolicyError);
    expect(err.problems.map((p) => p.code)).toContain(code);
  });
});
