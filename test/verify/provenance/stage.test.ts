import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelProvenanceRequirement, Policy } from '../../../src/core/policy.js';
import { EMPTY_REGISTRY, type TrustedRegistry } from '../../../src/core/trusted-registry.js';
import type { Stage } from '../../../src/core/stage.js';
import { toCycloneDx } from '../../../src/report/cyclonedx.js';
import { toJson } from '../../../src/report/json.js';
import { toText } from '../../../src/report/text.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
import { provenanceStage } from '../../../src/verify/provenance/stage.js';
import { corpusPath } from '../../helpers/corpus.js';
import { scanWith } from '../../helpers/scan.js';
import { blockNetwork } from '../helpers.js';
import { npmProvenanceBundle, npmTarball } from './helpers.js';

beforeAll(blockNetwork);

const NPM = 'provenance-npm-test-cli-v1-prega';
const COMMIT = '46e7056ff9912ebfee5298d94024895a9fea76c0';
const REPO = 'https://github.com/sigstore/sigstore-js';
const BUILDER = 'https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main';
const PYPI = corpusPath('pypi', 'pypi-attestations', 'pypi_attestation_models-0.0.4a2.tar.gz');

/**
 * The tarballs are gzip, not a model format, so the models stage would not record them: this stands in for it and
 * records every non-attestation file as the models stage does (path, size, sha256), so the provenance stage reads
 * the digest from a record exactly as in a scan.
 */
const recordAsModels: Stage = {
  name: 'models (test)',
  run: (input, ctx) =>
    Promise.resolve({
      models: input.files
        .filter((f) => !/\.(sigstore(\.json)?|intoto\.jsonl|jsonl)$/.test(f.path))
        .map((f) => {
          const digest = sha256(f.abs);
          const entry = ctx.registry.models.find((m) => m.files.some((r) => r.path === f.path && r.sha256 === digest));
          return {
            path: f.path,
            format: f.format,
            size: f.size,
            digests: { sha256: digest },
            ...(entry ? { registryEntry: `${entry.name}@${entry.revision}` } : {}),
          };
        }),
    }),
};

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

/** A repo with the real tarball as the "model file" and the real attestation next to it. */
function repo(files: Record<string, string | Buffer | { copy: string }>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'cp-provenance-'));
  roots.push(root);
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    if (typeof content === 'object' && !Buffer.isBuffer(content)) copyFileSync(content.copy, abs);
    else writeFileSync(abs, content);
  }
  return root;
}

const sha256 = (file: string | Buffer) => createHash('sha256').update(readFileSync(file)).digest('hex');
const sha512 = (file: string) => createHash('sha512').update(readFileSync(file)).digest('hex');

function policy(requireProvenance?: ModelProvenanceRequirement[]): Policy {
  return {
    ...DEFAULT_POLICY,
    source: '<test>',
    models: { ...DEFAULT_POLICY.models, ...(requireProvenance ? { requireProvenance } : {}) },
  };
}

function registry(sourceCommit: string): TrustedRegistry {
  return {
    ...EMPTY_REGISTRY,
    files: ['trusted-registry/models.yml'],
    models: [
      {
        name: 'sigstore/sigstore-js',
        revision: '2.3.1',
        source: 'https://registry.npmjs.org/sigstore',
        files: [{ path: 'models/weights.onnx', sha256: sha256(npmTarball(NPM)) }],
        sourceCommit,
        file: 'trusted-registry/models.yml',
        line: 3,
      },
    ],
  };
}

/**
 * The DSSE envelope of the real bundle as slsa-github-generator writes `<name>.intoto.jsonl`: the envelope alone
 * (no Sigstore media type, certificate or log entry), its signature untouched.
 */
const bareEnvelope = (indent?: number): string =>
  JSON.stringify((JSON.parse(npmProvenanceBundle(NPM)) as { dsseEnvelope: unknown }).dsseEnvelope, null, indent);

const genuine = () => ({
  'models/weights.onnx': { copy: npmTarball(NPM) },
  'models/weights.onnx.sigstore.json': npmProvenanceBundle(NPM),
});

interface Case {
  name: string;
  files: () => Record<string, string | Buffer | { copy: string }>;
  change?: (root: string) => void;
  policy?: Policy;
  registry?: TrustedRegistry;
  want: { rule: string; path: string; line?: number }[];
  provenance?: { repository: string; commit: string; builder?: string };
}

