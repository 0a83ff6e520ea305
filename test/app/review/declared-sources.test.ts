import { afterAll, describe, expect, it } from 'vitest';
import type { ReviewResult } from '../../../src/app/review/index.js';
import { manifest, npmLock, sri } from './npm-lock.js';
import { pairReviewer } from './repo.js';
import { withoutOutOfSyncDeclarations } from '../../../src/app/review/declared-sources.js';
import type { ResolvedFinding } from '../../../src/core/finding.js';

/**
 * A package.json that now declares a dependency from a git repository, a URL or another package while the lockfile
 * stays as it was: `npm ci` refuses the pair, but `npm install` or a plain `yarn install` fetches the new source and
 * runs its scripts, and the lockfile comparison sees nothing move. CPU002 at the manifest, unless a lockfile of the
 * project locks that package off the registry (then the lockfile's own finding says it, once).
 */
const { review, cleanup } = pairReviewer();
afterAll(cleanup);

const LOCK = npmLock(
  { ms: '^2.1.3', lodash: '^4.17.21' },
  {
    ms: { version: '2.1.3', resolved: 'https://registry.npmjs.org/ms/-/ms-2.1.3.tgz', integrity: sri(1) },
    lodash: {
      version: '4.17.21',
      resolved: 'https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz',
      integrity: sri(2),
    },
  },
);
const BASE = { 'package.json': manifest({ ms: '^2.1.3', lodash: '^4.17.21' }), 'package-lock.json': LOCK };

const atManifests = (r: ReviewResult) =>
  r.findings
    .filter((f) => f.ruleId === 'CPU002' && f.location.path.endsWith('package.json'))
    .map((f) => `${f.location.path}:${f.location.line}:${f.level ?? 'error'}`);

