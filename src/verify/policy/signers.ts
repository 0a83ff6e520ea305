import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { X509Certificate } from 'node:crypto';
import { ConfigError } from '../../core/errors.js';
import type { SignerSpec } from '../../core/policy.js';
import { parsePublicKey, type PublicKeyInfo } from '../trust/keys.js';
import { parseCertificatesPem } from '../check/chain.js';
import type { SeenSigner } from '../check/types.js';

/** A policy signer with its key or CA material loaded (once, before any verification). */
export type NamedSigner =
  | {
      readonly name: string;
      readonly kind: 'sigstore';
      readonly issuer: string;
      readonly subject?: string;
      readonly subjectPattern?: RegExp;
    }
  | { readonly name: string; readonly kind: 'key'; readonly key: PublicKeyInfo }
  | {
      readonly name: string;
      readonly kind: 'certificate';
      readonly cas: readonly X509Certificate[];
      readonly subject?: string;
    };

/**
 * Load each signer. Keys and CAs are PEM text or a path relative to `baseDir` (the policy's folder). A subject
 * pattern is anchored here, once: `@sigstore/verify` would treat a string as an unanchored regular expression.
 */
export async function resolveSigners(
  specs: Readonly<Record<string, SignerSpec>>,
  baseDir: string,
  source: string,
): Promise<NamedSigner[]> {
  const out: NamedSigner[] = [];
  for (const [name, spec] of Object.entries(specs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const field = `signatures.signers.${name}`;
    switch (spec.kind) {
      case 'sigstore': {
        if (spec.subject === undefined && spec.subjectPattern === undefined)
          throw new ConfigError(`${source}: ${field} needs subject or subjectPattern`, source);
        let subjectPattern: RegExp | undefined;
        if (spec.subjectPattern !== undefined) {
          try {
            subjectPattern = new RegExp(`^(?:${spec.subjectPattern})$`, 'u');
          } catch (err) {
            throw new ConfigError(
              `${source}: ${field}.subjectPattern is not a valid regular expression: ${(err as Error).message}`,
              source,
            );
          }
        }
        out.push({
          name,
          kind: 'sigstore',
          issuer: spec.issuer,
          ...(spec.subject !== undefined ? { subject: spec.subject } : {}),
          ...(subjectPattern ? { subjectPattern } : {}),
        });
        break;
      }
      case 'key': {
        const text = await pemOrFile(spec.key, baseDir, `${field}.key`, source);
        try {
          out.push({ name, kind: 'key', key: parsePublicKey(text) });
        } catch (err) {
          throw new ConfigError(`${source}: ${field}.key: ${(err as Error).message}`, source);
        }
        break;
      }
      case 'certificate': {
        const text = await pemOrFile(spec.ca, baseDir, `${field}.ca`, source);
        let cas: X509Certificate[];
        try {
          cas = parseCertificatesPem(text);
        } catch (err) {
          throw new ConfigError(`${source}: ${field}.ca: ${(err as Error).message}`, source);
        }
        if (cas.length === 0) throw new ConfigError(`${source}: ${field}.ca holds no PEM certificate`, source);
        out.push({ name, kind: 'certificate', cas, ...(spec.subject !== undefined ? { subject: spec.subject } : {}) });
        break;
      }
    }
  }
  return out;
}

async function pemOrFile(value: string, baseDir: string, field: string, source: string): Promise<string> {
  if (value.includes('-----BEGIN')) return value;
  const file = path.resolve(baseDir, value);
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `${source}: ${field}: cannot read ${value} (${(err as { code?: string }).code ?? String(err)})`,
      source,
    );
  }
}

/** Does a Sigstore identity satisfy a signer: issuer exactly, subject exactly or by the anchored pattern. */
export function matchesSigner(seen: SeenSigner, signer: NamedSigner): boolean {
  switch (signer.kind) {
    case 'sigstore':
      if (seen.kind !== 'sigstore' || seen.issuer !== signer.issuer) return false;
      if (signer.subject !== undefined && seen.subject === signer.subject) return true;
      return signer.subjectPattern?.test(seen.subject) ?? false;
    case 'key':
      return seen.kind === 'key' && seen.fingerprint === signer.key.fingerprint;
    case 'certificate':
      // Chain verification already established the CA; only an optional subject is left to compare.
      return seen.kind === 'certificate' && (signer.subject === undefined || seen.subject === signer.subject);
  }
}

export function describeExpected(signers: readonly NamedSigner[]): string {
  if (signers.length === 0) return 'any valid signer';
  return signers
    .map((s) => {
      switch (s.kind) {
        case 'sigstore':
          return `${s.name}: ${s.subject ?? `/${s.subjectPattern?.source ?? ''}/`} (issuer ${s.issuer})`;
        case 'key':
          return `${s.name}: key ${s.key.fingerprint}`;
        case 'certificate':
          return `${s.name}: certificate chain to ${s.cas.map((c) => c.subject.replace(/\n/g, ', ')).join(' | ')}`;
      }
    })
    .join('; ');
}
