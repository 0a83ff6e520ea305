import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Policy, PythonDependencyPolicy } from '../../../src/core/policy.js';
import type { ScanResult } from '../../../src/core/result.js';
import { pythonDepsStage } from '../../../src/deps/parsers/python/stage.js';
import { createPypiStage } from '../../../src/registry/pypi/stage.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
import { corpusPath } from '../../helpers/corpus.js';
import type { PypiIndexServer, ServedProjects } from '../../helpers/pypi-index-server.js';
import { startPypiIndex } from '../../helpers/pypi-index-server.js';
import { scanWith } from '../../helpers/scan.js';

const att = (...p: string[]) => corpusPath('pypi', 'pypi-attestations', ...p);
const json = async (name: string): Promise<unknown> => JSON.parse(await readFile(att(name), 'utf8')) as unknown;
const sha = async (name: string) =>
  createHash('sha256')
    .update(await readFile(att(name)))
    .digest('hex');

const GITLAB_SDIST = 'gitlab_oidc_project-0.0.3.tar.gz';
const GITHUB_SDIST = 'pypi_attestations-0.0.19.tar.gz';
const STAGING_WHEEL = 'rfc8785-0.1.2-py3-none-any.whl';

let index: PypiIndexServer;
let gitlabProvenance: unknown;
beforeAll(async () => {
  index = await startPypiIndex();
  gitlabProvenance = {
    version: 1,
    attestation_bundles: [
      {
        publisher: {
          kind: 'GitLab',
          repository: 'facutuesca/gitlab-oidc-project',
          workflow_filepath: '.gitlab-ci.yml',
          environment: null,
        },
        attestations: [await json(`${GITLAB_SDIST}.publish.attestation`)],
      },
    ],
  };
});
afterAll(() => index.close());

interface Locked {
  name: string;
  version: string;
  file: string;
  sha256: string;
  /** A wheel locked beside an sdist `file` (one more line: keep such a package last). */
  wheel?: { file: string; sha256: string };
  /** PEP 751 `[[packages.attestation-identities]]` tables, as TOML key lines (more lines: keep such a package last). */
  identities?: string[][];
}

/** A pylock.toml of the given packages, every one from the loopback index; package i starts at line 4 + 6i. */
function pylock(pkgs: readonly Locked[]): string {
  const lines = ['lock-version = "1.0"', 'created-by = "test"', ''];
  for (const p of pkgs) {
    const dist = `{ url = "${index.indexUrl}../files/${p.file}", hashes = { sha256 = "${p.sha256}" } }`;
    lines.push('[[packages]]', `name = "${p.name}"`, `version = "${p.version}"`, `index = "${index.indexUrl}"`);
    lines.push(p.file.endsWith('.whl') ? `wheels = [${dist}]` : `sdist = ${dist}`);
    if (p.wheel)
      lines.push(
        `wheels = [{ url = "${index.indexUrl}../files/${p.wheel.file}", hashes = { sha256 = "${p.wheel.sha256}" } }]`,
      );
    for (const id of p.identities ?? []) lines.push('[[packages.attestation-identities]]', ...id);
    lines.push('');
  }
  return lines.join('\n');
}

