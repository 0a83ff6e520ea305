import { readFile, stat } from 'node:fs/promises';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial, type TrustMaterial } from '@sigstore/verify';
import type { KeyObject } from 'node:crypto';
import { ConfigError } from '../../core/errors.js';
import { embeddedPublicGoodTrustedRoot } from '../embedded.js';

/** A Sigstore trust root (Fulcio CAs, Rekor logs, CT logs, TSAs) loaded once and frozen. */
export interface TrustRoot {
  /** File it came from, or `<embedded public-good>`. */
  readonly source: string;
  readonly root: TrustedRoot;
  readonly material: TrustMaterial;
}

export const PUBLIC_GOOD_SOURCE = '<embedded Sigstore public-good trusted root>';
const MAX_TRUSTED_ROOT_BYTES = 4 * 1024 * 1024;

let publicGood: TrustRoot | undefined;

/** The trusted root at `file`, or the embedded public-good root (no network) when `file` is undefined. */
export async function loadTrustedRoot(file?: string): Promise<TrustRoot> {
  if (file === undefined) {
    publicGood ??= toTrustRoot(embeddedPublicGoodTrustedRoot(), PUBLIC_GOOD_SOURCE);
    return publicGood;
  }
  const st = await stat(file).catch((err: unknown) => {
    throw new ConfigError(`cannot read trusted root ${file}: ${(err as { code?: string }).code ?? String(err)}`, file);
  });
  if (st.size > MAX_TRUSTED_ROOT_BYTES) throw new ConfigError(`trusted root ${file} is larger than 4 MiB`, file);
  const text = await readFile(file, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch (err) {
    throw new ConfigError(`trusted root ${file} is not valid JSON: ${(err as Error).message}`, file);
  }
  return toTrustRoot(json, file);
}

/** Validate and freeze a parsed `trusted_root.json`. Throws ConfigError naming the field that is wrong. */
export function toTrustRoot(json: unknown, source: string): TrustRoot {
  checkTrustedRoot(json, source);
  let root: TrustedRoot;
  try {
    root = TrustedRoot.fromJSON(json);
  } catch (err) {
    throw new ConfigError(`trusted root ${source} cannot be read: ${(err as Error).message}`, source);
  }
  return Object.freeze({ source, root, material: toTrustMaterial(root) });
}

/** The same trust root, plus a caller-supplied public key for bundles signed with a managed key. */
export function withPublicKey(trust: TrustRoot, key: KeyObject): TrustMaterial {
  // Key hints are chosen by the signer and carry no authority: the key the caller trusts is the only candidate.
  return toTrustMaterial(trust.root, () => ({ publicKey: key, validFor: () => true }));
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Shape checks @sigstore/verify does not do. A validity period without a start must be rejected, not read as
 * "valid since forever": a key retired and re-added without dates would otherwise verify old forgeries.
 */
function checkTrustedRoot(json: unknown, source: string): void {
  const fail = (field: string, what: string): never => {
    throw new ConfigError(`trusted root ${source}: ${field} ${what}`, source);
  };
  if (!isObject(json)) return fail('(top level)', 'must be a JSON object');
  const mediaType = json['mediaType'];
  if (typeof mediaType !== 'string' || !mediaType.startsWith('application/vnd.dev.sigstore.trustedroot'))
    fail('mediaType', 'must be application/vnd.dev.sigstore.trustedroot+json;version=0.1 (or a later version)');
  const lists: [string, boolean][] = [
    ['tlogs', true],
    ['ctlogs', true],
    ['certificateAuthorities', false],
    ['timestampAuthorities', false],
  ];
  for (const [list, keyed] of lists) {
    const items = json[list];
    if (items === undefined) continue;
    if (!Array.isArray(items)) fail(list, 'must be an array');
    (items as unknown[]).forEach((item, i) => {
      const at = `${list}[${i}]`;
      if (!isObject(item)) return fail(at, 'must be an object');
      const holder = keyed ? item['publicKey'] : item;
      if (!isObject(holder)) return fail(`${at}.publicKey`, 'must be an object');
      const field = keyed ? `${at}.publicKey.validFor` : `${at}.validFor`;
      checkValidFor(holder['validFor'], field, fail);
    });
  }
}

function checkValidFor(v: unknown, field: string, fail: (field: string, what: string) => never): void {
  if (!isObject(v)) return fail(field, 'is missing: every key and authority needs a validity period with a start');
  const start = v['start'];
  if (typeof start !== 'string' || Number.isNaN(Date.parse(start)))
    fail(`${field}.start`, 'is missing or not an RFC 3339 time: a validity period must have a start');
  const end = v['end'];
  if (end !== undefined && end !== null) {
    if (typeof end !== 'string' || Number.isNaN(Date.parse(end))) fail(`${field}.end`, 'is not an RFC 3339 time');
    if (Date.parse(end) < Date.parse(start)) fail(`${field}.end`, 'is before its start');
  }
}