describe('review of a dependency declared off the registry that the lockfile does not lock', () => {
  it('git and URL specs under an unchanged package-lock → one CPU002 naming both, and the gate fails', async () => {
    const r = await review(BASE, {
      'package.json': manifest({
        ms: 'github:evil/ms#main',
        lodash: '^4.17.21',
        'left-pad': 'https://evil.example/left-pad.tgz',
      }),
    });
    expect(atManifests(r)).toEqual(['package.json:5:error']);
    const f = r.findings.find((x) => x.ruleId === 'CPU002')!;
    expect(f.evidence?.['specs']).toBe(
      'ms: ^2.1.3 → github:evil/ms#main\nleft-pad: (none) → https://evil.example/left-pad.tgz',
    );
    expect([f.evidence?.['before'], f.evidence?.['after']]).toEqual(['^2.1.3', 'github:evil/ms#main']);
    expect(f.related).toEqual([{ path: 'package.json', line: 7 }]);
    expect(r.gate?.passed).toBe(false);
  });

  it("the head scan's CPD015 for the same line is not said again: CPU002 says what each install does", async () => {
    const r = await review(BASE, { 'package.json': manifest({ ms: 'github:evil/ms#main', lodash: '^4.17.21' }) });
    expect(r.findings.map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}`)).toEqual([
      'CPU002@package.json:5',
    ]);
  });

  it("with no lockfile at all, the head scan's CPD023 / CPD006 / CPD007 for the same lines is not said again either", async () => {
    const pinned = `github:evil/pad#${'a'.repeat(40)}`;
    const r = await review(
      { 'package.json': manifest({ ms: '^2.1.3', lodash: '^4.17.21' }) },
      {
        'package.json': manifest({ ms: 'github:evil/ms#main', lodash: 'http://evil.example/lodash.tgz', pad: pinned }),
      },
    );
    expect(r.findings.map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}`)).toEqual([
      'CPU002@package.json:5',
    ]);
  });

  it('one manifest keeps one fingerprint however many dependencies a later push moves (a SARIF alert stays one)', async () => {
    const one = await review(BASE, { 'package.json': manifest({ ms: 'github:evil/ms#main', lodash: '^4.17.21' }) });
    const two = await review(BASE, {
      'package.json': manifest({ ms: 'github:evil/ms#main', lodash: 'https://evil.example/lodash.tgz' }),
    });
    const [a, b] = [one, two].map((r) => r.findings.find((x) => x.ruleId === 'CPU002'));
    expect([a?.evidence?.['count'], b?.evidence?.['count']]).toEqual([1, 2]);
    expect(b?.fingerprint).toBe(a?.fingerprint);
  });

  it('a name aliased to another package → CPU002; to itself (npm:ms@2) → nothing', async () => {
    const r = await review(BASE, { 'package.json': manifest({ ms: 'npm:ms@^2.1.3', lodash: 'npm:lodahs@4.17.21' }) });
    expect(atManifests(r)).toEqual(['package.json:6:error']);
    expect(r.findings.find((x) => x.ruleId === 'CPU002')?.evidence?.['dependencies']).toBe('dependencies.lodash');
  });

  it('a workspace of the root lockfile is a project; a fixture package.json nothing installs is not', async () => {
    const ws = (deps: Record<string, string>) =>
      JSON.stringify({ name: 'web', version: '1.0.0', dependencies: deps }, null, 2) + '\n';
    const root = JSON.stringify({ name: 'app', workspaces: ['packages/*'], dependencies: { ms: '^2.1.3' } }) + '\n';
    const r = await review(
      {
        ...BASE,
        'package.json': root,
        'packages/web/package.json': ws({ ms: '^2.1.3' }),
        'test/fixtures/x/package.json': ws({}),
      },
      {
        'packages/web/package.json': ws({ ms: 'git+https://evil.example/ms.git' }),
        'test/fixtures/x/package.json': ws({ ms: 'github:evil/ms' }),
      },
    );
    expect(atManifests(r)).toEqual(['packages/web/package.json:5:error']);
  });

  it('the lockfile locks the new source too → the lockfile entry is the finding, not the manifest', async () => {
    const r = await review(BASE, {
      'package.json': manifest({ ms: 'github:evil/ms#main', lodash: '^4.17.21' }),
      'package-lock.json': npmLock(
        { ms: 'github:evil/ms#main', lodash: '^4.17.21' },
        {
          ms: {
            version: '2.1.3',
            resolved: 'git+ssh://git@github.com/evil/ms.git#0123456789abcdef0123456789abcdef01234567',
          },
          lodash: {
            version: '4.17.21',
            resolved: 'https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz',
            integrity: sri(2),
          },
        },
      ),
    });
    expect(atManifests(r)).toEqual([]);
    // The same version re-pointed at a commit with no integrity: the lockfile entry's CPU016.
    expect(
      r.findings.filter((f) => /^CPU0(02|16)$/.test(f.ruleId)).map((f) => `${f.ruleId}@${f.location.path}`),
    ).toEqual(['CPU016@package-lock.json']);
  });

  it('a range update, or a git spec the base already declared, → nothing', async () => {
    const gitBase = { ...BASE, 'package.json': manifest({ ms: 'github:acme/ms#v1', lodash: '^4.17.21' }) };
    const bumped = await review(BASE, { 'package.json': manifest({ ms: '^2.1.4', lodash: '^4.17.21' }) });
    const moved = await review(gitBase, { 'package.json': manifest({ ms: '^2.1.3', lodash: 'github:acme/ms#v1' }) });
    const same = await review(gitBase, {
      'package.json': manifest({ ms: 'github:acme/ms#v1', lodash: '^4.17.22' }),
    });
    expect(atManifests(bumped)).toEqual([]);
    // A spec moved between names is new for the name it now sits under.
    expect(atManifests(moved)).toEqual(['package.json:6:error']);
    expect(atManifests(same)).toEqual([]);
  });
});

/**
 * A git dependency pinned to a commit, re-declared by a branch while the lockfile stays written for the commit: the
 * lockfile comparison sees nothing move, `npm ci` refuses the pair, and `npm install` asks the remote what the branch
 * points to (pacote's GitFetcher resolves any committish that is not 40 hex) — the code is no longer pinned, the
 * manifest's own form of a model reference that drops its commit for a branch (CPU011).
 */
describe('review of a git dependency whose commit pin becomes a branch', () => {
  const SHA = '0123456789abcdef0123456789abcdef01234567';
  const gitLock = (spec: string) =>
    npmLock(
      { ms: spec, lodash: '^4.17.21' },
      {
        ms: { version: '2.1.3', resolved: `git+ssh://git@github.com/acme/ms.git#${SHA}` },
        lodash: {
          version: '4.17.21',
          resolved: 'https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz',
          integrity: sri(2),
        },
      },
    );
  const PINNED = {
    'package.json': manifest({ ms: `github:acme/ms#${SHA}`, lodash: '^4.17.21' }),
    'package-lock.json': gitLock(`github:acme/ms#${SHA}`),
  };

  it.each([
    { name: 'a branch', spec: 'github:acme/ms#main' },
    { name: 'a semver range', spec: 'github:acme/ms#semver:^2' },
    { name: 'no ref at all (the default branch)', spec: 'github:acme/ms' },
  ])('the commit replaced by $name under the unchanged lockfile → CPU002 at the manifest', async ({ spec }) => {
    const r = await review(PINNED, { 'package.json': manifest({ ms: spec, lodash: '^4.17.21' }) });
    expect(atManifests(r)).toEqual(['package.json:5:error']);
    expect(r.gate?.passed).toBe(false);
  });

  it('another commit, or a lockfile written for the branch (it pins the commit it resolved) → not from here', async () => {
    const other = await review(PINNED, {
      'package.json': manifest({ ms: `github:acme/ms#${'f'.repeat(40)}`, lodash: '^4.17.21' }),
    });
    const relocked = await review(PINNED, {
      'package.json': manifest({ ms: 'github:acme/ms#main', lodash: '^4.17.21' }),
      'package-lock.json': gitLock('github:acme/ms#main'),
    });
    expect(atManifests(other)).toEqual([]);
    expect(atManifests(relocked)).toEqual([]);
  });
});

