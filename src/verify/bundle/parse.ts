import { bundleFromJSON, ValidationError, type Bundle } from '@sigstore/bundle';
import { JsonTooDeepError, parseShallowJson } from '../../core/json-depth.js';
import type { DigestAlgorithm } from '../../hash/algorithms.js';
import { cosignToSigstoreBundle, isCosignBundle } from './cosign.js';

/** What a Sigstore bundle signs. */
export type BundleContent =
  | {
      readonly kind: 'dsse';
      readonly payloadType: string;
      readonly payload: Buffer;
      readonly signatures: readonly { readonly sig: Buffer; readonly keyid: string }[];
    }
  | { readonly kind: 'message'; readonly algorithm: string; readonly digest: Buffer; readonly signature: Buffer };

/**
 * A message signature's digest algorithm (protobuf-specs HashAlgorithm, by its JSON name) → node:crypto's hash name.
 * The ones @sigstore/verify verifies (bundle/message.ts `HASH_ALGORITHM_MAP`). That map also reads
 * HASH_ALGORITHM_UNSPECIFIED as SHA-256; no signer names it for an ECDSA signature, so it is left out and such a
 * bundle stays one chainproof cannot check (CPS007), as does any other name.
 */
export const MESSAGE_DIGEST_HASHES: Readonly<Record<string, DigestAlgorithm>> = {
  SHA2_256: 'sha256',
  SHA2_384: 'sha384',
  SHA2_512: 'sha512',
  SHA3_256: 'sha3-256',
  SHA3_384: 'sha3-384',
};

/**
 * The hash a message digest algorithm names, or undefined. The name is the bundle's: only the table's own entries
 * count, never what every object inherits (`constructor`, `__proto__`, `toString`), which is no hash name.
 */
export function messageDigestHash(name: string): DigestAlgorithm | undefined {
  return Object.hasOwn(MESSAGE_DIGEST_HASHES, name) ? MESSAGE_DIGEST_HASHES[name] : undefined;
}

/** Who the bundle says signed it. */
export type BundleMaterial =
  | { readonly kind: 'certificate'; /** Leaf first. */ readonly certificates: readonly Buffer[] }
  | {
      readonly kind: 'key';
      readonly hint: string;
      /** PEM that model_signing < 1.0 embedded; a claim, never trusted. */ readonly embedded?: Buffer;
    };

export interface ParsedBundle {
  readonly mediaType: string;
  readonly content: BundleContent;
  readonly material: BundleMaterial;
  readonly tlogEntries: number;
  /** The bundle as @sigstore/bundle accepts it; undefined when only the lenient reading succeeded. */
  readonly strict: Bundle | undefined;
  /** Why @sigstore/bundle rejected it (v0.3 certificate-chain bundles of model_signing, for example). */
  readonly strictError: string | undefined;
}

export class BundleParseError extends Error {
  override readonly name = 'BundleParseError';
  /** The bundle nests deeper than any real one (a crash attempt), not merely malformed. */
  readonly tooDeep: boolean;
  /** Well formed, but of a kind chainproof does not verify (a cosign bundle never logged): not checked, not malformed. */
  readonly unverifiable: boolean;
  /** No JSON object with a bundle's marks (mediaType, cosign's base64Signature): a file only named like a bundle. */
  readonly notBundle: boolean;
  constructor(message: string, opts: { tooDeep?: boolean; unverifiable?: boolean; notBundle?: boolean } = {}) {
    super(message);
    this.tooDeep = opts.tooDeep ?? false;
    this.unverifiable = opts.unverifiable ?? false;
    this.notBundle = opts.notBundle ?? false;
  }
}

