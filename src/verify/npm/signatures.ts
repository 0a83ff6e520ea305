import { verify } from 'node:crypto';
import { findKeys, isRecord, keyValidAt, type RegistryKey } from './keys.js';

export interface RegistrySignature {
  readonly keyid: string;
  readonly sig: string;
}

export interface SignedVersion {
  readonly name: string;
  readonly version: string;
  /** The registry's `dist.integrity`, exactly as served: it is what was signed. */
  readonly integrity: string;
  readonly signatures: readonly RegistrySignature[];
  readonly publishedAt?: Date;
}

export type SignatureVerdict =
  | { readonly kind: 'verified'; readonly keyid: string }
  | { readonly kind: 'missing' }
  | { readonly kind: 'invalid'; readonly keyid: string }
  | {
      readonly kind: 'untrusted-key';
      readonly keyid: string;
      readonly reason: 'unknown' | 'not-valid-at-publish-time';
    };

/** `dist.signatures` from a packument; malformed entries are dropped (registry data). */
export function parseSignatures(value: unknown): RegistrySignature[] {
  if (!Array.isArray(value)) return [];
  return value
    .slice(0, 16)
    .filter(isRecord)
    .filter((s) => typeof s.keyid === 'string' && typeof s.sig === 'string')
    .map((s) => ({ keyid: s.keyid as string, sig: s.sig as string }));
}

/**
 * Verify npm registry signatures: ECDSA P-256 / SHA-256 over `name@version:integrity` with a registry key valid at
 * the version's publish time. One valid signature suffices; otherwise the worst reason is reported
 * (a bad signature over a trusted key outranks an unknown key).
 */
export function verifyRegistrySignatures(v: SignedVersion, keys: readonly RegistryKey[]): SignatureVerdict {
  if (v.signatures.length === 0) return { kind: 'missing' };
  const message = Buffer.from(`${v.name}@${v.version}:${v.integrity}`, 'utf8');
  let worst: SignatureVerdict | undefined;
  for (const s of v.signatures) {
    const candidates = findKeys(keys, s.keyid, 'signatures');
    if (candidates.length === 0) {
      worst ??= { kind: 'untrusted-key', keyid: s.keyid, reason: 'unknown' };
      continue;
    }
    const valid = candidates.filter((k) => signedBeforeExpiry(k, v.publishedAt));
    if (valid.length === 0) {
      if (worst?.kind !== 'invalid')
        worst = { kind: 'untrusted-key', keyid: s.keyid, reason: 'not-valid-at-publish-time' };
      continue;
    }
    const sig = Buffer.from(s.sig, 'base64');
    if (valid.some((k) => safeVerify(message, k, sig))) return { kind: 'verified', keyid: s.keyid };
    worst = { kind: 'invalid', keyid: s.keyid };
  }
  return worst ?? { kind: 'missing' };
}

/**
 * pacote (lib/registry.js `manifest`) holds a registry signing key to its expiry only: `!expires || published <
 * expires`. A key's start (the TUF target's `validFor.start`) is not checked: a registry that rotates its key may
 * sign versions published before the rotation with the new one, and npm accepts those signatures. No publish time: as `keyValidAt`.
 */
function signedBeforeExpiry(key: RegistryKey, at: Date | undefined): boolean {
  if (at === undefined) return keyValidAt(key, at);
  return key.end === undefined || at < key.end;
}

function safeVerify(message: Buffer, key: RegistryKey, sig: Buffer): boolean {
  try {
    return verify('sha256', message, key.publicKey, sig);
  } catch {
    return false; // malformed DER signature
  }
}
