import { afterAll, describe, expect, it } from 'vitest';
import type { ReviewResult } from '../../../src/app/review/index.js';
import { toReviewText } from '../../../src/report/review.js';
import { makeRepo, pairReviewer, reviewHead } from './repo.js';
import { manifest, sri } from './npm-lock.js';
import { idnaPyproject, idnaUvLock } from './projects.js';

/**
 * CPU016 when the base entry recorded no URL: a registry entry of pnpm (`resolution: {integrity}`) or yarn berry
 * (`npm:` resolution) is installed from the registry, so a head entry of the same version that names a tarball or a
 * git commit, with no integrity, installs other code from elsewhere. And one finding, not two, when a Python entry is
 * re-pointed with its hashes replaced (CPU001 compares the hashes) — and one, not two, when pyproject.toml still asks
 * the index for it: the head scan's injection (CPP081) then carries what CPU001 / CPU016 say of the base revision.
 */
const { review, cleanup } = pairReviewer();
afterAll(cleanup);

/** Every error, with the review rules an injection finding stands for (`CPP081+CPU001`). */
const errors = (r: ReviewResult) =>
  r.findings
    .filter((f) => f.level === 'error')
    .map((f) => [f.ruleId, f.evidence?.['reviewed'] ?? []].flat().join('+'))
    .sort();

const pnpmLock = (msKey: string, msResolution: string, msRef = '2.1.3') =>
  [
    "lockfileVersion: '9.0'",
    '',
    'importers:',
    '',
    '  .:',
    '    dependencies:',
    '      express:',
    '        specifier: ^4.18.0',
    '        version: 4.18.2',
    '',
    'packages:',
    '',
    '  express@4.18.2:',
    `    resolution: {integrity: ${sri(1)}}`,
    '',
    `  ${msKey}:`,
    `    resolution: ${msResolution}`,
    '',
    'snapshots:',
    '',
    '  express@4.18.2:',
    '    dependencies:',
    `      ms: ${msRef}`,
    '',
    `  ${msKey}: {}`,
    '',
  ].join('\n');

const berryLock = (msResolution: string, checksum: string | undefined) =>
  [
    '__metadata:',
    '  version: 8',
    '  cacheKey: 10',
    '',
    '"app@workspace:.":',
    '  version: 0.0.0-use.local',
    '  resolution: "app@workspace:."',
    '  dependencies:',
    '    express: "npm:^4.18.0"',
    '  languageName: unknown',
    '  linkType: soft',
    '',
    '"express@npm:^4.18.0":',
    '  version: 4.18.2',
    '  resolution: "express@npm:4.18.2"',
    '  dependencies:',
    '    ms: "npm:2.1.3"',
    `  checksum: 10/${'b'.repeat(128)}`,
    '  languageName: node',
    '  linkType: hard',
    '',
    '"ms@npm:2.1.3":',
    '  version: 2.1.3',
    `  resolution: "${msResolution}"`,
    ...(checksum !== undefined ? [`  checksum: ${checksum}`] : []),
    '  languageName: node',
    '  linkType: hard',
    '',
  ].join('\n');

const MANIFEST = manifest({ express: '^4.18.0' });
const COMMIT = '0123456789abcdef0123456789abcdef01234567';

