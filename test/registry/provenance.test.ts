import { readdirSync } from 'node:fs';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { describe, expect, it } from 'vitest';
import { parseRegistryKeys } from '../../src/verify/npm/keys.js';
import { identityAllowed } from '../../src/verify/npm/identity.js';
import { verifyAttestations } from '../../src/verify/npm/provenance.js';
import { parseSri } from '../../src/verify/npm/sri.js';
import { createAttestationVerifier } from '../../src/verify/npm/trust.js';
import { embeddedPublicGoodTrustedRoot } from '../../src/verify/embedded.js';
import { corpusPath } from '../helpers/corpus.js';
import { loadProvenanceCase, readFixtureJson, sri } from '../helpers/npm-endpoints-server.js';

const CASES = readdirSync(corpusPath('sigstore', 'npm-provenance', 'gha'))
  .filter((f) => f.endsWith('.tgz.json'))
  .map((f) => f.slice(0, -'.tgz.json'.length))
  .sort();
const KEYS = parseRegistryKeys(readFixtureJson('sigstore/public-good/npm-registry-keys.json'));
const ROOTS = [
  {
    root: 'corpora trusted_root.json',
    trusted: TrustedRoot.fromJSON(readFixtureJson('sigstore/public-good/trusted_root.json')),
  },
  { root: 'embedded public-good root', trusted: TrustedRoot.fromJSON(embeddedPublicGoodTrustedRoot()) },
];
const THRESHOLDS = { tlogThreshold: 1, timestampThreshold: 1 };

function want(file: string): { publish: boolean; provenance: boolean } {
  return { publish: !file.endsWith('-invalidsigpub'), provenance: !file.endsWith('-invalidsigprov') };
}

