import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import addDraft2019Formats from 'ajv-formats-draft2019';
import { describe, expect, it } from 'vitest';
import { npmPurl, parsePackagePurl, pypiPurl } from '../../src/core/package-key.js';
import { sriToHashes, toCycloneDx, uuidV5 } from '../../src/report/cyclonedx.js';
import type { PackageNode } from '../../src/core/records.js';
import { finding, makeResult, pkg, sampleResult } from '../action/helpers.js';
import { referenceComponents } from '../../src/report/cyclonedx-refs.js';
import { REPO } from '../helpers/cli.js';

/** The CycloneDX project's own schema copies, from the npm package (dev dependency), read where npm installed them. */
const dir = path.join(REPO, 'node_modules', '@cyclonedx', 'cyclonedx-library', 'res', 'schema');
const load = (f: string) => JSON.parse(readFileSync(path.join(dir, f), 'utf8'));

/**
 * CycloneDX 1.6 (draft-07); its $refs name the SNAPSHOT files, so they are registered under those names. Every
 * `format` the schemas use is checked: ajv-formats lacks `iri-reference` and `idn-email` (ajv-formats-draft2019 has
 * them), and ajv passes a value of a format it does not know with only a warning, which fails here.
 */
function cdxValidator() {
  const bom = load('bom-1.6.SNAPSHOT.schema.json');
  expect(bom.$schema).toMatch(/draft-07/);
  const warnings: string[] = [];
  const logger = {
    log: () => undefined,
    warn: (...a: unknown[]) => warnings.push(a.join(' ')),
    error: () => undefined,
  };
  const ajv = new Ajv.default({ allErrors: true, strict: false, logger });
  addFormats.default(ajv);
  addDraft2019Formats(ajv);
  ajv.addSchema({ ...load('spdx.SNAPSHOT.schema.json'), $id: 'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json' });
  ajv.addSchema({
    ...load('jsf-0.82.SNAPSHOT.schema.json'),
    $id: 'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json',
  });
  const validate = ajv.compile(bom);
  expect(warnings.filter((w) => w.includes('format'))).toEqual([]);
  return validate;
}

