import { X509Certificate as NodeX509 } from 'node:crypto';
import { X509Certificate as SigstoreX509 } from '@sigstore/core';

const MAX_PATH = 8;
const EKU_CODE_SIGNING = '1.3.6.1.5.5.7.3.3';

export type ChainResult =
  { readonly ok: true; readonly leaf: NodeX509 } | { readonly ok: false; readonly reason: string };

// One PEM certificate parser, shared with policy loading (which parses a signer's CA once).
export { parseCertificatesPem } from '../../trust/sigstore/certificates.js';

/**
 * Verify that `chain` (DER, leaf first, then intermediates) leads to one of `anchors`, as model_signing's
 * certificate method does: at the leaf's notBefore (there is no timestamp), every intermediate a CA, and the leaf
 * usable for signing (KeyUsage digitalSignature or EKU codeSigning).
 */
export function verifyChainToAnchors(chain: readonly Buffer[], anchors: readonly NodeX509[]): ChainResult {
  let certs: NodeX509[];
  try {
    certs = chain.map((der) => new NodeX509(der));
  } catch (err) {
    return { ok: false, reason: `a certificate in the chain cannot be parsed (${(err as Error).message})` };
  }
  const leaf = certs[0];
  if (!leaf) return { ok: false, reason: 'the certificate chain is empty' };
  const at = Date.parse(leaf.validFrom);
  if (!usableForSigning(chain[0]!, leaf))
    return { ok: false, reason: 'the signing certificate is not allowed to sign (key usage)' };
  const intermediates = certs.slice(1);
  let current = leaf;
  for (let depth = 0; depth < MAX_PATH; depth++) {
    if (!validAt(current, at))
      return { ok: false, reason: `certificate ${current.subject} is not valid at signing time` };
    const anchor = anchors.find((a) => issued(a, current));
    if (anchor) {
      if (!validAt(anchor, at))
        return { ok: false, reason: `CA certificate ${anchor.subject} is not valid at signing time` };
      return { ok: true, leaf };
    }
    const next = intermediates.find((c) => c !== current && c.ca && issued(c, current));
    if (!next) return { ok: false, reason: `no allowed CA issued ${current.subject.replace(/\n/g, ', ')}` };
    current = next;
  }
  return { ok: false, reason: 'certificate chain is too long' };
}

/**
 * Sigstore bundles list a chain leaf first, each certificate issued by the next. A chain out of that order (for
 * example with a root spliced in the middle) is malformed and rejected, whatever the trust root would accept.
 */
export function checkChainOrder(chain: readonly Buffer[]): string | undefined {
  try {
    const certs = chain.map((der) => new NodeX509(der));
    for (let i = 0; i + 1 < certs.length; i++) {
      if (!issued(certs[i + 1]!, certs[i]!)) return `certificate ${i + 1} in the chain did not issue certificate ${i}`;
    }
    return undefined;
  } catch (err) {
    return `a certificate in the chain cannot be parsed (${(err as Error).message})`;
  }
}

function issued(issuer: NodeX509, cert: NodeX509): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function validAt(cert: NodeX509, at: number): boolean {
  return Date.parse(cert.validFrom) <= at && at <= Date.parse(cert.validTo);
}

function usableForSigning(der: Buffer, leaf: NodeX509): boolean {
  try {
    const ku = SigstoreX509.parse(Buffer.from(der)).extKeyUsage;
    if (ku?.digitalSignature) return true;
  } catch {
    return false;
  }
  const eku: unknown = leaf.keyUsage;
  return Array.isArray(eku) && eku.includes(EKU_CODE_SIGNING);
}
