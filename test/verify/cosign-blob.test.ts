import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../src/core/policy.js';
import type { ScanResult } from '../../src/core/result.js';
import { verifyArtifactBundle } from '../../src/verify/artifact.js';
import { resolveSigners } from '../../src/verify/policy/signers.js';
import { modelsStage } from '../../src/models/stage.js';
import { provenanceStage } from '../../src/verify/provenance/stage.js';
import { signaturesStage } from '../../src/verify/stage.js';
import { loadTrustedRoot, type TrustRoot } from '../../src/verify/trust/root.js';
import { corpusPath } from '../helpers/corpus.js';
import { scanWith } from '../helpers/scan.js';
import { BEACON, blockNetwork, policyRequiring } from './helpers.js';

// cosign sign-blob writes its own bundle (`--bundle`, cosign 1.x/2.x) or a signature and a certificate
// (`--output-signature`, `--output-certificate`). No cosign-made file is in the corpora: each cosign bundle here is
// built from a real public-good sigstore-conformance bundle (a hashedrekord entry with its signed entry timestamp),
// field for field as cosign writes them (cmd/cosign/cli/sign `LocalSignedPayload`, pkg/cosign/bundle `RekorBundle`):
// the same signature, certificate, Rekor entry and SET, only laid out the cosign way.

beforeAll(blockNetwork);

const CONF = corpusPath('sigstore', 'conformance', 'bundle-verify');
const ARTIFACT = readFileSync(path.join(CONF, 'a.txt'));

interface SigstoreBundle {
  verificationMaterial: {
    certificate?: { rawBytes: string };
    x509CertificateChain?: { certificates: { rawBytes: string }[] };
    tlogEntries: {
      logIndex: string;
      logId: { keyId: string };
      integratedTime: string;
      inclusionPromise: { signedEntryTimestamp: string };
      canonicalizedBody: string;
    }[];
  };
  messageSignature: { signature: string };
}

interface CosignBundle {
  base64Signature: string;
  cert?: string;
  rekorBundle?: {
    SignedEntryTimestamp: string;
    Payload: { body: string; integratedTime: number; logIndex: number; logID: string };
  };
}

const pemOf = (der: Buffer, label: string) =>
  `-----BEGIN ${label}-----\n${der
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n')}\n-----END ${label}-----\n`;

/** What `cosign sign-blob --bundle` writes for the signature a conformance case's bundle holds. */
function cosignBundleOf(kase: string, cert?: string): CosignBundle {
  const b = JSON.parse(readFileSync(path.join(CONF, kase, 'bundle.sigstore.json'), 'utf8')) as SigstoreBundle;
  const vm = b.verificationMaterial;
  const t = vm.tlogEntries[0]!;
  const leaf = () => (vm.certificate ?? vm.x509CertificateChain!.certificates[0]!).rawBytes;
  return {
    base64Signature: b.messageSignature.signature,
    // cosign writes the PEM certificate base64-encoded.
    cert: cert ?? Buffer.from(pemOf(Buffer.from(leaf(), 'base64'), 'CERTIFICATE')).toString('base64'),
    rekorBundle: {
      SignedEntryTimestamp: t.inclusionPromise.signedEntryTimestamp,
      Payload: {
        body: t.canonicalizedBody,
        integratedTime: Number(t.integratedTime),
        logIndex: Number(t.logIndex),
        logID: Buffer.from(t.logId.keyId, 'base64').toString('hex'),
      },
    },
  };
}

let trust: TrustRoot;
let beacon: Awaited<ReturnType<typeof resolveSigners>>;
beforeAll(async () => {
  trust = await loadTrustedRoot(undefined);
  beacon = await resolveSigners({ beacon: BEACON }, CONF, 'test-policy');
});

const verify = (bundle: CosignBundle, artifact = ARTIFACT, signers = beacon) =>
  verifyArtifactBundle({ bundle: JSON.stringify(bundle), artifact, trust, signers });

