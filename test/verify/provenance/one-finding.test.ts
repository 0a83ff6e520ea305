import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../../src/core/policy.js';
import type { Stage } from '../../../src/core/stage.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
import { provenanceStage } from '../../../src/verify/provenance/stage.js';
import { signaturesStage } from '../../../src/verify/stage.js';
import { corpusPath } from '../../helpers/corpus.js';
import { scanWith } from '../../helpers/scan.js';
import { blockNetwork } from '../helpers.js';
import { npmProvenanceBundle, npmTarball } from './helpers.js';

beforeAll(blockNetwork);

const NPM = 'provenance-npm-test-cli-v1-prega';
const MODEL = 'models/weights.onnx';
const BUNDLE = `${MODEL}.sigstore.json`;

/** Stands in for the models stage (the tarball is no model format): records path, size and sha256. */
const recordAsModels: Stage = {
  name: 'models (test)',
  run: (input) =>
    Promise.resolve({
      models: input.files
        .filter((f) => !/\.(sigstore\.json|intoto\.jsonl)$/.test(f.path))
        .map((f) => ({
          path: f.path,
          format: f.format,
          size: f.size,
          digests: { sha256: createHash('sha256').update(readFileSync(f.abs)).digest('hex') },
        })),
    }),
};

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function repo(
  model: string,
  bundle: string | Buffer,
  bundleName = BUNDLE,
  extra: Readonly<Record<string, string>> = {},
): string {
  const root = mkdtempSync(path.join(tmpdir(), 'cp-one-finding-'));
  roots.push(root);
  mkdirSync(path.join(root, 'models'));
  copyFileSync(model, path.join(root, MODEL));
  writeFileSync(path.join(root, bundleName), bundle);
  for (const [rel, text] of Object.entries(extra)) writeFileSync(path.join(root, rel), text);
  return root;
}

const requireSigned: Policy = {
  ...DEFAULT_POLICY,
  source: '<test>',
  signatures: { ...DEFAULT_POLICY.signatures, require: [{ paths: ['models/**'], signers: [] }] },
};

/** Only the model file must be signed, not the attestation files beside it. */
const requireModelSigned: Policy = {
  ...requireSigned,
  signatures: { ...requireSigned.signatures, require: [{ paths: [MODEL], signers: [] }] },
};

/** The model must carry build provenance from one repository (any builder). */
const requireProvenance: Policy = {
  ...DEFAULT_POLICY,
  source: '<test>',
  models: {
    ...DEFAULT_POLICY.models,
    requireProvenance: [{ paths: ['models/**'], builders: [], sourceRepository: 'https://github.com/acme/models' }],
  },
};

/** Past MAX_BUNDLE_BYTES: neither stage reads it. */
const oversized = () => Buffer.alloc(16 * 1024 * 1024 + 1, 0x20);

/** The genuine provenance of the tarball as `<model>.intoto.jsonl`, one bundle a line. */
const genuineJsonl = () => ({ [`${MODEL}.intoto.jsonl`]: `${npmProvenanceBundle(NPM)}\n` });

const messageSignature = () =>
  readFileSync(corpusPath('sigstore', 'conformance', 'bundle-verify', 'happy-path-v0.3', 'bundle.sigstore.json'));

interface Case {
  name: string;
  model: string;
  bundle: () => string | Buffer;
  change?: (root: string) => void;
  policy?: Policy;
  /** False: the file is no model, so the provenance stage never sees it. */
  isModel?: boolean;
  /** Where the bundle is written (default `<model>.sigstore.json`). */
  bundleName?: string;
  /** Other files written beside it (repo path → content). */
  extra?: () => Readonly<Record<string, string>>;
  want: string[];
}

