import { createHash, createPrivateKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyArtifactBundle } from '../../src/verify/artifact.js';
import { pae } from '../../src/verify/bundle/dsse.js';
import { parseBundle } from '../../src/verify/bundle/parse.js';
import { loadTrustedRoot } from '../../src/verify/trust/root.js';
import type { TrustRoot } from '../../src/verify/trust/root.js';
import { blockNetwork, KEYS, signers } from './helpers.js';

beforeAll(blockNetwork);

/*
 * A statement is chosen by whoever signs it, and a key or CA the policy names can sign one listing any number of
 * subjects. model_signing's test key (OpenSSF samples, P-384) signs these in memory, as its key method does.
 */
const key = createPrivateKey(readFileSync(path.join(KEYS, 'signing-key.pem')));
const TYPE = 'application/vnd.in-toto+json';
function keyedBundle(subjects: { name: string; digest: Record<string, string> }[]): string {
  const payload = Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: subjects,
      predicateType: 'https://example.com/p/v1',
      predicate: {},
    }),
  );
  const sig = sign('sha384', pae(TYPE, payload), key);
  return JSON.stringify({
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { publicKey: { hint: '' }, tlogEntries: [] },
    dsseEnvelope: {
      payload: payload.toString('base64'),
      payloadType: TYPE,
      signatures: [{ sig: sig.toString('base64'), keyid: '' }],
    },
  });
}

const N = 5000;
const artifact = Buffer.from('the artifact');
const hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const others = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ name: `f${i}`, digest: { sha256: hex(Buffer.from(String(i))) } }));

/** These keyed bundles carry no log entry: a policy accepting them asks for none. */
const UNLOGGED = { tlogThreshold: 0, timestampThreshold: 0 };

let trust: TrustRoot;
beforeAll(async () => {
  trust = await loadTrustedRoot();
});

describe('a signed statement with many subjects over a detached artifact', () => {
  it('one matching subject among thousands verifies (cosign verify-blob-attestation takes any subject)', async () => {
    const bundle = keyedBundle([...others(N), { name: 'a', digest: { sha256: hex(artifact) } }]);
    const v = verifyArtifactBundle({ bundle, artifact, trust, signers: await signers('ecKey'), ...UNLOGGED });
    expect(v.ok ? 'ok' : v.reason).toBe('ok');
  });

  it('none matching: one bounded reason, not every subject', async () => {
    const bundle = keyedBundle(others(N));
    const v = verifyArtifactBundle({ bundle, artifact, trust, signers: await signers('ecKey'), ...UNLOGGED });
    expect(v).toMatchObject({ ok: false, code: 'digest-mismatch' });
    const reason = v.ok ? '' : v.reason;
    expect(reason.length).toBeLessThan(1000);
    expect(reason).toContain(`and ${N - 5} more`);
    expect(reason).toContain(`the artifact is sha256:${hex(artifact)}`);
  });
});

/*
 * One subject, several digests. The verifiers compare one algorithm each and not the same one (cosign
 * verify-blob-attestation and gh attestation verify SHA-256, sigstore-go given the bytes the strongest a subject
 * carries), so a subject whose digests name two files passes one verifier and fails another: refused here.
 */
describe('a subject carrying several digests', () => {
  const digest = (alg: string, b: Buffer = artifact) => createHash(alg).update(b).digest('hex');
  const other = Buffer.from('another file');
  it.each([
    { name: 'right sha256 and sha512', d: { sha256: digest('sha256'), sha512: digest('sha512') }, want: 'ok' },
    { name: 'right sha512 alone', d: { sha512: digest('sha512') }, want: 'ok' },
    { name: 'right sha384, unknown sha1 beside it', d: { sha384: digest('sha384'), sha1: '00' }, want: 'ok' },
    {
      name: 'wrong sha256, right sha512',
      d: { sha256: digest('sha256', other), sha512: digest('sha512') },
      want: 'digest-mismatch',
    },
    {
      name: 'right sha256, wrong sha512',
      d: { sha256: digest('sha256'), sha512: digest('sha512', other) },
      want: 'digest-mismatch',
    },
    {
      name: 'right sha256, wrong sha384',
      d: { sha256: digest('sha256'), sha384: digest('sha384', other) },
      want: 'digest-mismatch',
    },
  ])('$name → $want', async ({ d, want }) => {
    const bundle = keyedBundle([{ name: 'a', digest: d }]);
    const v = verifyArtifactBundle({ bundle, artifact, trust, signers: await signers('ecKey'), ...UNLOGGED });
    expect(v.ok ? 'ok' : v.code).toBe(want);
  });

  it('the reason names the digest that disagrees', async () => {
    const d = { sha256: digest('sha256', other), sha512: digest('sha512') };
    const v = verifyArtifactBundle({
      bundle: keyedBundle([{ name: 'a', digest: d }]),
      artifact,
      trust,
      signers: await signers('ecKey'),
      ...UNLOGGED,
    });
    expect(v.ok ? '' : v.reason).toContain(`sha256:${d.sha256}`);
    expect(v.ok ? '' : v.reason).toContain(`the artifact's sha256 is ${digest('sha256')}`);
  });

  it('another subject matching whole still verifies', async () => {
    const bundle = keyedBundle([
      { name: 'a', digest: { sha256: digest('sha256', other), sha512: digest('sha512') } },
      { name: 'b', digest: { sha256: digest('sha256'), sha512: digest('sha512') } },
    ]);
    const v = verifyArtifactBundle({ bundle, artifact, trust, signers: await signers('ecKey'), ...UNLOGGED });
    expect(v.ok ? 'ok' : v.reason).toBe('ok');
  });
});

/*
 * Payload size alone: a bundle file of a few MiB (a model_signing manifest of tens of thousands of files, or any
 * `*.sigstore.json` someone commits) is well under MAX_BUNDLE_BYTES and must be read, never overflow the regexp stack
 * that checked its base64 (a RangeError there failed the whole signatures stage, CPX020).
 */
describe('a bundle with a payload of several MiB', () => {
  const big = Buffer.alloc(8 * 1024 * 1024, 0x41).toString('base64');
  const bundle = (payload: string) =>
    JSON.stringify({
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: { publicKey: { hint: '' }, tlogEntries: [] },
      dsseEnvelope: { payload, payloadType: TYPE, signatures: [{ sig: 'AAAA', keyid: '' }] },
    });

  it('parses, and its forged signature is a verdict', async () => {
    expect(parseBundle(bundle(big)).content).toMatchObject({ kind: 'dsse' });
    const v = verifyArtifactBundle({ bundle: bundle(big), artifact, trust, signers: await signers('ecKey') });
    expect(v).toMatchObject({ ok: false, code: 'invalid' });
  });

  it.each([`${big}A`, `${big.slice(0, -4)}A===`, `${big.slice(0, -4)}A=B=`])(
    'bad base64 is still refused',
    (payload) => {
      expect(() => parseBundle(bundle(payload))).toThrow(/dsseEnvelope.payload is not valid base64/);
    },
  );
});