describe("cosign's own bundle (cosign sign-blob --bundle)", () => {
  it('verifies as cosign verify-blob does: Fulcio certificate, SET under the Rekor key, body, signature, identity', () => {
    for (const kase of ['happy-path-v0.3', 'happy-path-v0.1']) {
      const v = verify(cosignBundleOf(kase));
      expect(v, kase).toMatchObject({ ok: true, signer: { subject: BEACON.subject, issuer: BEACON.issuer } });
    }
  });

  it('reads the certificate as plain PEM too (verify_blob.go decodes base64 only when it is)', () => {
    const b = cosignBundleOf('happy-path-v0.3');
    expect(verify({ ...b, cert: Buffer.from(b.cert!, 'base64').toString('utf8') }).ok).toBe(true);
  });

  it('verifies a keyed one (cert holds the public key) with the policy key, never with its own', async () => {
    const kase = 'managed-key-happy-path';
    const pub = readFileSync(path.join(CONF, kase, 'key.pub'));
    const keyed = cosignBundleOf(kase, Buffer.from(pub).toString('base64'));
    const key = await resolveSigners({ team: { kind: 'key', key: 'key.pub' } }, path.join(CONF, kase), 'test-policy');
    expect(verify(keyed, ARTIFACT, key)).toMatchObject({ ok: true, signer: { kind: 'key' } });
    // The key it carries is a claim: a policy naming only a Sigstore identity does not accept it.
    expect(verify(keyed)).toMatchObject({ ok: false, code: 'untrusted-signer' });
  });

  it('fails what the conformance suite fails, carried in a cosign bundle', () => {
    for (const kase of [
      'signature-mismatch_fail',
      'wrong-hashedrekord-artifact_fail',
      'wrong-hashedrekord-cert-and-sig_fail',
      'incorrect-public-key_fail',
    ])
      expect(verify(cosignBundleOf(kase)).ok, kase).toBe(false);
  });

  it('fails a changed blob, a moved integrated time, a foreign log ID and another identity', () => {
    const b = cosignBundleOf('happy-path-v0.3');
    const p = b.rekorBundle!.Payload;
    expect(verify(b, Buffer.concat([ARTIFACT, Buffer.from('x')]))).toMatchObject({
      ok: false,
      code: 'digest-mismatch',
    });
    // The SET signs the integrated time: a time moved into the certificate's validity no longer verifies.
    const moved = { ...b, rekorBundle: { ...b.rekorBundle!, Payload: { ...p, integratedTime: p.integratedTime + 1 } } };
    expect(verify(moved)).toMatchObject({ ok: false, code: 'invalid' });
    const foreign = { ...b, rekorBundle: { ...b.rekorBundle!, Payload: { ...p, logID: 'ab'.repeat(32) } } };
    expect(verify(foreign)).toMatchObject({ ok: false, code: 'invalid' });
    const other = { ...BEACON, subject: `${BEACON.subject}x` };
    return resolveSigners({ other }, CONF, 'test-policy').then((signers) =>
      expect(verify(b, ARTIFACT, signers)).toMatchObject({ ok: false, code: 'untrusted-signer' }),
    );
  });

  it('is not checked without a Rekor entry (verify-blob wants --insecure-ignore-tlog), and never passes', () => {
    const { rekorBundle: _, ...unlogged } = cosignBundleOf('happy-path-v0.3');
    expect(verify(unlogged)).toMatchObject({ ok: false, code: 'unverifiable' });
  });

  it('is malformed with a body that is not a hashedrekord digest, a SET that is not base64, a non-hex log ID', () => {
    const b = cosignBundleOf('happy-path-v0.3');
    const p = b.rekorBundle!.Payload;
    const bad = [
      { ...b, rekorBundle: { ...b.rekorBundle!, Payload: { ...p, body: Buffer.from('{}').toString('base64') } } },
      { ...b, rekorBundle: { ...b.rekorBundle!, SignedEntryTimestamp: '%%%' } },
      { ...b, rekorBundle: { ...b.rekorBundle!, Payload: { ...p, logID: 'xyz' } } },
      { ...b, cert: 'not a certificate' },
    ];
    for (const x of bad) expect(verify(x)).toMatchObject({ ok: false, code: 'malformed' });
    // A body nested past any real entry is a crash attempt, refused before anything recurses over it.
    const deep = Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`).toString('base64');
    const nested = { ...b, rekorBundle: { ...b.rekorBundle!, Payload: { ...p, body: deep } } };
    expect(verify(nested)).toMatchObject({ ok: false, code: 'too-deep' });
  });
});

describe('cosign signature files beside a model under signatures.require', () => {
  let root: string;
  let result: ScanResult;
  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'cp-cosign-blob-'));
    mkdirSync(path.join(root, 'models'));
    const b = cosignBundleOf('happy-path-v0.3');
    for (const name of [
      'bundled.bin',
      'paired.bin',
      'gpg.bin',
      'tampered.bin',
      'new-format.bin',
      'named.bin',
      'both.bin',
    ])
      cpSync(path.join(CONF, 'a.txt'), path.join(root, 'models', name));
    writeFileSync(path.join(root, 'models/tampered.bin'), 'swapped weights');
    writeFileSync(path.join(root, 'models/bundled.bin.bundle'), JSON.stringify(b));
    writeFileSync(path.join(root, 'models/tampered.bin.bundle'), JSON.stringify(b));
    // cosign 3 writes a Sigstore bundle under the same name; and a cosign bundle may be saved under the Sigstore name.
    cpSync(path.join(CONF, 'happy-path-v0.3/bundle.sigstore.json'), path.join(root, 'models/new-format.bin.bundle'));
    writeFileSync(path.join(root, 'models/named.bin.sigstore.json'), JSON.stringify(b));
    // All three outputs of one sign-blob run: the bundle decides, the loose signature is a copy of its own.
    cpSync(path.join(CONF, 'happy-path-v0.3/bundle.sigstore.json'), path.join(root, 'models/both.bin.sigstore.json'));
    writeFileSync(path.join(root, 'models/both.bin.sig'), b.base64Signature);
    writeFileSync(path.join(root, 'models/both.bin.pem'), Buffer.from(b.cert!, 'base64'));
    // Another program's file that is only named like a bundle signs nothing.
    writeFileSync(path.join(root, 'models/app.js'), 'console.log(1);\n');
    writeFileSync(path.join(root, 'models/app.js.bundle'), '(()=>{console.log(1)})();\n');
    // --output-signature / --output-certificate with no bundle: no transparency-log proof offline.
    writeFileSync(path.join(root, 'models/paired.bin.sig'), `${b.base64Signature}\n`);
    writeFileSync(path.join(root, 'models/paired.bin.pem'), Buffer.from(b.cert!, 'base64'));
    writeFileSync(path.join(root, 'models/gpg.bin.sig'), Buffer.from([0x89, 0x01, 0x33, 0x04, 0x00]));
    const base = policyRequiring({ beacon: BEACON }, [{ paths: ['models/**'], signers: ['beacon'] }]);
    const policy: Policy = { ...base, signatures: { ...base.signatures, tlogThreshold: 1, timestampThreshold: 1 } };
    result = await scanWith(root, [signaturesStage], { policy });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('verifies the file a cosign bundle signs, and a changed one fails, each once', () => {
    const findings = result.findings.map((f) => `${f.ruleId} ${f.level} ${f.location.path}`).sort();
    expect(findings).toEqual([
      'CPS003 error models/app.js',
      'CPS007 error models/gpg.bin.sig',
      'CPS007 error models/paired.bin.sig',
      'CPS009 error models/tampered.bin.bundle',
    ]);
    for (const name of ['bundled.bin', 'new-format.bin', 'named.bin', 'both.bin'])
      expect(result.verifications.find((v) => v.key === `file:models/${name}`)?.status, name).toBe('verified');
  });

  it('says a .sig without a bundle was not checked for want of a log proof, never that the file is unsigned', () => {
    const paired = result.findings.find((f) => f.location.path === 'models/paired.bin.sig')!;
    expect(paired.message).toContain('no transparency-log proof');
    expect(paired.message).toContain('models/paired.bin.pem');
    const gpg = result.findings.find((f) => f.location.path === 'models/gpg.bin.sig')!;
    expect(gpg.message).toContain('not a cosign base64 signature');
    expect(result.findings.filter((f) => f.ruleId === 'CPS003').map((f) => f.location.path)).toEqual(['models/app.js']);
  });

  it("with nothing required, warns of the unchecked cosign signature and leaves other tools' .sig alone", async () => {
    const plain = await scanWith(root, [signaturesStage]);
    expect(plain.findings.map((f) => `${f.ruleId} ${f.level} ${f.location.path}`).sort()).toEqual([
      'CPS007 warning models/paired.bin.sig',
      'CPS009 error models/tampered.bin.bundle',
    ]);
  });
});

describe('many cosign signatures without a log proof', () => {
  // Signed with --output-signature and no bundle: one cause (nothing to check offline), one finding, not one per file.
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'cp-cosign-many-'));
    const sig = `${cosignBundleOf('happy-path-v0.3').base64Signature}\n`;
    for (const dir of ['models', 'signed']) mkdirSync(path.join(root, dir));
    for (let i = 0; i < 40; i++) {
      const name = `${dir(i)}/shard-${String(i).padStart(2, '0')}.bin`;
      cpSync(path.join(CONF, 'a.txt'), path.join(root, name));
      writeFileSync(path.join(root, `${name}.sig`), sig);
    }
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  // Shards 30..39 lie under signed/, which the policy requires to be signed.
  const dir = (i: number) => (i < 30 ? 'models' : 'signed');

  it('are one CPS007 warning with the count, the first files and the rest related; each file stays unverifiable', async () => {
    const r = await scanWith(root, [signaturesStage]);
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f).toMatchObject({ ruleId: 'CPS007', level: 'warning', location: { path: 'models/shard-00.bin.sig' } });
    expect(f.message).toContain('40 cosign signatures have no transparency-log proof');
    expect(f.message).toContain(
      'models/shard-00.bin.sig, models/shard-01.bin.sig, models/shard-02.bin.sig and 37 more',
    );
    expect(f.evidence).toMatchObject({ reason: 'no transparency-log proof to verify offline', count: 40 });
    expect(f.related?.map((l) => l.path)).toHaveLength(39);
    expect(r.verifications.filter((v) => v.status === 'unverifiable')).toHaveLength(40);
  });

  it('keeps a file a requirement covers (an error) and one a suppression names as findings of their own', async () => {
    const base = policyRequiring({ beacon: BEACON }, [{ paths: ['signed/**'], signers: ['beacon'] }]);
    const suppressions = [{ rule: 'CPS007', path: 'models/shard-05.bin.sig', reason: 'test', expires: '2099-01-01' }];
    const r = await scanWith(root, [signaturesStage], { policy: { ...base, suppressions } });
    const own = r.findings.filter((f) => f.related === undefined);
    expect(own.filter((f) => f.level === 'error').map((f) => f.location.path)).toEqual(
      Array.from({ length: 10 }, (_, k) => `signed/shard-${30 + k}.bin.sig`),
    );
    const grouped = r.findings.filter((f) => f.related !== undefined);
    expect(grouped.map((f) => [f.level, f.evidence?.count])).toEqual([['warning', 29]]);
    expect(r.suppressed.map((f) => [f.location.path, f.related])).toEqual([['models/shard-05.bin.sig', undefined]]);
  });

  it('says a single one as before', async () => {
    const one = mkdtempSync(path.join(tmpdir(), 'cp-cosign-one-'));
    try {
      cpSync(path.join(root, 'models/shard-00.bin'), path.join(one, 'a.bin'));
      cpSync(path.join(root, 'models/shard-00.bin.sig'), path.join(one, 'a.bin.sig'));
      const r = await scanWith(one, [signaturesStage]);
      expect(r.findings.map((f) => [f.ruleId, f.location.path, f.related])).toEqual([
        ['CPS007', 'a.bin.sig', undefined],
      ]);
      expect(r.findings[0]!.message).toMatch(
        /^a\.bin\.sig is a cosign signature of a\.bin with no transparency-log proof/,
      );
    } finally {
      rmSync(one, { recursive: true, force: true });
    }
  });
});

describe('a cosign bundle chainproof does not verify, beside a model', () => {
  it('is one finding (CPS007, the signatures stage), not a provenance failure too', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'cp-cosign-model-'));
    try {
      mkdirSync(path.join(root, 'models'));
      const model = corpusPath('models', 'real-safetensors', 'model2vec-test-model-float32.safetensors');
      cpSync(model, path.join(root, 'models/model.safetensors'));
      // Signed with --tlog-upload=false, saved under the Sigstore bundle name the provenance stage reads too.
      const { rekorBundle: _, ...unlogged } = cosignBundleOf('happy-path-v0.3');
      writeFileSync(path.join(root, 'models/model.safetensors.sigstore.json'), JSON.stringify(unlogged));
      const r = await scanWith(root, [modelsStage, provenanceStage, signaturesStage]);
      // CPM001 (a model no trusted-registry entry lists) is another cause, not the bundle's.
      const about = r.findings.filter((f) => f.ruleId !== 'CPM001');
      expect(about.map((f) => `${f.ruleId} ${f.location.path}`)).toEqual([
        'CPS007 models/model.safetensors.sigstore.json',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
