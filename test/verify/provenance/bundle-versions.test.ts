import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
import { verifyAttestation, type TrustCheck } from '../../../src/verify/provenance/attestation.js';
import { loadTrustedRoot } from '../../../src/verify/trust/root.js';
import { corpusPath } from '../../helpers/corpus.js';
import { npmProvenanceBundle } from './helpers.js';

/*
 * Every bundle media type, accepted or refused as sigstore-js does: @sigstore/bundle's bundleFromJSON
 * (assertBundleV01 wants inclusionPromise, assertBundleV02 inclusionProof, assertBundleLatest also refuses an
 * x509CertificateChain) and @sigstore/verify's Verifier thresholds. The derived bundles re-wrap the parts of real
 * ones (media type, certificate field, log entries); no signature is touched.
 */

type Json = Record<string, unknown> & { verificationMaterial: Record<string, unknown> };
const V02 = 'application/vnd.dev.sigstore.bundle+json;version=0.2';
const V03_LEGACY = 'application/vnd.dev.sigstore.bundle+json;version=0.3';
const V03 = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const CONFORMANCE = (c: string, f: string) => corpusPath('sigstore', 'conformance', 'bundle-verify', c, f);

const npm = (name: string): Json => JSON.parse(npmProvenanceBundle(name)) as Json;
/** SLSA v1 provenance, v0.2, x509CertificateChain, a Rekor v1 entry with promise and proof. */
const v02 = () => npm('provenance-npm-test-cli-v1-prega');
/** SLSA v0.2 provenance, v0.1, entry with inclusionPromise only. */
const v01 = () => npm('provenance-npm-test-ossf');
/** SLSA v1 provenance, v0.3, an RFC 3161 timestamp and a Rekor v2 entry (custom trusted root). */
const rekor2 = () =>
  JSON.parse(readFileSync(CONFORMANCE('rekor2-dsse-happy-path', 'bundle.sigstore.json'), 'utf8')) as Json;

const withMaterial = (b: Json, vm: Record<string, unknown>): Json => ({
  ...b,
  verificationMaterial: { ...b.verificationMaterial, ...vm },
});
/** The leaf of the chain as v0.3's single `certificate`. */
const singleCertificate = (b: Json): Json => {
  const chain = b.verificationMaterial['x509CertificateChain'] as { certificates: unknown[] };
  return withMaterial(b, { x509CertificateChain: undefined, certificate: chain.certificates[0] });
};
const entries = (b: Json) => b.verificationMaterial['tlogEntries'] as Record<string, unknown>[];

let publicGood: TrustCheck;
let custom: TrustCheck;
beforeAll(async () => {
  const t = DEFAULT_POLICY.signatures;
  publicGood = {
    trust: await loadTrustedRoot(undefined),
    tlogThreshold: t.tlogThreshold,
    timestampThreshold: t.timestampThreshold,
  };
  custom = { ...publicGood, trust: await loadTrustedRoot(CONFORMANCE('rekor2-dsse-happy-path', 'trusted_root.json')) };
});

describe('bundle media types sigstore-js accepts verify as provenance', () => {
  it.each([
    { name: 'v0.1 with inclusionPromise (real npm)', bundle: v01, commit: '34490b44db557f009617bcb92b8780f972c189ab' },
    { name: 'v0.2 with inclusionProof (real npm)', bundle: v02, commit: '46e7056ff9912ebfee5298d94024895a9fea76c0' },
    {
      name: 'v0.3 (bundle.v0.3+json) with a single certificate',
      bundle: () => ({ ...singleCertificate(v02()), mediaType: V03 }),
      commit: '46e7056ff9912ebfee5298d94024895a9fea76c0',
    },
    {
      name: 'v0.3 (legacy +json;version=0.3) with a single certificate',
      bundle: () => ({ ...singleCertificate(v02()), mediaType: V03_LEGACY }),
      commit: '46e7056ff9912ebfee5298d94024895a9fea76c0',
    },
  ])('$name', ({ bundle, commit }) => {
    const r = verifyAttestation(JSON.stringify(bundle()), publicGood);
    expect(r.ok ? '' : r.reason).toBe('');
    expect(r.ok && r.commit).toBe(commit);
  });
});

