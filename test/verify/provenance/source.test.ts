import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Statement } from '../../../src/verify/bundle/intoto.js';
import {
  contradiction,
  normaliseRepository,
  readCertificateSource,
  readStatementSource,
} from '../../../src/verify/provenance/source.js';
import { corpusPath } from '../../helpers/corpus.js';

const pem = (name: string) => new X509Certificate(readFileSync(corpusPath('pypi', 'pypi-attestations', name))).raw;

describe('readCertificateSource over real Fulcio certificates', () => {
  it.each([
    {
      name: 'GitHub Actions certificate without the Source Repository Ref extension',
      file: 'no-source-repository-ref-extension.pem',
      want: {
        repository: 'https://github.com/SWIFTSIM/swiftgalaxy',
        commit: 'a26eb006d04dd0c41a6e38dc15ddaf7b46143505',
        builder:
          'https://github.com/SWIFTSIM/swiftgalaxy/.github/workflows/python-publish.yml@a26eb006d04dd0c41a6e38dc15ddaf7b46143505',
      },
      absent: ['ref'],
    },
    {
      name: 'Google service-account certificate: no source at all',
      file: '200170367.pem',
      want: { subject: '919436158236-compute@developer.gserviceaccount.com' },
      absent: ['repository', 'commit', 'builder'],
    },
  ])('$name', ({ file, want, absent }) => {
    const got = readCertificateSource(pem(file));
    expect(got).toMatchObject(want);
    for (const k of absent) expect(got).not.toHaveProperty(k);
  });

  it('bytes that are not a certificate give nothing', () => {
    expect(readCertificateSource(Buffer.from('not a certificate'))).toEqual({});
  });
});

/** Hand-made certificates with Fulcio's commit extensions (fixtures/provenance/README.md). */
const made = (name: string) =>
  new X509Certificate(readFileSync(new URL(`../../../fixtures/provenance/${name}.pem`, import.meta.url))).raw;
const ONES = '1'.repeat(40);
const TWOS = '2'.repeat(40);

describe('Source Repository Digest (1.13) and the deprecated GitHub Workflow SHA (1.3)', () => {
  it.each([
    { name: 'fulcio-extensions-v1-v2-differ', commit: TWOS, conflict: true },
    { name: 'fulcio-extensions-v1-v2-agree', commit: ONES, conflict: false },
    { name: 'fulcio-extensions-v1-only', commit: ONES, conflict: false },
  ])('$name: commit from 1.13 first, a conflict when they differ', ({ name, commit, conflict }) => {
    const cert = readCertificateSource(made(name));
    expect(cert).toMatchObject({
      repository: 'https://github.com/acme/models',
      commit,
      builder: 'https://github.com/acme/models/.github/workflows/train.yml@refs/heads/main',
    });
    const why = contradiction({}, cert);
    expect(why !== undefined).toBe(conflict);
    if (conflict) expect(why).toContain('1.3.6.1.4.1.57264.1.13');
  });

  it("the statement's resolvedDependencies naming another commit than the certificate is a conflict", () => {
    const stated = readStatementSource(
      statement('https://slsa.dev/provenance/v1', {
        buildDefinition: {
          resolvedDependencies: [
            { uri: 'git+https://github.com/acme/models@refs/heads/main', digest: { gitCommit: ONES } },
          ],
        },
      }),
    );
    expect(contradiction(stated, readCertificateSource(made('fulcio-extensions-v1-v2-agree')))).toBeUndefined();
    expect(contradiction(stated, { commit: TWOS })).toContain(TWOS);
  });
});

const COMMIT = 'a'.repeat(40);
const statement = (predicateType: string, predicate: unknown): Statement => ({
  type: 'https://in-toto.io/Statement/v1',
  predicateType,
  subjects: [{ name: 'm', digest: { sha256: '00' } }],
  predicate,
});

describe('readStatementSource', () => {
  it.each([
    {
      name: 'SLSA v1 resolvedDependencies git entry',
      s: statement('https://slsa.dev/provenance/v1', {
        buildDefinition: {
          resolvedDependencies: [
            { uri: 'https://example.com/tool' },
            { uri: 'git+https://github.com/Acme/Models.git@refs/tags/v1', digest: { gitCommit: COMMIT.toUpperCase() } },
          ],
        },
      }),
      want: { repository: 'https://github.com/Acme/Models', commit: COMMIT, ref: 'refs/tags/v1' },
    },
    {
      name: 'SLSA v1 externalParameters.workflow only',
      s: statement('https://slsa.dev/provenance/v1', {
        buildDefinition: {
          externalParameters: { workflow: { repository: 'https://github.com/a/b', ref: 'refs/heads/main' } },
        },
      }),
      want: { repository: 'https://github.com/a/b', ref: 'refs/heads/main' },
    },
    {
      name: 'SLSA v0.2 configSource',
      s: statement('https://slsa.dev/provenance/v0.2', {
        invocation: { configSource: { uri: 'git+https://github.com/a/b@refs/heads/main', digest: { sha1: COMMIT } } },
      }),
      want: { repository: 'https://github.com/a/b', commit: COMMIT, ref: 'refs/heads/main' },
    },
    {
      name: 'a value with control characters is not taken',
      s: statement('https://slsa.dev/provenance/v1', {
        buildDefinition: { externalParameters: { workflow: { repository: 'https://github.com/a/b\u001b[2J' } } },
      }),
      want: {},
    },
    {
      name: 'a commit that is not a full hex id is not taken',
      s: statement('https://slsa.dev/provenance/v1', {
        buildDefinition: {
          resolvedDependencies: [{ uri: 'git+https://github.com/a/b', digest: { gitCommit: 'main' } }],
        },
      }),
      want: { repository: 'https://github.com/a/b' },
    },
    {
      name: 'SLSA v1 several git entries: the one of externalParameters.workflow.repository',
      s: statement('https://slsa.dev/provenance/v1', {
        buildDefinition: {
          externalParameters: { workflow: { repository: 'https://github.com/a/b', ref: 'refs/heads/main' } },
          resolvedDependencies: [
            { uri: 'git+https://github.com/a/data@refs/heads/main', digest: { gitCommit: 'b'.repeat(40) } },
            { uri: 'git+https://github.com/a/b@refs/heads/main', digest: { gitCommit: COMMIT } },
          ],
        },
      }),
      want: { repository: 'https://github.com/a/b', commit: COMMIT, ref: 'refs/heads/main' },
    },
    { name: 'another predicate states nothing', s: statement('https://example.com/other', { x: 1 }), want: {} },
    { name: 'predicate not an object', s: statement('https://slsa.dev/provenance/v1', 'x'), want: {} },
  ])('$name', ({ s, want }) => {
    expect(readStatementSource(s)).toEqual(want);
  });
});

describe('contradiction and normalisation', () => {
  it.each([
    { a: { repository: 'https://github.com/a/b' }, b: { repository: 'https://github.com/A/B/' }, want: false },
    { a: { repository: 'https://github.com/a/b' }, b: { repository: 'https://github.com/a/c' }, want: true },
    { a: { commit: COMMIT }, b: { commit: 'b'.repeat(40) }, want: true },
    { a: { commit: COMMIT }, b: {}, want: false },
  ])('$a vs $b → $want', ({ a, b, want }) => {
    expect(contradiction(a, b) !== undefined).toBe(want);
  });

  it('strips git+, .git and the ref', () => {
    expect(normaliseRepository('git+https://github.com/o/r.git@refs/heads/main')).toBe('https://github.com/o/r');
  });
});
