import { describe, expect, it } from 'vitest';
import { embeddedNpmKeys, parseRegistryKeys } from '../../src/verify/npm/keys.js';
import { parseSignatures, verifyRegistrySignatures } from '../../src/verify/npm/signatures.js';
import { readFixtureJson, registryKeysFromTuf } from '../helpers/npm-endpoints-server.js';

interface RealSignature {
  name: string;
  version: string;
  integrity: string;
  keyid: string;
  sig: string;
}

const REAL = readFixtureJson('sigstore/npm-registry-signatures.json') as RealSignature[];
const TUF_KEYS = parseRegistryKeys(readFixtureJson('sigstore/public-good/npm-registry-keys.json'));
const REGISTRY_KEYS = parseRegistryKeys(
  registryKeysFromTuf(readFixtureJson('sigstore/public-good/npm-registry-keys.json')),
);
const IN_WINDOW = new Date('2022-06-01T00:00:00Z');
const AFTER_EXPIRY = new Date('2025-06-01T00:00:00Z');

describe('registry signatures (ECDSA P-256 over name@version:integrity)', () => {
  const keySets = [
    { keys: 'TUF target (fixtures)', set: TUF_KEYS },
    { keys: '/-/npm/v1/keys shape', set: REGISTRY_KEYS },
    { keys: 'embedded @sigstore/tuf seed', set: embeddedNpmKeys() },
  ];
  const cases = REAL.flatMap((s) => keySets.map((k) => ({ ...k, s })));

  it.each(cases)('$s.name@$s.version verifies with $keys', ({ s, set }) => {
    const v = verifyRegistrySignatures(
      {
        name: s.name,
        version: s.version,
        integrity: s.integrity,
        signatures: [{ keyid: s.keyid, sig: s.sig }],
        publishedAt: IN_WINDOW,
      },
      set,
    );
    expect(v).toEqual({ kind: 'verified', keyid: s.keyid });
  });

  const first = REAL[0]!;
  const other = REAL[1]!;
  const tampered = [
    { name: 'integrity of another package', input: { ...first, integrity: other.integrity }, want: 'invalid' },
    { name: 'another version', input: { ...first, version: '1.0.1' }, want: 'invalid' },
    { name: 'another package name', input: { ...first, name: 'kms-demo2' }, want: 'invalid' },
    { name: "another package's signature", input: { ...first, sig: other.sig }, want: 'invalid' },
    {
      name: 'a signature that is not DER',
      input: { ...first, sig: Buffer.from('not a signature').toString('base64') },
      want: 'invalid',
    },
    { name: 'an unknown key id', input: { ...first, keyid: 'SHA256:unknown' }, want: 'untrusted-key' },
  ];
  it.each(tampered)('fails for $name', ({ input, want }) => {
    const v = verifyRegistrySignatures(
      {
        name: input.name,
        version: input.version,
        integrity: input.integrity,
        signatures: [{ keyid: input.keyid, sig: input.sig }],
        publishedAt: IN_WINDOW,
      },
      REGISTRY_KEYS,
    );
    expect(v.kind).toBe(want);
  });

  it.each([
    { name: 'published after the key expired', at: AFTER_EXPIRY, want: 'untrusted-key' },
    { name: 'publish time unknown and the key expires', at: undefined, want: 'untrusted-key' },
    { name: 'published inside the validity window', at: IN_WINDOW, want: 'verified' },
  ])('honours key expiry: $name', ({ at, want }) => {
    const v = verifyRegistrySignatures(
      {
        name: first.name,
        version: first.version,
        integrity: first.integrity,
        signatures: [{ keyid: first.keyid, sig: first.sig }],
        ...(at ? { publishedAt: at } : {}),
      },
      TUF_KEYS,
    );
    expect(v.kind).toBe(want);
    if (v.kind === 'untrusted-key') expect(v.reason).toBe('not-valid-at-publish-time');
  });

  // pacote: `!publicKey.expires || publishedTime < Date.parse(publicKey.expires)`, so an `expires` Date.parse cannot
  // read fails every time (EEXPIREDSIGNATUREKEY) and an empty one never expires.
  it.each([
    { name: 'an expiry that is no date', expires: 'never', want: 'untrusted-key' },
    { name: 'an expiry that is no string', expires: true, want: 'untrusted-key' },
    { name: 'an empty expiry', expires: '', want: 'verified' },
    { name: 'a null expiry', expires: null, want: 'verified' },
  ])('reads a key expiry as pacote does: $name', ({ expires, want }) => {
    const served = registryKeysFromTuf(readFixtureJson('sigstore/public-good/npm-registry-keys.json')) as {
      keys: Record<string, unknown>[];
    };
    const keys = parseRegistryKeys({ keys: served.keys.map((k) => ({ ...k, expires })) });
    const v = verifyRegistrySignatures(
      {
        name: first.name,
        version: first.version,
        integrity: first.integrity,
        signatures: [{ keyid: first.keyid, sig: first.sig }],
        publishedAt: IN_WINDOW,
      },
      keys,
    );
    expect(v.kind).toBe(want);
  });

  // pacote (lib/registry.js `manifest`) checks every entry of dist.signatures and throws at the first that fails.
  it.each([
    {
      name: 'a valid signature next to one by an unknown key',
      extra: { keyid: 'SHA256:unknown', sig: first.sig },
      want: 'untrusted-key',
    },
    {
      name: 'a valid signature next to a bad one by the same key',
      extra: { keyid: first.keyid, sig: other.sig },
      want: 'invalid',
    },
    { name: 'a valid signature next to an entry with no keyid', extra: { sig: first.sig }, want: 'untrusted-key' },
  ])('every signature must verify, as pacote checks them: $name', ({ extra, want }) => {
    for (const order of ['valid first', 'valid last']) {
      const valid = { keyid: first.keyid, sig: first.sig };
      const listed = order === 'valid first' ? [valid, extra] : [extra, valid];
      const v = verifyRegistrySignatures(
        {
          name: first.name,
          version: first.version,
          integrity: first.integrity,
          signatures: parseSignatures(listed),
          publishedAt: IN_WINDOW,
        },
        REGISTRY_KEYS,
      );
      expect(`${order}: ${v.kind}`).toBe(`${order}: ${want}`);
    }
  });

  // pacote signs over `${mani._id}:${mani._integrity}`, `_integrity` being String(ssri.parse(dist.integrity)).
  it.each([
    { name: 'padded with whitespace', integrity: `  ${first.integrity}\n` },
    { name: 'followed by a token ssri drops', integrity: `${first.integrity} not-an-algorithm!-x junk` },
  ])('verifies over the integrity as ssri re-serialises it: $name', ({ integrity }) => {
    const v = verifyRegistrySignatures(
      {
        name: first.name,
        version: first.version,
        integrity,
        signatures: [{ keyid: first.keyid, sig: first.sig }],
        publishedAt: IN_WINDOW,
      },
      REGISTRY_KEYS,
    );
    expect(v.kind).toBe('verified');
  });

  it('reports a missing signature', () => {
    expect(
      verifyRegistrySignatures({ name: 'a', version: '1.0.0', integrity: first.integrity, signatures: [] }, TUF_KEYS)
        .kind,
    ).toBe('missing');
  });

  it('keeps TUF key usages apart: an attestation-only key does not verify registry signatures', () => {
    const attestationOnly = TUF_KEYS.filter((k) => k.usages.has('attestations') && !k.usages.has('signatures'));
    expect(attestationOnly.length).toBeGreaterThan(0);
    const v = verifyRegistrySignatures(
      {
        name: first.name,
        version: first.version,
        integrity: first.integrity,
        signatures: [{ keyid: first.keyid, sig: first.sig }],
        publishedAt: IN_WINDOW,
      },
      attestationOnly,
    );
    expect(v.kind).toBe('untrusted-key');
  });

  it('ignores malformed key entries', () => {
    expect(
      parseRegistryKeys({ keys: [{ keyid: 'x', keytype: 'ecdsa-sha2-nistp256', key: 'AAAA' }, null, 'junk'] }),
    ).toEqual([]);
    expect(parseRegistryKeys('garbage')).toEqual([]);
  });
});
