import path from 'node:path';
import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { Policy } from '../../../src/core/policy.js';
import type { ScanResult } from '../../../src/core/result.js';
import type { TrustedRegistry } from '../../../src/core/trusted-registry.js';
import { EMPTY_REGISTRY } from '../../../src/core/trusted-registry.js';
import { pythonDepsStage } from '../../../src/deps/parsers/python/stage.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
import { corpusPath } from '../../helpers/corpus.js';
import { scanWith } from '../../helpers/scan.js';

const CASES = path.resolve(import.meta.dirname, '../../../fixtures/python/cases');

const EVIL: TrustedRegistry = {
  ...EMPTY_REGISTRY,
  files: ['trusted-registry/mal.json'],
  pypiMalicious: [
    {
      id: 'MAL-2025-1',
      name: 'evil-pkg',
      ranges: [{ introduced: '1.0', fixed: '1.1' }],
      versions: [],
      file: 'trusted-registry/mal.json',
    },
  ],
};

function policyWith(python: NonNullable<Policy['dependencies']['python']>): Policy {
  return { ...DEFAULT_POLICY, dependencies: { ...DEFAULT_POLICY.dependencies, python } };
}

function scanPython(root: string, opts: { policy?: Policy; registry?: TrustedRegistry } = {}): Promise<ScanResult> {
  return scanWith(root, [pythonDepsStage], opts);
}