const CASES: Case[] = [
  {
    name: 'genuine npm provenance verifies and reports its commit',
    files: genuine,
    want: [],
    provenance: { repository: REPO, commit: COMMIT, builder: BUILDER },
  },
  {
    name: 'genuine provenance passes a policy naming its builder and repository',
    files: genuine,
    policy: policy([
      {
        paths: ['models/**'],
        builders: ['https://github\\.com/sigstore/sigstore-js/\\.github/workflows/release\\.yml@refs/.*'],
        sourceRepository: REPO,
      },
    ]),
    want: [],
    provenance: { repository: REPO, commit: COMMIT },
  },
  {
    name: 'genuine provenance with the commit the registry records',
    files: genuine,
    registry: registry(COMMIT),
    want: [],
    provenance: { repository: REPO, commit: COMMIT },
  },
  {
    name: 'actions/attest bundle over a real sdist verifies from its certificate',
    files: () => ({
      'models/model.onnx': { copy: PYPI },
      'models/model.onnx.sigstore': readFileSync(`${PYPI}.sigstore`),
    }),
    want: [],
    provenance: { repository: 'https://github.com/trailofbits/pypi-attestation-models', commit: '' },
  },
  {
    name: 'changed file: the subject digest no longer matches',
    files: genuine,
    change: (root) => appendFileSync(path.join(root, 'models/weights.onnx'), 'x'),
    want: [{ rule: 'CPM021', path: 'models/weights.onnx.sigstore.json' }],
  },
  {
    name: 'foreign builder',
    files: genuine,
    policy: policy([
      {
        paths: ['models'],
        builders: ['https://github\\.com/acme/models/\\.github/workflows/train\\.yml@refs/tags/.*'],
      },
    ]),
    want: [{ rule: 'CPM022', path: 'models/weights.onnx' }],
  },
  {
    name: 'another source repository',
    files: genuine,
    policy: policy([{ paths: ['models/*.onnx'], builders: [], sourceRepository: 'https://github.com/acme/models' }]),
    want: [{ rule: 'CPM023', path: 'models/weights.onnx' }],
  },
  {
    name: 'another commit than the registry records',
    files: genuine,
    registry: registry('0123456789abcdef0123456789abcdef01234567'),
    want: [{ rule: 'CPM024', path: 'models/weights.onnx' }],
  },
  {
    name: 'required provenance missing',
    files: () => ({ 'models/weights.onnx': { copy: npmTarball(NPM) } }),
    policy: policy([{ paths: ['models/**'], builders: [] }]),
    want: [{ rule: 'CPM020', path: 'models/weights.onnx' }],
  },
  {
    name: 'registry sourceCommit requires provenance',
    files: () => ({ 'models/weights.onnx': { copy: npmTarball(NPM) } }),
    registry: registry(COMMIT),
    want: [{ rule: 'CPM020', path: 'models/weights.onnx' }],
  },
  {
    name: 'bad signature on the provenance',
    files: () => ({
      'models/weights.onnx': { copy: npmTarball(`${NPM}-invalidsigprov`) },
      'models/weights.onnx.sigstore.json': npmProvenanceBundle(`${NPM}-invalidsigprov`),
    }),
    want: [{ rule: 'CPM025', path: 'models/weights.onnx.sigstore.json' }],
  },
  {
    name: 'a v0.3 bundle with a certificate chain (refused by @sigstore/bundle) is unverifiable, at the bundle',
    files: () => ({
      'models/weights.onnx': { copy: npmTarball(NPM) },
      'models/weights.onnx.sigstore.json': JSON.stringify({
        ...(JSON.parse(npmProvenanceBundle(NPM)) as object),
        mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
        // No log entry either: it must not be taken for a model_signing private-CA bundle.
        verificationMaterial: {
          ...(JSON.parse(npmProvenanceBundle(NPM)) as { verificationMaterial: object }).verificationMaterial,
          tlogEntries: [],
        },
      }),
    }),
    want: [{ rule: 'CPM025', path: 'models/weights.onnx.sigstore.json' }],
  },
  {
    name: 'unparseable line in a JSON Lines attestation set, at its line',
    files: () => ({
      'models/weights.onnx': { copy: npmTarball(NPM) },
      'models/weights.onnx.intoto.jsonl': `\n{"mediaType": "nope"}\n`,
    }),
    want: [{ rule: 'CPM025', path: 'models/weights.onnx.intoto.jsonl', line: 2 }],
  },
  {
    name: 'a good bundle in a JSON Lines set verifies',
    files: () => ({
      'models/weights.onnx': { copy: npmTarball(NPM) },
      'models/weights.onnx.intoto.jsonl': `${npmProvenanceBundle(NPM)}\n`,
    }),
    want: [],
    provenance: { repository: REPO, commit: COMMIT },
  },
  {
    name: 'slsa-github-generator .intoto.jsonl (a bare DSSE envelope) is present but not verified',
    files: () => ({
      'models/weights.onnx': { copy: npmTarball(NPM) },
      'models/weights.onnx.intoto.jsonl': `${bareEnvelope()}\n`,
    }),
    want: [{ rule: 'CPM026', path: 'models/weights.onnx.intoto.jsonl', line: 1 }],
  },
  {
    name: 'a pretty-printed envelope in .intoto.jsonl is one attestation, not one broken bundle a line',
    files: () => ({
      'models/weights.onnx': { copy: npmTarball(NPM) },
      'models/weights.onnx.intoto.jsonl': `\n${bareEnvelope(2)}\n`,
    }),
    want: [{ rule: 'CPM026', path: 'models/weights.onnx.intoto.jsonl', line: 2 }],
  },
  {
    name: 'a pretty-printed Sigstore bundle in .intoto.jsonl verifies',
    files: () => ({
      'models/weights.onnx': { copy: npmTarball(NPM) },
      'models/weights.onnx.intoto.jsonl': JSON.stringify(JSON.parse(npmProvenanceBundle(NPM)), null, 2),
    }),
    want: [],
    provenance: { repository: REPO, commit: COMMIT },
  },
  {
    name: 'a bare envelope does not satisfy required provenance (one finding, no CPM020)',
    files: () => ({
      'models/weights.onnx': { copy: npmTarball(NPM) },
      'models/weights.onnx.intoto.jsonl': `${bareEnvelope()}\n`,
    }),
    policy: policy([{ paths: ['models/**'], builders: [] }]),
    want: [{ rule: 'CPM026', path: 'models/weights.onnx.intoto.jsonl', line: 1 }],
  },
  {
    name: 'a bare envelope in an attestations folder is one finding',
    files: () => ({
      'models/a.onnx': { copy: npmTarball(NPM) },
      'models/b.onnx': { copy: PYPI },
      'attestations/provenance.intoto.jsonl': `${bareEnvelope()}\n`,
    }),
    want: [{ rule: 'CPM026', path: 'attestations/provenance.intoto.jsonl', line: 1 }],
  },
  {
    name: 'an attestations folder (gh attestation download) covers the models under its parent',
    files: () => ({
      'models/weights.onnx': { copy: npmTarball(NPM) },
      'models/other.onnx': { copy: PYPI },
      [`attestations/sha512:${sha512(npmTarball(NPM)).slice(0, 16)}.jsonl`]: `${npmProvenanceBundle(NPM)}\n`,
    }),
    policy: policy([{ paths: ['models/weights.onnx'], builders: [] }]),
    want: [],
    provenance: { repository: REPO, commit: COMMIT },
  },
  {
    name: 'an attestations folder about other content: the required model has none',
    files: () => ({
      'models/weights.onnx': { copy: PYPI },
      'attestations/bundle.sigstore.json': npmProvenanceBundle(NPM),
    }),
    policy: policy([{ paths: ['models/**'], builders: [] }]),
    want: [{ rule: 'CPM020', path: 'models/weights.onnx' }],
  },
  {
    name: 'a broken bundle in an attestations folder is one finding for all the models it covers',
    files: () => ({
      'models/a.onnx': { copy: npmTarball(NPM) },
      'models/b.onnx': { copy: PYPI },
      'models/attestations/set.jsonl': `${npmProvenanceBundle(`${NPM}-invalidsigprov`)}\n`,
    }),
    want: [{ rule: 'CPM025', path: 'models/attestations/set.jsonl', line: 1 }],
  },
  {
    name: 'a plain message signature next to a model is not provenance (the signatures stage checks it)',
    files: () => ({
      'models/a.onnx': { copy: corpusPath('sigstore', 'conformance', 'a.txt') },
      'models/a.onnx.sigstore.json': readFileSync(
        corpusPath('sigstore', 'conformance', 'bundle-verify', 'happy-path-v0.3', 'bundle.sigstore.json'),
      ),
    }),
    want: [],
  },
  {
    name: 'a plain message signature does not satisfy required provenance',
    files: () => ({
      'models/a.onnx': { copy: corpusPath('sigstore', 'conformance', 'a.txt') },
      'models/a.onnx.sigstore.json': readFileSync(
        corpusPath('sigstore', 'conformance', 'bundle-verify', 'happy-path-v0.3', 'bundle.sigstore.json'),
      ),
    }),
    policy: policy([{ paths: ['models/**'], builders: [] }]),
    want: [{ rule: 'CPM020', path: 'models/a.onnx' }],
  },
];

