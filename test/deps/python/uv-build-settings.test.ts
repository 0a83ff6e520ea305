import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../../src/core/result.js';
import { pythonDepsStage } from '../../../src/deps/parsers/python/stage.js';
import { scanWith } from '../../helpers/scan.js';
import { tempTrees } from '../../helpers/temp-tree.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';

const tree = tempTrees('cp-uv-builds-');
const builds = (r: ScanResult) =>
  r.findings
    .filter((f) => f.ruleId === 'CPP074')
    .map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}`)
    .sort();

// Builds-Here (line 10) has only an sdist, has-wheel (line 16) a wheel and an sdist, allowed-build (line 30) an sdist.
const UV_LOCK = readFileSync(
  path.resolve(import.meta.dirname, '../../../fixtures/python/cases/sdist-builds/uv/uv.lock'),
  'utf8',
);
const project = (...uv: string[]) =>
  ['[project]', 'name = "app"', 'version = "0.1.0"', 'dependencies = []', '', '[tool.uv]', ...uv, ''].join('\n');

/**
 * uv-resolver `Package::to_dist`: `uv sync` installs a locked wheel unless `no-binary` names the package (or all),
 * and builds its sdist only unless `no-build` does; `[tool.uv]` sets both for every sync of the project.
 */
describe("uv.lock's source builds under the project's [tool.uv] build settings", () => {
  it('no-binary: a package with wheels is built from its sdist all the same', async () => {
    const one = tree({ 'uv.lock': UV_LOCK, 'pyproject.toml': project('no-binary-package = ["Has_Wheel"]') });
    const all = tree({ 'uv.lock': UV_LOCK, 'pyproject.toml': project('no-binary = true') });
    const expected = ['CPP074@uv.lock:10', 'CPP074@uv.lock:16', 'CPP074@uv.lock:30'].sort();
    expect(builds(await scanWith(one, [pythonDepsStage]))).toEqual(expected);
    expect(builds(await scanWith(all, [pythonDepsStage]))).toEqual(expected);
  });

  it('no-build: no package is built (the install fails instead)', async () => {
    const one = tree({ 'uv.lock': UV_LOCK, 'pyproject.toml': project('no-build-package = ["builds-here"]') });
    const all = tree({ 'uv.lock': UV_LOCK, 'pyproject.toml': project('no-build = true') });
    expect(builds(await scanWith(one, [pythonDepsStage]))).toEqual(['CPP074@uv.lock:30']);
    expect(builds(await scanWith(all, [pythonDepsStage]))).toEqual([]);
  });

  it('a uv.toml beside pyproject.toml is read instead of [tool.uv], its build settings too', async () => {
    const noBinary = tree({ 'uv.lock': UV_LOCK, 'pyproject.toml': project(), 'uv.toml': 'no-binary = true\n' });
    const noBuild = tree({
      'uv.lock': UV_LOCK,
      'pyproject.toml': project('no-binary = true'),
      'uv.toml': 'no-build = true\n',
    });
    const plain = tree({
      'uv.lock': UV_LOCK,
      'pyproject.toml': project('no-binary-package = ["has-wheel"]'),
      'uv.toml': 'index-strategy = "first-index"\n',
    });
    const all = await scanWith(noBinary, [pythonDepsStage]);
    expect(builds(all)).toEqual(['CPP074@uv.lock:10', 'CPP074@uv.lock:16', 'CPP074@uv.lock:30'].sort());
    expect(all.findings.find((f) => f.location.line === 16)?.evidence?.['noBinary']).toBe('uv.toml');
    expect(builds(await scanWith(noBuild, [pythonDepsStage]))).toEqual([]);
    expect(builds(await scanWith(plain, [pythonDepsStage]))).toEqual(['CPP074@uv.lock:10', 'CPP074@uv.lock:30']);
  });
});

const causes = (r: ScanResult) =>
  r.findings
    .filter((f) => f.ruleId === 'CPP074' && f.artifact?.kind === 'file')
    .map(
      (f) =>
        `${f.location.path}:${f.location.line ?? 0} ${String(f.evidence?.['setting'])} ${String(f.evidence?.['names'])}`,
    )
    .sort();

/**
 * uv-cli `BuildOptionsArgs`, flattened into `uv sync`, `uv run`, `uv add`, `uv tool install`, `uvx`…: `--no-binary`
 * (`UV_NO_BINARY`, clap's BoolishValueParser) and `--no-binary-package` (`UV_NO_BINARY_PACKAGE`, names a space
 * apart) make uv build those packages from their sdists whatever wheels uv.lock locks; `--no-build` /
 * `--no-build-package` (`UV_NO_BUILD*`) refuse the build. A variable counts only where the command line does not
 * give its option (clap `env`). uv's own `sync` tests: `UV_NO_BINARY=1` and `UV_NO_BINARY_PACKAGE=iniconfig` rebuild
 * iniconfig from source.
 */
describe("an install file's uv build options and UV_* variables", () => {
  it('UV_NO_BINARY / --no-binary / --no-binary-package make uv sync build from source: one finding per cause', async () => {
    const dir = tree({
      'uv.lock': UV_LOCK,
      'pyproject.toml': project(),
      Dockerfile: [
        'FROM python:3.12',
        'ENV UV_NO_BINARY=1',
        'RUN uv sync --locked && uv run --frozen python -m app',
        '',
      ].join('\n'),
      'docker/Dockerfile':
        'FROM python:3.12\nRUN uv sync --locked --no-binary-package Has_Wheel --no-binary-package six\n',
      '.github/workflows/ci.yml': [
        'jobs:',
        '  test:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: uv sync --no-binary --frozen',
        '',
      ].join('\n'),
      'build.sh': 'UV_NO_BINARY_PACKAGE="numpy six" uvx ruff check\n',
    });
    expect(causes(await scanWith(dir, [pythonDepsStage]))).toEqual([
      '.github/workflows/ci.yml:5 --no-binary :all:',
      'Dockerfile:2 UV_NO_BINARY :all:',
      'build.sh:1 UV_NO_BINARY_PACKAGE numpy six',
      'docker/Dockerfile:2 --no-binary-package has-wheel six',
    ]);
  });

  // What "every package" is: the packages the project's uv.lock locks an sdist of (builds-here, has-wheel and
  // allowed-build; from-git is a checkout), not for `uvx`, which installs no project.
  it('names the packages of the uv.lock the project command installs that --no-binary builds', async () => {
    const dir = tree({
      'uv.lock': UV_LOCK,
      'pyproject.toml': project(),
      'app/build.sh': 'uv sync --no-binary\nuvx --no-binary ruff\n',
    });
    const found = (await scanWith(dir, [pythonDepsStage])).findings.filter((f) => f.ruleId === 'CPP074');
    const sync = found.find((f) => f.location.line === 1);
    expect(sync?.evidence).toMatchObject({ lockfile: 'uv.lock', built: 3 });
    expect(sync?.message).toContain('the 3 that uv.lock locks with a source distribution: allowed-build, builds-here');
    expect(found.find((f) => f.location.line === 2)?.evidence?.['lockfile']).toBeUndefined();
  });

  it('builds nothing under --no-build / UV_NO_BUILD, a false UV_NO_BINARY, --binary after it, or for uv pip install', async () => {
    const dir = tree({
      Dockerfile: ['FROM python:3.12', 'ENV UV_NO_BINARY=1 UV_NO_BUILD=true', 'RUN uv sync --locked', ''].join('\n'),
      'a.sh': 'UV_NO_BINARY=0 uv sync\nuv sync --no-binary --no-build\nuv sync --no-binary --binary\n',
      'b.sh': 'export UV_NO_BINARY=1\nuv pip install -r requirements.txt\n',
      'c.sh': 'uv run --with x python -m pip install --no-binary :all: y\n',
      'd.sh':
        'UV_NO_BINARY_PACKAGE=six UV_NO_BUILD_PACKAGE=six uv sync\nuv sync --no-binary-package numpy --no-build-package numpy\n',
      'requirements.txt': 'six==1.16.0\n',
    });
    expect(causes(await scanWith(dir, [pythonDepsStage]))).toEqual([]);
  });

  it('in doubt the build is assumed: a file that sets UV_NO_BUILD both ways does not stop it', async () => {
    const dir = tree({
      'ci.sh': 'export UV_NO_BINARY=yes\nUV_NO_BUILD=1 uv tool install ruff\nexport UV_NO_BUILD=0\nuv sync\n',
    });
    expect(causes(await scanWith(dir, [pythonDepsStage]))).toEqual(['ci.sh:1 UV_NO_BINARY :all:']);
  });

  it('names the policy does not allow to build, only', async () => {
    const dir = tree({ 'run.sh': 'uv sync --no-binary-package=builds-here\n' });
    const policy = {
      ...DEFAULT_POLICY,
      dependencies: { ...DEFAULT_POLICY.dependencies, allowInstallScripts: ['builds-here'] },
    };
    expect(causes(await scanWith(dir, [pythonDepsStage], { policy }))).toEqual([]);
    expect(causes(await scanWith(dir, [pythonDepsStage]))).toEqual(['run.sh:1 --no-binary-package builds-here']);
  });
});

/**
 * uv's `main` reads the settings file uv-settings `FilesystemOptions::find` finds from the project's folder up (the
 * first uv.toml, else the first pyproject.toml with a `[tool.uv]` table) for `uv sync` / `run` / `add` / `remove`,
 * never for `uv tool` / `uvx`; `ResolverInstallerOptions::combine` takes its `no-build` where neither the command
 * line nor the environment gives one, and joins its `no-build-package` names to theirs.
 */
describe("an install file's uv builds under the settings file uv finds from its folder", () => {
  it("no-build / no-build-package in the project's [tool.uv] or uv.toml stop the build", async () => {
    const noBuild = tree({
      'pyproject.toml': project('no-build = true'),
      Dockerfile: 'FROM python:3.12\nENV UV_NO_BINARY=1\nRUN uv sync --locked\n',
      '.github/workflows/ci.yml': 'jobs:\n  t:\n    steps:\n      - run: uv run --no-binary pytest\n',
      // The pyproject.toml of app/ has no [tool.uv]: uv looks further up.
      'app/pyproject.toml': '[project]\nname = "app"\n',
      'app/build.sh': 'uv sync --no-binary\n',
    });
    expect(causes(await scanWith(noBuild, [pythonDepsStage]))).toEqual([]);
    const names = tree({
      'pyproject.toml': project('no-build = true'),
      // Read instead of [tool.uv].
      'uv.toml': 'no-build-package = ["Six"]\n',
      'run.sh': 'uv sync --no-binary-package six --no-binary-package numpy\n',
    });
    expect(causes(await scanWith(names, [pythonDepsStage]))).toEqual(['run.sh:1 --no-binary-package numpy']);
  });

  it('builds where the command does not read that file or overrides it', async () => {
    const dir = tree({
      'pyproject.toml': project('no-build = true'),
      'a.sh': 'uv sync --build --no-binary-package a\n',
      'b.sh': 'uvx --no-binary-package b ruff\nuv tool install --no-binary-package b2 ruff\n',
      'c.sh': 'uv --no-config sync --no-binary-package c\nuv sync --no-binary-package c2 --project sub\n',
      'd.sh': 'cd sub\nuv sync --no-binary-package d\n',
      'e.sh': 'export UV_CONFIG_FILE=ci/uv.toml\nuv sync --no-binary-package e\n',
      'sub/uv.toml': 'index-strategy = "first-index"\n',
      'sub/f.sh': 'uv sync --no-binary-package f\n',
    });
    expect(causes(await scanWith(dir, [pythonDepsStage]))).toEqual([
      'a.sh:1 --no-binary-package a',
      'b.sh:1 --no-binary-package b',
      'b.sh:2 --no-binary-package b2',
      'c.sh:1 --no-binary-package c',
      'c.sh:2 --no-binary-package c2',
      'd.sh:2 --no-binary-package d',
      'e.sh:2 --no-binary-package e',
      'sub/f.sh:1 --no-binary-package f',
    ]);
  });
});
