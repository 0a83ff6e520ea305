import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyModelSignature } from '../../src/verify/model/verify.js';
import { loadTrustedRoot } from '../../src/verify/trust/root.js';
import { blockNetwork, copyToTemp, listFiles, MS, read, RELEASED_MS, signers, type SPECS } from './helpers.js';

beforeAll(blockNetwork);

type SignerName = keyof typeof SPECS;

/** Keyless needs a log entry and a timestamp; model_signing's key and certificate methods never log (thresholds 0). */
const KEYLESS: readonly SignerName[] = ['ibm', 'ibmPattern', 'other'];
const logged = (allowed: SignerName[]) => (allowed.some((s) => KEYLESS.includes(s)) ? 1 : 0);

async function verifyFolder(dir: string, allowed: SignerName[], ignore: string[] = [], threshold = logged(allowed)) {
  return verifyModelSignature({
    signature: read(path.join(dir, 'model.sig')),
    signatureFile: 'model.sig',
    files: listFiles(dir),
    ignore,
    trust: await loadTrustedRoot(),
    signers: await signers(...allowed),
    tlogThreshold: threshold,
    timestampThreshold: threshold,
  });
}

const samples: { name: string; signer: SignerName; seen: string; ignore?: string[]; checked: number }[] = [
  { name: 'v0.2.0-certificate', signer: 'ca', seen: 'certificate', checked: 2 },
  { name: 'v0.3.1-certificate', signer: 'ca', seen: 'certificate', checked: 2 },
  { name: 'v0.3.1-elliptic-key', signer: 'ecKey', seen: 'key', checked: 1 },
  { name: 'v0.3.1-sigstore', signer: 'ibm', seen: 'sigstore', checked: 2 },
  { name: 'v1.0.0-certificate', signer: 'ca', seen: 'certificate', checked: 2 },
  { name: 'v1.0.0-elliptic-key', signer: 'ecKey', seen: 'key', checked: 1 },
  { name: 'v1.0.0-sigstore', signer: 'ibmPattern', seen: 'sigstore', checked: 2 },
  { name: 'v1.0.1-certificate', signer: 'ca', seen: 'certificate', ignore: ['ignore-me'], checked: 2 },
  { name: 'v1.0.1-elliptic-key', signer: 'ecKey', seen: 'key', ignore: ['ignore-me'], checked: 2 },
  { name: 'v1.0.1-sigstore', signer: 'ibm', seen: 'sigstore', ignore: ['ignore-me'], checked: 2 },
];

/** The v1.1.0 samples released later (corpora `released/`), signed by the same keys and identity. */
const released: typeof samples = [
  { name: 'v1.1.0-certificate', signer: 'ca', seen: 'certificate', ignore: ['ignore-me'], checked: 2 },
  { name: 'v1.1.0-elliptic-key', signer: 'ecKey', seen: 'key', ignore: ['ignore-me'], checked: 2 },
  { name: 'v1.1.0-sigstore', signer: 'ibm', seen: 'sigstore', ignore: ['ignore-me'], checked: 2 },
];
const sampleDir = (name: string) => path.join(name.startsWith('v1.1.') ? RELEASED_MS : MS, name);

describe('OpenSSF model signing samples', () => {
  it.each([...samples, ...released])('$name verifies with $signer', async ({ name, signer, seen, ignore, checked }) => {
    const r = await verifyFolder(sampleDir(name), [signer], ignore);
    expect(r.verdict).toMatchObject({ ok: true, signerName: signer, signer: { kind: seen } });
    expect(r.issues).toEqual([]);
    expect(r.checked).toBe(checked);
  });

  it('reports the Sigstore signer identity', async () => {
    const r = await verifyFolder(path.join(MS, 'v1.0.0-sigstore'), ['ibm']);
    expect(r.verdict).toMatchObject({
      ok: true,
      signer: { subject: 'stefanb@us.ibm.com', issuer: 'https://sigstore.verify.ibm.com/oauth2' },
    });
  });

  it('reads the v0.1 predicate and single-file models', async () => {
    const compat = await verifyFolder(path.join(MS, 'v0.2.0-certificate'), ['ca']);
    expect(compat.manifest?.predicateType).toBe('https://model_signing/Digests/v0.1');
    const single = await verifyFolder(path.join(MS, 'v1.0.0-elliptic-key'), ['ecKey']);
    expect(single.manifest?.singleFile).toBe(true);
  });
});