describe('provenance stage over real attestations', () => {
  it.each(CASES)('$name', async (c) => {
    const root = repo(c.files());
    c.change?.(root);
    const result = await scanWith(root, [recordAsModels, provenanceStage], {
      policy: c.policy ?? policy(),
      registry: c.registry ?? EMPTY_REGISTRY,
    });
    const got = result.findings
      .filter((f) => f.ruleId.startsWith('CPM02'))
      .map((f) => ({ rule: f.ruleId, path: f.location.path, ...(f.location.line ? { line: f.location.line } : {}) }));
    expect(got).toEqual(c.want);
    const model = result.models.find((m) => m.path === 'models/weights.onnx') ?? result.models[0];
    if (c.provenance) {
      expect(model?.provenance).toMatchObject({
        repository: c.provenance.repository,
        ...(c.provenance.commit ? { commit: c.provenance.commit } : {}),
        ...(c.provenance.builder ? { builder: c.provenance.builder } : {}),
      });
      expect(model?.provenance?.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(result.verifications.find((v) => v.key === `file:${model!.path}`)?.detail).toContain(
        model?.provenance?.commit,
      );
    } else expect(model?.provenance).toBeUndefined();
  });
});

describe('provenance in a format not verified (CPM026)', () => {
  it.each([
    { name: 'nothing requires provenance: a warning', policy: policy(), level: 'warning' },
    {
      name: 'the policy requires provenance: an error',
      policy: policy([{ paths: ['models/**'], builders: [] }]),
      level: 'error',
    },
  ])('$name, and the model is counted unverifiable, never verified', async (c) => {
    const root = repo({
      'models/weights.onnx': { copy: npmTarball(NPM) },
      'models/weights.onnx.intoto.jsonl': `${bareEnvelope()}\n`,
    });
    const result = await scanWith(root, [recordAsModels, provenanceStage], { policy: c.policy });
    const f = result.findings.find((x) => x.ruleId === 'CPM026');
    expect(f?.level).toBe(c.level);
    expect(f?.message).toContain('https://slsa.dev/provenance/v1');
    expect(result.verifications.find((v) => v.key === 'file:models/weights.onnx')?.status).toBe('unverifiable');
    expect(result.models.find((m) => m.path === 'models/weights.onnx')?.provenance).toBeUndefined();
  });
});

describe('verified provenance in the outputs', () => {
  it('text, JSON and CycloneDX show the repository and commit', async () => {
    const root = repo(genuine());
    const result = await scanWith(root, [recordAsModels, provenanceStage], { policy: policy() });
    expect(toText(result, { color: false })).toContain(`models/weights.onnx`);
    expect(toText(result, { color: false })).toContain(`built from ${REPO}@${COMMIT}`);
    const json = toJson(result, '0.0.0') as { models: { path: string; provenance?: unknown }[] };
    expect(json.models.find((m) => m.path === 'models/weights.onnx')?.provenance).toMatchObject({
      repository: REPO,
      commit: COMMIT,
      builder: BUILDER,
      ref: 'refs/heads/main',
      attestation: 'models/weights.onnx.sigstore.json',
    });
    const bom = toCycloneDx(result, { toolVersion: '0.0.0' });
    const model = bom.components.find((c) => c.name === 'models/weights.onnx');
    expect(model?.externalReferences).toEqual([{ type: 'vcs', url: REPO, comment: `built from commit ${COMMIT}` }]);
    expect(model?.properties).toContainEqual({ name: 'chainproof:provenance-commit', value: COMMIT });
    expect(model?.properties).toContainEqual({ name: 'chainproof:provenance-builder', value: BUILDER });
  });
});
