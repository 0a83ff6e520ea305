import { createHash, createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { InputError } from '../../core/errors.js';
import type { PublicKeyInfo } from '../../core/trust-material.js';
import { trimEndRun } from '../../core/linear-text.js';

export type { PublicKeyInfo } from '../../core/trust-material.js';

/** A key that is not one chainproof accepts; a policy key becomes a located problem, a CLI key a usage error. */
export class KeyError extends InputError {
  constructor(message: string) {
    super('INPUT_KEY_INVALID', message);
    this.name = 'KeyError';
  }
}

const PEM_BLOCK = /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/;
const CURVES: Record<string, { algorithm: PublicKeyInfo['algorithm']; hash: 'sha256' | 'sha384' | 'sha512' }> = {
  prime256v1: { algorithm: 'ecdsa-p256', hash: 'sha256' },
  secp384r1: { algorithm: 'ecdsa-p384', hash: 'sha384' },
  secp521r1: { algorithm: 'ecdsa-p521', hash: 'sha512' },
};

/** Parse a PEM public key (text around the block, as `certtool` writes, is ignored) or a DER SPKI. */
export function parsePublicKey(input: string | Buffer): PublicKeyInfo {
  const text = typeof input === 'string' ? input : input.toString('latin1');
  const pem = PEM_BLOCK.exec(text)?.[0];
  let key: KeyObject;
  try {
    key =
      pem !== undefined
        ? createPublicKey(pem)
        : createPublicKey({ key: Buffer.isBuffer(input) ? input : Buffer.from(input), format: 'der', type: 'spki' });
  } catch (err) {
    throw new KeyError(
      pem !== undefined
        ? 'expected a PEM public key, but the PUBLIC KEY block does not parse'
        : `not a PEM or DER public key (${(err as Error).message})`,
    );
  }
  return describeKey(key);
}

export function describeKey(key: KeyObject): PublicKeyInfo {
  let algorithm: PublicKeyInfo['algorithm'];
  let hash: PublicKeyInfo['hash'];
  if (key.asymmetricKeyType === 'ed25519') {
    algorithm = 'ed25519';
    hash = null;
  } else if (key.asymmetricKeyType === 'ec') {
    const curve = CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
    if (!curve)
      throw new KeyError(
        `unsupported elliptic curve ${key.asymmetricKeyDetails?.namedCurve ?? 'unknown'}: expected P-256, P-384 or P-521`,
      );
    ({ algorithm, hash } = curve);
  } else {
    throw new KeyError(
      `unsupported key type ${key.asymmetricKeyType ?? 'unknown'}: expected ECDSA P-256/P-384/P-521 or Ed25519`,
    );
  }
  const der = key.export({ type: 'spki', format: 'der' });
  const pemText = key.export({ type: 'spki', format: 'pem' });
  const derSha = createHash('sha256').update(der).digest();
  return Object.freeze({
    key,
    algorithm,
    hash,
    fingerprint: `SHA256:${trimEndRun(derSha.toString('base64'), '=')}`,
    hints: [createHash('sha256').update(pemText).digest('hex'), derSha.toString('base64'), derSha.toString('hex')],
  });
}

/** Verify `signature` over `data` with the key's curve-matched hash. Never throws for a bad signature. */
export function verifyWithKey(info: PublicKeyInfo, data: Buffer, signature: Buffer): boolean {
  return verifyHashed(info, info.hash, data, signature);
}

/**
 * Verify `signature` over `data` hashed with `hash` (null: the key hashes internally, as Ed25519 does). Never throws:
 * a malformed signature, or a hash the key refuses, is a signature that does not verify.
 */
export function verifyHashed(info: PublicKeyInfo, hash: string | null, data: Buffer, signature: Buffer): boolean {
  try {
    return cryptoVerify(hash, data, info.key, signature);
  } catch {
    return false;
  }
}