/** Bundles are small; anything bigger is hostile or not a bundle. */
export const MAX_BUNDLE_BYTES = 16 * 1024 * 1024;
/**
 * Padded standard base64: the alphabet, at most two `=` at the end, a multiple of four long. Tested as one character
 * class and a length, never as a repeated group: `^(?:[…]{4})*…$` keeps a backtrack entry per group and overflows V8's
 * regexp stack (RangeError) on a payload of a few MiB, far under MAX_BUNDLE_BYTES.
 */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parse a bundle. Attacker-controlled JSON: every field is type-checked and base64 is decoded strictly (Node's
 * decoder silently skips bad characters). The strict @sigstore/bundle reading is kept for Sigstore verification;
 * the lenient one serves key and certificate-chain verification, which @sigstore/verify cannot do for these.
 */
export function parseBundle(input: string | Buffer): ParsedBundle {
  if (input.length > MAX_BUNDLE_BYTES) throw new BundleParseError('bundle is larger than 16 MiB');
  let parsed: unknown;
  try {
    // Depth-checked first: bundleFromJSON and later readers recurse over the tree.
    parsed = parseShallowJson(typeof input === 'string' ? input : input.toString('utf8'));
  } catch (err) {
    if (err instanceof JsonTooDeepError) throw new BundleParseError(err.message, { tooDeep: true });
    throw new BundleParseError(`not valid JSON: ${(err as Error).message}`, { notBundle: true });
  }
  if (!isObject(parsed)) throw new BundleParseError('not a JSON object', { notBundle: true });
  // cosign's own bundle format (`cosign sign-blob --bundle` before Sigstore bundles): the same facts, read as one.
  const json = isCosignBundle(parsed) ? cosignToSigstoreBundle(parsed) : parsed;
  const mediaType = json['mediaType'];
  // npm's attestations document (registry `/-/npm/v1/attestations/…`): a list of bundles, not one.
  if (mediaType === undefined && Array.isArray(json['attestations']))
    throw new BundleParseError(
      'it is an npm attestations document (a list of bundles under "attestations"), not one bundle',
    );
  if (
    typeof mediaType !== 'string' ||
    !/^application\/vnd\.dev\.sigstore\.bundle(\+json;version=0\.[123]|\.v0\.3\+json)$/.test(mediaType)
  )
    throw new BundleParseError(`unsupported bundle mediaType ${JSON.stringify(mediaType)}`, {
      notBundle: mediaType === undefined,
    });
  const vm = json['verificationMaterial'];
  if (!isObject(vm)) throw new BundleParseError('verificationMaterial is missing');
  const tlog = vm['tlogEntries'];
  if (tlog !== undefined && !Array.isArray(tlog))
    throw new BundleParseError('verificationMaterial.tlogEntries is not an array');
  let strict: Bundle | undefined;
  let strictError: string | undefined;
  try {
    strict = bundleFromJSON(json);
  } catch (err) {
    // Name the fields @sigstore/bundle refused (e.g. a v0.2 entry without inclusionProof), not just "invalid bundle".
    const fields = err instanceof ValidationError && Array.isArray(err.fields) ? err.fields.slice(0, 5) : [];
    strictError = `${(err as Error).message}${fields.length > 0 ? ` (${fields.join(', ')})` : ''}`;
  }
  return {
    mediaType,
    content: readContent(json),
    material: readMaterial(vm),
    tlogEntries: Array.isArray(tlog) ? tlog.length : 0,
    strict,
    strictError,
  };
}

export function decodeBase64(value: unknown, field: string): Buffer {
  if (typeof value !== 'string' || value.length % 4 !== 0 || !BASE64.test(value))
    throw new BundleParseError(`${field} is not valid base64`);
  return Buffer.from(value, 'base64');
}

