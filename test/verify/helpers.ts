import dns from 'node:dns';
import net from 'node:net';
import { vi } from 'vitest';
import { createHash, createPrivateKey, sign } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pae } from '../../src/verify/bundle/dsse.js';
import { resolveSigners } from '../../src/verify/policy/signers.js';
import type { Policy, SignerSpec } from '../../src/core/policy.js';
import { DEFAULT_POLICY } from '../../src/trust/policy/default.js';
import type { ModelFile } from '../../src/verify/model/compare.js';
import { corpusPath } from '../helpers/corpus.js';

export const MS = corpusPath('sigstore', 'model-signing');
export const KEYS = path.join(MS, 'keys/certificate');
/** The model-signing samples released later (v1.1.0), signed with the same keys (`released/sigstore/model-signing/keys`). */
export const RELEASED_MS = corpusPath('released', 'sigstore', 'model-signing');

/** The workflow that signs sigstore-conformance's bundles (its extremely-dangerous public OIDC beacon). */
export const BEACON = {
  kind: 'sigstore',
  issuer: 'https://token.actions.githubusercontent.com',
  subject:
    'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main',
} as const satisfies SignerSpec;

export const SPECS = {
  ibm: { kind: 'sigstore', issuer: 'https://sigstore.verify.ibm.com/oauth2', subject: 'stefanb@us.ibm.com' },
  ibmPattern: {
    kind: 'sigstore',
    issuer: 'https://sigstore.verify.ibm.com/oauth2',
    subjectPattern: '[a-z]+@us\\.ibm\\.com',
  },
  other: { kind: 'sigstore', issuer: 'https://sigstore.verify.ibm.com/oauth2', subject: 'mallory@us.ibm.com' },
  otherIssuer: { kind: 'sigstore', issuer: 'https://accounts.google.com', subject: 'stefanb@us.ibm.com' },
  ecKey: { kind: 'key', key: path.join(KEYS, 'signing-key-pub.pem') },
  ca: { kind: 'certificate', ca: path.join(KEYS, 'ca-cert.pem') },
} satisfies Record<string, SignerSpec>;

export async function signers(...names: (keyof typeof SPECS)[]) {
  return resolveSigners(Object.fromEntries(names.map((n) => [n, SPECS[n]])), MS, 'test-policy');
}

/**
 * The default policy with `signers` and the `require` entries. Thresholds 0: model_signing's key method never logs,
 * and a bundle made in a test has no log entry.
 */
export function policyRequiring(
  signers: Readonly<Record<string, SignerSpec>>,
  require: Policy['signatures']['require'],
): Policy {
  return {
    ...DEFAULT_POLICY,
    source: '<test>',
    signatures: {
      ...DEFAULT_POLICY.signatures,
      tlogThreshold: 0,
      timestampThreshold: 0,
      signers: { ...signers },
      require,
    },
  };
}

/**
 * The default policy requiring `models/**` signed by one of `names` (SPECS), the rest of the model folder matched
 * against the signature but the `ignore` globs.
 */
export function modelsSignedBy(names: readonly (keyof typeof SPECS)[], ignore: readonly string[]): Policy {
  return policyRequiring(Object.fromEntries(names.map((n) => [n, SPECS[n]])), [
    { paths: ['models/**'], signers: [...names], ignore: [...ignore] },
  ]);
}

/** Every regular file under `dir`, relative POSIX paths. */
export function listFiles(dir: string, rel = ''): ModelFile[] {
  return readdirSync(path.join(dir, rel)).flatMap((name) => {
    const r = rel ? `${rel}/${name}` : name;
    const abs = path.join(dir, r);
    const st = statSync(abs);
    return st.isDirectory() ? listFiles(dir, r) : [{ path: r, abs, size: st.size }];
  });
}

export function copyToTemp(src: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-verify-'));
  cpSync(src, dir, { recursive: true });
  return dir;
}

export const read = (p: string) => readFileSync(p);

/**
 * Sign `dir` as model_signing's file serialization does, with the corpus EC key (model_signing sign key), into
 * `signature` (`--signature`, `dir/model.sig` by default).
 */
export function signFiles(dir: string, names: readonly string[], allowSymlinks: boolean, signature?: string): void {
  const resources = names
    .map((name) => ({
      name,
      algorithm: 'sha256',
      digest: createHash('sha256')
        .update(readFileSync(path.join(dir, name)))
        .digest('hex'),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  writeModelSignature(
    dir,
    { method: 'files', hash_type: 'sha256', allow_symlinks: allowSymlinks },
    resources,
    signature,
  );
}

/**
 * Write `signature` (`dir/model.sig` by default): model_signing's in-toto statement over `resources` (the root digest
 * over theirs, in order) with `serialization`, signed with the corpus EC key as `model_signing sign key` signs.
 */
export function writeModelSignature(
  dir: string,
  serialization: Record<string, unknown>,
  resources: readonly { readonly name: string; readonly algorithm: string; readonly digest: string }[],
  signature = path.join(dir, 'model.sig'),
): void {
  const rootDigest = createHash('sha256');
  for (const r of resources) rootDigest.update(Buffer.from(r.digest, 'hex'));
  const payload = Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: path.basename(dir), digest: { sha256: rootDigest.digest('hex') } }],
      predicateType: 'https://model_signing/signature/v1.0',
      predicate: { serialization, resources },
    }),
  );
  const key = createPrivateKey(readFileSync(path.join(KEYS, 'signing-key.pem')));
  const sig = sign('sha384', pae('application/vnd.in-toto+json', payload), key);
  writeFileSync(
    signature,
    JSON.stringify({
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: { publicKey: { hint: '' }, tlogEntries: [] },
      dsseEnvelope: {
        payload: payload.toString('base64'),
        payloadType: 'application/vnd.in-toto+json',
        signatures: [{ sig: sig.toString('base64'), keyid: '' }],
      },
    }),
  );
}

/**
 * Make any socket connection, DNS lookup or fetch throw for the rest of this test file: verification is offline.
 * Used as `beforeAll(blockNetwork)`: the returned teardown lifts the block after the file, because workers are not
 * isolated (vitest.config.ts) and the next file in the same process may start loopback servers.
 */
export function blockNetwork(): () => void {
  const deny = (what: string) => () => {
    throw new Error(`network access during verification: ${what}`);
  };
  const spies = [
    vi.spyOn(net.Socket.prototype, 'connect').mockImplementation(deny('socket connect')),
    vi.spyOn(dns, 'lookup').mockImplementation(deny('dns lookup')),
    vi.spyOn(globalThis, 'fetch').mockImplementation(deny('fetch')),
  ];
  return () => {
    for (const spy of spies) spy.mockRestore();
  };
}