async function scanOnline(
  projects: ServedProjects,
  locked: readonly Locked[],
  opts: {
    python?: PythonDependencyPolicy;
    offline?: boolean;
    env?: Record<string, string>;
    fault?: 'http-500';
    provenanceOrigin?: string;
    cacheDir?: string;
    trustedMirrors?: string[];
    /** Lock as a requirements file of `--hash` pins (no file names) instead of a pylock.toml. */
    requirements?: boolean;
  } = {},
): Promise<ScanResult> {
  index.serve(projects, {
    ...(opts.fault ? { fault: opts.fault } : {}),
    ...(opts.provenanceOrigin !== undefined ? { provenanceOrigin: opts.provenanceOrigin } : {}),
  });
  const dir = await mkdtemp(path.join(tmpdir(), 'cp-pypi-'));
  if (opts.requirements === true) {
    const pins = locked.map((p) => `${p.name}==${p.version} --hash=sha256:${p.sha256}`);
    await writeFile(path.join(dir, 'requirements.txt'), `${pins.join('\n')}\n`);
  } else await writeFile(path.join(dir, 'pylock.toml'), pylock(locked));
  const policy: Policy = {
    ...DEFAULT_POLICY,
    dependencies: {
      ...DEFAULT_POLICY.dependencies,
      ...(opts.python ? { python: opts.python } : {}),
      ...(opts.trustedMirrors ? { trustedMirrors: opts.trustedMirrors } : {}),
    },
    signatures: {
      ...DEFAULT_POLICY.signatures,
      trustedRoot: corpusPath('sigstore', 'public-good', 'trusted_root.json'),
    },
  };
  return scanWith(dir, [pythonDepsStage, createPypiStage({ timeoutMs: 5000, retries: 1, minRetryDelayMs: 10 })], {
    policy,
    options: {
      offline: opts.offline ?? false,
      env: { PIP_INDEX_URL: index.indexUrl, ...opts.env },
      ...(opts.cacheDir !== undefined ? { cacheDir: opts.cacheDir } : {}),
    },
  });
}

/** Rules of the offline stage numbered among the online ones (CPP074: an sdist-only lock builds on install). */
const OFFLINE_RULES = new Set(['CPP074']);
/** Online rule IDs with their lines (the offline CPP013 for the loopback's plain http is not what these test). */
const online = (r: ScanResult) =>
  r.findings
    .filter((f) => f.ruleId >= 'CPP050' && !OFFLINE_RULES.has(f.ruleId))
    .map((f) => `${f.ruleId}@${f.location.line ?? 0}`)
    .sort();
const status = (r: ScanResult) => r.verifications.map((v) => `${v.key} ${v.status}`).sort();

