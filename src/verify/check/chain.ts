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
 * certificate method does: at the leaf's notBefore (there is no timestamp), every intermediate a CA, up to a
 * self-signed anchor, and the leaf usable for signing (a KeyUsage with digitalSignature, or one without it and EKU
 * codeSigning).
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
  const path: NodeX509[] = [leaf];
  for (let depth = 0; depth < MAX_PATH; depth++) {
    if (!validAt(current, at))
      return { ok: false, reason: `certificate ${current.subject} is not valid at signing time` };
    // A self-signed issuer first: the same key may also be trusted as a cross-signed intermediate.
    const anchor = anchors.find((a) => issued(a, current) && issued(a, a)) ?? anchors.find((a) => issued(a, current));
    if (anchor) {
      if (!validAt(anchor, at))
        return { ok: false, reason: `CA certificate ${anchor.subject} is not valid at signing time` };
      // X509_verify_cert without X509_V_FLAG_PARTIAL_CHAIN (model_signing's X509Store sets no flag) ends the path at a
      // self-signed trusted certificate: a trusted intermediate is one step of it, and its own issuer must be trusted
      // too ("unable to get issuer certificate" otherwise), so the path goes on from it.
      if (!issued(anchor, anchor)) {
        if (!anchor.ca) return { ok: false, reason: `certificate ${name(anchor)} is not a CA` };
        current = anchor;
        path.push(anchor);
        continue;
      }
      const broken = pathConstraintError([...path, anchor]);
      return broken ? { ok: false, reason: broken } : { ok: true, leaf };
    }
    const next = intermediates.find((c) => c !== current && c.ca && issued(c, current));
    if (!next) return { ok: false, reason: `no allowed CA issued ${current.subject.replace(/\n/g, ', ')}` };
    current = next;
    path.push(next);
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

// OpenSSL's X509_supported_extension (crypto/x509/v3_purp.c `supported_nids`): a critical extension outside this list
// fails X509_verify_cert with "unhandled critical extension".
const SUPPORTED_CRITICAL = new Set([
  '2.16.840.1.113730.1.1', // Netscape cert type
  '2.5.29.15', // key usage
  '2.5.29.17', // subject alternative name
  '2.5.29.19', // basic constraints
  '2.5.29.32', // certificate policies
  '2.5.29.37', // extended key usage
  '1.3.6.1.5.5.7.1.7', // RFC 3779 IP address blocks
  '1.3.6.1.5.5.7.1.8', // RFC 3779 AS identifiers
  '2.5.29.36', // policy constraints
  '1.3.6.1.5.5.7.1.14', // proxy certificate info
  '2.5.29.30', // name constraints (refused below: not evaluated here)
  '2.5.29.33', // policy mappings
  '2.5.29.54', // inhibit any policy
]);
const OID_NAME_CONSTRAINTS = '2.5.29.30';

/**
 * What X509_verify_cert, which model_signing's certificate verifier runs (sign_certificate.py `_verify_certificates`:
 * pyOpenSSL `X509StoreContext.verify_certificate`), checks on a path beyond signatures, validity and the CA flag:
 * no unhandled critical extension (check_chain_extensions), each CA's pathLenConstraint (at most that many
 * intermediates below it), and the names each CA allows (check_name_constraints). A constrained CA limits what its
 * certificates may name (a partner CA to `@partner.example`): chainproof does not evaluate name constraints, so a
 * path through one is refused rather than accepted with a name it may not certify.
 */
function pathConstraintError(path: readonly NodeX509[]): string | undefined {
  for (const [i, cert] of path.entries()) {
    let parsed: SigstoreX509;
    try {
      parsed = SigstoreX509.parse(Buffer.from(cert.raw));
    } catch {
      return `certificate ${name(cert)} cannot be parsed`;
    }
    for (const ext of parsed.extensions) {
      const oid = ext.subs[0]?.toOID() ?? '';
      const critical = ext.subs.length === 3 && ext.subs[1]!.toBoolean();
      if (critical && !SUPPORTED_CRITICAL.has(oid))
        return `certificate ${name(cert)} has a critical extension ${oid} that verifiers do not handle`;
      if (i > 0 && oid === OID_NAME_CONSTRAINTS)
        return `CA certificate ${name(cert)} restricts the names it may certify (name constraints), which chainproof does not evaluate`;
    }
    // X509_check_ca, which check_chain_extensions asks of every certificate above the leaf, the trusted root too: a
    // basicConstraints saying it is no CA is "invalid CA certificate". (A KeyUsage without keyCertSign fails earlier:
    // X509_check_issued, Node's checkIssued, refuses such an issuer.)
    if (i > 0 && parsed.extBasicConstraints !== undefined && !parsed.extBasicConstraints.isCA)
      return `certificate ${name(cert)} is not a CA (basic constraints)`;
    // RFC 5280 4.2.1.9: the number of intermediate certificates that may follow this CA, the leaf not counted.
    const pathLen = i > 0 ? parsed.extBasicConstraints?.pathLenConstraint : undefined;
    if (pathLen !== undefined && BigInt(i - 1) > BigInt(pathLen))
      return `CA certificate ${name(cert)} allows ${pathLen} intermediate certificate(s) below it, the chain has ${i - 1} (path length constraint)`;
  }
  return undefined;
}

const name = (cert: NodeX509): string => cert.subject.replace(/\n/g, ', ');

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

/**
 * sign_certificate.py `_verify_certificates`: KeyUsage digitalSignature, else ExtendedKeyUsage codeSigning. The
 * KeyUsage is read with `get_extension_for_class`, which raises ExtensionNotFound when there is none, so a leaf
 * without KeyUsage fails there whatever its EKU; the EKU is consulted only beside a KeyUsage lacking digitalSignature.
 */
function usableForSigning(der: Buffer, leaf: NodeX509): boolean {
  try {
    const ku = SigstoreX509.parse(Buffer.from(der)).extKeyUsage;
    if (ku === undefined) return false;
    if (ku.digitalSignature) return true;
  } catch {
    return false;
  }
  const eku: unknown = leaf.keyUsage;
  return Array.isArray(eku) && eku.includes(EKU_CODE_SIGNING);
}