describe('npm attestations (real responses from slsa-verifier testdata)', () => {
  it('has the 15 cases', () => expect(CASES).toHaveLength(15));

  it.each(CASES.flatMap((file) => ROOTS.map((r) => ({ file, ...r }))))(
    '$file gives the verdict its name promises ($root)',
    ({ file, trusted }) => {
      const c = loadProvenanceCase(file);
      const verifier = createAttestationVerifier(trusted, KEYS, THRESHOLDS);
      const report = verifyAttestations(
        c.attestations,
        { name: c.name, version: c.version, integrity: parseSri(c.integrity) },
        verifier,
      );
      const publish = report.checks.find((x) => x.kind === 'publish');
      const provenance = report.checks.find((x) => x.kind === 'provenance');
      expect(publish?.ok).toBe(want(file).publish);
      expect(provenance?.ok).toBe(want(file).provenance);
      if (!publish?.ok) expect(publish?.ok === false && publish.problem).toBe('signature');
      if (!provenance?.ok) expect(provenance?.ok === false && provenance.problem).toBe('signature');
      expect(report.provenance !== undefined).toBe(want(file).provenance);
    },
  );

  const good = loadProvenanceCase('provenance-npm-test-ossf');
  const other = loadProvenanceCase('gundam-visor-cli-v1-tag');
  const verifier = createAttestationVerifier(ROOTS[0]!.trusted, KEYS, THRESHOLDS);

  it.each([
    { name: 'another version', target: { name: good.name, version: '1.0.6', integrity: parseSri(good.integrity) } },
    {
      name: 'another package',
      target: { name: '@laurentsimon/provenance-npm-tes', version: good.version, integrity: parseSri(good.integrity) },
    },
    { name: 'other bytes', target: { name: good.name, version: good.version, integrity: parseSri(other.integrity) } },
    {
      name: 'no sha512 to bind to',
      target: { name: good.name, version: good.version, integrity: parseSri(sri('sha1', good.tarball)) },
    },
  ])('rejects valid attestations presented for $name (subject check)', ({ target }) => {
    const report = verifyAttestations(good.attestations, target, verifier);
    expect(report.checks).toHaveLength(2);
    for (const c of report.checks) expect(c.ok === false && c.problem).toBe('subject');
    expect(report.provenance).toBeUndefined();
  });

  it.each([
    { name: 'not an object', input: 'garbage' },
    { name: 'no list', input: { attestations: null } },
    { name: 'empty list', input: { attestations: [] } },
  ])('reports a malformed response: $name', ({ input }) => {
    expect(
      verifyAttestations(
        input,
        { name: good.name, version: good.version, integrity: parseSri(good.integrity) },
        verifier,
      ).malformed,
    ).toBeDefined();
  });

  it('fails a bundle that is not a Sigstore bundle', () => {
    const report = verifyAttestations(
      { attestations: [{ predicateType: 'https://slsa.dev/provenance/v1', bundle: { mediaType: 'nope' } }] },
      { name: good.name, version: good.version, integrity: parseSri(good.integrity) },
      verifier,
    );
    expect(report.checks[0]).toMatchObject({ ok: false, problem: 'signature' });
  });

  it('fails the publish attestation when the registry has no attestation key', () => {
    const noKeys = createAttestationVerifier(ROOTS[0]!.trusted, [], THRESHOLDS);
    const report = verifyAttestations(
      good.attestations,
      { name: good.name, version: good.version, integrity: parseSri(good.integrity) },
      noKeys,
    );
    expect(report.checks.find((c) => c.kind === 'publish')?.ok).toBe(false);
    expect(report.checks.find((c) => c.kind === 'provenance')?.ok).toBe(true);
  });

  // pacote tests an attestation key by `!expires || integratedTime < expires`; validFor.start is not read.
  it.each([
    {
      name: "a key whose validity starts after the attestation's log time",
      start: '2024-01-01T00:00:00.000Z',
      ok: true,
    },
    { name: "a key that expired before the attestation's log time", end: '2023-01-01T00:00:00.000Z', ok: false },
  ])('judges the publish attestation key as pacote does: $name', ({ start, end, ok }) => {
    const tuf = readFixtureJson('sigstore/public-good/npm-registry-keys.json') as {
      keys: { keyUsage: string; publicKey: { validFor: Record<string, string> } }[];
    };
    for (const k of tuf.keys)
      if (k.keyUsage === 'npm:attestations')
        k.publicKey.validFor = { ...k.publicKey.validFor, ...(start ? { start } : {}), ...(end ? { end } : {}) };
    const keys = parseRegistryKeys(tuf);
    const report = verifyAttestations(
      good.attestations,
      { name: good.name, version: good.version, integrity: parseSri(good.integrity) },
      createAttestationVerifier(ROOTS[0]!.trusted, keys, THRESHOLDS),
    );
    expect(report.checks.find((c) => c.kind === 'publish')?.ok).toBe(ok);
  });

  // pacote reads the key's expiry against `bundle.verificationMaterial.tlogEntries[0].integratedTime` whatever else the
  // bundle carries; @sigstore/verify asks the key only at the times it verified (an inclusion promise, an RFC 3161
  // timestamp), so a v0.2 bundle whose entry keeps only its inclusion proof, under `timestampThreshold: 0`, would
  // otherwise never have its key's expiry read.
  it.each([
    { name: 'a key that expired before the log time', end: '2023-01-01T00:00:00.000Z', logged: true, ok: false },
    { name: 'a key that expires after the log time', end: '2030-01-01T00:00:00.000Z', logged: true, ok: true },
    // pacote reads `tlogEntries[0].integratedTime` of a keyed bundle unconditionally: with no entry it throws, and
    // with no time to judge it by, a key that expires is not taken.
    { name: 'no log entry at all', end: '2030-01-01T00:00:00.000Z', logged: false, ok: false },
  ])('judges the publish key at the log time of a bundle without inclusion promise: $name', ({ end, logged, ok }) => {
    const c = loadProvenanceCase('gundam-visor-cli-v1-tag');
    const attestations = structuredClone(c.attestations) as {
      attestations: { predicateType: string; bundle: { verificationMaterial: { tlogEntries: object[] } } }[];
    };
    for (const a of attestations.attestations)
      a.bundle.verificationMaterial.tlogEntries = logged
        ? a.bundle.verificationMaterial.tlogEntries.map((e) => {
            const { inclusionPromise: _drop, ...rest } = e as { inclusionPromise?: unknown };
            return rest;
          })
        : [];
    const tuf = readFixtureJson('sigstore/public-good/npm-registry-keys.json') as {
      keys: { keyUsage: string; publicKey: { validFor: Record<string, string> } }[];
    };
    for (const k of tuf.keys)
      if (k.keyUsage === 'npm:attestations') k.publicKey.validFor = { ...k.publicKey.validFor, end };
    const thresholds = { tlogThreshold: logged ? 1 : 0, timestampThreshold: 0 };
    const report = verifyAttestations(
      attestations,
      { name: c.name, version: c.version, integrity: parseSri(c.integrity) },
      createAttestationVerifier(ROOTS[0]!.trusted, parseRegistryKeys(tuf), thresholds),
    );
    const publish = report.checks.find((x) => x.kind === 'publish');
    expect(publish?.ok).toBe(ok);
    if (!ok) expect(publish?.ok === false && publish.reason).toMatch(/expired|no log entry/);
  });

  it('extracts the builder identity and matches policy patterns anchored', () => {
    const report = verifyAttestations(
      good.attestations,
      { name: good.name, version: good.version, integrity: parseSri(good.integrity) },
      verifier,
    );
    const id = report.provenance!;
    expect(id).toMatchObject({
      issuer: 'https://token.actions.githubusercontent.com',
      sourceRepository: 'https://github.com/laurentsimon/provenance-npm-test',
    });
    expect(id.workflow).toMatch(
      /^https:\/\/github\.com\/laurentsimon\/provenance-npm-test\/\.github\/workflows\/release-slsa3\.yml@/,
    );
    const table = [
      { allowed: [{ sourceRepository: 'https://github\\.com/laurentsimon/provenance-npm-test' }], want: true },
      { allowed: [{ sourceRepository: 'https://github\\.com/laurentsimon/provenance-npm' }], want: false },
      { allowed: [{ sourceRepository: 'github\\.com/laurentsimon/provenance-npm-test' }], want: false },
      {
        allowed: [
          {
            issuer: 'https://token\\.actions\\.githubusercontent\\.com',
            workflow: '.*/release-slsa3\\.yml@refs/heads/main',
          },
        ],
        want: true,
      },
      { allowed: [{ issuer: 'https://accounts\\.google\\.com' }], want: false },
      {
        allowed: [{ workflow: '.*/other\\.yml@.*' }, { sourceRepository: 'https://github\\.com/laurentsimon/.*' }],
        want: true,
      },
      { allowed: [], want: true },
    ];
    for (const t of table) expect({ t, ok: identityAllowed(id, t.allowed) }).toEqual({ t, ok: t.want });
    // The same repository claimed under another CI's issuer (Codefresh fills the extension from its pipeline's
    // scm_repo_url; sigstore/fulcio config/identity/config.yaml) is not that repository's word.
    const codefresh = { ...id, issuer: 'https://oidc.codefresh.io' };
    expect(identityAllowed(codefresh, [{ sourceRepository: 'https://github\\.com/laurentsimon/.*' }])).toBe(false);
    expect(identityAllowed(codefresh, [{ issuer: 'https://oidc\\.codefresh\\.io' }])).toBe(true);
  });
});
