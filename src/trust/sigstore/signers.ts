import path from 'node:path';
import { ConfigError } from '../../core/errors.js';
import type { SignerSpec } from '../../core/policy.js';
import type { NamedSigner } from '../../core/trust-material.js';
import { readBoundedText, type BoundedRead } from '../config/read.js';
import { caProblem, parseCertificatesPem } from './certificates.js';
import { KeyError, parsePublicKey } from './keys.js';

export type { NamedSigner } from '../../core/trust-material.js';

/** A PEM key or CA bundle is a few KiB; the bound only stops a hostile path from stalling the load. */
export const MAX_PEM_BYTES = 256 * 1024;

/** Key and CA text a policy gives inline (PEM) or as a path relative to the policy's folder. */
export function isInlinePem(value: string): boolean {
  return value.includes('-----BEGIN ');
}

/** The PEM text a signer names: inline as written, else read (bounded) from `baseDir`. */
export function readSignerPem(value: string, baseDir: string): Promise<BoundedRead> {
  if (isInlinePem(value)) return Promise.resolve({ ok: true, text: value });
  return readBoundedText(path.resolve(baseDir, value), MAX_PEM_BYTES, value);
}

/** Why a PEM text is not a public key a signer may use, or undefined. Private keys are refused by name. */
export function publicKeyProblem(pem: string): string | undefined {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem))
    return 'this is a PRIVATE key: give the public key, and remove the private key from the repository';
  if (!/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/.test(pem))
    return 'expected a PEM public key (-----BEGIN PUBLIC KEY-----)';
  try {
    parsePublicKey(pem);
    return undefined;
  } catch (err) {
    if (err instanceof KeyError) return err.message;
    throw err;
  }
}

export { caProblem };

/**
 * Build one signer from its spec and the PEM text already read for it (none for Sigstore identities). A subject
 * pattern is anchored here, once: `@sigstore/verify` would treat a string as an unanchored regular expression.
 */
export function toNamedSigner(name: string, spec: SignerSpec, pem: string | undefined, source: string): NamedSigner {
  const field = `signatures.signers.${name}`;
  const fail = (what: string): never => {
    throw new ConfigError(`${source}: ${field}${what}`, source, { code: 'CONFIG_KEY_INVALID' });
  };
  switch (spec.kind) {
    case 'sigstore': {
      if (spec.subject === undefined && spec.subjectPattern === undefined) fail(' needs subject or subjectPattern');
      let subjectPattern: RegExp | undefined;
      if (spec.subjectPattern !== undefined) {
        try {
          subjectPattern = new RegExp(`^(?:${spec.subjectPattern})$`, 'u');
        } catch (err) {
          fail(`.subjectPattern is not a valid regular expression: ${(err as Error).message}`);
        }
      }
      return {
        name,
        kind: 'sigstore',
        issuer: spec.issuer,
        ...(spec.subject !== undefined ? { subject: spec.subject } : {}),
        ...(subjectPattern ? { subjectPattern } : {}),
      };
    }
    case 'key': {
      const why = pem === undefined ? 'no key text was read' : publicKeyProblem(pem);
      if (why !== undefined || pem === undefined) return fail(`.key: ${why ?? ''}`);
      return { name, kind: 'key', key: parsePublicKey(pem) };
    }
    case 'certificate': {
      const why = pem === undefined ? 'no certificate text was read' : caProblem(pem);
      if (why !== undefined || pem === undefined) return fail(`.ca: ${why ?? ''}`);
      return {
        name,
        kind: 'certificate',
        cas: parseCertificatesPem(pem),
        ...(spec.subject !== undefined ? { subject: spec.subject } : {}),
      };
    }
  }
}

/** Sorted by name, so messages and matching are deterministic. */
export function sortedSignerEntries(specs: Readonly<Record<string, SignerSpec>>): [string, SignerSpec][] {
  return Object.entries(specs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Read (bounded, once) and parse every signer: for a policy built in code, and for `chainproof verify`. */
export async function loadSigners(
  specs: Readonly<Record<string, SignerSpec>>,
  baseDir: string,
  source: string,
): Promise<NamedSigner[]> {
  const out: NamedSigner[] = [];
  for (const [name, spec] of sortedSignerEntries(specs)) {
    const value = spec.kind === 'key' ? spec.key : spec.kind === 'certificate' ? spec.ca : undefined;
    let pem: string | undefined;
    if (value !== undefined) {
      const read = await readSignerPem(value, baseDir);
      if (!read.ok)
        throw new ConfigError(
          `${source}: signatures.signers.${name}.${spec.kind === 'key' ? 'key' : 'ca'}: ${read.error}`,
          source,
          {
            code: 'CONFIG_FILE_UNREADABLE',
          },
        );
      pem = read.text;
    }
    out.push(toNamedSigner(name, spec, pem, source));
  }
  return out;
}
