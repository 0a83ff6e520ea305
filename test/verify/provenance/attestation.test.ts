import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
import {
  attestedSource,
  matchSubject,
  matchSubjectHashing,
  verifyAttestation,
  type TrustCheck,
} from '../../../src/verify/provenance/attestation.js';
import { parseStatement } from '../../../src/verify/bundle/intoto.js';
import { issuerVouchesFor } from '../../../src/verify/provenance/source.js';
import { loadTrustedRoot } from '../../../src/verify/trust/root.js';
import { corpusPath } from '../../helpers/corpus.js';
import { npmProvenanceBundle } from './helpers.js';

let check: TrustCheck;
beforeAll(async () => {
  check = {
    trust: await loadTrustedRoot(undefined),
    tlogThreshold: DEFAULT_POLICY.signatures.tlogThreshold,
    timestampThreshold: DEFAULT_POLICY.signatures.timestampThreshold,
  };
});

const SIGSTORE_JS = {
  repository: 'https://github.com/sigstore/sigstore-js',
  commit: '46e7056ff9912ebfee5298d94024895a9fea76c0',
  ref: 'refs/heads/main',
  builder: 'https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main',
};

describe('verifyAttestation over real attestations', () => {
  it.each([
    {
      name: 'npm SLSA v1 provenance (sigstore@2.3.1)',
      bundle: () => npmProvenanceBundle('provenance-npm-test-cli-v1-prega'),
      want: SIGSTORE_JS,
    },
    {
      name: 'actions/attest bundle (pypi-attestation-models)',
      bundle: () =>
        readFileSync(corpusPath('pypi', 'pypi-attestations', 'pypi_attestation_models-0.0.4a2.tar.gz.sigstore')),
      want: { repository: 'https://github.com/trailofbits/pypi-attestation-models' },
    },
  ])('$name verifies and names its source', ({ bundle, want }) => {
    const r = verifyAttestation(bundle(), check);
    expect(r.ok ? '' : r.reason).toBe('');
    if (!r.ok) return;
    expect(r).toMatchObject(want);
    expect(r.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it.each([
    {
      name: 'provenance with a broken signature',
      bundle: () => npmProvenanceBundle('provenance-npm-test-cli-v1-prega-invalidsigprov'),
    },
    { name: 'not JSON', bundle: () => Buffer.from('{not json') },
    {
      name: 'a message signature (no statement)',
      bundle: () =>
        readFileSync(corpusPath('sigstore', 'conformance', 'bundle-verify', 'happy-path-v0.3', 'bundle.sigstore.json')),
    },
  ])('$name is not verified', ({ bundle }) => {
    expect(verifyAttestation(bundle(), check).ok).toBe(false);
  });

  // VerificationMaterial.content is a protobuf oneof: sigstore-go's protojson refuses a bundle setting two members,
  // @sigstore/bundle keeps the first of publicKey, x509CertificateChain, certificate. The actions/attest bundle, moved
  // to a v0.2 chain of its one certificate, verifies; with another workflow's Fulcio certificate (any is public in
  // Rekor) set beside it, the signature would be checked with the chain and the source read from the certificate.
  it("a bundle carrying another workflow's certificate beside its own chain is refused, not given that source", () => {
    const own = JSON.parse(
      readFileSync(corpusPath('pypi', 'pypi-attestations', 'pypi_attestation_models-0.0.4a2.tar.gz.sigstore'), 'utf8'),
    ) as { mediaType: string; verificationMaterial: Record<string, unknown> };
    const { certificate, ...rest } = own.verificationMaterial;
    const chained = {
      ...own,
      mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.2',
      verificationMaterial: { ...rest, x509CertificateChain: { certificates: [certificate] } },
    };
    expect(verifyAttestation(JSON.stringify(chained), check)).toMatchObject({
      ok: true,
      repository: 'https://github.com/trailofbits/pypi-attestation-models',
    });
    const other = JSON.parse(npmProvenanceBundle('provenance-npm-test-cli-v1-prega')) as {
      verificationMaterial: { x509CertificateChain: { certificates: unknown[] } };
    };
    const spliced = {
      ...chained,
      verificationMaterial: {
        ...chained.verificationMaterial,
        certificate: other.verificationMaterial.x509CertificateChain.certificates[0],
      },
    };
    const r = verifyAttestation(JSON.stringify(spliced), check);
    expect(r).toMatchObject({ ok: false });
    expect(r.ok ? '' : r.reason).toMatch(/x509CertificateChain and certificate/);
  });

  it('a message signature is not provenance at all (not a failure)', () => {
    const r = verifyAttestation(
      readFileSync(corpusPath('sigstore', 'conformance', 'bundle-verify', 'happy-path-v0.3', 'bundle.sigstore.json')),
      check,
    );
    expect(r).toMatchObject({ ok: false, notProvenance: true });
  });
});

/*
 * Where the source comes from: `gh attestation verify` matches --owner/--repo against the signing certificate's
 * Source Repository (Owner) URI extensions only (cli/cli verification.VerifyCertExtensions); a statement's
 * resolvedDependencies are whatever its signer wrote. A person or a service account can sign an SLSA statement naming
 * any repository and commit.
 */
describe('attestedSource: the source repository and commit come from the certificate', () => {
  const npm = JSON.parse(npmProvenanceBundle('provenance-npm-test-cli-v1-prega')) as {
    dsseEnvelope: { payload: string; payloadType: string };
    verificationMaterial: { x509CertificateChain: { certificates: { rawBytes: string }[] } };
  };
  const statement = parseStatement(npm.dsseEnvelope.payloadType, Buffer.from(npm.dsseEnvelope.payload, 'base64'));
  const der = (b64: string) => Buffer.from(b64, 'base64');
  const emailLeaf = () =>
    der(
      (
        JSON.parse(
          readFileSync(corpusPath('sigstore', 'sigstore-js', 'tests', 'bundles', 'bundleV03-intoto.sigstore'), 'utf8'),
        ) as { verificationMaterial: { certificate: { rawBytes: string } } }
      ).verificationMaterial.certificate.rawBytes,
    );
  const pemLeaf = (name: string) =>
    new X509Certificate(readFileSync(corpusPath('pypi', 'pypi-attestations', name))).raw;

  it('the GitHub Actions certificate that signed the statement backs its source', () => {
    const r = attestedSource(statement, der(npm.verificationMaterial.x509CertificateChain.certificates[0]!.rawBytes));
    expect(r).toMatchObject({ ok: true, ...SIGSTORE_JS });
  });

  it.each([
    { name: 'a person (email identity, GitHub OAuth)', leaf: emailLeaf },
    { name: 'a Google service account', leaf: () => pemLeaf('200170367.pem') },
  ])("an SLSA statement signed by $name does not give the model the statement's source", ({ leaf }) => {
    const r = attestedSource(statement, leaf());
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toMatch(/certificate names no source repository/);
  });
});

/*
 * Fulcio copies the Source Repository URI from a token claim; only the forge's own CI vouches for it (Codefresh fills
 * it from `scm_repo_url`, sigstore/fulcio config/identity/config.yaml). `gh attestation verify` requires the GitHub
 * Actions issuer. Hand-made certificates (fixtures/provenance/README.md) stand for a CI certificate of each issuer.
 */
describe('attestedSource: the certificate issuer must speak for the repository host', () => {
  const made = (name: string) =>
    new X509Certificate(readFileSync(new URL(`../../../fixtures/provenance/${name}.pem`, import.meta.url))).raw;
  /** An SLSA v1 statement over model.safetensors whose build resolved `deps` (git entries). */
  const withDependencies = (deps: { uri: string; commit: string }[]) =>
    parseStatement(
      'application/vnd.in-toto+json',
      Buffer.from(
        JSON.stringify({
          _type: 'https://in-toto.io/Statement/v1',
          subject: [{ name: 'model.safetensors', digest: { sha256: 'ab'.repeat(32) } }],
          predicateType: 'https://slsa.dev/provenance/v1',
          predicate: {
            buildDefinition: {
              resolvedDependencies: deps.map((d) => ({ uri: d.uri, digest: { gitCommit: d.commit } })),
            },
          },
        }),
      ),
    );
  // A statement naming no source of its own: the certificate alone gives repository and commit.
  const bare = withDependencies([]);

  it('a GitHub Actions certificate naming a github.com repository gives the source', () => {
    expect(attestedSource(bare, made('fulcio-issuer-github-actions'))).toMatchObject({
      ok: true,
      repository: 'https://github.com/acme/models',
      commit: '1'.repeat(40),
    });
  });

  // A build that checks out a second repository can list that checkout among resolvedDependencies, before its own
  // source. `gh attestation verify` takes the source from the certificate alone; the statement names it as well, so
  // the attestation is consistent. A statement whose git entries never name the certificate's source still conflicts.
  const ONES = '1'.repeat(40);
  const SOURCE = { uri: 'git+https://github.com/acme/models@refs/heads/main', commit: ONES };
  const DATA = { uri: 'git+https://github.com/acme/datasets@refs/heads/main', commit: '3'.repeat(40) };
  it.each([
    { name: 'a second checkout listed first', deps: [DATA, SOURCE], ok: true },
    { name: 'a second checkout listed after the source', deps: [SOURCE, DATA], ok: true },
    {
      name: 'the source repository twice, its built commit second',
      deps: [{ ...SOURCE, commit: '4'.repeat(40) }, SOURCE],
      ok: true,
    },
    { name: 'only another repository', deps: [DATA], ok: false },
    { name: 'the source repository at another commit only', deps: [{ ...SOURCE, commit: '4'.repeat(40) }], ok: false },
  ])('resolvedDependencies with $name → ok $ok', ({ deps, ok }) => {
    const r = attestedSource(withDependencies(deps), made('fulcio-issuer-github-actions'));
    expect(r).toMatchObject(
      ok
        ? { ok: true, repository: 'https://github.com/acme/models', commit: ONES }
        : { ok: false, sourceConflict: true },
    );
  });

  it('a Codefresh certificate naming a github.com repository is refused', () => {
    const r = attestedSource(bare, made('fulcio-issuer-codefresh-names-github'));
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toMatch(/https:\/\/oidc\.codefresh\.io, which does not speak for that host/);
  });

  it.each([
    ['https://token.actions.githubusercontent.com', 'https://github.com/acme/models', true],
    ['https://token.actions.githubusercontent.com/acme-enterprise', 'https://github.com/acme/models', true],
    ['https://token.actions.githubusercontent.com', 'git+https://GitHub.com/acme/models.git@refs/heads/main', true],
    ['https://token.actions.acme.ghe.com', 'https://acme.ghe.com/org/models', true],
    ['https://token.actions.githubusercontent.com', 'https://acme.ghe.com/org/models', false],
    ['https://token.actions.other.ghe.com', 'https://acme.ghe.com/org/models', false],
    ['https://gitlab.com', 'https://gitlab.com/acme/models', true],
    ['https://gitlab.com', 'https://github.com/acme/models', false],
    ['https://oidc.codefresh.io', 'https://github.com/acme/models', false],
    ['https://oidc.circleci.com/org/0c2a', 'https://github.com/acme/models', false],
    ['http://token.actions.githubusercontent.com', 'https://github.com/acme/models', false],
    ['not a url', 'https://github.com/acme/models', false],
    [undefined, 'https://github.com/acme/models', false],
  ])('issuer %s for %s → %s', (issuer, repository, want) => {
    expect(issuerVouchesFor(issuer, repository)).toBe(want);
  });
});

describe('matchSubject', () => {
  const statement = {
    type: 'https://in-toto.io/Statement/v1',
    predicateType: 'https://slsa.dev/provenance/v1',
    subjects: [{ name: 'a', digest: { sha512: 'ab' } }],
    predicate: {},
  };
  it.each([
    { name: 'same sha512', digests: { sha256: '00', sha512: 'AB' }, want: 'match' },
    { name: 'other sha512', digests: { sha512: 'cd' }, want: 'mismatch' },
    { name: 'only sha256 known', digests: { sha256: '00' }, want: 'need' },
  ])('$name → $want', ({ digests, want }) => {
    expect(matchSubject(statement, digests).kind).toBe(want);
  });

  // A digest present and wrong never passes, whichever the scan computed first (bundle/intoto.ts compareSubjects).
  const both = (sha256: string, sha512: string) => ({
    ...statement,
    subjects: [{ name: 'a', digest: { sha256, sha512 } }],
  });
  it.each([
    { name: 'right sha256, wrong sha512', s: both('aa', 'ff'), computed: { sha512: 'bb' }, want: 'conflict' },
    { name: 'wrong sha256, right sha512', s: both('ff', 'bb'), computed: { sha512: 'bb' }, want: 'mismatch' },
    { name: 'both right', s: both('aa', 'bb'), computed: { sha512: 'bb' }, want: 'match' },
    { name: 'sha512 cannot be computed (LFS pointer)', s: both('aa', 'ff'), computed: undefined, want: 'match' },
    { name: 'wrong sha256, sha512 not computed', s: both('ff', 'bb'), computed: undefined, want: 'mismatch' },
  ])('$name → $want (the scan hashed sha256 only)', async ({ s, computed, want }) => {
    const asked: string[][] = [];
    const hash = (algorithms: string[]) => {
      asked.push(algorithms);
      return Promise.resolve(computed);
    };
    const m = await matchSubjectHashing(s, { sha256: 'aa' }, hash);
    expect(m.kind).toBe(want);
    // Only what the subject that agreed carries beyond sha256 is hashed, and only when one agreed.
    expect(asked).toEqual(s.subjects[0]!.digest.sha256 === 'aa' ? [['sha512']] : []);
  });
});

describe('hostile bundles', () => {
  it('mutated or truncated attestation bytes are a reason, never a throw', () => {
    const genuine = Buffer.from(npmProvenanceBundle('provenance-npm-test-cli-v1-prega'));
    fc.assert(
      fc.property(
        fc.nat({ max: genuine.length - 1 }),
        fc.integer({ min: 0, max: 255 }),
        fc.boolean(),
        (at, byte, truncate) => {
          const bytes = truncate ? genuine.subarray(0, at) : Buffer.from(genuine);
          if (!truncate) bytes[at] = byte;
          const r = verifyAttestation(bytes, check);
          if (!r.ok) expect(r.reason.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 60, seed: 15 },
    );
  });
});