/**
 * pnpm's catalogs: every `catalog:` dependency installs the spec pnpm-workspace.yaml gives the name
 * (@pnpm/catalogs.config). A catalog moved to git while pnpm-lock.yaml stays is the package.json case in another
 * file: `--frozen-lockfile` refuses it (ERR_PNPM_LOCKFILE_CONFIG_MISMATCH, the head scan's CPD026, a warning), a
 * plain `pnpm install` fetches the repository and runs its scripts. Before, only that warning was said.
 */
describe('review of a pnpm catalog moved off the registry that the lockfile does not lock', () => {
  const LOCK_PNPM = [
    "lockfileVersion: '9.0'",
    '',
    'catalogs:',
    '  default:',
    '    ms:',
    '      specifier: ^2.1.3',
    '      version: 2.1.3',
    '',
    'importers:',
    '',
    '  .:',
    '    dependencies:',
    '      ms:',
    "        specifier: 'catalog:'",
    '        version: 2.1.3',
    '',
    'packages:',
    '',
    '  ms@2.1.3:',
    `    resolution: {integrity: ${sri(1)}}`,
    '',
    'snapshots:',
    '',
    '  ms@2.1.3: {}',
    '',
  ].join('\n');
  const workspace = (ms: string) => `packages:\n  - .\ncatalog:\n  ms: ${ms}\ncatalogs:\n  legacy:\n    ms: ^1.0.0\n`;
  const PNPM_BASE = {
    'package.json': manifest({ ms: 'catalog:' }),
    'pnpm-workspace.yaml': workspace('^2.1.3'),
    'pnpm-lock.yaml': LOCK_PNPM,
  };

  it('the default catalog moved to git under an unchanged pnpm-lock.yaml → CPU002 at its line', async () => {
    const r = await review(PNPM_BASE, { 'pnpm-workspace.yaml': workspace('github:evil/ms#main') });
    const found = r.findings.filter((f) => f.ruleId === 'CPU002');
    expect(found.map((f) => `${f.location.path}:${f.location.line}:${f.level}`)).toEqual([
      'pnpm-workspace.yaml:4:error',
    ]);
    expect(found[0]?.evidence?.['dependencies']).toBe('catalog.ms');
    expect(r.gate?.passed).toBe(false);
  });

  it('a catalog range update → nothing', async () => {
    const r = await review(PNPM_BASE, { 'pnpm-workspace.yaml': workspace('^2.1.4') });
    expect(r.findings.filter((f) => f.ruleId === 'CPU002')).toEqual([]);
  });
});

