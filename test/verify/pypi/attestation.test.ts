import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Verifier } from '@sigstore/verify';
import { describe, expect, it } from 'vitest';
import { loadTrustedRoot } from '../../../src/verify/trust/root.js';
import { verifyPypiAttestation } from '../../../src/verify/pypi/attestation.js';
import { claimMatches, publisherAllowed, publisherFromIdentity } from '../../../src/verify/pypi/publisher.js';
import type { BuilderIdentity } from '../../../src/verify/npm/identity.js';
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

  // pypi-attestations `Attestation.verify` ultranormalizes the distribution's name (`Distribution._validate_name`):
  // the index's legacy spelling of the same sdist verifies, another version does not.
  it.each([
    { filename: 'gitlab-oidc-project-0.0.3.tar.gz', want: 'ok' },
    { filename: 'Gitlab.OIDC_project-0.0.3.tar.gz', want: 'ok' },
    { filename: 'gitlab_oidc_project-v0.0.3.tar.gz', want: 'ok' },
    { filename: 'gitlab_oidc_project-0.0.3.0.tar.gz', want: 'subject-name' },
    { filename: 'gitlab_oidc_project-0.0.3.zip', want: 'subject-name' },
    { filename: 'gitlab_oidc_project-0.0.3.tar.bz2', want: 'subject-name' },
  ])('the genuine GitLab attestation for a file named $filename → $want', async ({ filename, want }) => {
    const file = 'gitlab_oidc_project-0.0.3.tar.gz';
    const v = verifyPypiAttestation(
      json(`${file}.publish.attestation`),
      { filename, sha256: sha256(file) },
      await publicGood(),
    );
    expect(v.ok ? 'ok' : v.problem).toBe(want);
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

// pypi-attestations `Attestation.to_bundle` takes `transparency_entries[0]` and nothing after it; an empty list fails
// `VerificationMaterial` (`MinLen(1)`), and a first entry of another signature fails as the bundle's log entry.
it.each([
  { name: 'the entry twice', entries: (own: unknown) => [own, own], want: 'ok' },
  { name: "another attestation's entry second", entries: (own: unknown, other: unknown) => [own, other], want: 'ok' },
  { name: 'a stray object second', entries: (own: unknown) => [own, { note: 'not an entry' }], want: 'ok' },
  {
    name: "another attestation's entry first",
    entries: (own: unknown, other: unknown) => [other, own],
    want: 'signature',
  },
  { name: 'no entry', entries: () => [], want: 'malformed' },
])('transparency entries: $name → $want', async ({ entries, want }) => {
  type Att = { verification_material: { transparency_entries: unknown[] } };
  const file = 'gitlab_oidc_project-0.0.3.tar.gz';
  const att = json(`${file}.publish.attestation`) as Att;
  const other = json('pypi_attestations-0.0.19.tar.gz.publish.attestation') as Att;
  const own = att.verification_material.transparency_entries[0];
  const edited = {
    ...att,
    verification_material: {
      ...att.verification_material,
      transparency_entries: entries(own, other.verification_material.transparency_entries[0]),
    },
  };
  const v = verifyPypiAttestation(edited, { filename: file, sha256: sha256(file) }, await publicGood());
  expect(v.ok ? 'ok' : v.problem).toBe(want);
});

/*
 * pypi-attestations' `Attestation.verify` checks the statement after the signature: exactly one subject, its name,
 * `digest != dist.digest` (exact hex), then `AttestationType(predicate_type)`. To reach those checks with a statement
 * no one signed, the verifier below answers as the real one answered for the original statement (same certificate,
 * same identity); the checks after it are the code under test.
 */
describe('PEP 740 statement checks after the signature, as pypi-attestations makes them', () => {
  const file = 'gitlab_oidc_project-0.0.3.tar.gz';
  const dist = () => ({ filename: file, sha256: sha256(file) });
  type Att = { envelope: { statement: string } };
  const original = () => json(`${file}.publish.attestation`) as Att;
  const statementOf = (a: Att) =>
    JSON.parse(Buffer.from(a.envelope.statement, 'base64').toString('utf8')) as Record<string, unknown> & {
      subject: { name: string; digest: Record<string, string> }[];
    };
  let signed: Verifier | undefined;
  async function asSigned(): Promise<Verifier> {
    const real = await publicGood();
    let signer: unknown;
    const spy = { verify: (e: unknown) => (signer = real.verify(e as never)) } as unknown as Verifier;
    const v = verifyPypiAttestation(original(), dist(), spy);
    if (!v.ok) throw new Error(v.reason);
    return { verify: () => signer } as unknown as Verifier;
  }
  const restated = (edit: (s: ReturnType<typeof statementOf>) => void): Att => {
    const a = original();
    const s = statementOf(a);
    edit(s);
    return { ...a, envelope: { ...a.envelope, statement: Buffer.from(JSON.stringify(s)).toString('base64') } };
  };

  it.each([
    { name: 'the statement unchanged', edit: () => undefined, want: 'ok' },
    {
      name: 'SLSA provenance v1 (a known AttestationType)',
      edit: (s: Record<string, unknown>) => (s.predicateType = 'https://slsa.dev/provenance/v1'),
      want: 'ok',
    },
    {
      name: 'an unknown predicate type',
      edit: (s: Record<string, unknown>) => (s.predicateType = 'https://example.com/anything/v1'),
      want: 'malformed',
    },
    {
      name: 'SLSA provenance v0.2 (not an AttestationType)',
      edit: (s: Record<string, unknown>) => (s.predicateType = 'https://slsa.dev/provenance/v0.2'),
      want: 'malformed',
    },
    {
      name: 'the subject sha256 in upper-case hex',
      edit: (s: ReturnType<typeof statementOf>) =>
        (s.subject[0]!.digest['sha256'] = s.subject[0]!.digest['sha256']!.toUpperCase()),
      want: 'subject-digest',
    },
  ])('$name → $want', async ({ edit, want }) => {
    signed ??= await asSigned();
    const v = verifyPypiAttestation(restated(edit), dist(), signed);
    expect(v.ok ? 'ok' : v.problem).toBe(want);
  });

  // What current pypi-attestations signs for a manylinux wheel: the tag sets sorted, while the index keeps the name
  // auditwheel gave the file. `_ultranormalize_dist_filename` makes both the same name.
  const MANYLINUX = 'Spt3g-1.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl';
  it.each([
    { subject: 'spt3g-1.0-cp310-cp310-manylinux2014_x86_64.manylinux_2_17_x86_64.whl', want: 'ok' },
    { subject: 'spt3g-1.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', want: 'ok' },
    { subject: 'spt3g-1.0.0-cp310-cp310-manylinux2014_x86_64.manylinux_2_17_x86_64.whl', want: 'subject-name' },
    { subject: 'spt3g-1.0-cp310-cp310-manylinux2014_x86_64.whl', want: 'subject-name' },
    { subject: 'spt3g-1.0-1-cp310-cp310-manylinux2014_x86_64.manylinux_2_17_x86_64.whl', want: 'subject-name' },
    { subject: 'spt3g-1.0.tar.gz', want: 'subject-name' },
    { subject: 'spt3g', want: 'subject-name' },
    { subject: '', want: 'subject-name' },
  ])('subject $subject for the index file ' + MANYLINUX + ' → $want', async ({ subject, want }) => {
    signed ??= await asSigned();
    const att = restated((s) => (s.subject[0]!.name = subject));
    const v = verifyPypiAttestation(att, { filename: MANYLINUX, sha256: sha256(file) }, signed);
    expect(v.ok ? 'ok' : v.problem).toBe(want);
  });
});

/*
 * pypi-attestations' `_GitHubTrustedPublisherPolicy` / `_GitLabTrustedPublisherPolicy`: the repository must be the
 * certificate's Source Repository URI (`policy.OIDCSourceRepositoryURI`), and the Build Config URI must be exactly
 * `<that repository>/.github/workflows/<workflow>@<digest or ref>` (GitLab `<repository>//<workflow_filepath>@…`).
 * The identities below are the real certificates' (read through a real verification), with one extension changed
 * as a certificate for another pipeline would carry it; the publisher is then judged against the genuine policy.
 */
describe('the publisher is the one the certificate proves, as pypi-attestations checks it', () => {
  async function identityOf(att: unknown, file: string): Promise<BuilderIdentity> {
    const v = verifyPypiAttestation(att, { filename: file, sha256: sha256(file) }, await publicGood());
    if (!v.ok) throw new Error(v.reason);
    return v.identity;
  }
  const gitlab = () =>
    identityOf(json('gitlab_oidc_project-0.0.3.tar.gz.publish.attestation'), 'gitlab_oidc_project-0.0.3.tar.gz');
  const github = () =>
    identityOf(fromProvenance('pypi_attestations-0.0.19.tar.gz.provenance'), 'pypi_attestations-0.0.19.tar.gz');
  const GITLAB_POLICY = [{ kind: 'GitLab' as const, repository: 'facutuesca/gitlab-oidc-project' }];
  const GITHUB_POLICY = [{ kind: 'GitHub' as const, repository: 'trailofbits/pypi-attestations' }];

  it('the genuine certificates name repository and workflow', async () => {
    expect(publisherFromIdentity(await gitlab())).toEqual({
      kind: 'GitLab',
      repository: 'facutuesca/gitlab-oidc-project',
      workflow: '.gitlab-ci.yml',
    });
    expect(publisherFromIdentity(await github())).toEqual({
      kind: 'GitHub',
      repository: 'trailofbits/pypi-attestations',
      workflow: 'release.yml',
    });
  });

  it.each([
    {
      // A GitLab pipeline that ran a fork's merge request: project_path (Source Repository URI) is the fork's, the
      // pipeline definition the target project's.
      name: 'GitLab: Build Config URI of the allowed project, Source Repository URI of a fork',
      id: async () => ({ ...(await gitlab()), sourceRepository: 'https://gitlab.com/mallory/gitlab-oidc-project' }),
      policy: GITLAB_POLICY,
      want: { kind: 'GitLab', repository: 'mallory/gitlab-oidc-project' },
    },
    {
      name: 'GitHub: no Build Config URI, a SAN naming the allowed repository, Source Repository URI another',
      id: async () => {
        const { workflow: _drop, ...rest } = await github();
        return { ...rest, sourceRepository: 'https://github.com/mallory/pypi-attestations' };
      },
      policy: [{ ...GITHUB_POLICY[0]!, workflow: 'release.yml' }],
      want: { kind: 'GitHub', repository: 'mallory/pypi-attestations' },
    },
    {
      name: 'GitHub: Build Config URI at a ref that is neither the Source Repository Ref nor its Digest',
      id: async () => {
        const id = await github();
        return { ...id, workflow: id.workflow!.replace(/@.*$/, '@refs/heads/other') };
      },
      policy: [{ ...GITHUB_POLICY[0]!, workflow: 'release.yml' }],
      want: { kind: 'GitHub', repository: 'trailofbits/pypi-attestations' },
    },
    {
      name: 'GitHub: no Source Repository URI',
      id: async () => {
        const { sourceRepository: _drop, ...rest } = await github();
        return rest;
      },
      policy: GITHUB_POLICY,
      want: { kind: 'GitHub' },
    },
  ])('$name: not the allowed publisher', async ({ id, policy, want }) => {
    const p = publisherFromIdentity(await id());
    expect(p).toEqual(want);
    expect(publisherAllowed(p, policy)).toBe(false);
  });

  // `Attestation.verify(bundle.publisher, dist)` turns the index's claim into a policy: every field the claim's kind
  // requires must be there and proven by the certificate, or pypi-attestations fails the attestation.
  const GITHUB_CLAIM = { kind: 'GitHub', repository: 'trailofbits/pypi-attestations', workflow: 'release.yml' };
  const GITLAB_CLAIM = {
    kind: 'GitLab',
    repository: 'facutuesca/gitlab-oidc-project',
    workflow_filepath: '.gitlab-ci.yml',
  };
  const noWorkflow = async () => {
    const { workflow: _drop, ...rest } = await github();
    return rest;
  };
  it.each([
    { name: 'GitHub: the genuine certificate and claim', id: github, claim: GITHUB_CLAIM, want: true },
    {
      name: 'GitHub: the repository in another case',
      id: github,
      claim: { ...GITHUB_CLAIM, repository: 'TrailOfBits/pypi-attestations' },
      want: true,
    },
    { name: 'GitLab: the genuine certificate and claim', id: gitlab, claim: GITLAB_CLAIM, want: true },
    {
      name: 'GitHub: a workflow the certificate proves none of (no Build Config URI)',
      id: noWorkflow,
      claim: GITHUB_CLAIM,
      want: false,
    },
    { name: 'GitHub: another workflow', id: github, claim: { ...GITHUB_CLAIM, workflow: 'other.yml' }, want: false },
    {
      name: 'GitHub: a claim without its required workflow',
      id: github,
      claim: { kind: 'GitHub', repository: GITHUB_CLAIM.repository },
      want: false,
    },
    {
      name: 'GitLab: the GitHub field name instead of workflow_filepath',
      id: gitlab,
      claim: { kind: 'GitLab', repository: GITLAB_CLAIM.repository, workflow: '.gitlab-ci.yml' },
      want: false,
    },
    {
      name: 'GitHub: a claim without a kind',
      id: github,
      claim: { repository: GITHUB_CLAIM.repository, workflow: 'release.yml' },
      want: false,
    },
    { name: 'GitHub: no publisher at all', id: github, claim: undefined, want: false },
  ])('index claim against the certificate, $name → $want', async ({ id, claim, want }) => {
    expect(claimMatches(claim, publisherFromIdentity(await id()))).toBe(want);
  });
});

/*
 * pypi-attestations verifies an attestation against its bundle's publisher, as the Integrity API states it: a Google
 * publisher by `email`, the certificate's SAN (`GooglePublisher._as_policy`). The identity is the corpus's Google
 * service-account certificate (200170367.pem: SAN email, issuer https://accounts.google.com).
 */
describe("the index's publisher claim against the certificate's", () => {
  const SA = new X509Certificate(readFileSync(dir('200170367.pem'))).subjectAltName!.replace(/^email:/, '');
  const google = publisherFromIdentity({ issuer: 'https://accounts.google.com', subject: SA });

  it.each([
    { name: 'the same service account', claim: { kind: 'Google', email: SA }, want: true },
    { name: 'another service account', claim: { kind: 'Google', email: `x${SA}` }, want: false },
    { name: 'another kind', claim: { kind: 'GitHub', repository: 'acme/pkg', workflow: 'release.yml' }, want: false },
  ])('Google certificate, claim $name → $want', ({ claim, want }) => {
    expect(google).toEqual({ kind: 'Google', email: '919436158236-compute@developer.gserviceaccount.com' });
    expect(claimMatches(claim, google)).toBe(want);
  });
});