const ids = (r: ScanResult) => r.findings.map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}`).sort();

interface Case {
  name: string;
  dir: string;
  policy?: Policy;
  registry?: TrustedRegistry;
  want: string[];
}

const cases: Case[] = [
  {
    name: 'ranges, bare names and prefix matches are not pins; == and === are',
    dir: 'unpinned',
    want: ['CPP010@requirements.txt:2', 'CPP010@requirements.txt:3', 'CPP010@requirements.txt:5'],
  },
  {
    name: 'hash mode is all or nothing; --hash=md5: is a line pip refuses to parse',
    dir: 'partial-hashes',
    want: ['CPP004@requirements.txt:3', 'CPP011@requirements.txt:2'],
  },
  {
    name: 'extra index beside the default (one finding, the cause), find-links over http, both not allowed',
    dir: 'extra-index',
    want: [
      'CPP012@requirements.txt:2',
      'CPP013@requirements.txt:3',
      'CPP070@requirements.txt:2',
      'CPP070@requirements.txt:3',
    ],
  },
  {
    name: 'VCS, direct URL, local path and a URL over http',
    dir: 'sources',
    want: [
      'CPP013@requirements.txt:4',
      'CPP014@requirements.txt:1',
      'CPP014@requirements.txt:5',
      'CPP015@requirements.txt:2',
      'CPP015@requirements.txt:4',
      'CPP016@requirements.txt:3',
    ],
  },
  {
    name: 'includes: missing, outside the root and a cycle are findings; included lines keep their file',
    dir: 'includes',
    want: [
      'CPP003@nested/base.txt:3',
      'CPP003@requirements.txt:2',
      'CPP003@requirements.txt:3',
      'CPP010@nested/base.txt:2',
    ],
  },
  { name: 'continuations, markers before hashes, comments between', dir: 'continuation-markers', want: [] },
  { name: 'malformed TOML names its line', dir: 'bad-toml', want: ['CPP001@uv.lock:11'] },
  { name: 'unknown uv.lock version', dir: 'unknown-uv-version', want: ['CPP002@uv.lock:1'] },
  {
    // uv `Lock::new` keys packages by PackageId (name, version, source) and refuses the second with DuplicatePackage;
    // one name and version from two indexes is two packages (the pytorch wheel beside the PyPI sdist).
    name: 'uv.lock locking one package twice (names normalised) is unreadable; two sources are two packages',
    dir: 'uv-duplicate-package',
    want: ['CPP001@twice/uv.lock:18', 'CPP074@two-sources/uv.lock:13'],
  },
  { name: 'unknown poetry lock-version', dir: 'unknown-poetry-version', want: ['CPP002@poetry.lock:6'] },
  {
    name: 'malicious release by PEP 440 range (a pre-release inside it); locked as an sdist only, it also builds',
    dir: 'malicious-uv',
    registry: EVIL,
    want: ['CPP021@uv.lock:10', 'CPP074@uv.lock:10'],
  },
  {
    name: 'pyproject dependency missing from uv.lock, and a pin the lock does not satisfy',
    dir: 'out-of-sync-uv',
    want: ['CPP020@pyproject.toml:6', 'CPP020@pyproject.toml:7', 'CPP074@uv.lock:15', 'CPP074@uv.lock:9'],
  },
  {
    name: 'uv.lock: index file without hash, http index, git source',
    dir: 'uv-no-hash-http',
    want: [
      'CPP011@uv.lock:4',
      'CPP013@uv.lock:10',
      'CPP014@uv.lock:16',
      'CPP070@uv.lock:10',
      'CPP074@uv.lock:10',
      'CPP074@uv.lock:4',
    ],
  },
  {
    // pipenv's batch_install runs one pip per source, each with that index alone: no --extra-index-url, no CPP012.
    name: 'Pipfile.lock: second source (each package installed from its own index) and a package without hashes',
    dir: 'pipfile-two-sources',
    want: ['CPP011@Pipfile.lock:17', 'CPP070@Pipfile.lock:8'],
  },
  {
    // pipenv locks each Pipfile category under its own name (`get_lockfile_section_using_pipfile_category`) and
    // installs it with `--categories`: every top-level object but `_meta` is read, a capitalised one sorted first too.
    name: 'Pipfile.lock: packages of a category other than default and develop are checked',
    dir: 'pipfile-categories',
    registry: EVIL,
    want: ['CPP011@Pipfile.lock:3', 'CPP014@Pipfile.lock:30', 'CPP021@Pipfile.lock:25', 'CPP070@Pipfile.lock:13'],
  },
  {
    // pipenv prepare_pip_source_args: `if not source.get("verify_ssl", True)` (pipenv 2022.12.19: null, 0 and ""
    // each give --trusted-host; "false" and a missing key do not).
    name: 'Pipfile.lock verify_ssl is read by Python truth: null, 0 and "" turn TLS checks off',
    dir: 'pipfile-verify-ssl-falsy',
    want: ['CPP071@Pipfile.lock:7', 'CPP071@Pipfile.lock:8', 'CPP071@Pipfile.lock:9'],
  },
  {
    // PDM `get_trusted_hosts` / `PDMPyPIClient._transport_for`: a source with `verify_ssl = false` is fetched with
    // verify=False, as pipenv's --trusted-host. Beside pdm.lock the sources are still what `pdm sync` downloads from.
    name: 'pyproject.toml [[tool.pdm.source]] verify_ssl = false turns TLS checks off, alone and beside pdm.lock',
    dir: 'pdm-verify-ssl-off',
    want: ['CPP070@alone/pyproject.toml:12', 'CPP071@alone/pyproject.toml:12', 'CPP071@locked/pyproject.toml:7'],
  },
  {
    name: 'Pipfile.lock beside a Pipfile with install_search_all_sources = true: every index for every package',
    dir: 'pipfile-search-all-sources',
    want: ['CPP012@Pipfile.lock:8', 'CPP070@Pipfile.lock:8'],
  },
  {
    // pip's req_file.expand_env_variables (${NAME}, [A-Z0-9_]+ only): credentials and a URL path after a written
    // host are fine; a host, a version, a whole line or an include path is the install environment's choice.
    name: 'requirements ${VARS}: index host, versions, package URL host, a whole line and an include are CPP079',
    dir: 'pip-env-variables',
    want: [
      'CPP004@requirements.txt:10',
      'CPP012@requirements.txt:11',
      'CPP012@requirements.txt:2',
      'CPP015@requirements.txt:7',
      'CPP070@requirements.txt:3',
      'CPP071@requirements.txt:11',
      'CPP079@requirements.txt:11',
      'CPP079@requirements.txt:2',
      'CPP079@requirements.txt:5',
      'CPP079@requirements.txt:7',
      'CPP079@requirements.txt:8',
      'CPP079@requirements.txt:9',
    ],
  },
  {
    // pipenv's Project.load_lockfile: os.path.expandvars over each _meta.sources URL ($NAME and ${NAME}).
    name: 'Pipfile.lock source URLs: variables in the credentials pass, a variable host is CPP079',
    dir: 'pipfile-env-sources',
    want: ['CPP079@Pipfile.lock:8'],
  },
  {
    name: 'requirements file chooses its own index and find-links, and exempts a host from TLS',
    dir: 'requirements-own-index',
    want: ['CPP070@requirements.txt:1', 'CPP070@requirements.txt:2', 'CPP071@requirements.txt:3'],
  },
  {
    name: 'policy allowedRegistries (the only place an index is allowed) clears CPP070, not CPP071',
    dir: 'requirements-own-index',
    policy: {
      ...DEFAULT_POLICY,
      dependencies: {
        ...DEFAULT_POLICY.dependencies,
        allowedRegistries: ['https://pypi.attacker.example/simple', 'https://wheels.attacker.example/'],
      },
    },
    want: ['CPP071@requirements.txt:3'],
  },
  {
    name: 'uv.lock: PyPI files on another host (one finding for both), a non-PyPI index host (one for two URLs)',
    dir: 'uv-own-index-file-host',
    want: ['CPP070@uv.lock:22', 'CPP072@uv.lock:10', 'CPP074@uv.lock:10'],
  },
  {
    name: 'poetry.lock: git locked by resolved_reference, a legacy source on an index the policy does not allow',
    dir: 'poetry-git-legacy',
    want: ['CPP014@poetry.lock:2', 'CPP070@poetry.lock:16', 'CPP074@poetry.lock:16'],
  },
  {
    name: 'Pipfile.lock: verify_ssl = false is --trusted-host; git by commit and by branch',
    dir: 'pipfile-verify-ssl-off',
    want: ['CPP014@Pipfile.lock:11', 'CPP014@Pipfile.lock:15', 'CPP071@Pipfile.lock:7'],
  },
  {
    name: 'paths outside the repository: pip from the file folder and the root, uv from the lock folder',
    dir: 'paths-outside',
    want: [
      'CPP016@app/requirements.txt:2',
      'CPP016@app/requirements.txt:4',
      'CPP016@uvproj/uv.lock:30',
      'CPP073@app/requirements.txt:1',
      'CPP073@app/requirements.txt:3',
      'CPP073@uvproj/uv.lock:20',
      'CPP073@uvproj/uv.lock:25',
    ],
  },
  {
    name: 'lines pip reads as paths (parse_req_from_line, parse_editable): folders, bare archives, editables',
    dir: 'pip-path-lines',
    want: [
      'CPP004@invalid/requirements.txt:1',
      'CPP015@requirements.txt:8',
      // Lines 1 and 2 install one folder (`pkgs/evil`, editable or not): one finding, line 2 related.
      'CPP016@requirements.txt:1',
      'CPP016@requirements.txt:3',
      'CPP016@requirements.txt:4',
      'CPP016@requirements.txt:5',
      'CPP073@requirements.txt:6',
    ],
  },
  {
    name: 'pdm.lock static URLs are what PDM downloads (_find_best_match_link): one off every allowed index is CPP072',
    dir: 'pdm-static-urls',
    want: ['CPP072@pdm.lock:21'],
  },
  {
    name: 'poetry: a url source is checked only against hashes of its own file name (Executor._populate_hashes_dict), and lock 1.x [metadata.files] is not read for it (Locker.locked_repository)',
    dir: 'poetry-url-hash-unchecked',
    want: [
      'CPP011@v1/poetry.lock:1',
      'CPP011@v2/poetry.lock:3',
      'CPP015@v1/poetry.lock:1',
      'CPP015@v2/poetry.lock:18',
      'CPP015@v2/poetry.lock:3',
    ],
  },
  {
    name: 'uv.lock: a registry wheel whose url is file:// is read from that path (DistributionDatabase: "load the wheel directly")',
    dir: 'uv-file-url-outside',
    want: ['CPP073@uv.lock:4'],
  },
  {
    name: 'a locked wheel or sdist named for another project or version installs or builds that release (uv Wheel: WheelFilename from the URL)',
    dir: 'file-names-other-release',
    want: [
      'CPP015@uv.lock:35',
      'CPP015@uv.lock:41',
      'CPP074@uv.lock:12',
      'CPP082@pdm.lock:11',
      'CPP082@pylock.toml:5',
      'CPP082@uv.lock:12',
      'CPP082@uv.lock:35',
      'CPP082@uv.lock:4',
    ],
  },
  {
    name: '--find-links folders outside the repository (req_file.handle_option_line: the file folder, else as written)',
    dir: 'pip-find-links-outside',
    want: ['CPP073@requirements.txt:1', 'CPP073@requirements.txt:2'],
  },
  {
    name: 'an --index-url replaces the index URLs before it, included files too (handle_option_line)',
    dir: 'pip-index-url-replaces',
    want: ['CPP012@requirements.txt:4', 'CPP070@requirements.txt:4'],
  },
  {
    name: '--no-index: index URLs are ignored by pip, find-links still count',
    dir: 'no-index-find-links',
    want: ['CPP070@requirements.txt:3'],
  },
  {
    name: 'pdm.lock is read: no hash, git by revision and by branch, direct URL, path outside',
    dir: 'pdm-sources',
    want: [
      'CPP011@pdm.lock:24',
      'CPP014@pdm.lock:30',
      'CPP014@pdm.lock:38',
      'CPP015@pdm.lock:45',
      'CPP073@pdm.lock:52',
    ],
  },
  {
    name: 'a requirements file that pins nothing is one CPP010 with the count',
    dir: 'requirements-all-ranges',
    want: ['CPP010@requirements.txt:1'],
  },
  { name: 'pylock: project directory skipped, VCS reported', dir: 'pylock-vcs', want: ['CPP014@pylock.toml:8'] },
  {
    name: 'pylock: a wheel read from a path outside the repository (uv to_registry_wheel: the lock folder joined with path, beside a url too)',
    dir: 'pylock-local-files',
    want: [
      'CPP015@pylock.toml:26',
      'CPP073@pylock.toml:10',
      'CPP073@pylock.toml:20',
      'CPP073@pylock.toml:26',
      'CPP073@pylock.toml:4',
    ],
  },
  {
    name: 'pylock: a file without hashes beside hashed ones installs unchecked (uv to_resolution: the chosen file against its own hashes)',
    dir: 'pylock-file-hashes',
    want: ['CPP011@pylock.toml:5'],
  },
  {
    name: 'uv.lock: a wheel without a hash beside a hashed sdist installs unchecked (uv installable_node: HashedDist of the chosen file)',
    dir: 'uv-file-hashes',
    want: ['CPP011@uv.lock:5'],
  },
  {
    name: 'a decoy file name beside the URL cannot hide the file downloaded (uv.lock WheelWireSource: url before filename; pylock name)',
    dir: 'file-names-decoy',
    want: ['CPP082@pylock.toml:5', 'CPP082@uv.lock:5'],
  },
  {
    name: 'a version-control source cloned from a repository outside the tree (git+file://, uv.lock file git URL, pylock vcs path)',
    dir: 'vcs-local-repos',
    want: [
      'CPP014@pylock.toml:9',
      'CPP014@requirements.txt:2',
      'CPP073@pylock.toml:4',
      'CPP073@requirements.txt:1',
      'CPP073@uvproj/uv.lock:5',
    ],
  },
  {
    name: 'a policy that allows git sources still hears of a repository cloned from outside the tree',
    dir: 'vcs-local-repos',
    policy: {
      ...DEFAULT_POLICY,
      dependencies: { ...DEFAULT_POLICY.dependencies, sources: { ...DEFAULT_POLICY.dependencies.sources, git: 'off' } },
    },
    want: ['CPP073@pylock.toml:4', 'CPP073@requirements.txt:1', 'CPP073@uvproj/uv.lock:5'],
  },
  {
    name: 'uv.lock: a local flat index outside the repository (source = { registry = "<path>" }, RegistrySource::Path)',
    dir: 'uv-local-registry',
    want: ['CPP073@uv.lock:4'],
  },
  {
    // The file names come from [metadata.files]: six is locked as an sdist only, pytest has its wheel.
    name: 'poetry lock-version 1.1 with [metadata.files] hashes: only the sdist-only package is reported',
    dir: 'poetry-v1-clean',
    want: ['CPP074@poetry.lock:1'],
  },
  {
    // uv `Package::to_dist`, Poetry's Chooser, PDM and pip take a compatible wheel, else build the sdist.
    name: 'sdist without a wheel builds on install in uv, poetry, pylock and pdm; a wheel, git or no files do not',
    dir: 'sdist-builds',
    want: [
      'CPP011@pdm/pdm.lock:17',
      'CPP014@uv/uv.lock:25',
      'CPP074@pdm/pdm.lock:9',
      'CPP074@poetry/poetry.lock:1',
      'CPP074@pylock/pylock.toml:4',
      'CPP074@uv/uv.lock:10',
      'CPP074@uv/uv.lock:30',
    ],
  },
  {
    // uv `Package::to_dist`: the best wheel for the running platform, else the sdist. Markers on the edges into a
    // package (and the lock's supported-markers) say where it is installed at all; a pure wheel fits everywhere; a
    // package without an sdist fails where no wheel fits, running nothing.
    name: 'wheels for some platforms only: the sdist builds on the others where the package is installed',
    dir: 'partial-wheels',
    want: ['CPP074@uv-environments/uv.lock:26', 'CPP074@uv/uv.lock:17'],
  },
  {
    // Index settings outside a lockfile: pip.conf (configparser, continuation lines, trusted_host spelt with _),
    // uv.toml ([[index]], allow-insecure-host), a pyproject.toml [tool.uv] with no lockfile beside it. The
    // pyproject.toml beside locked/uv.lock is covered by the lock's own CPP070; download.pytorch.org is allowed.
    name: 'pip.conf, uv.toml and a lockfile-less pyproject.toml choose indexes too',
    dir: 'index-config',
    want: [
      // pip asks both extra indexes beside index-url for every name; the uv `extra-index-url` is first-index.
      'CPP012@pip.conf:4',
      'CPP012@pip.conf:5',
      'CPP013@pip.conf:5',
      'CPP070@locked/uv.lock:5',
      'CPP070@pip.conf:2',
      'CPP070@pip.conf:5',
      'CPP070@sub/pyproject.toml:7',
      'CPP070@sub/pyproject.toml:8',
      'CPP070@uv.toml:3',
      'CPP071@pip.conf:6',
      'CPP071@uv.toml:1',
    ],
  },
  {
    // canonicalize_name on both sides: `Allowed_Build` is the project `allowed-build`, as uv's PackageName reads it.
    name: 'dependencies.allowInstallScripts allows a build by the project name however either side spells it',
    dir: 'sdist-builds',
    policy: {
      ...DEFAULT_POLICY,
      dependencies: {
        ...DEFAULT_POLICY.dependencies,
        allowInstallScripts: ['builds-here', 'Allowed_Build', 'chess-*'],
      },
    },
    want: ['CPP011@pdm/pdm.lock:17', 'CPP014@uv/uv.lock:25', 'CPP074@pdm/pdm.lock:9', 'CPP074@poetry/poetry.lock:1'],
  },
  {
    // pip: a URL's #sha256= is a hash (InstallRequirement.hashes); an editable, a VCS checkout and a directory
    // cannot be hashed and stop the install in hash mode whatever their --hash; a local wheel with --hash is fine.
    name: 'hash mode: URL fragment hashes count; editable, VCS and directory requirements are refused',
    dir: 'hash-mode-unhashable',
    want: [
      'CPP011@requirements.txt:3',
      'CPP011@requirements.txt:4',
      'CPP011@requirements.txt:6',
      'CPP014@requirements.txt:4',
      'CPP015@requirements.txt:2',
      'CPP015@requirements.txt:6',
      'CPP016@requirements.txt:3',
      'CPP016@requirements.txt:5',
    ],
  },
  {
    name: '--require-hashes over a file without any hash: one CPP011 with the count, not one per line',
    dir: 'require-hashes-none',
    want: ['CPP011@requirements.txt:2'],
  },
  {
    name: 'policy requireHashes: a file without any hash is one finding with the count',
    dir: 'unpinned',
    policy: policyWith({ requireHashes: true }),
    want: [
      'CPP010@requirements.txt:2',
      'CPP010@requirements.txt:3',
      'CPP010@requirements.txt:5',
      'CPP011@requirements.txt:2',
    ],
  },
];

describe('offline Python rules over case fixtures', () => {
  it.each(cases)('$name ($dir)', async (c) => {
    const r = await scanPython(path.join(CASES, c.dir), {
      ...(c.policy ? { policy: c.policy } : {}),
      ...(c.registry ? { registry: c.registry } : {}),
    });
    expect(ids(r)).toEqual(c.want);
  });

  it('CPP082 behind a decoy names both the downloaded file and the declared name', async () => {
    const r = await scanPython(path.join(CASES, 'file-names-decoy'));
    const f = r.findings.find((x) => x.ruleId === 'CPP082' && x.location.path === 'uv.lock');
    expect(f?.evidence).toMatchObject({
      file: 'evil_pkg-6.6-py3-none-any.whl',
      declaredName: 'requests-2.31.0-py3-none-any.whl',
    });
    expect(f?.message).toContain('behind the declared name requests-2.31.0-py3-none-any.whl');
  });

  it('hash mode: what pip cannot hash is told apart from a missing --hash (evidence hashMode)', async () => {
    const r = await scanPython(path.join(CASES, 'hash-mode-unhashable'));
    const unsupported = r.findings
      .filter((f) => f.ruleId === 'CPP011' && f.evidence?.['hashMode'] === 'unsupported')
      .map((f) => f.location.line);
    expect(unsupported).toEqual([3, 4]);
  });

  it.each([
    ['pipfile-two-sources', { count: 1, packages: 'acme-internal' }],
    ['pipfile-search-all-sources', { count: 2 }],
  ])('%s: CPP070 counts the packages pipenv installs from the source (batch_install)', async (dir, want) => {
    const r = await scanPython(path.join(CASES, dir));
    const f = r.findings.find((x) => x.ruleId === 'CPP070');
    expect({ count: f?.evidence?.['count'], packages: f?.evidence?.['packages'] }).toEqual({
      packages: undefined,
      ...want,
    });
  });

  // pip's resolver looks up every dependency of a git or URL requirement on each index its finder has.
  it('an extra index beside only git and URL requirements still serves their dependencies: no "0 packages"', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-py-extra-'));
    await writeFile(
      path.join(dir, 'requirements.txt'),
      '--extra-index-url https://pypi.corp.example/simple\n' +
        'lib @ git+https://github.com/o/lib@0123456789abcdef0123456789abcdef01234567\n',
    );
    const r = await scanPython(dir);
    expect(ids(r)).toEqual(['CPP012@requirements.txt:1', 'CPP014@requirements.txt:2', 'CPP070@requirements.txt:1']);
    for (const f of r.findings) expect(f.message).not.toMatch(/\b0 (index requirements|packages)\b/);
    expect(r.findings.map((f) => f.message).join('\n')).toMatch(/every dependency resolved for the requirements/);
  });

  // Each tool takes credentials from its own place: advice to write `${PIP_TOKEN}` into a uv.lock or pip.conf would
  // leave the literal text there (neither expands it).
  it.each([
    {
      file: 'uv.lock',
      text: 'version = 1\n\n[[package]]\nname = "six"\nversion = "1.16.0"\nsource = { registry = "https://u:MadeUpUvPass@pypi.corp.example/simple" }\n',
      want: /UV_INDEX_<NAME>_PASSWORD/,
    },
    {
      file: 'pip.conf',
      text: '[global]\nindex-url = https://u:MadeUpConfPass@pypi.corp.example/simple\n',
      want: /pip expands no variable in its configuration files/,
    },
    {
      file: 'requirements.txt',
      text: '--index-url https://u:MadeUpReqPass@pypi.corp.example/simple\nsix==1.16.0\n',
      want: /variables pip expands/,
    },
  ])('CPP093 in $file says where that tool reads credentials from', async ({ file, text, want }) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-py-creds-'));
    await writeFile(path.join(dir, file), text);
    const found = (await scanPython(dir)).findings.find((f) => f.ruleId === 'CPP093');
    expect(found?.message).toMatch(want);
    expect(found?.message).not.toMatch(/MadeUp/);
  });

  it('a written token beside a variable host is never printed (messages and evidence)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-py-env-'));
    await writeFile(
      path.join(dir, 'requirements.txt'),
      '--extra-index-url https://user:s3cret@${HOST}/simple\npkg @ https://tok3n@${PKG_HOST}/p-1.0-py3-none-any.whl\n',
    );
    const r = await scanPython(dir);
    expect(ids(r)).toEqual([
      'CPP012@requirements.txt:1',
      'CPP015@requirements.txt:2',
      'CPP079@requirements.txt:1',
      'CPP079@requirements.txt:2',
      // The host is a variable, the password and the token are written out: a secret in the repository either way.
      'CPP093@requirements.txt:1',
    ]);
    expect(r.findings.find((f) => f.ruleId === 'CPP093')?.evidence).toMatchObject({ count: 2, lines: '1 2' });
    expect(JSON.stringify(r.findings)).not.toMatch(/s3cret|tok3n/);
  });

  it.each([
    {
      name: 'a password, a VCS token and a Gemfury path token are one CPP093 with their lines',
      text:
        '--index-url https://ci:MadeUpPass1@pypi.corp.example/simple\n' +
        'lib @ git+https://MadeUpGhToken2@github.com/o/lib@0123456789abcdef0123456789abcdef01234567\n' +
        '--extra-index-url https://pypi.fury.io/MadeUpFury3/acme/\nrequests==2.31.0\n',
      want: { count: 3, lines: '1 2 3' },
    },
    {
      name: 'variables, a bare git user, a public Gemfury index and a user name with no password are none',
      text:
        '--index-url https://${PIP_USER}:${PIP_TOKEN}@pypi.corp.example/simple\n' +
        'lib @ git+https://git@github.com/o/lib@0123456789abcdef0123456789abcdef01234567\n' +
        '--extra-index-url https://pypi.fury.io/acme/\nrequests==2.31.0\n',
      want: undefined,
    },
    {
      // pip sends an index URL's query with every request (SearchScope `get_index_urls_locations` joins onto it).
      name: 'a token in an index or link URL query is CPP093 as one in its user info is; a plain query is none',
      text:
        '--index-url https://pypi.corp.example/simple?private_token=MadeUpQuery1\n' +
        '--extra-index-url https://pypi.plain.example/simple?v=2\n' +
        '--find-links https://dl.corp.example/wheels/?X-Amz-Credential=MadeUpQuery2\n' +
        '--extra-index-url https://pypi.env.example/simple?token=${PIP_TOKEN}\nrequests==2.31.0\n',
      want: { count: 2, lines: '1 3' },
    },
  ])('CPP093: $name', async ({ text, want }) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-py-cred-'));
    await writeFile(path.join(dir, 'requirements.txt'), text);
    const r = await scanPython(dir);
    const hits = r.findings.filter((f) => f.ruleId === 'CPP093');
    expect(hits.map((f) => f.evidence && { count: f.evidence['count'], lines: f.evidence['lines'] })).toEqual(
      want === undefined ? [] : [want],
    );
    expect(JSON.stringify(r.findings)).not.toMatch(/MadeUp/);
  });

  it('CPP093: credentials in pip.conf, uv and Poetry index URLs and a Dockerfile, not the variables it expands', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-py-cfg-cred-'));
    await mkdir(path.join(dir, 'uv'));
    await mkdir(path.join(dir, 'poetry'));
    await writeFile(
      path.join(dir, 'pip.conf'),
      '[global]\nindex-url = https://pypi.corp.example/simple?private_token=MadeUpCfg1\n' +
        'extra-index-url = https://pypi.plain.example/simple\n    https://ci:MadeUpCfg2@pypi.corp.example/extra\n',
    );
    await writeFile(
      path.join(dir, 'uv', 'pyproject.toml'),
      '[project]\nname = "a"\nversion = "1"\ndependencies = ["requests"]\n\n' +
        '[[tool.uv.index]]\nname = "corp"\nurl = "https://ci:MadeUpCfg3@pypi.corp.example/simple"\n',
    );
    await writeFile(
      path.join(dir, 'poetry', 'pyproject.toml'),
      '[tool.poetry]\nname = "b"\nversion = "1"\n\n[[tool.poetry.source]]\nname = "corp"\n' +
        'url = "https://pypi.corp.example/simple?token=MadeUpCfg4"\n',
    );
    await writeFile(
      path.join(dir, 'Dockerfile'),
      'FROM python:3.12\nENV PIP_INDEX_URL=https://ci:$PIP_TOKEN@pypi.corp.example/simple\n' +
        'RUN pip install --extra-index-url https://pypi.corp.example/simple?token=${TOKEN} x\n' +
        'RUN pip install --extra-index-url https://ci:MadeUpCfg5@pypi.corp.example/simple y\n',
    );
    const r = await scanPython(dir);
    const hits = r.findings.filter((f) => f.ruleId === 'CPP093');
    expect(hits.map((f) => [f.location.path, f.evidence?.['lines']])).toEqual([
      ['Dockerfile', '4'],
      ['pip.conf', '2 4'],
      ['poetry/pyproject.toml', '5'],
      ['uv/pyproject.toml', '6'],
    ]);
    expect(JSON.stringify(r.findings)).not.toMatch(/MadeUp/);
  });

  // uv takes an index's password from UV_INDEX_<NAME>_PASSWORD (uv-static EnvVars::index_password), Poetry from
  // POETRY_HTTP_BASIC_<SOURCE>_PASSWORD: a value written there in a workflow or Dockerfile is the secret itself.
  it('CPP093: a uv / Poetry index password variable set to a written value, not one a secret fills in', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-py-env-cred-'));
    await mkdir(path.join(dir, '.github', 'workflows'), { recursive: true });
    await writeFile(
      path.join(dir, '.github', 'workflows', 'ci.yml'),
      'on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    env:\n      UV_INDEX_CORP_USERNAME: deploy\n' +
        '      UV_INDEX_CORP_PASSWORD: MadeUpEnv1\n      POETRY_HTTP_BASIC_CORP_PASSWORD: ${{ secrets.CORP }}\n' +
        '    steps:\n      - run: uv sync --locked\n',
    );
    await writeFile(
      path.join(dir, 'Dockerfile'),
      'FROM python:3.12\nARG UV_INDEX_CORP_PASSWORD\nENV POETRY_HTTP_BASIC_CORP_PASSWORD=${TOKEN}\n' +
        'ENV POETRY_PYPI_TOKEN_PYPI MadeUpEnv2\nRUN export UV_INDEX_X_PASSWORD="MadeUpEnv3" && uv sync\n',
    );
    const r = await scanPython(dir);
    const hits = r.findings.filter((f) => f.ruleId === 'CPP093');
    expect(hits.map((f) => [f.location.path, f.evidence?.['lines']])).toEqual([
      ['.github/workflows/ci.yml', '7'],
      ['Dockerfile', '4 5'],
    ]);
    expect(hits[0]!.message).toMatch(/CI's secrets/);
    expect(hits[1]!.message).toMatch(/type=secret/);
    expect(JSON.stringify(r.findings)).not.toMatch(/MadeUp/);
  });

  it('one CPP079 per variable and file, with the count and the lines', async () => {
    const r = await scanPython(path.join(CASES, 'pip-env-variables'));
    const got = r.findings
      .filter((f) => f.ruleId === 'CPP079')
      .map((f) => [f.evidence?.['variable'], f.evidence?.['what'], f.evidence?.['count'], f.evidence?.['lines']]);
    expect(got).toEqual([
      ['EXTRA_HOST', 'index', 1, '2'],
      ['DAGSTER_VERSION', 'requirement', 2, '5 6'],
      ['PKG_HOST', 'requirement', 1, '7'],
      ['EXTRA_LINE', 'line', 1, '8'],
      ['REQ_DIR', 'include', 1, '9'],
      ['TLS_HOST', 'option', 1, '11'],
    ]);
  });

  it('include chains and fan-out are bounded (depth 16, 64 files) and each bound is a CPP003', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-py-inc-'));
    // requirements.txt → r1.txt → … → r20.txt (a chain), and wide.txt includes 70 files.
    await writeFile(path.join(dir, 'requirements.txt'), '-r r1.txt\n');
    for (let i = 1; i <= 20; i++) await writeFile(path.join(dir, `r${i}.txt`), `-r r${i + 1}.txt\npkg${i}==1.0\n`);
    await writeFile(path.join(dir, 'r21.txt'), 'deep==1.0\n');
    await mkdir(path.join(dir, 'wide'));
    const wide = Array.from({ length: 70 }, (_, i) => `-r w${i}.txt`).join('\n');
    await writeFile(path.join(dir, 'wide', 'requirements.txt'), `${wide}\n`);
    for (let i = 0; i < 70; i++) await writeFile(path.join(dir, 'wide', `w${i}.txt`), `w${i}==1.0\n`);
    const r = await scanPython(dir);
    expect(ids(r).filter((i) => i.startsWith('CPP003'))).toEqual([
      'CPP003@r16.txt:1',
      'CPP003@wide/requirements.txt:64',
      'CPP003@wide/requirements.txt:65',
      'CPP003@wide/requirements.txt:66',
      'CPP003@wide/requirements.txt:67',
      'CPP003@wide/requirements.txt:68',
      'CPP003@wide/requirements.txt:69',
      'CPP003@wide/requirements.txt:70',
    ]);
    expect(r.graphs.find((g) => g.lockfile === 'requirements.txt')?.packages).toHaveLength(16);
  });

  it('hostile TOML is bounded: deep nesting and a huge string are CPP001, not a crash', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-py-'));
    await writeFile(path.join(dir, 'uv.lock'), `version = 1\nx = ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
    await writeFile(path.join(dir, 'pylock.toml'), `lock-version = "1.0"\nx = "${'a'.repeat(2 * 1024 * 1024)}"\n`);
    const r = await scanPython(dir);
    expect(ids(r)).toEqual(['CPP001@pylock.toml:2', 'CPP001@uv.lock:2']);
  });

  // Comfy-Org/comfy-cli's main moved pyproject.toml ahead of its exported pylock.toml: gitpython>=3.1.50 (3.1.45
  // locked), posthog, uv>=0.11.15 (0.8.5 locked) and imageio-ffmpeg are not in it — true positives.
  it.each([
    // nanochat locks torch from download.pytorch.org (cpu and cu128), which the default policy's Python indexes
    // allow (the project-run index of PyTorch); its files come from download-r2.pytorch.org, the same site.
    ['karpathy-nanochat', 'uv.lock', []],
    ['google-deepmind-alphafold3', 'uv.lock', []],
    // Packages that publish no wheel are built from their sdist on install (CPP074): true, one per package.
    // openai-harmony 0.0.8 has wheels for every platform but macOS x86_64, where uv builds its sdist (maturin);
    // sspilib and pywin32 have Windows wheels only and are locked for sys_platform == 'win32' only: not reported.
    [
      'zylon-ai-private-gpt',
      'uv.lock',
      [
        'CPP074@uv.lock:1238',
        'CPP074@uv.lock:1710',
        'CPP074@uv.lock:2646',
        'CPP074@uv.lock:3070',
        'CPP074@uv.lock:963',
        'CPP074@uv.lock:969',
      ],
    ],
    // subprocess32 3.5.4 (line 2171, required by cpflows) has only cp27 wheels: Python 3 builds its sdist.
    [
      'sktime-pytorch-forecasting',
      'poetry.lock',
      [
        'CPP074@poetry.lock:1632',
        'CPP074@poetry.lock:2171',
        'CPP074@poetry.lock:2218',
        'CPP074@poetry.lock:384',
        'CPP074@poetry.lock:600',
      ],
    ],
    [
      'zylon-ai-private-gpt-5851b02',
      'poetry.lock',
      ['CPP074@poetry.lock:1250', 'CPP074@poetry.lock:1260', 'CPP074@poetry.lock:2616', 'CPP074@poetry.lock:4940'],
    ],
    ['qdrant-fastembed', 'poetry.lock', []],
    [
      'Comfy-Org-comfy-cli',
      'pylock.toml',
      ['CPP020@pyproject.toml:36', 'CPP020@pyproject.toml:45', 'CPP020@pyproject.toml:59', 'CPP020@pyproject.toml:65'],
    ],
    ['CSSLab-maia3', 'pylock.toml', ['CPP074@pylock.toml:21']],
  ])('real %s %s with its pyproject.toml: only true findings', async (prefix, name, want) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-py-real-'));
    await copyFile(corpusPath('python', 'lockfiles', `${prefix}.${name}`), path.join(dir, name));
    await copyFile(corpusPath('python', 'lockfiles', `${prefix}.pyproject.toml`), path.join(dir, 'pyproject.toml'));
    const r = await scanPython(dir);
    expect(ids(r)).toEqual(want);
  });

  it('partial wheels: the evidence names the platforms that build', async () => {
    const r = await scanPython(path.join(CASES, 'partial-wheels'));
    expect(r.findings.map((f) => [f.location.path, f.evidence?.['buildsOn']]).sort()).toEqual([
      ['uv-environments/uv.lock', 'linux-x86_64'],
      ['uv/uv.lock', 'linux-x86_64 linux-aarch64 macos-x86_64 windows-x86_64'],
    ]);
  });

  it('download.pytorch.org is allowed through dependencies.python.indexes, so a policy can take it back', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-py-torch-'));
    await copyFile(corpusPath('python', 'lockfiles', 'karpathy-nanochat.uv.lock'), path.join(dir, 'uv.lock'));
    expect(DEFAULT_POLICY.dependencies.python?.indexes).toContain('https://download.pytorch.org/whl/');
    const r = await scanPython(dir, { policy: policyWith({ indexes: [] }) });
    expect(ids(r)).toEqual(['CPP070@uv.lock:2189']);
    expect(r.findings[0]!.evidence).toMatchObject({ host: 'download.pytorch.org', count: 3 });
  });

  it('the CI environment (PIP_INDEX_URL, UV_INDEX) allows an index; the tree never does', async () => {
    const r = await scanWith(path.join(CASES, 'requirements-own-index'), [pythonDepsStage], {
      options: {
        env: {
          PIP_INDEX_URL: 'https://user:secret@pypi.attacker.example/simple',
          UV_INDEX: 'wheels=https://wheels.attacker.example/',
        },
      },
    });
    expect(ids(r)).toEqual(['CPP071@requirements.txt:3']);
  });

  it.each([
    ['vcs-branch-vs-commit', 'uv.lock', { 4: true, 9: false }],
    ['poetry-git-legacy', 'poetry.lock', { 2: true }],
    ['pipfile-verify-ssl-off', 'Pipfile.lock', { 11: true, 15: false }],
    ['pdm-sources', 'pdm.lock', { 30: true, 38: false }],
  ])('%s: a VCS source is pinned only by the full commit the tool checks out', async (dir, _file, want) => {
    const r = await scanPython(path.join(CASES, dir));
    const got = Object.fromEntries(
      r.findings.filter((f) => f.ruleId === 'CPP014').map((f) => [f.location.line, f.evidence?.['pinnedToCommit']]),
    );
    expect(got).toEqual(want);
  });

  it('a pypi graph per file, with distributions for the registry stage and CycloneDX', async () => {
    const r = await scanPython(path.join(CASES, 'malicious-uv'));
    expect(r.graphs.map((g) => [g.lockfile, g.kind, g.ecosystem, g.packages.length])).toEqual([
      ['uv.lock', 'uv', 'pypi', 2],
    ]);
    expect(r.graphs[0]!.packages[0]!.distributions?.[0]?.filename).toBe('evil_pkg-1.0.1rc1.tar.gz');
  });
});

describe('plain http to this machine (pip: loopback is a secure origin)', () => {
  it('an http index, find-links or URL on localhost / 127.0.0.0/8 / ::1 is no CPP013; a look-alike host still is', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'cp-loopback-'));
    await writeFile(
      path.join(root, 'requirements.txt'),
      [
        '--index-url http://127.0.0.1:8080/simple/',
        '--find-links http://localhost/wheels/',
        'pkg-a @ http://[::1]:9000/pkg_a-1.0-py3-none-any.whl',
        'pkg-b @ git+http://127.8.9.10/repo.git@0123456789abcdef0123456789abcdef01234567',
        'pkg-c @ http://127.0.0.1.evil.example/pkg_c-1.0-py3-none-any.whl',
        'pkg-d @ http://10.0.0.1/pkg_d-1.0-py3-none-any.whl',
        'pkg-e==1.0',
        '',
      ].join('\n'),
    );
    const r = await scanPython(root, {
      policy: policyWith({ indexes: ['http://127.0.0.1:8080/simple/', 'http://localhost/wheels/'] }),
    });
    expect(ids(r).filter((id) => id.startsWith('CPP013'))).toEqual([
      'CPP013@requirements.txt:5',
      'CPP013@requirements.txt:6',
    ]);
  });
});
