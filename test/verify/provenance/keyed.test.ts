import { createHash, createPrivateKey, sign } from 'node:crypto';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../../src/core/policy.js';
import { modelsStage } from '../../../src/models/stage.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
import { pae } from '../../../src/verify/bundle/dsse.js';
import { provenanceStage } from '../../../src/verify/provenance/stage.js';
import { signaturesStage } from '../../../src/verify/stage.js';
import { corpusPath } from '../../helpers/corpus.js';
import { scanWith } from '../../helpers/scan.js';
import { KEYS, blockNetwork, policyRequiring, SPECS } from '../helpers.js';

beforeAll(blockNetwork);

/**
 * SLSA provenance signed with a public key (cosign attest-blob --key) names no build: builder and source come from
 * a CI's Fulcio certificate. It is a signature over its subject, judged once by the signatures stage against the
 * policy's keys; the provenance stage reported it "unverifiable: the policy names no key" even where the policy
 * named the key that verifies it.
 */
const SAFETENSORS = corpusPath('models', 'real-safetensors', 'model2vec-test-model-int8.safetensors');
const MODEL = 'models/m.safetensors';

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

function slsa(predicateType: string, predicate: unknown): Buffer {
  const sha256 = createHash('sha256').update(readFileSync(SAFETENSORS)).digest('hex');
  const v1 = predicateType.endsWith('/v1');
  return Buffer.from(
    JSON.stringify({
      _type: v1 ? 'https://in-toto.io/Statement/v1' : 'https://in-toto.io/Statement/v0.1',
      subject: [{ name: 'm.safetensors', digest: { sha256 } }],
      predicateType,
      predicate,
    }),
  );
}

const SLSA_V1 = slsa('https://slsa.dev/provenance/v1', {
  buildDefinition: {
    buildType: 'https://actions.github.io/buildtypes/workflow/v1',
    externalParameters: { workflow: { repository: 'https://github.com/acme/models', ref: 'refs/heads/main' } },
    resolvedDependencies: [
      { uri: 'git+https://github.com/acme/models@refs/heads/main', digest: { gitCommit: 'b'.repeat(40) } },
    ],
  },
  runDetails: { builder: { id: 'https://github.com/acme/models/.github/workflows/release.yml@refs/heads/main' } },
});
const SLSA_V02 = slsa('https://slsa.dev/provenance/v0.2', {
  builder: {
    id: 'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v1.9.0',
  },
  invocation: {
    configSource: { uri: 'git+https://github.com/acme/models@refs/heads/main', digest: { sha1: 'a'.repeat(40) } },
  },
  materials: [],
});

/** The model with `<model>.sigstore.json`: a v0.3 bundle of the DSSE statement, signed with the corpus EC key. */
function repo(payload: Buffer): void {
  root = mkdtempSync(path.join(tmpdir(), 'cp-keyed-provenance-'));
  mkdirSync(path.join(root, 'models'));
  copyFileSync(SAFETENSORS, path.join(root, MODEL));
  const type = 'application/vnd.in-toto+json';
  const sig = sign('sha384', pae(type, payload), createPrivateKey(readFileSync(path.join(KEYS, 'signing-key.pem'))));
  writeFileSync(
    path.join(root, `${MODEL}.sigstore.json`),
    JSON.stringify({
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: { publicKey: { hint: '' }, tlogEntries: [] },
      dsseEnvelope: {
        payload: payload.toString('base64'),
        payloadType: type,
        signatures: [{ sig: sig.toString('base64'), keyid: '' }],
      },
    }),
  );
}

const KEYED = policyRequiring({ ecKey: SPECS.ecKey }, [{ paths: ['models/**'], signers: ['ecKey'], ignore: [] }]);
const scan = (policy: Policy = KEYED) =>
  scanWith(root, [modelsStage, signaturesStage, provenanceStage], { policy, today: '2025-06-01' });
const summary = async (policy?: Policy) => {
  const r = await scan(policy);
  return {
    rules: r.findings.map((f) => f.ruleId).filter((id) => id !== 'CPM001'),
    status: r.verifications.find((v) => v.key === `file:${MODEL}`)?.status,
  };
};

describe('SLSA provenance signed with a key', () => {
  it.each([
    ['v1', SLSA_V1],
    ['v0.2', SLSA_V02],
  ])('SLSA %s: verified as the signature the policy key makes, no CPM025', async (_name, payload) => {
    repo(payload);
    expect(await summary()).toEqual({ rules: [], status: 'verified' });
  });

  it('the model changed since: one CPS009 naming the subject, no provenance finding beside it', async () => {
    repo(SLSA_V1);
    appendFileSync(path.join(root, MODEL), 'x');
    const r = await scan();
    expect(r.findings.map((f) => f.ruleId).filter((id) => id.startsWith('CPS') || id.startsWith('CPM02'))).toEqual([
      'CPS009',
    ]);
  });

  it('a policy naming no key: one CPS007 from the signatures stage, not a CPM025 too', async () => {
    repo(SLSA_V1);
    expect(await summary({ ...DEFAULT_POLICY, source: '<test>' })).toEqual({
      rules: ['CPS007'],
      status: 'unverifiable',
    });
  });

  it('where provenance is required, CPM020 says the statement beside the model is signed with a key', async () => {
    repo(SLSA_V1);
    const policy: Policy = {
      ...KEYED,
      models: {
        ...KEYED.models,
        requireProvenance: [
          {
            paths: ['models/**'],
            builders: ['https://github\\.com/acme/models/\\.github/workflows/release\\.yml@refs/heads/main'],
            sourceRepository: 'https://github.com/acme/models',
          },
        ],
      },
    };
    const r = await scan(policy);
    const missing = r.findings.filter((f) => f.ruleId === 'CPM020');
    expect(missing).toHaveLength(1);
    expect(missing[0]!.message).toContain(`${MODEL}.sigstore.json: it is signed with a public key`);
  });
});