describe('PyPI verification through a loopback index (PEP 691 + Integrity API, real PEP 740 attestations)', () => {
  it('genuine GitLab and GitHub attestations verify and name their publisher', async () => {
    const gitlab = {
      name: 'gitlab-oidc-project',
      version: '0.0.3',
      file: GITLAB_SDIST,
      sha256: await sha(GITLAB_SDIST),
    };
    const github = {
      name: 'pypi-attestations',
      version: '0.0.19',
      file: GITHUB_SDIST,
      sha256: await sha(GITHUB_SDIST),
    };
    const r = await scanOnline(
      {
        'gitlab-oidc-project': [{ filename: GITLAB_SDIST, sha256: gitlab.sha256, provenance: gitlabProvenance }],
        'pypi-attestations': [
          { filename: GITHUB_SDIST, sha256: github.sha256, provenance: await json(`${GITHUB_SDIST}.provenance`) },
        ],
      },
      [gitlab, github],
      {
        python: {
          requireProvenance: [
            {
              packages: ['gitlab-oidc-project'],
              publishers: [
                { kind: 'GitLab', repository: 'facutuesca/gitlab-oidc-project', workflow: '\\.gitlab-ci\\.yml' },
              ],
            },
            {
              packages: ['pypi-attestations'],
              publishers: [{ kind: 'GitHub', repository: 'trailofbits/pypi-attestations', workflow: 'release\\.yml' }],
            },
          ],
        },
      },
    );
    expect(online(r)).toEqual([]);
    expect(r.verifications.map((v) => [v.key, v.status, v.detail]).sort()).toEqual([
      [
        'pkg:pypi/gitlab-oidc-project@0.0.3',
        'verified',
        'hashes match the index; attested by GitLab facutuesca/gitlab-oidc-project (.gitlab-ci.yml)',
      ],
      [
        'pkg:pypi/pypi-attestations@0.0.19',
        'verified',
        'hashes match the index; attested by GitHub trailofbits/pypi-attestations (release.yml)',
      ],
    ]);
  });

  it('requirements --hash pins: the file pip would install (its digest pinned) is the one whose attestation counts', async () => {
    const github = {
      name: 'pypi-attestations',
      version: '0.0.19',
      file: GITHUB_SDIST,
      sha256: await sha(GITHUB_SDIST),
    };
    const served = {
      'pypi-attestations': [
        { filename: GITHUB_SDIST, sha256: github.sha256, provenance: await json(`${GITHUB_SDIST}.provenance`) },
      ],
    };
    const require = (repository: string) => ({
      requirements: true,
      python: {
        requireProvenance: [{ packages: ['pypi-attestations'], publishers: [{ kind: 'GitHub' as const, repository }] }],
      },
    });
    const ok = await scanOnline(served, [github], require('trailofbits/pypi-attestations'));
    expect(online(ok)).toEqual([]);
    expect(ok.verifications.map((v) => [v.key, v.status, v.detail])).toEqual([
      [
        'pkg:pypi/pypi-attestations@0.0.19',
        'verified',
        'hashes match the index; attested by GitHub trailofbits/pypi-attestations (release.yml)',
      ],
    ]);
    const other = await scanOnline(served, [github], require('someone/else'));
    expect(online(other)).toEqual(['CPP064@1']);
  });

  it('a wrong publisher in policy is CPP064', async () => {
    const gitlab = {
      name: 'gitlab-oidc-project',
      version: '0.0.3',
      file: GITLAB_SDIST,
      sha256: await sha(GITLAB_SDIST),
    };
    const r = await scanOnline(
      { 'gitlab-oidc-project': [{ filename: GITLAB_SDIST, sha256: gitlab.sha256, provenance: gitlabProvenance }] },
      [gitlab],
      {
        python: {
          requireProvenance: [
            {
              packages: ['gitlab-*'],
              publishers: [{ repository: 'facutuesca/gitlab-oidc-project', workflow: 'wrong\\.yml' }],
            },
          ],
        },
      },
    );
    expect(online(r)).toEqual(['CPP064@4']);
    expect(status(r)).toEqual(['pkg:pypi/gitlab-oidc-project@0.0.3 failed']);
  });

  it('a changed file (index and lock agree on new bytes, the attestation does not) is CPP062', async () => {
    const changed = 'e'.repeat(64);
    const r = await scanOnline(
      { 'gitlab-oidc-project': [{ filename: GITLAB_SDIST, sha256: changed, provenance: gitlabProvenance }] },
      [{ name: 'gitlab-oidc-project', version: '0.0.3', file: GITLAB_SDIST, sha256: changed }],
    );
    expect(online(r)).toEqual(['CPP062@4']);
  });

  it('an attestation for another file name is CPP061', async () => {
    const wheel = 'gitlab_oidc_project-0.0.3-py3-none-any.whl';
    const digest = await sha(GITLAB_SDIST);
    const r = await scanOnline(
      { 'gitlab-oidc-project': [{ filename: wheel, sha256: digest, provenance: gitlabProvenance }] },
      [{ name: 'gitlab-oidc-project', version: '0.0.3', file: wheel, sha256: digest }],
    );
    expect(online(r)).toEqual(['CPP061@4']);
  });

  it('a staging-signed attestation fails under the public-good root: CPP060', async () => {
    const digest = await sha(STAGING_WHEEL);
    const provenance = {
      version: 1,
      attestation_bundles: [
        { publisher: { kind: 'GitHub' }, attestations: [await json(`${STAGING_WHEEL}.publish.attestation`)] },
      ],
    };
    const r = await scanOnline({ rfc8785: [{ filename: STAGING_WHEEL, sha256: digest, provenance }] }, [
      { name: 'rfc8785', version: '0.1.2', file: STAGING_WHEEL, sha256: digest },
    ]);
    expect(online(r)).toEqual(['CPP060@4']);
  });

  // PyPI serves what one upload's publisher signed (one attestation per kind); past chainproof's bound the rest would
  // go unchecked, so the file takes none and says so.
  it.each([
    { name: '9 bundles', bundles: 9, per: 1 },
    { name: 'a bundle of 9 attestations', bundles: 1, per: 9 },
  ])('more attestations than are checked ($name) is CPP060, not a pass', async ({ bundles, per }) => {
    const digest = await sha(GITLAB_SDIST);
    const one = await json(`${GITLAB_SDIST}.publish.attestation`);
    const bundle = (gitlabProvenance as { attestation_bundles: { publisher: unknown }[] }).attestation_bundles[0]!;
    const many = {
      version: 1,
      attestation_bundles: Array.from({ length: bundles }, () => ({
        publisher: bundle.publisher,
        attestations: Array.from({ length: per }, () => one),
      })),
    };
    const r = await scanOnline(
      { 'gitlab-oidc-project': [{ filename: GITLAB_SDIST, sha256: digest, provenance: many }] },
      [{ name: 'gitlab-oidc-project', version: '0.0.3', file: GITLAB_SDIST, sha256: digest }],
    );
    expect(online(r)).toEqual(['CPP060@4']);
  });

  it('the index claiming another publisher than the certificate is CPP063', async () => {
    const digest = await sha(GITLAB_SDIST);
    const lying = {
      version: 1,
      attestation_bundles: [
        {
          publisher: { kind: 'GitLab', repository: 'someone/else' },
          attestations: [await json(`${GITLAB_SDIST}.publish.attestation`)],
        },
      ],
    };
    const r = await scanOnline(
      { 'gitlab-oidc-project': [{ filename: GITLAB_SDIST, sha256: digest, provenance: lying }] },
      [{ name: 'gitlab-oidc-project', version: '0.0.3', file: GITLAB_SDIST, sha256: digest }],
    );
    expect(online(r)).toEqual(['CPP063@4']);
  });

  // pypi-attestations' GitHubPublisher requires `workflow`, and `_GitHubTrustedPublisherPolicy` checks it against the
  // certificate's Build Config URI: a claim that names none is not the publisher the certificate proves.
  it('the index claiming the right repository but no workflow is CPP063', async () => {
    const digest = await sha(GITHUB_SDIST);
    const genuine = (await json(`${GITHUB_SDIST}.provenance`)) as {
      attestation_bundles: { attestations: unknown[] }[];
    };
    const vague = {
      version: 1,
      attestation_bundles: [
        {
          publisher: { kind: 'GitHub', repository: 'trailofbits/pypi-attestations' },
          attestations: genuine.attestation_bundles[0]!.attestations,
        },
      ],
    };
    const r = await scanOnline(
      { 'pypi-attestations': [{ filename: GITHUB_SDIST, sha256: digest, provenance: vague }] },
      [{ name: 'pypi-attestations', version: '0.0.19', file: GITHUB_SDIST, sha256: digest }],
    );
    expect(online(r)).toEqual(['CPP063@4']);
  });

  it('a hash the index does not publish is an error (CPP054); a missing file, release and project each have a rule', async () => {
    const digest = await sha(GITLAB_SDIST);
    const r = await scanOnline(
      {
        'gitlab-oidc-project': [{ filename: GITLAB_SDIST, sha256: digest }],
        other: [{ filename: 'other-1.0.tar.gz', sha256: digest }],
      },
      [
        { name: 'gitlab-oidc-project', version: '0.0.3', file: GITLAB_SDIST, sha256: 'f'.repeat(64) },
        { name: 'other', version: '1.0', file: 'other-1.0-py3-none-any.whl', sha256: digest },
        { name: 'other', version: '2.0', file: 'other-2.0.tar.gz', sha256: digest },
        { name: 'ghost', version: '1.0', file: 'ghost-1.0.tar.gz', sha256: digest },
      ],
    );
    expect(online(r)).toEqual(['CPP051@22', 'CPP052@16', 'CPP053@10', 'CPP054@4']);
    expect(r.findings.find((f) => f.ruleId === 'CPP054')?.level).toBe('error');
  });

  it('a release without attestations after one with them is a provenance downgrade (CPP066)', async () => {
    const digest = await sha(GITLAB_SDIST);
    const r = await scanOnline(
      {
        'gitlab-oidc-project': [
          { filename: GITLAB_SDIST, sha256: digest, provenance: gitlabProvenance },
          { filename: 'gitlab_oidc_project-0.0.4.tar.gz', sha256: 'a'.repeat(64) },
        ],
      },
      [
        {
          name: 'gitlab-oidc-project',
          version: '0.0.4',
          file: 'gitlab_oidc_project-0.0.4.tar.gz',
          sha256: 'a'.repeat(64),
        },
      ],
    );
    expect(online(r)).toEqual(['CPP066@4']);
  });

  it('a locked file published without attestations beside attested files of its release: CPP065 when required, else CPP066', async () => {
    const digest = await sha(GITLAB_SDIST);
    const wheel = 'gitlab_oidc_project-0.0.3-py3-none-any.whl';
    const served = {
      'gitlab-oidc-project': [
        { filename: GITLAB_SDIST, sha256: digest, provenance: gitlabProvenance },
        { filename: wheel, sha256: 'b'.repeat(64) },
      ],
    };
    const locked = [
      {
        name: 'gitlab-oidc-project',
        version: '0.0.3',
        file: GITLAB_SDIST,
        sha256: digest,
        wheel: { file: wheel, sha256: 'b'.repeat(64) },
      },
    ];
    const required = await scanOnline(served, locked, {
      python: {
        requireProvenance: [
          {
            packages: ['gitlab-oidc-project'],
            publishers: [{ kind: 'GitLab', repository: 'facutuesca/gitlab-oidc-project' }],
          },
        ],
      },
    });
    expect(online(required)).toEqual(['CPP065@4']);
    expect(required.findings.find((f) => f.ruleId === 'CPP065')?.message).toContain(wheel);
    const plain = await scanOnline(served, locked);
    expect(online(plain)).toEqual(['CPP066@4']);
    // Every locked file attested: nothing.
    const sdistOnly = await scanOnline(served, [
      { name: 'gitlab-oidc-project', version: '0.0.3', file: GITLAB_SDIST, sha256: digest },
    ]);
    expect(online(sdistOnly)).toEqual([]);
  });

  it('pylock attestation-identities (PEP 751) hold the attestations to the publisher the lock recorded', async () => {
    const digest = await sha(GITLAB_SDIST);
    const served = {
      'gitlab-oidc-project': [{ filename: GITLAB_SDIST, sha256: digest, provenance: gitlabProvenance }],
    };
    const locked = (identities: string[][]) => [
      { name: 'gitlab-oidc-project', version: '0.0.3', file: GITLAB_SDIST, sha256: digest, identities },
    ];
    const recorded = [
      'kind = "GitLab"',
      'repository = "Facutuesca/gitlab-oidc-project"',
      'workflow_filepath = ".gitlab-ci.yml"',
      // Not in the certificate: pypi-attestations does not check it either.
      'environment = "release"',
    ];
    const same = await scanOnline(served, locked([recorded]));
    expect(online(same)).toEqual([]);
    expect(status(same)).toEqual(['pkg:pypi/gitlab-oidc-project@0.0.3 verified']);
    // The lock was written when a fork's pipeline (or another workflow) published: the attestation now is not it.
    const fork = await scanOnline(
      served,
      locked([
        ['kind = "GitLab"', 'repository = "someone/gitlab-oidc-project"', 'workflow_filepath = ".gitlab-ci.yml"'],
      ]),
    );
    expect(online(fork)).toEqual(['CPP064@4']);
    expect(fork.findings.find((f) => f.ruleId === 'CPP064')?.message).toContain('someone/gitlab-oidc-project');
    const otherKind = await scanOnline(
      served,
      locked([['kind = "GitHub"', 'repository = "facutuesca/gitlab-oidc-project"', 'workflow = "release.yml"']]),
    );
    expect(online(otherKind)).toEqual(['CPP064@4']);
    // Any one recorded identity will do.
    const either = await scanOnline(served, locked([['kind = "GitHub"', 'repository = "someone/else"'], recorded]));
    expect(online(either)).toEqual([]);
    // The lock recorded attestations and the index now serves the release without any: CPP065, not a silent pass.
    const bare = await scanOnline(
      { 'gitlab-oidc-project': [{ filename: GITLAB_SDIST, sha256: digest }] },
      locked([recorded]),
    );
    expect(online(bare)).toEqual(['CPP065@4']);
    expect(bare.findings.find((f) => f.ruleId === 'CPP065')?.message).toContain('the lockfile records the identity');
  });

  it('the provenance is fetched where the project page says (PEP 740), not at a URL built from the lock version', async () => {
    const digest = await sha(GITLAB_SDIST);
    const served = {
      'gitlab-oidc-project': [{ filename: GITLAB_SDIST, sha256: digest, provenance: gitlabProvenance }],
    };
    // pip installs 0.0.3 for ==0.0.3.0 (PEP 440 zero padding); this index routes its Integrity API by the literal
    // version, so /integrity/…/0.0.3.0/… does not exist: the page's own URL does.
    const r = await scanOnline(
      served,
      [{ name: 'gitlab-oidc-project', version: '0.0.3.0', file: GITLAB_SDIST, sha256: digest }],
      {
        requirements: true,
        python: {
          requireProvenance: [
            {
              packages: ['gitlab-oidc-project'],
              publishers: [{ kind: 'GitLab', repository: 'facutuesca/gitlab-oidc-project' }],
            },
          ],
        },
      },
    );
    expect(online(r)).toEqual([]);
    expect(status(r)).toEqual(['pkg:pypi/gitlab-oidc-project@0.0.3.0 verified']);
    // A page naming another host is not followed (nothing listens at 127.0.0.2:1): the index's own Integrity API is
    // asked, with the version as the file name spells it.
    const offOrigin = await scanOnline(
      served,
      [{ name: 'gitlab-oidc-project', version: '0.0.3.0', file: GITLAB_SDIST, sha256: digest }],
      { requirements: true, provenanceOrigin: 'http://127.0.0.2:1' },
    );
    expect(online(offOrigin)).toEqual([]);
    expect(status(offOrigin)).toEqual(['pkg:pypi/gitlab-oidc-project@0.0.3.0 verified']);
  });

  // The policy names the project as PyPI does (canonicalize_name on both sides): as written, by case or separator.
  it.each(['plain-pkg', 'Plain_Pkg', 'PLAIN.pkg', 'plain.*'])(
    'policy requires provenance of %s and the release has none: CPP065',
    async (pattern) => {
      const r = await scanOnline(
        { 'plain-pkg': [{ filename: 'plain_pkg-1.0.tar.gz', sha256: 'a'.repeat(64) }] },
        [{ name: 'plain-pkg', version: '1.0', file: 'plain_pkg-1.0.tar.gz', sha256: 'a'.repeat(64) }],
        { python: { requireProvenance: [{ packages: [pattern], publishers: [] }] } },
      );
      expect(online(r)).toEqual(['CPP065@4']);
    },
  );

  it('offline is one finding with the count, and no request', async () => {
    const before = index.authSeen.length;
    const locked = [
      { name: 'a', version: '1.0', file: 'a-1.0.tar.gz', sha256: 'a'.repeat(64) },
      { name: 'b', version: '1.0', file: 'b-1.0.tar.gz', sha256: 'b'.repeat(64) },
    ];
    const r = await scanOnline({}, locked, {
      offline: true,
      env: { PIP_INDEX_URL: index.indexUrl.replace('//', '//u:s3cret@') },
    });
    expect(online(r)).toEqual(['CPP050@4']);
    expect(r.findings.find((f) => f.ruleId === 'CPP050')?.evidence?.count).toBe(2);
    const one = await scanOnline({}, locked.slice(0, 1), { offline: true });
    expect(one.findings.find((f) => f.ruleId === 'CPP050')?.message).toMatch(
      /^1 Python package in pylock\.toml was not checked against its index because the scan is offline/,
    );
    expect(status(r)).toEqual(['pkg:pypi/a@1.0 unverifiable', 'pkg:pypi/b@1.0 unverifiable']);
    expect(index.authSeen.length).toBe(before);
  });

  it('an index answering 500 is one CPP056 with the count; the token is sent as a header and never printed', async () => {
    const locked = [
      { name: 'a', version: '1.0', file: 'a-1.0.tar.gz', sha256: 'a'.repeat(64) },
      { name: 'b', version: '1.0', file: 'b-1.0.tar.gz', sha256: 'b'.repeat(64) },
    ];
    const r = await scanOnline({}, locked, {
      fault: 'http-500',
      env: { PIP_INDEX_URL: index.indexUrl.replace('//', '//u:s3cret@') },
    });
    expect(online(r)).toEqual(['CPP056@4']);
    expect(r.findings.find((f) => f.ruleId === 'CPP056')?.evidence?.count).toBe(2);
    expect(index.authSeen).toContain(`Basic ${Buffer.from('u:s3cret').toString('base64')}`);
    expect(JSON.stringify(r)).not.toContain('s3cret');
  });

  it('a warm on-disk cache answers a second scan with zero requests, and keeps no credential', async () => {
    const github = {
      name: 'pypi-attestations',
      version: '0.0.19',
      file: GITHUB_SDIST,
      sha256: await sha(GITHUB_SDIST),
    };
    const projects = {
      'pypi-attestations': [
        { filename: GITHUB_SDIST, sha256: github.sha256, provenance: await json(`${GITHUB_SDIST}.provenance`) },
      ],
    };
    const cacheDir = await mkdtemp(path.join(tmpdir(), 'cp-pypi-cache-'));
    const env = { PIP_INDEX_URL: index.indexUrl.replace('http://', 'http://user:s3cr3t-token@') };
    const before = index.requests.length;
    const cold = await scanOnline(projects, [github], { cacheDir, env });
    const asked = index.requests.length - before;
    expect(asked).toBeGreaterThan(0);
    const warm = await scanOnline(projects, [github], { cacheDir, env });
    expect(index.requests.length - before - asked).toBe(0);
    expect(status(warm)).toEqual(status(cold));
    const { readdir, readFile: read } = await import('node:fs/promises');
    const files = await readdir(cacheDir, { recursive: true, withFileTypes: true });
    for (const f of files.filter((e) => e.isFile())) {
      expect(await read(path.join(f.parentPath, f.name), 'utf8')).not.toContain('s3cr3t-token');
    }
  });
});

