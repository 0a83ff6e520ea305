import { verify } from 'node:crypto';
import { parseSri, toSriString } from '../../core/sri.js';
import { findKeys, isRecord, keyValidAt, type RegistryKey } from './keys.js';

export interface RegistrySignature {
  readonly keyid: string;
  readonly sig: string;
}

export interface SignedVersion {
  readonly name: string;
  readonly version: string;
  /** The registry's `dist.integrity` as served; what is signed is ssri's serialisation of it. */
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

/**
 * `dist.signatures` from a packument (registry data). An entry without a string `keyid` is kept with an empty one:
 * pacote looks its key up all the same and fails (no key has that id), so dropping it would pass what npm refuses.
 */
export function parseSignatures(value: unknown): RegistrySignature[] {
  if (!Array.isArray(value)) return [];
  return value.slice(0, 16).map((s) => ({
    keyid: isRecord(s) && typeof s.keyid === 'string' ? s.keyid : '',
    sig: isRecord(s) && typeof s.sig === 'string' ? s.sig : '',
  }));
}

/**
 * Verify npm registry signatures as pacote does (lib/registry.js `manifest` with `verifySignatures`): EVERY entry of
 * `dist.signatures` must verify, ECDSA P-256 / SHA-256 over `name@version:integrity`, with the first registry key of
 * its keyid, valid at the version's publish time. The first entry that fails decides, in pacote's order: unknown key
 * (EMISSINGSIGNATUREKEY), expired key (EEXPIREDSIGNATUREKEY), bad signature (EINTEGRITYSIGNATURE). A valid
 * signature next to a bad or unknown one is not "verified": `npm audit signatures` stops at the bad one.
 */
export function verifyRegistrySignatures(v: SignedVersion, keys: readonly RegistryKey[]): SignatureVerdict {
  if (v.signatures.length === 0) return { kind: 'missing' };
  // pacote's message is `${mani._id}:${mani._integrity}`, the integrity as ssri re-serialises it.
  const integrity = toSriString(parseSri(v.integrity, 'lenient'));
  const message = Buffer.from(`${v.name}@${v.version}:${integrity}`, 'utf8');
  for (const s of v.signatures) {
    const key = findKeys(keys, s.keyid, 'signatures')[0];
    if (key === undefined) return { kind: 'untrusted-key', keyid: s.keyid, reason: 'unknown' };
    if (!keyValidAt(key, v.publishedAt))
      return { kind: 'untrusted-key', keyid: s.keyid, reason: 'not-valid-at-publish-time' };
    if (!safeVerify(message, key, Buffer.from(s.sig, 'base64'))) return { kind: 'invalid', keyid: s.keyid };
  }
  return { kind: 'verified', keyid: v.signatures[0]!.keyid };
}

function safeVerify(message: Buffer, key: RegistryKey, sig: Buffer): boolean {
  try {
    return verify('sha256', message, key.publicKey, sig);
  } catch {
    return false; // malformed DER signature
  }
}
