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
    { name: 'leaf issued by the root', chain: ['leaf'], anchor: 'root', want: '' },
    {
      name: 'leaf under an intermediate, root without a path length',
      chain: ['leaf-under-intermediate', 'intermediate'],
      anchor: 'root',
      want: '',
    },
    {
      // openssl: "path length constraint exceeded"
      name: 'leaf under an intermediate, root with pathlen:0',
      chain: ['leaf-under-intermediate', 'intermediate'],
      anchor: 'root-pathlen0',
      want: 'path length constraint',
    },
    {
      // openssl: "permitted subtree violation" (release@acme.example under a CA limited to partner.example)
      name: 'leaf naming release@acme.example, root permitting only partner.example e-mail addresses',
      chain: ['leaf'],
      anchor: 'root-name-constraints',
      want: 'name constraints',
    },
    {
      // openssl: "unhandled critical extension"
      name: 'leaf with a critical extension no verifier knows',
      chain: ['leaf-unknown-critical'],
      anchor: 'root',
      want: 'critical extension 1.3.6.1.4.1.55555.1',
    },
  ])('$name', ({ chain, anchor, want }) => {
    const r = verifyChainToAnchors(chain.map(der), [pem(anchor)]);
    expect(r.ok ? '' : r.reason).toContain(want);
    expect(r.ok).toBe(want === '');
  });
});