function readContent(json: Json): BundleContent {
  const env = json['dsseEnvelope'];
  const msg = json['messageSignature'];
  if (isObject(env) === isObject(msg))
    throw new BundleParseError('bundle must hold exactly one of dsseEnvelope, messageSignature');
  if (isObject(env)) {
    const payloadType = env['payloadType'];
    if (typeof payloadType !== 'string') throw new BundleParseError('dsseEnvelope.payloadType is missing');
    const sigs = env['signatures'];
    if (!Array.isArray(sigs) || sigs.length !== 1)
      throw new BundleParseError('dsseEnvelope must carry exactly one signature');
    const signatures = sigs.map((s: unknown, i) => {
      if (!isObject(s)) throw new BundleParseError(`dsseEnvelope.signatures[${i}] is not an object`);
      const keyid = s['keyid'];
      return {
        sig: decodeBase64(s['sig'], `dsseEnvelope.signatures[${i}].sig`),
        keyid: typeof keyid === 'string' ? keyid : '',
      };
    });
    return { kind: 'dsse', payloadType, payload: decodeBase64(env['payload'], 'dsseEnvelope.payload'), signatures };
  }
  const m = msg as Json;
  const md = m['messageDigest'];
  if (!isObject(md)) throw new BundleParseError('messageSignature.messageDigest is missing');
  const algorithm = md['algorithm'];
  if (typeof algorithm !== 'string') throw new BundleParseError('messageSignature.messageDigest.algorithm is missing');
  return {
    kind: 'message',
    algorithm,
    digest: decodeBase64(md['digest'], 'messageSignature.messageDigest.digest'),
    signature: decodeBase64(m['signature'], 'messageSignature.signature'),
  };
}

/**
 * The three ways a bundle names its signer are one protobuf oneof (`VerificationMaterial.content`). sigstore-go, which
 * `gh attestation verify` and cosign run, reads bundles with protojson, which refuses a JSON object setting two
 * members of a oneof; @sigstore/bundle's fromJSON silently keeps the first of publicKey, x509CertificateChain,
 * certificate, and this reader prefers the other order. A bundle carrying two would be verified with one signer and
 * read for its identity (the provenance source) from the other, so it is refused, as dsseEnvelope beside
 * messageSignature is.
 */
const MATERIAL_FIELDS = ['publicKey', 'x509CertificateChain', 'certificate'] as const;

function readMaterial(vm: Json): BundleMaterial {
  const set = MATERIAL_FIELDS.filter((f) => vm[f] !== undefined && vm[f] !== null);
  if (set.length > 1)
    throw new BundleParseError(
      `verificationMaterial must hold one of ${MATERIAL_FIELDS.join(', ')}, not ${set.join(' and ')}`,
    );
  const cert = vm['certificate'];
  const chain = vm['x509CertificateChain'];
  const key = vm['publicKey'];
  if (isObject(cert))
    return {
      kind: 'certificate',
      certificates: [decodeBase64(cert['rawBytes'], 'verificationMaterial.certificate.rawBytes')],
    };
  if (isObject(chain)) {
    const certs = chain['certificates'];
    if (!Array.isArray(certs) || certs.length === 0)
      throw new BundleParseError('verificationMaterial.x509CertificateChain.certificates is empty');
    if (certs.length > 10) throw new BundleParseError('certificate chain is longer than 10 certificates');
    return {
      kind: 'certificate',
      certificates: certs.map((c: unknown, i) =>
        decodeBase64(
          isObject(c) ? c['rawBytes'] : undefined,
          `verificationMaterial.x509CertificateChain.certificates[${i}].rawBytes`,
        ),
      ),
    };
  }
  if (isObject(key)) {
    // model_signing before 1.0 wrote the PEM as `rawBytes` with no hint; the hint is advisory either way.
    const hint = key['hint'];
    const raw = key['rawBytes'];
    const embedded = raw === undefined ? undefined : decodeBase64(raw, 'verificationMaterial.publicKey.rawBytes');
    return { kind: 'key', hint: typeof hint === 'string' ? hint : '', ...(embedded ? { embedded } : {}) };
  }
  throw new BundleParseError('verificationMaterial has no certificate, certificate chain or public key');
}

/** `parseBundle`, with why it does not parse as the answer instead of a throw (a caller that asks it several things). */
export function tryParseBundle(input: string | Buffer): ParsedBundle | BundleParseError {
  try {
    return parseBundle(input);
  } catch (err) {
    if (err instanceof BundleParseError) return err;
    throw err;
  }
}
