import { createPublicKey, X509Certificate } from 'node:crypto';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import type { SourceDocument } from './document.js';
import { isPlainObject } from './merge.js';
import type { PolicyProblem, ProblemCode } from './problems.js';

const MAX_PEM_BYTES = 256 * 1024;
const MAX_TRUSTED_ROOT_BYTES = 16 * 1024 * 1024;
const SUPPORTED_CURVES: Readonly<Record<string, string>> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

/**
 * Resolve the files a policy names (trustedRoot, signer keys, CA certificates) against the policy file's folder,
 * and check each is what it claims, so a typo is a load error instead of a signature that "fails" at scan time.
 * Mutates `merged` in place: relative paths become absolute. Inline PEM text is checked and kept as is.
 */
export async function resolvePolicyFiles(
  merged: Record<string, unknown>,
  file: SourceDocument,
  policyDir: string,
): Promise<PolicyProblem[]> {
  const out: PolicyProblem[] = [];
  // Paths in messages are shown as written; they resolve against the policy file's folder.
  const add = (code: ProblemCode, p: (string | number)[], message: string) =>
    out.push({ code, path: p, message, ...file.locate(p) });
  const sig = merged['signatures'];
  if (!isPlainObject(sig)) return out;

  if (typeof sig['trustedRoot'] === 'string') {
    const where = ['signatures', 'trustedRoot'];
    const abs = path.resolve(policyDir, sig['trustedRoot']);
    const text = await readBounded(abs, MAX_TRUSTED_ROOT_BYTES, sig['trustedRoot']);
    if (typeof text !== 'string') add('missing-file', where, `expected a trusted_root.json file: ${text.error}`);
    else {
      const why = trustedRootProblem(text);
      if (why !== undefined) add('bad-value', where, why);
      else sig['trustedRoot'] = abs;
    }
  }

  const signers = isPlainObject(sig['signers']) ? sig['signers'] : {};
  for (const [name, spec] of Object.entries(signers)) {
    if (!isPlainObject(spec)) continue;
    const field = spec['kind'] === 'key' ? 'key' : spec['kind'] === 'certificate' ? 'ca' : undefined;
    const value = field !== undefined ? spec[field] : undefined;
    if (field === undefined || typeof value !== 'string') continue;
    const where = ['signatures', 'signers', name, field];
    const inline = value.includes('-----BEGIN ');
    const abs = inline ? undefined : path.resolve(policyDir, value);
    const pem = abs === undefined ? value : await readBounded(abs, MAX_PEM_BYTES, value);
    if (typeof pem !== 'string') {
      add('missing-file', where, `expected PEM text or a path to a PEM file: ${pem.error}`);
      continue;
    }
    const problem = field === 'key' ? publicKeyProblem(pem) : caProblem(pem);
    if (problem !== undefined) add(field === 'key' ? 'bad-key' : 'bad-certificate', where, problem);
    else if (abs !== undefined) spec[field] = abs;
  }
  return out;
}

export function publicKeyProblem(pem: string): string | undefined {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    return 'this is a PRIVATE key: give the public key, and remove the private key from the repository';
  }
  // Same rule as the verifiers (src/verify/trust/keys.ts): a PUBLIC KEY block; text around it is ignored.
  const block = /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/.exec(pem)?.[0];
  if (block === undefined) return 'expected a PEM public key (-----BEGIN PUBLIC KEY-----)';
  let key;
  try {
    key = createPublicKey(block);
  } catch {
    return 'expected a PEM public key, but the PUBLIC KEY block does not parse';
  }
  if (key.asymmetricKeyType === 'ed25519') return undefined;
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve ?? 'unknown';
    if (SUPPORTED_CURVES[curve] !== undefined) return undefined;
    return `unsupported elliptic curve ${curve}: expected P-256, P-384 or P-521`;
  }
  return `unsupported key type ${key.asymmetricKeyType ?? 'unknown'}: expected ECDSA P-256/P-384/P-521 or Ed25519`;
}

export function caProblem(pem: string): string | undefined {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return 'expected one or more PEM certificates (-----BEGIN CERTIFICATE-----)';
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch {
      return `certificate ${i + 1} of ${blocks.length} is not a valid X.509 certificate`;
    }
  }
  return undefined;
}

async function readBounded(abs: string, max: number, shown: string): Promise<string | { error: string }> {
  let handle;
  try {
    handle = await open(abs, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { error: code === 'ENOENT' ? `${shown} does not exist` : `${shown} cannot be read (${code ?? 'error'})` };
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return { error: `${shown} is not a file` };
    if (st.size > max) return { error: `${shown} is larger than ${max} bytes` };
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** Parsed the way the verifiers will parse it, so a bad root fails here, at load, with its line. */
export function trustedRootProblem(text: string): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'expected a Sigstore trusted_root.json, got text that is not JSON';
  }
  if (!isPlainObject(json)) return 'expected a Sigstore trusted_root.json (a JSON object)';
  try {
    const root = TrustedRoot.fromJSON(json);
    if (root.certificateAuthorities.length === 0 && root.tlogs.length === 0) {
      return 'expected a Sigstore trusted_root.json listing certificate authorities or transparency logs; it lists neither';
    }
  } catch (err) {
    return `expected a Sigstore trusted_root.json: ${err instanceof Error ? err.message : String(err)}`;
  }
  return undefined;
}