// Both stages read `<model>.sigstore.json`; each cause must come out of exactly one of them.
const CASES: Case[] = [
  {
    name: 'changed file under provenance: CPM021 alone',
    model: npmTarball(NPM),
    bundle: () => npmProvenanceBundle(NPM),
    change: (root) => appendFileSync(path.join(root, MODEL), 'x'),
    want: ['CPM021'],
  },
  {
    name: 'bad signature on provenance: CPM025 alone',
    model: npmTarball(`${NPM}-invalidsigprov`),
    bundle: () => npmProvenanceBundle(`${NPM}-invalidsigprov`),
    want: ['CPM025'],
  },
  {
    name: 'bad signature on provenance under signatures.require: CPM025 alone, the bundle still covers the file',
    model: npmTarball(`${NPM}-invalidsigprov`),
    bundle: () => npmProvenanceBundle(`${NPM}-invalidsigprov`),
    policy: requireSigned,
    want: ['CPM025'],
  },
  {
    name: 'genuine provenance satisfies signatures.require',
    model: npmTarball(NPM),
    bundle: () => npmProvenanceBundle(NPM),
    policy: requireSigned,
    want: [],
  },
  {
    // The signatures stage leaves the bad `.sigstore.json` to the provenance stage and counts it as the file's failed
    // signature; another attestation verifying must not make that failure vanish with the required signature.
    name: 'bad signature on provenance under signatures.require, another attestation verifying: CPM025',
    model: npmTarball(NPM),
    bundle: () => npmProvenanceBundle(`${NPM}-invalidsigprov`),
    extra: genuineJsonl,
    policy: requireModelSigned,
    want: ['CPM025'],
  },
  {
    name: 'bad signature on the .sigstore.json, another attestation verifying: CPM025, as for any detached bundle',
    model: npmTarball(NPM),
    bundle: () => npmProvenanceBundle(`${NPM}-invalidsigprov`),
    extra: genuineJsonl,
    want: ['CPM025'],
  },
  {
    // An `.intoto.jsonl` is no signature: any verified attestation answers for the model (gh attestation verify).
    name: 'genuine .sigstore.json under signatures.require, a bad line in the .intoto.jsonl: nothing',
    model: npmTarball(NPM),
    bundle: () => npmProvenanceBundle(NPM),
    extra: () => ({ [`${MODEL}.intoto.jsonl`]: `${npmProvenanceBundle(`${NPM}-invalidsigprov`)}\n` }),
    policy: requireModelSigned,
    want: [],
  },
  {
    name: 'a bare DSSE envelope (slsa-github-generator) saved as .sigstore.json: CPM026 alone',
    model: npmTarball(NPM),
    bundle: () => JSON.stringify((JSON.parse(npmProvenanceBundle(NPM)) as { dsseEnvelope: unknown }).dsseEnvelope),
    want: ['CPM026'],
  },
  {
    // Both stages read `<model>.sigstore.json`; the provenance stage's finding names the model (CPM025: "does not
    // parse as a Sigstore bundle"), a CPS008 beside it was the same cause again.
    name: 'a .sigstore.json that is not JSON next to a model: CPM025 alone',
    model: npmTarball(NPM),
    bundle: () => 'not json{',
    want: ['CPM025'],
  },
  {
    name: 'a .sigstore.json of no bundle media type under models.requireProvenance: CPM025 alone',
    model: npmTarball(NPM),
    bundle: () => '{"mediaType":"application/json"}',
    policy: requireProvenance,
    want: ['CPM025'],
  },
  {
    name: 'an unreadable .sigstore.json under signatures.require: CPM025 alone, the bundle still covers the file',
    model: npmTarball(NPM),
    bundle: () => '{}',
    policy: requireSigned,
    want: ['CPM025'],
  },
  {
    name: 'a .sigstore.json over 16 MiB next to a model under models.requireProvenance: CPM025 alone',
    model: npmTarball(NPM),
    bundle: oversized,
    policy: requireProvenance,
    want: ['CPM025'],
  },
  {
    name: 'an unreadable .sigstore.json next to a file that is no model stays with the signatures stage: CPS008',
    model: npmTarball(NPM),
    bundle: () => 'not json{',
    isModel: false,
    want: ['CPS008'],
  },
  {
    name: 'changed file under a plain message signature stays with the signatures stage: CPS009 alone',
    model: corpusPath('sigstore', 'conformance', 'a.txt'),
    bundle: messageSignature,
    change: (root) => appendFileSync(path.join(root, MODEL), 'x'),
    want: ['CPS009'],
  },
  {
    name: 'changed file under provenance that is no model stays with the signatures stage: CPS009 alone',
    model: npmTarball(NPM),
    bundle: () => npmProvenanceBundle(NPM),
    change: (root) => appendFileSync(path.join(root, MODEL), 'x'),
    isModel: false,
    want: ['CPS009'],
  },
  {
    // Named for no file, found by the digest it signs (stage/nearby-artifact.ts): the provenance stage reads bundles
    // by name and never sees it, so its failure stays with the signatures stage instead of vanishing.
    name: 'bad signature on provenance named for no file, found by digest: CPS001 alone',
    model: npmTarball(`${NPM}-invalidsigprov`),
    bundle: () => npmProvenanceBundle(`${NPM}-invalidsigprov`),
    bundleName: 'models/renamed.tgz.sigstore.json',
    want: ['CPS001'],
  },
];

describe('one finding per cause between provenance and detached signatures', () => {
  it.each(CASES)('$name', async (c) => {
    const root = repo(c.model, c.bundle(), c.bundleName, c.extra?.());
    c.change?.(root);
    const models = c.isModel === false ? [] : [recordAsModels];
    const result = await scanWith(root, [...models, provenanceStage, signaturesStage], {
      policy: c.policy ?? { ...DEFAULT_POLICY, source: '<test>' },
    });
    expect(result.findings.map((f) => f.ruleId)).toEqual(c.want);
  });
});