describe('review of a pyproject.toml direct reference that the lock does not lock', () => {
  const pyproject = (...deps: string[]) =>
    `[project]\nname = "app"\nversion = "0.1.0"\ndependencies = [\n${deps.map((d) => `    "${d}",\n`).join('')}]\n`;
  const pkg = (name: string, source: string, extra = '') =>
    `[[package]]\nname = "${name}"\nversion = "3.7"\nsource = ${source}\n${extra}\n`;
  const idna = pkg(
    'idna',
    '{ registry = "https://pypi.org/simple" }',
    `wheels = [{ url = "https://files.pythonhosted.org/packages/i/idna-3.7-py3-none-any.whl", hash = "sha256:${'1'.repeat(64)}" }]\n`,
  );
  const uvLock = (...packages: string[]) =>
    [
      'version = 1',
      'requires-python = ">=3.10"',
      '',
      pkg('app', '{ virtual = "." }', 'dependencies = [{ name = "idna" }]\n'),
      ...packages,
    ].join('\n');
  const BASE_PY = { 'pyproject.toml': pyproject('idna>=3.6'), 'uv.lock': uvLock(idna) };
  const GIT = 'requests @ git+https://evil.example/requests.git';

  it('a git direct reference under an unchanged uv.lock → CPU002 at its line', async () => {
    const r = await review(BASE_PY, { 'pyproject.toml': pyproject('idna>=3.6', GIT) });
    // The head scan's CPP020 for the same line (uv.lock does not lock it) is the same cause: said once.
    expect(r.findings.filter((f) => f.ruleId === 'CPP020')).toEqual([]);
    const found = r.findings.filter((f) => f.ruleId === 'CPU002');
    expect(found.map((f) => `${f.location.path}:${f.location.line}`)).toEqual(['pyproject.toml:6']);
    expect(found[0]?.evidence?.['after']).toBe(GIT);
    expect(r.gate?.passed).toBe(false);
  });

  it('a uv override to a wheel URL (every requirement of the name takes it) under an unchanged uv.lock → CPU002', async () => {
    const url = 'idna @ https://evil.example/idna-3.7-py3-none-any.whl';
    const r = await review(BASE_PY, {
      'pyproject.toml': `${pyproject('idna>=3.6')}\n[tool.uv]\noverride-dependencies = ["${url}"]\n`,
    });
    const found = r.findings.filter((f) => f.ruleId === 'CPU002');
    expect(found.map((f) => `${f.location.path}:${f.location.line}`)).toEqual(['pyproject.toml:9']);
    expect(found[0]?.evidence?.['dependencies']).toBe('tool.uv.override-dependencies.idna');
  });

  describe('a git reference whose commit pin becomes a branch under a uv.lock written for the commit', () => {
    // uv writes the requested ref into the locked source (`?rev=<commit>#<commit>`); `uv sync` re-locks a project the
    // lock no longer satisfies (`Lock::satisfies`) and fetches what the branch points to.
    const SHA = 'b'.repeat(40);
    const REPO = 'https://github.com/acme/mylib';
    const mylib = pkg('mylib', `{ git = "${REPO}?rev=${SHA}#${SHA}" }`);
    const sources = (ref: string) => `\n[tool.uv.sources]\nmylib = { git = "${REPO}", ${ref} }\n`;
    const at = (r: ReviewResult) =>
      r.findings
        .filter((f) => f.ruleId === 'CPU002' && f.location.path === 'pyproject.toml')
        .map((f) => `${f.location.path}:${f.location.line}`);

    it('a PEP 508 reference from @<commit> to @main → CPU002 at its line', async () => {
      const r = await review(
        { 'pyproject.toml': pyproject('idna>=3.6', `mylib @ git+${REPO}@${SHA}`), 'uv.lock': uvLock(idna, mylib) },
        { 'pyproject.toml': pyproject('idna>=3.6', `mylib @ git+${REPO}@main`) },
      );
      expect(at(r)).toEqual(['pyproject.toml:6']);
      expect(r.gate?.passed).toBe(false);
    });

    it('a [tool.uv.sources] rev replaced by a branch → CPU002 at the source line', async () => {
      const project = pyproject('idna>=3.6', 'mylib');
      const r = await review(
        { 'pyproject.toml': project + sources(`rev = "${SHA}"`), 'uv.lock': uvLock(idna, mylib) },
        { 'pyproject.toml': project + sources('branch = "main"') },
      );
      expect(at(r)).toEqual(['pyproject.toml:10']);
    });

    it('re-locked for the branch, or moved to another commit → not from here', async () => {
      const project = pyproject('idna>=3.6', 'mylib');
      const base = { 'pyproject.toml': project + sources(`rev = "${SHA}"`), 'uv.lock': uvLock(idna, mylib) };
      const relocked = await review(base, {
        'pyproject.toml': project + sources('branch = "main"'),
        'uv.lock': uvLock(idna, pkg('mylib', `{ git = "${REPO}?branch=main#${SHA}" }`)),
      });
      const other = await review(base, { 'pyproject.toml': project + sources(`rev = "${'c'.repeat(40)}"`) });
      expect(at(relocked)).toEqual([]);
      expect(at(other)).toEqual([]);
    });
  });

  it('the lock locks it from that repository too → not said at the manifest; an index range → nothing', async () => {
    const locked = await review(BASE_PY, {
      'pyproject.toml': pyproject('idna>=3.6', GIT),
      'uv.lock': uvLock(idna, pkg('requests', `{ git = "https://evil.example/requests.git#${'a'.repeat(40)}" }`)),
    });
    const ranged = await review(BASE_PY, { 'pyproject.toml': pyproject('idna>=3.7', 'requests>=2') });
    for (const r of [locked, ranged])
      expect(r.findings.filter((f) => f.ruleId === 'CPU002' && f.location.path === 'pyproject.toml')).toEqual([]);
  });
});

/**
 * Two specs on one line (a package.json written on one line): the CPU002 for the spec the change brought in is not
 * the cause of another spec's own unlocked-spec finding there, as when the change also deleted the lockfile.
 */
describe('withoutOutOfSyncDeclarations', () => {
  const at = { path: 'package.json', line: 1 };
  const found = (ruleId: string, rest: Partial<ResolvedFinding>): ResolvedFinding => ({
    ruleId,
    message: ruleId,
    location: at,
    level: 'error',
    fingerprint: ruleId,
    ...rest,
  });
  const npm = (name: string) => ({ kind: 'package' as const, ecosystem: 'npm' as const, name, version: '' });
  it("folds the head scan's unlocked-spec finding for the spec CPU002 names only, not another on that line", () => {
    const cpu002 = found('CPU002', {
      artifact: { kind: 'file', path: 'package.json' },
      evidence: { dependencies: 'dependencies.a' },
    });
    const introduced = [found('CPD023', { artifact: npm('a') }), found('CPD006', { artifact: npm('b') })];
    expect(withoutOutOfSyncDeclarations(introduced, [cpu002]).map((f) => f.ruleId)).toEqual(['CPD006']);
  });
});
