import { createPublicKey, type KeyObject } from 'node:crypto';
import { embeddedTufTarget } from '../embedded.js';
import { isRecord } from '../../core/is-record.js';

export type KeyUsage = 'signatures' | 'attestations';

/** A registry signing key (ECDSA P-256), with the period it may sign in. */
export interface RegistryKey {
  readonly keyid: string;
  readonly publicKey: KeyObject;
  readonly usages: ReadonlySet<KeyUsage>;
  readonly start?: Date;
  readonly end?: Date;
}

const BOTH: ReadonlySet<KeyUsage> = new Set(['signatures', 'attestations']);

/**
 * Parse a key list in either shape npm uses: the registry's `/-/npm/v1/keys` answer
 * (`{keys:[{keyid, keytype, scheme, key, expires}]}`, each key valid for signatures and attestations) or the TUF
 * target (`{keys:[{keyId, keyUsage, publicKey:{rawBytes, keyDetails, validFor}}]}`). Registry data: parsed
 * defensively; keys of another type, or that do not parse, are left out.
 */
export function parseRegistryKeys(json: unknown): RegistryKey[] {
  const list = isRecord(json) && Array.isArray(json.keys) ? (json.keys as unknown[]) : [];
  const out: RegistryKey[] = [];
  for (const k of list.slice(0, 64)) {
    if (!isRecord(k)) continue;
    const key = typeof k.keyid === 'string' ? fromRegistryShape(k) : fromTufShape(k);
    if (key) out.push(key);
  }
  return out;
}

function fromRegistryShape(k: Record<string, unknown>): RegistryKey | undefined {
  if (k.keytype !== 'ecdsa-sha2-nistp256' || typeof k.key !== 'string') return undefined;
  const publicKey = toKey(k.key);
  if (!publicKey) return undefined;
  const end = expiryOf(k.expires);
  return { keyid: k.keyid as string, publicKey, usages: BOTH, ...(end ? { end } : {}) };
}

function fromTufShape(k: Record<string, unknown>): RegistryKey | undefined {
  const pk = k.publicKey;
  if (typeof k.keyId !== 'string' || !isRecord(pk) || typeof pk.rawBytes !== 'string') return undefined;
  if (pk.keyDetails !== 'PKIX_ECDSA_P256_SHA_256') return undefined;
  const usage =
    k.keyUsage === 'npm:signatures' ? 'signatures' : k.keyUsage === 'npm:attestations' ? 'attestations' : undefined;
  const publicKey = toKey(pk.rawBytes);
  if (!usage || !publicKey) return undefined;
  const vf = isRecord(pk.validFor) ? pk.validFor : {};
  const start = typeof vf.start === 'string' ? toDate(vf.start) : undefined;
  // npm's verify-signatures.js `setKeys` maps a TUF key to `expires: validFor.end || null`.
  const end = expiryOf(vf.end);
  return { keyid: k.keyId, publicKey, usages: new Set([usage]), ...(start ? { start } : {}), ...(end ? { end } : {}) };
}

/** npm's keys for registry.npmjs.org, as the embedded TUF seed holds them (`tufRegistryKeys`). */
export function embeddedNpmKeys(): RegistryKey[] {
  const keys = tufRegistryKeys('https://registry.npmjs.org/');
  if (keys === undefined) throw new Error('@sigstore/tuf seeds.json lacks target registry.npmjs.org/keys.json');
  return keys;
}

/**
 * The keys npm takes from Sigstore's TUF repository for a registry (lib/utils/verify-signatures.js `setKeys`): the
 * target `${host}${pathname}/keys.json`, the pathname without its trailing slash (registry.npmjs.org/keys.json for
 * https://registry.npmjs.org/). Undefined when TUF has no such target: npm then asks the registry's `/-/npm/v1/keys`.
 * The targets are those `@sigstore/tuf` embeds (no online TUF client here).
 */
export function tufRegistryKeys(registry: string): RegistryKey[] | undefined {
  let url: URL;
  try {
    url = new URL(registry);
  } catch {
    return undefined;
  }
  const target = embeddedTufTarget(`${url.host}${url.pathname.replace(/\/$/, '')}/keys.json`);
  return target === undefined ? undefined : parseRegistryKeys(target);
}

/**
 * pacote's test of a registry key (lib/registry.js `manifest`): `!expires || time < expires`, at the publish time for
 * registry signatures and at the log's integrated time for publish attestations. A key's start (the TUF target's
 * `validFor.start`) is not read: a registry that rotates keys may sign with the new one what was published before the
 * rotation, and npm accepts it. With no time, only a key that never expires.
 */
export function keyValidAt(key: RegistryKey, at: Date | undefined): boolean {
  if (!at) return key.end === undefined;
  return key.end === undefined || at < key.end;
}

/** Keys with this id and usage (the TUF shape lists one id once per usage). */
export function findKeys(keys: readonly RegistryKey[], keyid: string, usage: KeyUsage): RegistryKey[] {
  return keys.filter((k) => k.keyid === keyid && k.usages.has(usage));
}

function toKey(b64: string): KeyObject | undefined {
  try {
    const key = createPublicKey({ key: Buffer.from(b64, 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? key : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A key's `expires` as pacote tests it (lib/registry.js `manifest`: `!publicKey.expires || time <
 * Date.parse(publicKey.expires)`): unset, empty or otherwise falsy, the key never expires; any other value is an
 * expiry, and one Date.parse cannot read is an Invalid Date no time is before, so the key is expired for every
 * signature, as npm finds it (EEXPIREDSIGNATUREKEY).
 */
function expiryOf(expires: unknown): Date | undefined {
  if (expires === undefined || expires === null || expires === false || expires === '' || expires === 0)
    return undefined;
  const text = typeof expires === 'string' || typeof expires === 'number' ? String(expires) : '';
  return new Date(text === '' ? Number.NaN : Date.parse(text));
}

function toDate(s: string): Date | undefined {
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export { isRecord };
