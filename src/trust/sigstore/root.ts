import type { KeyObject } from 'node:crypto';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial, type TrustMaterial } from '@sigstore/verify';
import { ConfigError } from '../../core/errors.js';
import type { TrustRoot } from '../../core/trust-material.js';
import { embeddedPublicGoodTrustedRoot } from './embedded.js';
import { readBoundedText } from '../config/read.js';

export type { TrustRoot } from '../../core/trust-material.js';

export const PUBLIC_GOOD_SOURCE = '<embedded Sigstore public-good trusted root>';
/** A real trusted_root.json is a few KiB; the bound only stops a hostile path from stalling the load. */
export const MAX_TRUSTED_ROOT_BYTES = 4 * 1024 * 1024;

/**
 * A trusted root that cannot be read (`unreadable`) or is not what it claims (`invalid`); `reason` says why
 * without the file prefix, so the policy loader can place it at the policy line that names the file.
 */
export class TrustRootError extends ConfigError {
  readonly kind: 'unreadable' | 'invalid';
  readonly reason: string;
  constructor(source: string, kind: 'unreadable' | 'invalid', reason: string, options?: { cause?: unknown }) {
    super(`trusted root ${source}: ${reason}`, source, {
      ...options,
      code: kind === 'unreadable' ? 'CONFIG_FILE_UNREADABLE' : 'CONFIG_TRUSTED_ROOT_INVALID',
    });
    this.name = 'TrustRootError';
    this.kind = kind;
    this.reason = reason;
  }
}

let publicGood: TrustRoot | undefined;
let fileReads = 0;

/** How many times a trusted_root.json was read from disk in this process: tests prove a scan reads it once. */
export function trustedRootFileReads(): number {
  return fileReads;
}

/**
 * THE trusted-root loader (policy validation, npm provenance and signature checks all use it): the file at `file`
 * (bounded read), or the embedded public-good root (no network) when `file` is undefined.
 */
export async function loadTrustedRoot(file?: string, shown: string = file ?? PUBLIC_GOOD_SOURCE): Promise<TrustRoot> {
  if (file === undefined) return publicGoodTrustedRoot();
  fileReads++;
  const read = await readBoundedText(file, MAX_TRUSTED_ROOT_BYTES, shown);
  if (!read.ok) throw new TrustRootError(file, 'unreadable', read.error);
  return parseTrustedRootText(read.text, file);
}

/** The embedded Sigstore public-good root, validated and built once per process on first use (no I/O). */
export function publicGoodTrustedRoot(): TrustRoot {
  publicGood ??= toTrustRoot(embeddedPublicGoodTrustedRoot(), PUBLIC_GOOD_SOURCE);
  return publicGood;
}

/** Parse and validate `trusted_root.json` text; throws TrustRootError. */
export function parseTrustedRootText(text: string, source: string): TrustRoot {
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch (err) {
    throw new TrustRootError(source, 'invalid', `is not JSON (${(err as Error).message})`, { cause: err });
  }
  return toTrustRoot(json, source);
}

/** Validate and freeze a parsed `trusted_root.json`. Throws TrustRootError naming the field that is wrong. */
export function toTrustRoot(json: unknown, source: string): TrustRoot {
  checkTrustedRoot(json, source);
  let root: TrustedRoot;
  try {
    // Same parser @sigstore/verify's toTrustMaterial is given: a root it rejects is rejected here, at load.
    root = TrustedRoot.fromJSON(json);
  } catch (err) {
    throw new TrustRootError(source, 'invalid', `cannot be read (${(err as Error).message})`, { cause: err });
  }
  if (root.certificateAuthorities.length === 0 && root.tlogs.length === 0)
    throw new TrustRootError(source, 'invalid', 'lists no certificate authorities and no transparency logs');
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
    throw new TrustRootError(source, 'invalid', `${field} ${what}`);
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