describe('a lockfile index the offline rule accepts is the index its packages are verified against (one list)', () => {
  // The configured index is a closed loopback port: a package sent there is unreachable (CPP056).
  const CLOSED = 'http://127.0.0.1:9/simple/';
  it.each([
    { name: 'policy dependencies.trustedMirrors', env: {}, mirrors: true, want: 'verified' },
    { name: 'UV_EXTRA_INDEX_URL', env: (u: string) => ({ UV_EXTRA_INDEX_URL: u }), mirrors: false, want: 'verified' },
    { name: 'UV_INDEX name=url', env: (u: string) => ({ UV_INDEX: `corp=${u}` }), mirrors: false, want: 'verified' },
    { name: 'PIP_EXTRA_INDEX_URL', env: (u: string) => ({ PIP_EXTRA_INDEX_URL: u }), mirrors: false, want: 'verified' },
    {
      name: 'nothing names it (control): CPP070, and the configured index is asked',
      env: {},
      mirrors: false,
      want: 'unverifiable',
    },
  ])('$name', async ({ env, mirrors, want }) => {
    const gitlab = {
      name: 'gitlab-oidc-project',
      version: '0.0.3',
      file: GITLAB_SDIST,
      sha256: await sha(GITLAB_SDIST),
    };
    const extra = typeof env === 'function' ? env(index.indexUrl) : env;
    const r = await scanOnline(
      { 'gitlab-oidc-project': [{ filename: GITLAB_SDIST, sha256: gitlab.sha256 }] },
      [gitlab],
      {
        env: { PIP_INDEX_URL: CLOSED, ...extra },
        ...(mirrors ? { trustedMirrors: [index.indexUrl.replace(/simple\/$/, '')] } : {}),
      },
    );
    expect(status(r)).toEqual([`pkg:pypi/gitlab-oidc-project@0.0.3 ${want}`]);
    expect(online(r)).toEqual(want === 'verified' ? [] : ['CPP056@4', 'CPP070@4']);
  });
});
