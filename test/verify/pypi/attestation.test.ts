import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Verifier } from '@sigstore/verify';
import { describe, expect, it } from 'vitest';
import { loadTrustedRoot } from '../../../src/verify/trust/root.js';
import { verifyPypiAttestation } from '../../../src/verify/pypi/attestation.js';
import { publisherAllowed } from '../../../src/verify/pypi/publisher.js';
import { corpusPath } from '../../helpers/corpus.js';

const dir = (...p: string[]) => corpusPath('pypi', 'pypi-attestations', ...p);
const json = (name: string): unknown => JSON.parse(readFileSync(dir(name), 'utf8'));
const sha256 = (name: string) =>
  createHash('sha256')
    .update(readFileSync(dir(name)))
    .digest('hex');

async function publicGood(): Promise<Verifier> {
  const root = await loadTrustedRoot(corpusPath('sigstore', 'public-good', 'trusted_root.json'));
  return new Verifier(root.material, { tlogThreshold: 1, ctlogThreshold: 1, timestampThreshold: 1 });
}

/** The attestation inside an Integrity API `.provenance` response. */
function fromProvenance(name: string): unknown {
  const p = json(name) as { attestation_bundles: { attestations: unknown[] }[] };
  return p.attestation_bundles[0]!.attestations[0];
}

describe('PEP 740 attestations from ../shared/corpora/pypi (public-good root)', () => {
  it.each([
    {
      name: 'GitLab publish attestation',
      att: () => json('gitlab_oidc_project-0.0.3.tar.gz.publish.attestation'),
      file: 'gitlab_oidc_project-0.0.3.tar.gz',
      want: { kind: 'GitLab', repository: 'facutuesca/gitlab-oidc-project', workflow: '.gitlab-ci.yml' },
    },
    {
      name: 'GitHub publish attestation from the Integrity API response',
      att: () => fromProvenance('pypi_attestations-0.0.19.tar.gz.provenance'),
      file: 'pypi_attestations-0.0.19.tar.gz',
      want: { kind: 'GitHub', repository: 'trailofbits/pypi-attestations' },
    },
    {
      name: 'GitHub SLSA attestation',
      att: () => json('pypi_attestations-0.0.19.tar.gz.slsa.attestation'),
      file: 'pypi_attestations-0.0.19.tar.gz',
      want: { kind: 'GitHub', repository: 'trailofbits/pypi-attestations' },
    },
  ])('$name verifies and names its publisher', async ({ att, file, want }) => {
    const v = verifyPypiAttestation(att(), { filename: file, sha256: sha256(file) }, await publicGood());
    expect(v.ok ? v.publisher : v).toMatchObject(want);
  });

  it('a wrong workflow fails the publisher policy (pypi-attestations: "wrong.yml must fail")', async () => {
    const file = 'gitlab_oidc_project-0.0.3.tar.gz';
    const v = verifyPypiAttestation(
      json(`${file}.publish.attestation`),
      { filename: file, sha256: sha256(file) },
      await publicGood(),
    );
    if (!v.ok) throw new Error(v.reason);
    expect(
      publisherAllowed(v.publisher, [{ repository: 'facutuesca/gitlab-oidc-project', workflow: '.gitlab-ci.yml' }]),
    ).toBe(true);
    expect(
      publisherAllowed(v.publisher, [{ repository: 'facutuesca/gitlab-oidc-project', workflow: 'wrong.yml' }]),
    ).toBe(false);
    expect(publisherAllowed(v.publisher, [{ repository: 'facutuesca/gitlab-oidc' }])).toBe(false);
  });

  it.each([
    {
      name: 'a changed file (digest differs)',
      att: 'gitlab_oidc_project-0.0.3.tar.gz.publish.attestation',
      file: { filename: 'gitlab_oidc_project-0.0.3.tar.gz', sha256: 'f'.repeat(64) },
      problem: 'subject-digest',
    },
    {
      name: 'a subject-name mismatch',
      att: 'gitlab_oidc_project-0.0.3.tar.gz.publish.attestation',
      file: {
        filename: 'gitlab_oidc_project-0.0.3-py3-none-any.whl',
        sha256: sha256('gitlab_oidc_project-0.0.3.tar.gz'),
      },
      problem: 'subject-name',
    },
    {
      name: 'a staging-signed attestation under the public-good root',
      att: 'rfc8785-0.1.2-py3-none-any.whl.publish.attestation',
      file: { filename: 'rfc8785-0.1.2-py3-none-any.whl', sha256: sha256('rfc8785-0.1.2-py3-none-any.whl') },
      problem: 'signature',
    },
  ])('$name fails with $problem', async ({ att, file, problem }) => {
    const v = verifyPypiAttestation(json(att), file, await publicGood());
    expect(v.ok ? 'ok' : v.problem).toBe(problem);
  });

  it('a tampered signature fails the signature check', async () => {
    const file = 'gitlab_oidc_project-0.0.3.tar.gz';
    const att = json(`${file}.publish.attestation`) as { envelope: { signature: string } };
    const sig = Buffer.from(att.envelope.signature, 'base64');
    sig[sig.length - 5] = sig[sig.length - 5]! ^ 1;
    const tampered = { ...att, envelope: { ...att.envelope, signature: sig.toString('base64') } };
    const v = verifyPypiAttestation(tampered, { filename: file, sha256: sha256(file) }, await publicGood());
    expect(v.ok ? 'ok' : v.problem).toBe('signature');
  });
});