describe('a registry entry re-pointed at the same version (CPU016)', () => {
  const registry = pnpmLock('ms@2.1.3', `{integrity: ${sri(2)}}`);

  it('pnpm: the integrity replaced by an absolute tarball URL → CPU016 naming the URL', async () => {
    const r = await review(
      { 'package.json': MANIFEST, 'pnpm-lock.yaml': registry },
      {
        'package.json': MANIFEST,
        'pnpm-lock.yaml': pnpmLock('ms@2.1.3', '{tarball: https://evil.example/ms-2.1.3.tgz}'),
      },
    );
    const f = r.findings.find((x) => x.ruleId === 'CPU016');
    expect(f?.message).toContain('ms@2.1.3 now resolves to https://evil.example/ms-2.1.3.tgz (was the registry)');
    expect(r.gate?.passed).toBe(false);
    // No version moved, but the text's header must not read as all clear above the finding.
    const text = toReviewText(r);
    expect(text).not.toContain('No dependency or model change');
    expect(text.split('\n')[0]).toBe('No version, model or reference changed; what did change is below.');
  });

  it('pnpm: a tarball URL beside the same integrity → no CPU016 (the bytes are held)', async () => {
    const r = await review(
      { 'package.json': MANIFEST, 'pnpm-lock.yaml': registry },
      {
        'package.json': MANIFEST,
        'pnpm-lock.yaml': pnpmLock('ms@2.1.3', `{integrity: ${sri(2)}, tarball: https://evil.example/ms-2.1.3.tgz}`),
      },
    );
    expect(r.findings.map((f) => f.ruleId)).not.toContain('CPU016');
  });

  it('yarn berry: the npm: resolution replaced by a git commit with no checksum → CPD020 carrying CPU016', async () => {
    const r = await review(
      { 'package.json': MANIFEST, 'yarn.lock': berryLock('ms@npm:2.1.3', `10/${'a'.repeat(128)}`) },
      {
        'package.json': MANIFEST,
        'yarn.lock': berryLock(`ms@https://github.com/evil/ms.git#commit=${COMMIT}`, undefined),
      },
    );
    // express asks for ms@npm:2.1.3: the head scan's CPD020 (a registry range locked to git) stands for CPU016.
    expect(errors(r)).toEqual(['CPD020+CPU016']);
    expect(r.findings.find((f) => f.ruleId === 'CPD020')?.message).toContain(
      'The review adds: the same version resolved to the registry at the base revision.',
    );
  });

  it('yarn 1: the registry entry replaced by a file: folder of the same version → CPU016 naming the folder', async () => {
    // yarn 1 names a folder in the entry's key only (`"ms@file:vendor/ms"`, no `resolved`); FileResolver copies it.
    const yarn1 = (entry: string) => `# yarn lockfile v1\n\n\n${entry}`;
    const r = await review(
      {
        'package.json': manifest({ ms: '^2.1.3' }),
        'yarn.lock': yarn1(
          `ms@^2.1.3:\n  version "2.1.3"\n  resolved "https://registry.yarnpkg.com/ms/-/ms-2.1.3.tgz"\n  integrity ${sri(2)}\n`,
        ),
      },
      {
        'package.json': manifest({ ms: 'file:vendor/ms' }),
        'yarn.lock': yarn1('"ms@file:vendor/ms":\n  version "2.1.3"\n'),
        'vendor/ms/package.json': '{"name":"ms","version":"2.1.3"}',
      },
    );
    const f = r.findings.find((x) => x.ruleId === 'CPU016');
    expect(f?.message).toContain('ms@2.1.3 now resolves to file:vendor/ms (was https://registry.yarnpkg.com/');
    expect(r.gate?.passed).toBe(false);
  });
});

const H = (c: string) => c.repeat(64);
const pyproject = idnaPyproject('idna>=3');
const uvLock = (idna: string) => idnaUvLock('specifier = ">=3"', '3.7', idna);
const IDNA_PYPI = [
  'source = { registry = "https://pypi.org/simple" }',
  `sdist = { url = "https://files.pythonhosted.org/packages/i/idna-3.7.tar.gz", hash = "sha256:${H('c')}", size = 10 }`,
  'wheels = [',
  `    { url = "https://files.pythonhosted.org/packages/i/idna-3.7-py3-none-any.whl", hash = "sha256:${H('d')}", size = 10 },`,
  ']',
].join('\n');