type Mutation = (dir: string) => void;
const failures: {
  name: string;
  sample: string;
  signer: SignerName;
  ignore?: string[];
  mutate?: Mutation;
  want: object;
}[] = [
  {
    name: 'a changed byte in signme-1',
    sample: 'v1.0.0-sigstore',
    signer: 'ibm',
    mutate: (d) => writeFileSync(path.join(d, 'signme-1'), 'Signme-1'),
    want: { verdictOk: true, issues: [{ kind: 'changed', path: 'signme-1' }] },
  },
  {
    name: 'an appended byte in a keyed single-file model',
    sample: 'v1.0.0-elliptic-key',
    signer: 'ecKey',
    mutate: (d) => appendFileSync(path.join(d, 'signme-1'), 'x'),
    want: { verdictOk: true, issues: [{ kind: 'changed', path: 'signme-1' }] },
  },
  {
    name: 'an added file',
    sample: 'v1.0.1-certificate',
    signer: 'ca',
    ignore: ['ignore-me'],
    mutate: (d) => writeFileSync(path.join(d, 'extra.pkl'), 'x'),
    want: { verdictOk: true, issues: [{ kind: 'extra', path: 'extra.pkl' }] },
  },
  {
    // hashing.py `Config.hash` leaves out `.git` at the model root only; a deeper one is part of the model.
    name: 'a file added in a .git folder below the model root',
    sample: 'v1.0.1-certificate',
    signer: 'ca',
    ignore: ['ignore-me'],
    mutate: (d) => {
      mkdirSync(path.join(d, 'sub/.git'), { recursive: true });
      writeFileSync(path.join(d, 'sub/.git/config'), 'x');
    },
    want: { verdictOk: true, issues: [{ kind: 'extra', path: 'sub/.git/config' }] },
  },
  {
    name: 'an unsigned file nobody said to ignore',
    sample: 'v1.0.1-sigstore',
    signer: 'ibm',
    want: { verdictOk: true, issues: [{ kind: 'extra', path: 'ignore-me' }] },
  },
  {
    name: 'a removed file',
    sample: 'v0.3.1-sigstore',
    signer: 'ibm',
    mutate: (d) => rmSync(path.join(d, 'signme-2')),
    want: { verdictOk: true, issues: [{ kind: 'missing', path: 'signme-2' }] },
  },
  {
    name: 'a wrong identity',
    sample: 'v1.0.1-sigstore',
    signer: 'other',
    ignore: ['ignore-me'],
    want: { verdictOk: false, code: 'untrusted-signer', issues: [] },
  },
  {
    name: 'a wrong issuer',
    sample: 'v1.0.0-sigstore',
    signer: 'otherIssuer',
    want: { verdictOk: false, code: 'untrusted-signer', issues: [] },
  },
  {
    name: 'a wrong key (a CA instead)',
    sample: 'v1.0.1-elliptic-key',
    signer: 'ca',
    ignore: ['ignore-me'],
    want: { verdictOk: false, code: 'untrusted-signer', issues: [] },
  },
  {
    name: 'a certificate bundle checked against a key',
    sample: 'v1.0.0-certificate',
    signer: 'ecKey',
    want: { verdictOk: false, code: 'untrusted-signer', issues: [] },
  },
  {
    name: 'a tampered manifest',
    sample: 'v1.0.0-elliptic-key',
    signer: 'ecKey',
    mutate: (d) => {
      const sig = JSON.parse(read(path.join(d, 'model.sig')).toString('utf8'));
      const payload = JSON.parse(Buffer.from(sig.dsseEnvelope.payload, 'base64').toString('utf8'));
      payload.predicate.resources[0].digest = '00'.repeat(32);
      sig.dsseEnvelope.payload = Buffer.from(JSON.stringify(payload)).toString('base64');
      writeFileSync(path.join(d, 'model.sig'), JSON.stringify(sig));
    },
    want: { verdictOk: false, code: 'invalid', issues: [] },
  },
];

// Any change to a signed file of a released v1.1.0 sample fails, whatever signed it.
for (const { name, signer, ignore } of released)
  for (const file of ['signme-1', 'signme-2'])
    failures.push({
      name: `${name}: a changed ${file}`,
      sample: name,
      signer,
      ...(ignore ? { ignore } : {}),
      mutate: (d) => appendFileSync(path.join(d, file), '!'),
      want: { verdictOk: true, issues: [{ kind: 'changed', path: file }] },
    });

describe('OpenSSF model signing failures', () => {
  it.each(failures)('$name', async ({ sample, signer, ignore, mutate, want }) => {
    const dir = copyToTemp(sampleDir(sample));
    try {
      mutate?.(dir);
      const r = await verifyFolder(dir, [signer], ignore);
      const { verdictOk, code, issues } = want as { verdictOk: boolean; code?: string; issues: object[] };
      expect(r.verdict.ok).toBe(verdictOk);
      if (code) expect(r.verdict).toMatchObject({ code });
      expect(r.issues).toMatchObject(issues);
      expect(r.issues).toHaveLength(issues.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a key or certificate signature with no log entry, under a policy that requires one', () => {
  // @sigstore/verify Verifier.verifyTLogs / verifyTimestamps count a keyed bundle's entries against the same
  // thresholds as a certificate's; cosign verify-blob --key refuses an unlogged bundle without --insecure-ignore-tlog.
  it.each([
    { name: 'v1.0.0-elliptic-key', signer: 'ecKey' as const, by: 'key' },
    { name: 'v1.0.1-certificate', signer: 'ca' as const, by: 'certificate', ignore: ['ignore-me'] },
  ])('$name fails at tlogThreshold 1, saying how to accept it', async ({ name, signer, by, ignore }) => {
    const r = await verifyFolder(path.join(MS, name), [signer], ignore, 1);
    expect(r.verdict).toMatchObject({ ok: false, code: 'invalid', signer: { kind: by } });
    const reason = r.verdict.ok ? '' : r.verdict.reason;
    expect(reason).toContain('0 transparency-log entries, the policy requires 1 (signatures.tlogThreshold)');
    expect(reason).toContain(`model_signing sign ${by}`);
  });

  it('a keyed signature fails at timestampThreshold 1 alone too', async () => {
    const dir = path.join(MS, 'v1.0.0-elliptic-key');
    const r = await verifyModelSignature({
      signature: read(path.join(dir, 'model.sig')),
      signatureFile: 'model.sig',
      files: listFiles(dir),
      trust: await loadTrustedRoot(),
      signers: await signers('ecKey'),
      tlogThreshold: 0,
      timestampThreshold: 1,
    });
    expect(r.verdict.ok ? '' : r.verdict.reason).toContain('no trusted timestamp, the policy requires 1');
  });
});
