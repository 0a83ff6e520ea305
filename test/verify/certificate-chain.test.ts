import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { verifyChainToAnchors } from '../../src/verify/check/chain.js';

/*
 * The certificate method of model_signing verifies the chain with OpenSSL (sign_certificate.py
 * `_verify_certificates`: pyOpenSSL X509StoreContext.verify_certificate). Each row's expected verdict is what
 * `openssl verify -CAfile <anchor> [-untrusted intermediate.pem] <leaf>` prints for these fixtures
 * (fixtures/certificate-chains/README.md). The roots share one key and name, so the same leaf and intermediate
 * chain to each of them.
 */
const pem = (name: string) => new X509Certificate(readFileSync(`fixtures/certificate-chains/${name}.pem`));
const der = (name: string) => pem(name).raw;

describe('a certificate chain is held to the constraints OpenSSL enforces', () => {
  it.each([
    { name: 'leaf issued by the root', chain: ['leaf'], anchors: ['root'], want: '' },
    {
      name: 'leaf under an intermediate, root without a path length',
      chain: ['leaf-under-intermediate', 'intermediate'],
      anchors: ['root'],
      want: '',
    },
    {
      // openssl (no -partial_chain, as model_signing's X509Store): "unable to get issuer certificate"
      name: 'leaf under an intermediate, only the intermediate trusted',
      chain: ['leaf-under-intermediate'],
      anchors: ['intermediate'],
      want: 'no allowed CA issued CN=Test Intermediate',
    },
    {
      name: 'leaf under an intermediate, intermediate and root trusted',
      chain: ['leaf-under-intermediate'],
      anchors: ['intermediate', 'root'],
      want: '',
    },
    {
      // openssl: "path length constraint exceeded"
      name: 'leaf under an intermediate, root with pathlen:0',
      chain: ['leaf-under-intermediate', 'intermediate'],
      anchors: ['root-pathlen0'],
      want: 'path length constraint',
    },
    {
      // openssl: "permitted subtree violation" (release@acme.example under a CA limited to partner.example)
      name: 'leaf naming release@acme.example, root permitting only partner.example e-mail addresses',
      chain: ['leaf'],
      anchors: ['root-name-constraints'],
      want: 'name constraints',
    },
    {
      // openssl: "unhandled critical extension"
      name: 'leaf with a critical extension no verifier knows',
      chain: ['leaf-unknown-critical'],
      anchors: ['root'],
      want: 'critical extension 1.3.6.1.4.1.55555.1',
    },
    {
      // model_signing reads KeyUsage with get_extension_for_class, which raises ExtensionNotFound without one: the EKU
      // is only consulted when a KeyUsage lacks digitalSignature.
      name: 'leaf with codeSigning EKU and no KeyUsage',
      chain: ['leaf-eku-no-key-usage'],
      anchors: ['eku-root'],
      want: 'not allowed to sign',
    },
    {
      name: 'leaf with codeSigning EKU and a KeyUsage without digitalSignature',
      chain: ['leaf-eku-key-usage-no-signature'],
      anchors: ['eku-root'],
      want: '',
    },
    {
      // openssl and pyOpenSSL: "invalid CA certificate"
      name: 'leaf issued by a trusted self-signed certificate whose basic constraints say CA:FALSE',
      chain: ['leaf-under-root-not-ca'],
      anchors: ['root-not-ca'],
      want: 'is not a CA',
    },
  ])('$name', ({ chain, anchors, want }) => {
    const r = verifyChainToAnchors(chain.map(der), anchors.map(pem));
    expect(r.ok ? '' : r.reason).toContain(want);
    expect(r.ok).toBe(want === '');
  });
});
