import type { X509Certificate } from 'node:crypto';
import { JsonTooDeepError, parseShallowJson } from '../../core/json-depth.js';
import { parseCertificatesPem } from '../../trust/sigstore/certificates.js';
import { parsePublicKey } from '../trust/keys.js';
import { BundleParseError, decodeBase64 } from './parse.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The Sigstore bundle version that holds what a cosign bundle holds: an inclusion promise, no inclusion proof. */
const COSIGN_AS_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle+json;version=0.1';

/** hashedrekord's digest algorithm names (rekor `hashedrekord/v0.0.1` schema) → the message digest's. */
const REKOR_HASHES: Readonly<Record<string, string>> = { sha256: 'SHA2_256', sha384: 'SHA2_384', sha512: 'SHA2_512' };

/**
 * cosign's own bundle, what `cosign sign-blob --bundle` writes unless told --new-bundle-format (cosign 1.x and 2.x):
 * cmd/cosign/cli/sign `LocalSignedPayload` {base64Signature, cert, rekorBundle}, whose rekorBundle is
 * pkg/cosign/bundle `RekorBundle` {SignedEntryTimestamp, Payload {body, integratedTime, logIndex, logID}}. No
 * mediaType: that is how cosign's own reader (`FetchLocalSignedPayloadFromPath`) and this one tell it apart.
 */
export function isCosignBundle(json: Json): boolean {
  return json['mediaType'] === undefined && 'base64Signature' in json;
}

/**
 * The v0.1 Sigstore bundle that says what the cosign bundle says, for the one verifier to check: the message
 * signature, the signing certificate (or key), the Rekor entry with its signed entry timestamp. cosign verify-blob
 * --bundle (pkg/cosign/verify.go `VerifyBlobSignature`) checks the same things @sigstore/verify does with it: the
 * certificate path to Fulcio at the entry's integrated time and its SCT, the SET under the trusted root's Rekor key
 * (`VerifySET`), the entry's body against the signature and digest (`VerifyBundle`), the signature over the blob.
 * Fields are read strictly: a bad one is a malformed bundle, never a guess.
 */
export function cosignToSigstoreBundle(json: Json): Json {
  const signature = decodeBase64(json['base64Signature'], 'base64Signature');
  const rekor = json['rekorBundle'];
  // Signed with --tlog-upload=false: verify-blob wants --insecure-ignore-tlog, and the digest the signature is over
  // is nowhere but in the blob.
  if (!isObject(rekor))
    throw new BundleParseError(
      'it is a cosign bundle with no Rekor entry (rekorBundle), signed without the transparency log; cosign verify-blob accepts it only with --insecure-ignore-tlog, and chainproof does not verify it',
      { unverifiable: true },
    );
  const payload = rekor['Payload'];
  if (!isObject(payload)) throw new BundleParseError('rekorBundle.Payload is missing');
  const bodyBytes = decodeBase64(payload['body'], 'rekorBundle.Payload.body');
  const body = parseBody(bodyBytes);
  const integratedTime = payload['integratedTime'];
  const logIndex = payload['logIndex'];
  const logID = payload['logID'];
  if (!Number.isSafeInteger(integratedTime))
    throw new BundleParseError('rekorBundle.Payload.integratedTime is missing');
  if (!Number.isSafeInteger(logIndex)) throw new BundleParseError('rekorBundle.Payload.logIndex is missing');
  if (typeof logID !== 'string' || !/^(?:[0-9a-f]{2})+$/.test(logID))
    throw new BundleParseError('rekorBundle.Payload.logID is not a hex log ID');
  decodeBase64(rekor['SignedEntryTimestamp'], 'rekorBundle.SignedEntryTimestamp');
  return {
    mediaType: COSIGN_AS_MEDIA_TYPE,
    verificationMaterial: {
      ...material(json['cert']),
      tlogEntries: [
        {
          logIndex: String(logIndex),
          logId: { keyId: Buffer.from(logID, 'hex').toString('base64') },
          kindVersion: { kind: body.kind, version: body.version },
          integratedTime: String(integratedTime),
          inclusionPromise: { signedEntryTimestamp: rekor['SignedEntryTimestamp'] },
          canonicalizedBody: bodyBytes.toString('base64'),
        },
      ],
    },
    messageSignature: {
      messageDigest: { algorithm: body.algorithm, digest: body.digest.toString('base64') },
      signature: signature.toString('base64'),
    },
  };
}

/**
 * The entry's kind and the digest it logs. cosign sign-blob has logged hashedrekord entries since 1.13; the older
 * rekord entry holds no digest to bind the signature to here, and @sigstore/verify does not read it either.
 */
function parseBody(bytes: Buffer): { kind: string; version: string; algorithm: string; digest: Buffer } {
  let body: unknown;
  try {
    // Depth-checked as the bundle itself is: @sigstore/verify parses the same body again.
    body = parseShallowJson(bytes.toString('utf8'));
  } catch (err) {
    if (err instanceof JsonTooDeepError)
      throw new BundleParseError(`rekorBundle.Payload.body: ${err.message}`, { tooDeep: true });
    throw new BundleParseError('rekorBundle.Payload.body is not JSON');
  }
  if (!isObject(body) || typeof body['kind'] !== 'string' || typeof body['apiVersion'] !== 'string')
    throw new BundleParseError('rekorBundle.Payload.body names no entry kind');
  const kind = body['kind'];
  if (kind !== 'hashedrekord')
    throw new BundleParseError(
      `its Rekor entry is a ${JSON.stringify(kind.slice(0, 32))} entry; chainproof reads cosign bundles with a hashedrekord entry (cosign 1.13 and later)`,
      { unverifiable: true },
    );
  const spec = body['spec'];
  const hash = isObject(spec) && isObject(spec['data']) ? spec['data']['hash'] : undefined;
  const algorithm = isObject(hash) && typeof hash['algorithm'] === 'string' ? hash['algorithm'] : '';
  const value = isObject(hash) ? hash['value'] : undefined;
  if (!Object.hasOwn(REKOR_HASHES, algorithm) || typeof value !== 'string' || !/^(?:[0-9a-f]{2})+$/.test(value))
    throw new BundleParseError('the hashedrekord entry names no sha256, sha384 or sha512 digest');
  return { kind, version: body['apiVersion'], algorithm: REKOR_HASHES[algorithm]!, digest: Buffer.from(value, 'hex') };
}

/**
 * `cert`: the PEM certificate, base64-encoded or not (verify_blob.go tries base64 first), or with --key the PEM
 * public key, a claim only: the policy's key verifies. Empty, cosign wants --key, as the policy's key here.
 */
function material(cert: unknown): Json {
  if (cert === undefined || cert === '') return { publicKey: { hint: '' } };
  if (typeof cert !== 'string') throw new BundleParseError('cert is not a string');
  const pem = /^[A-Za-z0-9+/]+={0,2}$/.test(cert) ? decodeBase64(cert, 'cert').toString('utf8') : cert;
  let certs: X509Certificate[];
  try {
    certs = parseCertificatesPem(pem);
  } catch {
    throw new BundleParseError('cert holds a certificate that does not parse');
  }
  if (certs.length > 0)
    return { x509CertificateChain: { certificates: certs.map((c) => ({ rawBytes: c.raw.toString('base64') })) } };
  try {
    parsePublicKey(pem);
  } catch {
    throw new BundleParseError('cert is neither a PEM certificate nor a PEM public key');
  }
  return { publicKey: { hint: '', rawBytes: Buffer.from(pem).toString('base64') } };
}