describe('a Python entry re-pointed at the same version: one finding per cause', () => {
  it('uv: to a local wheel with another hash → CPP081 carrying CPU001 (the hash says it; no CPU016 "no integrity")', async () => {
    const local = [
      'source = { path = "vendor/idna-3.7-py3-none-any.whl" }',
      `wheels = [\n    { filename = "idna-3.7-py3-none-any.whl", hash = "sha256:${H('e')}" },\n]`,
    ].join('\n');
    const r = await review(
      { 'pyproject.toml': pyproject, 'uv.lock': uvLock(IDNA_PYPI) },
      { 'pyproject.toml': pyproject, 'uv.lock': uvLock(local) },
    );
    expect(errors(r)).toEqual(['CPP081+CPU001']);
    const f = r.findings.find((x) => x.ruleId === 'CPP081');
    expect(f?.evidence).toMatchObject({ before: `sha256:${H('d')}`, after: `sha256:${H('e')}` });
    expect(f?.message).toContain("The review adds: its file hashes differ from the base revision's");
  });

  it('uv: to a git commit (no hash) → CPP081 carrying CPU016', async () => {
    const r = await review(
      { 'pyproject.toml': pyproject, 'uv.lock': uvLock(IDNA_PYPI) },
      {
        'pyproject.toml': pyproject,
        'uv.lock': uvLock(`source = { git = "https://github.com/evil/idna?rev=main#${COMMIT}" }`),
      },
    );
    expect(errors(r)).toEqual(['CPP081+CPU016']);
    expect(r.findings.find((x) => x.ruleId === 'CPP081')?.evidence?.['before']).toBe('https://pypi.org/simple');
  });
});

describe('uv: a registry package moved to an editable folder inside the repository', () => {
  it('is a path dependency uv builds and installs, not the project: CPP081 carrying CPU016, not "removed"', async () => {
    const r = await review(
      { 'pyproject.toml': pyproject, 'uv.lock': uvLock(IDNA_PYPI) },
      { 'pyproject.toml': pyproject, 'uv.lock': uvLock('source = { editable = "vendor/idna" }') },
    );
    expect(r.lockfiles.flatMap((lf) => lf.changes).map((c) => c.kind)).toEqual([]);
    expect(errors(r)).toEqual(['CPP081+CPU016']);
  });

  it('an editable workspace member that [manifest] members lists stays the project', async () => {
    const workspace = (lock: string) =>
      lock.replace(
        'requires-python = ">=3.10"\n',
        'requires-python = ">=3.10"\n\n[manifest]\nmembers = ["app", "idna"]\n',
      );
    const r = await review(
      { 'pyproject.toml': pyproject, 'uv.lock': workspace(uvLock('source = { editable = "packages/idna" }')) },
      { 'pyproject.toml': pyproject, 'uv.lock': workspace(uvLock('source = { editable = "packages/idna" }\n# moved')) },
    );
    expect(r.findings.filter((f) => f.ruleId.startsWith('CPU') || f.ruleId === 'CPP016')).toEqual([]);
  });
});

describe('a bun entry moved off the registry reads by its source, not as a blank version', () => {
  const bunLock = (ms: string) =>
    [
      '{',
      '  "lockfileVersion": 1,',
      '  "workspaces": {',
      '    "": {',
      '      "name": "app",',
      '      "dependencies": { "express": "^4.18.0" },',
      '    },',
      '  },',
      '  "packages": {',
      `    "express": ["express@4.18.2", "", { "dependencies": { "ms": "2.1.3" } }, "${sri(1)}"],`,
      `    "ms": ${ms},`,
      '  }',
      '}',
      '',
    ].join('\n');

  it('ms 2.1.3 → github:evil/ms#0123456 (the change row, the patch gate and CPD020)', async () => {
    const repo = makeRepo(
      { 'package.json': MANIFEST, 'bun.lock': bunLock(`["ms@2.1.3", "", {}, "${sri(2)}"]`) },
      { 'package.json': MANIFEST, 'bun.lock': bunLock('["ms@github:evil/ms#0123456", {}, "evil-ms-0123456"]') },
    );
    const r = await reviewHead(repo.dir, { gate: 'patch' }).finally(repo.cleanup);
    const row = r.lockfiles.flatMap((lf) => lf.changes).find((c) => c.name === 'ms');
    expect(row?.kind).toBe('upgraded');
    expect(toReviewText(r)).toContain('upgraded   ms 2.1.3 → github:evil/ms#0123456 (other)');
    expect(r.gate?.reasons).toContain('bun.lock: other update of ms 2.1.3 → github:evil/ms#0123456');
    // express asks for ms 2.1.3 from the registry: the head scan's CPD020 (injection) says it, CPU002 folds into it.
    expect(r.findings.filter((f) => f.ruleId === 'CPU002' || f.ruleId === 'CPD020').map((f) => f.message)).toEqual([
      expect.stringContaining('installs it from git (github:evil/ms#0123456)'),
    ]);
  });
});