describe('CycloneDX 1.6', () => {
  const validate = cdxValidator();
  const bom = toCycloneDx(sampleResult(), { toolVersion: '1.2.3' });
  const byRef = new Map(bom.components.map((c) => [c['bom-ref'], c]));
  const prop = (ref: string, name: string) => byRef.get(ref)?.properties?.find((p) => p.name === name)?.value;

  it('is valid against the CycloneDX 1.6 JSON schema', () => {
    expect(validate(bom), JSON.stringify(validate.errors)).toBe(true);
    expect(bom.specVersion).toBe('1.6');
  });

  it('a schema-invalid BOM is rejected (the validator can fail)', () => {
    expect(validate({ ...bom, components: [{ type: 'machine-learning-model' }] })).toBe(false);
  });

  it('lists packages as libraries with purls and hashes from their integrity', () => {
    const ms = byRef.get('pkg:npm/ms@2.1.3')!;
    expect(ms.type).toBe('library');
    expect(ms.purl).toBe('pkg:npm/ms@2.1.3');
    expect(ms.scope).toBe('optional');
    expect(ms.hashes).toEqual([
      {
        alg: 'SHA-512',
        content: Buffer.from(
          '6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==',
          'base64',
        ).toString('hex'),
      },
    ]);
    expect(prop('pkg:npm/ms@2.1.3', 'chainproof:verification')).toBe('verified');
    expect(prop('pkg:npm/lodash@4.17.20', 'chainproof:verification')).toBe('unverifiable');
    expect(prop('pkg:npm/lodash@4.17.20', 'chainproof:findings')).toBe('1');
    const scoped = byRef.get('pkg:npm/%40scope/tool@1.0.0-beta.1')!;
    expect(scoped).toMatchObject({ group: '@scope', name: 'tool' });
    expect(scoped.hashes).toEqual([{ alg: 'SHA-1', content: '3046c3dd04ebf3abed8e40c6b0f853ace5479053' }]);
  });

  it('never copies credentials or query strings from resolved URLs', () => {
    const text = JSON.stringify(bom);
    expect(text).not.toContain('secret-token');
    expect(text).not.toContain('auth=abc');
    expect(byRef.get('pkg:npm/%40scope/tool@1.0.0-beta.1')!.externalReferences).toEqual([
      { type: 'distribution', url: 'https://npm.example.com/@scope/tool/-/tool-1.0.0-beta.1.tgz' },
    ]);
  });

  it('lists model files as machine-learning-model components with hashes, format, verification and findings', () => {
    const evil = byRef.get('model:models/evil.pkl')!;
    expect(evil.type).toBe('machine-learning-model');
    expect(evil.hashes).toEqual([{ alg: 'SHA-256', content: 'a'.repeat(64) }]);
    expect(prop('model:models/evil.pkl', 'chainproof:format')).toBe('pickle');
    expect(prop('model:models/evil.pkl', 'chainproof:verification')).toBe('failed');
    expect(prop('model:models/evil.pkl', 'chainproof:findings')).toBe('1');
    const st = byRef.get('model:models/b,c:d.safetensors')!;
    expect(st.hashes?.map((h) => h.alg)).toEqual(['SHA-256', 'SHA-512']);
    expect(prop('model:models/b,c:d.safetensors', 'chainproof:verification')).toBe('unchecked');
    expect(prop('model:models/b,c:d.safetensors', 'chainproof:registry-entry')).toBe('demo@main');
  });

  it("counts a finding about a model on the model's component, wherever the finding is located", () => {
    // A signature's failure sits at the `.sig` file, about the model it signs; a finding about no model stays put.
    const result = sampleResult();
    const sig = {
      ruleId: 'CPS001',
      level: 'error' as const,
      message: 'the signature does not verify',
      fingerprint: 'f'.repeat(32),
      location: { path: 'models/b,c:d.safetensors.sig' },
      artifact: { kind: 'file' as const, path: 'models/b,c:d.safetensors' },
    };
    const other = { ...sig, location: { path: 'models/README.md' }, artifact: { kind: 'file' as const, path: 'x' } };
    const withSig = toCycloneDx({ ...result, findings: [...result.findings, sig, other] }, { toolVersion: '1.2.3' });
    const count = (ref: string) =>
      withSig.components.find((c) => c['bom-ref'] === ref)?.properties?.find((p) => p.name === 'chainproof:findings')
        ?.value;
    const model = 'model:models/b,c:d.safetensors';
    expect(count(model)).toBe(String(Number(prop(model, 'chainproof:findings')) + 1));
  });

  it('has a serial number derived from content: same scan same serial, different scan different serial', () => {
    expect(toCycloneDx(sampleResult(), { toolVersion: '1.2.3' }).serialNumber).toBe(bom.serialNumber);
    expect(toCycloneDx(makeResult(), { toolVersion: '1.2.3' }).serialNumber).not.toBe(bom.serialNumber);
    expect(bom.serialNumber).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it.each([
    {
      name: 'RFC 4122 appendix-style v5 (DNS namespace, python.org)',
      ns: '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
      input: 'python.org',
      want: '886313e1-3b8a-5372-9b90-0c9aee199e5d',
    },
  ])('uuidV5: $name', ({ ns, input, want }) => {
    expect(uuidV5(ns, input)).toBe(want);
  });

  it.each([
    {
      name: 'sha512',
      input: 'sha512-' + Buffer.alloc(64, 1).toString('base64'),
      want: [{ alg: 'SHA-512', content: '01'.repeat(64) }],
    },
    {
      name: 'two algorithms',
      input: `sha1-${Buffer.alloc(20, 2).toString('base64')} sha256-${Buffer.alloc(32, 3).toString('base64')}`,
      want: [
        { alg: 'SHA-1', content: '02'.repeat(20) },
        { alg: 'SHA-256', content: '03'.repeat(32) },
      ],
    },
    { name: 'wrong length', input: 'sha512-' + Buffer.alloc(10).toString('base64'), want: [] },
    { name: 'unknown algorithm', input: 'md5-' + Buffer.alloc(16).toString('base64'), want: [] },
    { name: 'not base64', input: 'sha512-!!!', want: [] },
  ])('sriToHashes: $name', ({ input, want }) => {
    expect(sriToHashes(input)).toEqual(want);
  });

  it.each([
    { name: 'plain', input: ['ms', '2.1.3'], want: 'pkg:npm/ms@2.1.3' },
    { name: 'scoped', input: ['@babel/core', '7.0.0'], want: 'pkg:npm/%40babel/core@7.0.0' },
    { name: 'build metadata', input: ['x', '1.0.0+build.1'], want: 'pkg:npm/x@1.0.0%2Bbuild.1' },
  ])('npmPurl: $name', ({ input, want }) => {
    expect(npmPurl(input[0]!, input[1]!)).toBe(want);
  });
});

describe('CycloneDX: a requirement locked at no version', () => {
  // requirements.txt `peft` or `torch>=2`: the graph holds the package with the version ''.
  const bom = toCycloneDx(
    makeResult({
      graphs: [
        {
          lockfile: 'requirements.txt',
          kind: 'pip-requirements',
          ecosystem: 'pypi',
          formatVersion: '1',
          importers: {},
          packages: [
            pkg({ lockfile: 'requirements.txt', name: 'peft', version: '', line: 4 }),
            pkg({ lockfile: 'requirements.txt', name: 'Torch', version: '2.3.1', line: 1 }),
          ],
        },
      ],
      findings: [
        finding({
          ruleId: 'CPP010',
          level: 'warning',
          message: 'peft has no version specifier',
          location: { path: 'requirements.txt', line: 4 },
          artifact: { kind: 'package', ecosystem: 'pypi', name: 'peft', version: '' },
        }),
      ],
    }),
    { toolVersion: '1.2.3' },
  );

  it('has a purl without `@` and no empty version, and its findings are counted on it', () => {
    expect(cdxValidator()(bom)).toBe(true);
    const peft = bom.components.find((c) => c.name === 'peft')!;
    expect(peft.purl).toBe('pkg:pypi/peft');
    expect(peft['bom-ref']).toBe('pkg:pypi/peft');
    expect(peft).not.toHaveProperty('version');
    expect(peft.properties?.find((p) => p.name === 'chainproof:findings')?.value).toBe('1');
    expect(bom.components.find((c) => c.name === 'Torch')?.purl).toBe('pkg:pypi/torch@2.3.1');
  });

  it('the key is a purl a suppression can be written with', () => {
    expect(parsePackagePurl(pypiPurl('peft', ''))).toEqual({ ecosystem: 'pypi', name: 'peft' });
    expect(parsePackagePurl(npmPurl('@scope/x', ''))).toEqual({ ecosystem: 'npm', name: '@scope/x' });
  });
});

describe('CycloneDX references', () => {
  it('a dataset repo loaded by name (diffusers community pipelines) gets no model purl; a model repo does', () => {
    const ref = (repoId: string) => ({
      path: 'p.py',
      line: 1,
      column: 1,
      via: 'x',
      hub: 'huggingface' as const,
      repoId,
      revisionKind: 'none' as const,
      runsRemoteCode: true,
    });
    const got = referenceComponents([ref('datasets/diffusers/community-pipelines-mirror'), ref('acme/pipe')]);
    expect(got.map((c) => `${c.name} ${c.purl ?? '-'}`)).toEqual([
      'acme/pipe pkg:huggingface/acme/pipe',
      'datasets/diffusers/community-pipelines-mirror -',
    ]);
  });

  it('a Hugging Face purl carries a commit only: an upper-case 40-hex revision is a ref name to huggingface_hub', () => {
    const hf = (revision: string, revisionKind: 'commit' | 'ref') => ({
      path: 'p.py',
      line: 1,
      column: 1,
      via: 'from_pretrained',
      hub: 'huggingface' as const,
      repoId: 'acme/tok',
      revision,
      revisionKind,
      runsRemoteCode: false,
    });
    const commit = '0123456789abcdef0123456789abcdef01234567';
    const got = referenceComponents([hf(commit, 'commit'), hf(commit.toUpperCase(), 'ref'), hf('main', 'ref')]);
    expect(got.map((c) => [c.version, c.purl])).toEqual([
      [commit.toUpperCase(), 'pkg:huggingface/acme/tok'],
      [commit, `pkg:huggingface/acme/tok@${commit}`],
      ['main', 'pkg:huggingface/acme/tok'],
    ]);
  });

  it('runs remote code when any place that loads it does, whichever place comes first', () => {
    const load = (line: number, runsRemoteCode: boolean) => ({
      path: 'train.py',
      line,
      column: 1,
      via: 'from_pretrained',
      hub: 'huggingface' as const,
      repoId: 'acme/llm',
      revisionKind: 'none' as const,
      runsRemoteCode,
    });
    const remote = (refs: ReturnType<typeof load>[]) =>
      referenceComponents(refs).map((c) => c.properties?.find((p) => p.name === 'chainproof:runs-remote-code')?.value);
    // The tokenizer at line 8, then the model with trust_remote_code=True at line 9: one component.
    expect(remote([load(8, false), load(9, true)])).toEqual(['true']);
    expect(remote([load(9, true), load(8, false)])).toEqual(['true']);
    expect(remote([load(8, false), load(9, false)])).toEqual(['false']);
  });

  it('a GitHub repository (torch.hub) is one lower-cased purl however the code spells it', () => {
    const hub = (path: string, repoId: string) => ({
      path,
      line: 3,
      column: 1,
      via: 'torch.hub.load',
      hub: 'github' as const,
      repoId,
      revision: 'v0.10.0',
      revisionKind: 'ref' as const,
      runsRemoteCode: true,
    });
    const got = referenceComponents([hub('a.py', 'PyTorch/Vision'), hub('b.py', 'pytorch/vision')]);
    expect(got.map((c) => [c.purl, c.version])).toEqual([['pkg:github/pytorch/vision@v0.10.0', 'v0.10.0']]);
    expect(got[0]!.properties!.filter((p) => p.name === 'chainproof:referenced-at').map((p) => p.value)).toEqual([
      'a.py:3',
      'b.py:3',
    ]);
  });

  it('a release tag the library picks at run time (spaCy) is the version, never a purl version', () => {
    const [got] = referenceComponents([
      {
        path: 'app.py',
        line: 2,
        column: 1,
        via: 'spacy.cli.download',
        hub: 'github',
        repoId: 'explosion/spacy-models',
        revision: 'en_core_web_sm-<compatible version>',
        revisionKind: 'ref',
        runsRemoteCode: true,
      },
    ]);
    expect([got?.purl, got?.version]).toEqual([
      'pkg:github/explosion/spacy-models',
      'en_core_web_sm-<compatible version>',
    ]);
  });
});

describe('CycloneDX: a Python release is one component, each of its files a reference with its own digest', () => {
  // cyclonedx-py `__extrefs4lock`: a component's `hashes` name one artifact, and a release has a file per platform.
  const hex = (c: string) => c.repeat(64);
  const wheel = (url: string, digest: string) => ({ url, hashes: { sha256: hex(digest) } });
  const pypiGraph = (lockfile: string, packages: PackageNode[]) => ({
    lockfile,
    kind: 'uv' as const,
    ecosystem: 'pypi' as const,
    formatVersion: '1',
    importers: {},
    packages: packages.map((p) => ({ ...p, lockfile })),
  });
  const CPU = 'https://download.pytorch.org/whl/cpu';
  const bom = toCycloneDx(
    makeResult({
      graphs: [
        pypiGraph('uv.lock', [
          pkg({
            name: 'torch',
            version: '2.9.1',
            resolved: CPU,
            distributions: [wheel(`${CPU}/torch-2.9.1-cp312-a.whl`, 'a'), wheel(`${CPU}/torch-2.9.1-cp313-b.whl`, 'b')],
          }),
          // The same release from PyPI (uv forks by marker): the same purl, other files.
          pkg({
            name: 'torch',
            version: '2.9.1',
            resolved: 'https://pypi.org/simple',
            distributions: [wheel('https://files.pythonhosted.org/p/torch-2.9.1-c.whl', 'c')],
          }),
        ]),
        pypiGraph('poetry.lock', [
          pkg({
            name: 'absl-py',
            version: '1.2.0',
            distributions: [
              { filename: 'absl-py-1.2.0.tar.gz', hashes: { sha256: hex('d') } },
              { filename: 'absl_py-1.2.0-py3-none-any.whl', hashes: { sha256: hex('e') } },
            ],
          }),
        ]),
        pypiGraph('requirements.txt', [
          pkg({
            name: 'six',
            version: '1.16.0',
            distributions: [{ hashes: { sha256: hex('f') } }, { hashes: { sha256: hex('1') } }],
          }),
        ]),
      ],
    }),
    { toolVersion: '1.2.3' },
  );
  const refs = (name: string) =>
    bom.components
      .find((c) => c.name === name)!
      .externalReferences!.map((r) => [r.url, (r.hashes ?? []).map((h) => `${h.alg}:${h.content[0]}`)]);

  it('is valid, and no component carries the digests of several files', () => {
    expect(cdxValidator()(bom)).toBe(true);
    expect(bom.components.filter((c) => c.hashes !== undefined).map((c) => c.name)).toEqual([]);
  });

  it('files with URLs: one reference each, and a release locked from two indexes keeps both', () => {
    expect(bom.components.filter((c) => c.name === 'torch')).toHaveLength(1);
    expect(refs('torch')).toEqual([
      [CPU, []],
      [`${CPU}/torch-2.9.1-cp312-a.whl`, ['SHA-256:a']],
      [`${CPU}/torch-2.9.1-cp313-b.whl`, ['SHA-256:b']],
      ['https://files.pythonhosted.org/p/torch-2.9.1-c.whl', ['SHA-256:c']],
      ['https://pypi.org/simple', []],
    ]);
  });

  it('named files without URLs (poetry.lock) and bare --hash options (requirements) hang on the index', () => {
    expect(refs('absl-py')).toEqual([
      ['https://pypi.org/simple/absl-py/#absl-py-1.2.0.tar.gz', ['SHA-256:d']],
      ['https://pypi.org/simple/absl-py/#absl_py-1.2.0-py3-none-any.whl', ['SHA-256:e']],
    ]);
    expect(refs('six')).toEqual([['https://pypi.org/simple/six/', ['SHA-256:1', 'SHA-256:f']]]);
  });
});
