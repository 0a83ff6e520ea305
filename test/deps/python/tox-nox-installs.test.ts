import { describe, expect, it } from 'vitest';
import { asInstallCommands } from '../../../src/deps/parsers/python/tox-nox-installs.js';
import { pythonDepsStage } from '../../../src/deps/parsers/python/stage.js';
import type { ScanResult } from '../../../src/core/result.js';
import { scanWith } from '../../helpers/scan.js';
import { tempTrees } from '../../helpers/temp-tree.js';

const tree = tempTrees('cp-tox-nox-');
const ids = (r: ScanResult) =>
  r.findings
    .filter((f) => f.ruleId !== 'CPP050')
    .map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}`)
    .sort();

/**
 * tox hands `deps` to pip as a requirements file rooted at tox.ini (tox's `PythonDeps`), `constraints` as `-c` lines
 * (`PythonConstraints`); nox's `Session.install(*args)` runs `pip install *args`. The files they name and the
 * indexes they set are pip's input as much as a Dockerfile's `pip install -r` is.
 */
describe('tox.ini', () => {
  it('its deps includes, constraints, setenv and install_command are read; a requirement line is not', async () => {
    const dir = tree({
      'tox.ini': [
        '[tox]', // 1
        'envlist = py312', // 2
        '', // 3
        '[testenv]', // 4
        'deps =', // 5
        '    -r{toxinidir}/ci/pins.lst', // 6
        '    py312: -cci/limits.lst  # factor-guarded', // 7
        '    evil>=1', // 8
        '    -r {env:REQS}', // 9
        'constraints = ci/more.lst', // 10
        'setenv =', // 11
        '    PIP_EXTRA_INDEX_URL = https://tox-env.example/simple', // 12
        'install_command = python -m pip install --trusted-host tls-off.example {opts} {packages}', // 13
        'commands = pytest {posargs}', // 14
      ].join('\n'),
      'ci/pins.lst': '--extra-index-url https://pins.example/simple\nx==1\n',
      'ci/limits.lst': 'torch>=2\n',
      'ci/more.lst': '-r nested.lst\n',
      'ci/nested.lst': 'y>=1\n',
    });
    const r = await scanWith(dir, [pythonDepsStage]);
    expect(ids(r)).toEqual(
      [
        // ci/pins.lst, named with {toxinidir}: its extra index.
        'CPP012@ci/pins.lst:1',
        'CPP070@ci/pins.lst:1',
        // `-r` inside the constraints file names packages pip installs (pip's `nested_constraint`).
        'CPP010@ci/nested.lst:1',
        // `{env:REQS}` is chosen when tox runs.
        'CPP003@tox.ini:9',
        'CPP012@tox.ini:12',
        'CPP070@tox.ini:12',
        'CPP071@tox.ini:13',
      ].sort(),
    );
  });

  it('is rewritten line for line', () => {
    const ini =
      '[testenv]\ndeps =\n  pytest\n  -r{tox_root}/r.lst\n  lint: --index-url=https://i.example/simple\n; pip install -r c.lst\n';
    expect(asInstallCommands('sub/tox.ini', ini).split('\n')).toEqual([
      '[testenv]',
      '',
      '',
      'pip install -r./r.lst',
      'pip install --index-url=https://i.example/simple',
      '',
      '',
    ]);
  });
});

describe('noxfile.py', () => {
  it('its session.install / session.run pip commands and PIP_* / UV_* settings are read', async () => {
    const dir = tree({
      'noxfile.py': [
        'import nox', // 1
        'REQS = "ci/ghost.lst"', // 2
        '', // 3
        '@nox.session', // 4
        'def tests(session):', // 5
        '    """session.install("-r", "ci/docstring.lst")"""', // 6
        '    # session.install("-r", "ci/commented.lst")', // 7
        '    session.install(', // 8
        '        "-r",', // 9
        "        'ci/nox.lst',", // 10
        '        silent=True,', // 11
        '    )', // 12
        '    session.install("-r", REQS)', // 13
        '    session.run("uv", "pip", "install", "--requirement=ci/uv.lst")', // 14
        '    session.env["PIP_INDEX_URL"] = "https://env.example/simple"', // 15
        '    session.install("y==1", env={"UV_EXTRA_INDEX_URL": "https://uv.example/simple"})', // 16
        '    session.run("pytest", *session.posargs)', // 17
      ].join('\n'),
      'ci/nox.lst': '--trusted-host tls-off.example\nz==1\n',
      'ci/uv.lst': '--extra-index-url https://uvlst.example/simple\nw==1\n',
      'ci/docstring.lst': '--extra-index-url https://docstring.example/simple\n',
      'ci/commented.lst': '--extra-index-url https://commented.example/simple\n',
    });
    const r = await scanWith(dir, [pythonDepsStage]);
    expect(ids(r)).toEqual(
      [
        'CPP071@ci/nox.lst:1',
        'CPP012@ci/uv.lst:1',
        'CPP070@ci/uv.lst:1',
        // `REQS` is a variable: not read, and said so.
        'CPP003@noxfile.py:13',
        'CPP070@noxfile.py:15',
        'CPP070@noxfile.py:16',
      ].sort(),
    );
  });

  it('reads each token as the argument of one call at most (a hostile file of unclosed calls)', () => {
    // Six tokens a call (`s . install ( "-r" ,`); a call's arguments are read up to 256 tokens, the calls among
    // them not again: about 2,000 × 6 / 256 calls read, not 2,000 each reading to the end of the file.
    const out = asInstallCommands('noxfile.py', 's.install("-r", '.repeat(2000));
    expect(out.match(/pip install/g)?.length).toBeLessThanOrEqual(48);
  });

  it('is rewritten line for line, strings unquoted as Python reads them', () => {
    const py =
      'session.install(r"-r", "a b.lst"); session.run("pip", "install", f"-r{x}")\n# session.install("-r", "c")';
    expect(asInstallCommands('noxfile.py', py).split('\n')).toEqual([
      "pip install -r 'a b.lst' ; pip install ${NOX}",
      '',
    ]);
  });
});
