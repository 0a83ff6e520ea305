import { createHash, createPrivateKey, sign, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../src/core/policy.js';
import { DEFAULT_POLICY } from '../../src/trust/policy/default.js';
import { verifyArtifactBundle } from '../../src/verify/artifact.js';
import { signaturesStage } from '../../src/verify/stage.js';
import { loadTrustedRoot, type TrustRoot } from '../../src/verify/trust/root.js';
import { scanWith } from '../helpers/scan.js';
import { blockNetwork, KEYS, signers, SPECS } from './helpers.js';

beforeAll(blockNetwork);

/*
 * A message signature names its digest algorithm (protobuf-specs HashAlgorithm). @sigstore/verify verifies SHA2_256,
 * SHA2_384, SHA2_512, SHA3_256 and SHA3_384, each by signing the artifact hashed with that algorithm (bundle/message.ts
 * HASH_ALGORITHM_MAP, MessageSignatureContent.verifySignature), whatever the key's curve. These bundles are signed in
 * memory with model_signing's test key (P-384), keyed or with its certificate chain, and carry no log entry.
 */
const key = createPrivateKey(readFileSync(path.join(KEYS, 'signing-key.pem')));
/** Leaf first, then the intermediate CA under the CA the policy names (SPECS.ca). */
const chain = ['signing-key-cert.pem', 'int-ca-cert.pem'].map((f) =>
  new X509Certificate(readFileSync(path.join(KEYS, f))).raw.toString('base64'),
);
const NODE_HASH = {
  SHA2_256: 'sha256',
  SHA2_384: 'sha384',
  SHA2_512: 'sha512',
  SHA3_256: 'sha3-256',
  SHA3_384: 'sha3-384',
} as const;
type Algorithm = keyof typeof NODE_HASH;

interface Signing {
  readonly algorithm: string;
  /** The hash the signature and digest are made with (the named algorithm's unless a test says otherwise). */
  readonly hash: string;
  readonly material: 'key' | 'certificate';
}

function messageBundle(data: Buffer, s: Signing): string {
  return JSON.stringify({
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: {
      ...(s.material === 'key'
        ? { publicKey: { hint: '' } }
        : { x509CertificateChain: { certificates: chain.map((rawBytes) => ({ rawBytes })) } }),
      tlogEntries: [],
    },
    messageSignature: {
      messageDigest: { algorithm: s.algorithm, digest: createHash(s.hash).update(data).digest('base64') },
      signature: sign(s.hash, data, key).toString('base64'),
    },
  });
}

const artifact = Buffer.from('model weights\n');
/** Unlogged bundles: a policy accepting them asks for no log entry or timestamp. */
const UNLOGGED = { tlogThreshold: 0, timestampThreshold: 0 };

let trust: TrustRoot;
beforeAll(async () => {
  trust = await loadTrustedRoot();
});

async function verify(bundle: string, material: 'key' | 'certificate', bytes = artifact) {
  const allowed = await signers(material === 'key' ? 'ecKey' : 'ca');
  return verifyArtifactBundle({ bundle, artifact: bytes, trust, signers: allowed, ...UNLOGGED });
}

const outcome = (v: Awaited<ReturnType<typeof verify>>) => (v.ok ? 'ok' : `${v.code}: ${v.reason}`);

describe('a message signature under each digest algorithm @sigstore/verify accepts', () => {
  it.each(
    (Object.keys(NODE_HASH) as Algorithm[]).flatMap((algorithm) =>
      (['key', 'certificate'] as const).map((material) => ({ algorithm, material })),
    ),
  )('$algorithm, signed with a $material, verifies', async ({ algorithm, material }) => {
    const bundle = messageBundle(artifact, { algorithm, hash: NODE_HASH[algorithm], material });
    expect(outcome(await verify(bundle, material))).toBe('ok');
  });

  it('a changed artifact under SHA3_256 is the digest mismatch a SHA2_256 one is', async () => {
    const changed = Buffer.from('model weights, swapped\n');
    for (const algorithm of ['SHA2_256', 'SHA3_256'] as const) {
      const bundle = messageBundle(artifact, { algorithm, hash: NODE_HASH[algorithm], material: 'key' });
      const v = await verify(bundle, 'key', changed);
      expect(v).toMatchObject({ ok: false, code: 'digest-mismatch' });
      expect(v.ok ? '' : v.reason).toContain(
        `the artifact is ${NODE_HASH[algorithm]}:${createHash(NODE_HASH[algorithm]).update(changed).digest('hex')}`,
      );
    }
  });

  it('a signature made with another hash than the one the bundle names does not verify', async () => {
    // The digest is SHA3-256's, the signature the curve's SHA-384: @sigstore/verify checks it with SHA3-256 and fails.
    const good = JSON.parse(messageBundle(artifact, { algorithm: 'SHA3_256', hash: 'sha3-256', material: 'key' })) as {
      messageSignature: { signature: string };
    };
    good.messageSignature.signature = sign('sha384', artifact, key).toString('base64');
    expect(await verify(JSON.stringify(good), 'key')).toMatchObject({ ok: false, code: 'invalid' });
  });

  it('an algorithm no signer writes, or one outside HashAlgorithm, stays unverifiable, named bounded', async () => {
    const long = `SHA3_${'9'.repeat(100_000)}`;
    // Names every object inherits are no hash either: looked up as one, they crashed the signatures stage.
    for (const algorithm of ['SHA3_512', 'HASH_ALGORITHM_UNSPECIFIED', 'BLAKE2B', long, 'constructor', '__proto__']) {
      const v = await verify(messageBundle(artifact, { algorithm, hash: 'sha256', material: 'key' }), 'key');
      expect(v).toMatchObject({ ok: false, code: 'unverifiable' });
      const reason = v.ok ? '' : v.reason;
      expect(reason).toContain(`unsupported message digest algorithm ${algorithm.slice(0, 64)} (Sigstore verifies`);
      expect(reason.length).toBeLessThan(200);
    }
  });

  it('a P-384 key signing SHA-256, as the bundle says, verifies', async () => {
    const bundle = messageBundle(artifact, { algorithm: 'SHA2_256', hash: 'sha256', material: 'key' });
    expect(outcome(await verify(bundle, 'key'))).toBe('ok');
  });
});

describe('a required file signed under SHA3_256 in the scan', () => {
  let root: string;
  const write = (algorithm: Algorithm, bytes: Buffer) => {
    writeFileSync(path.join(root, 'models/weights.bin'), bytes);
    const bundle = messageBundle(artifact, { algorithm, hash: NODE_HASH[algorithm], material: 'key' });
    writeFileSync(path.join(root, 'models/weights.bin.sigstore.json'), bundle);
  };
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'cp-message-digests-'));
    mkdirSync(path.join(root, 'models'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const policy: Policy = {
    ...DEFAULT_POLICY,
    source: '<test>',
    signatures: {
      ...DEFAULT_POLICY.signatures,
      ...UNLOGGED,
      signers: { ecKey: SPECS.ecKey },
      require: [{ paths: ['models/**'], signers: ['ecKey'] }],
    },
  };
  const findings = async () =>
    (await scanWith(root, [signaturesStage], { policy })).findings.map(
      (f) => `${f.ruleId} ${f.level} ${f.location.path}`,
    );

  it('is verified: no CPS007, no CPS003', async () => {
    write('SHA3_256', artifact);
    expect(await findings()).toEqual([]);
  });

  it('swapped, is the finding a swap under SHA2_256 is', async () => {
    const swapped = Buffer.from('swapped\n');
    write('SHA2_256', swapped);
    const sha2 = await findings();
    expect(sha2).toEqual([expect.stringMatching(/^CPS\d+ error models\/weights\.bin\.sigstore\.json$/)]);
    expect(sha2[0]).not.toMatch(/^CPS007/);
    write('SHA3_256', swapped);
    expect(await findings()).toEqual(sha2);
  });

  it('renamed, is found near its bundle by its SHA3_256 digest and verified, as under SHA2_256', async () => {
    // Found by digest, a bundle vouches for the bytes, not for the file's place: it meets no `require` (detached.ts).
    const unrequired = { ...policy, signatures: { ...policy.signatures, require: [] } };
    for (const algorithm of ['SHA2_256', 'SHA3_256'] as const) {
      write(algorithm, artifact);
      renameSync(path.join(root, 'models/weights.bin'), path.join(root, 'models/renamed.bin'));
      const r = await scanWith(root, [signaturesStage], { policy: unrequired });
      expect(r.findings.map((f) => f.ruleId)).toEqual([]);
      const renamed = r.verifications.find((v) => v.key === 'file:models/renamed.bin');
      expect(renamed).toMatchObject({ status: 'verified' });
      expect(renamed?.detail).toContain('models/weights.bin.sigstore.json, which names no file but signs this one');
      rmSync(path.join(root, 'models/renamed.bin'));
    }
  });

  it('beside a bundle naming an inherited property as its algorithm, is still verified', async () => {
    write('SHA3_256', artifact);
    const hostile = JSON.parse(messageBundle(artifact, { algorithm: 'SHA2_256', hash: 'sha256', material: 'key' })) as {
      messageSignature: { messageDigest: { algorithm: string } };
    };
    hostile.messageSignature.messageDigest.algorithm = 'constructor';
    writeFileSync(path.join(root, 'models/other.bin'), artifact);
    writeFileSync(path.join(root, 'models/other.bin.sigstore.json'), JSON.stringify(hostile));
    const r = await scanWith(root, [signaturesStage], { policy });
    expect(r.findings.map((f) => `${f.ruleId} ${f.location.path}`)).toEqual(['CPS007 models/other.bin.sigstore.json']);
    expect(r.verifications.find((v) => v.key === 'file:models/weights.bin')).toMatchObject({ status: 'verified' });
    rmSync(path.join(root, 'models/other.bin'));
    rmSync(path.join(root, 'models/other.bin.sigstore.json'));
  });
});