describe('bundles sigstore-js refuses are refused, saying which field', () => {
  it.each([
    {
      name: 'v0.1 entry without inclusionPromise',
      bundle: () =>
        withMaterial(v01(), { tlogEntries: entries(v01()).map((e) => ({ ...e, inclusionPromise: undefined })) }),
      why: 'tlogEntries[0].inclusionPromise',
    },
    {
      name: 'v0.1 bundle relabelled v0.2 (its entry has no inclusionProof)',
      bundle: () => ({ ...v01(), mediaType: V02 }),
      why: 'tlogEntries[0].inclusionProof',
    },
    {
      name: 'v0.3 carrying an x509CertificateChain',
      bundle: () => ({ ...v02(), mediaType: V03 }),
      why: 'verificationMaterial.content.$case',
    },
    {
      // Before: taken for a model_signing private-CA bundle and reported as "the policy names no CA".
      name: 'v0.3 carrying an x509CertificateChain and no log entry',
      bundle: () => withMaterial({ ...v02(), mediaType: V03 }, { tlogEntries: [] }),
      why: 'verificationMaterial.content.$case',
    },
    {
      // sigstore-conformance bundle-unknown-version_fail: an unknown version must not verify.
      name: 'unknown version v0.4',
      bundle: () => ({ ...singleCertificate(v02()), mediaType: 'application/vnd.dev.sigstore.bundle.v0.4+json' }),
      why: 'unsupported bundle mediaType',
    },
    { name: 'no media type', bundle: () => ({ ...v02(), mediaType: undefined }), why: 'unsupported bundle mediaType' },
    {
      name: "npm's attestations document, a list of bundles",
      bundle: () => ({ attestations: [{ predicateType: 'https://slsa.dev/provenance/v1', bundle: v02() }] }),
      why: 'an npm attestations document',
    },
  ])('$name', ({ bundle, why }) => {
    const r = verifyAttestation(JSON.stringify(bundle()), publicGood);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toContain(why);
  });

  it('the real v0.2 DSSE bundle without inclusion proof (conformance intoto-missing-inclusion-proof_fail)', async () => {
    const c = 'intoto-missing-inclusion-proof_fail';
    const r = verifyAttestation(readFileSync(CONFORMANCE(c, 'bundle.sigstore.json')), {
      ...publicGood,
      trust: await loadTrustedRoot(CONFORMANCE(c, 'trusted_root.json')),
    });
    expect(r.ok ? '' : r.reason).toContain('inclusionProof');
  });
});

describe('an RFC 3161 timestamp and no transparency-log entry', () => {
  const timestampOnly = () => withMaterial(rekor2(), { tlogEntries: [] });

  it('the genuine bundle (timestamp and Rekor v2 entry) verifies', () => {
    const r = verifyAttestation(JSON.stringify(rekor2()), custom);
    expect(r.ok ? '' : r.reason).toBe('');
  });

  it('fails under the default policy (tlogThreshold 1), as @sigstore/verify does: TLOG_ERROR', () => {
    expect(DEFAULT_POLICY.signatures.tlogThreshold).toBe(1);
    const r = verifyAttestation(JSON.stringify(timestampOnly()), custom);
    expect(r.ok ? '' : r.reason).toContain('expected 1 tlog entries, got 0');
  });

  it('verifies when the policy sets tlogThreshold 0 (the timestamp alone dates the certificate)', () => {
    const r = verifyAttestation(JSON.stringify(timestampOnly()), { ...custom, tlogThreshold: 0 });
    expect(r.ok ? '' : r.reason).toBe('');
  });

  it('without the timestamp either, nothing dates the certificate: TIMESTAMP_ERROR', () => {
    const none = withMaterial(timestampOnly(), { timestampVerificationData: undefined });
    const r = verifyAttestation(JSON.stringify(none), { ...custom, tlogThreshold: 0 });
    expect(r.ok ? '' : r.reason).toContain('expected 1 timestamps, got 0');
  });

  it('with timestampThreshold 0 as well, it still fails, saying why (not a TypeError from @sigstore/verify)', () => {
    const none = withMaterial(timestampOnly(), { timestampVerificationData: undefined });
    const r = verifyAttestation(JSON.stringify(none), { ...custom, tlogThreshold: 0, timestampThreshold: 0 });
    expect(r.ok ? '' : r.reason).toContain('carries no trusted time');
    expect(r.ok ? '' : r.reason).not.toContain('Cannot read properties');
  });
});
