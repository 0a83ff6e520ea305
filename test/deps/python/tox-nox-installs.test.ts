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
  it('its deps includes, constraints, setenv and install_command are read; a plain name is no finding', async () => {
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
      'pip install pytest',
      'pip install -r./r.lst',
      'pip install --index-url=https://i.example/simple',
      '',
      '',
    ]);
  });
});

describe("tox's other configuration files", () => {
  it('a deps line continued with a backslash is one line, read at its first line (IniLoader.process_raw)', async () => {
    const dir = tree({
      'tox.ini': [
        '[testenv]', // 1
        'deps =', // 2
        '    -r \\', // 3
        '        ci/cont.lst', // 4
        '    --extra-index-url \\', // 5
        '    # a comment line inside the value', // 6
        '        https://cont.example/simple', // 7
        '    pytest', // 8
      ].join('\n'),
      'ci/cont.lst': '--trusted-host tls-off.example\nz==1\n',
    });
    const r = await scanWith(dir, [pythonDepsStage]);
    expect(ids(r)).toEqual(['CPP012@tox.ini:5', 'CPP070@tox.ini:5', 'CPP071@ci/cont.lst:1'].sort());
  });

  it("setup.cfg's tox sections are read when it has [tox:tox] (tox's SetupCfg), its other sections never", async () => {
    const dir = tree({
      'setup.cfg': [
        '[metadata]', // 1
        'name = x', // 2
        '[tox:tox]', // 3
        'envlist = py312', // 4
        '[testenv]', // 5
        'deps = -rci/cfg.lst', // 6
        'setenv = PIP_INDEX_URL=https://cfg-env.example/simple', // 7
        '[flake8]', // 8
        'setenv = PIP_INDEX_URL=https://not-tox.example/simple', // 9
      ].join('\n'),
      'ci/cfg.lst': '--extra-index-url https://cfg.example/simple\nz==1\n',
      // No [tox:tox]: tox does not read it.
      'other/setup.cfg': '[testenv]\ndeps = -r ../ci/none.lst\nsetenv = PIP_INDEX_URL=https://no.example/simple\n',
      'ci/none.lst': '--extra-index-url https://none.example/simple\n',
    });
    const r = await scanWith(dir, [pythonDepsStage]);
    expect(ids(r)).toEqual(['CPP012@ci/cfg.lst:1', 'CPP070@ci/cfg.lst:1', 'CPP070@setup.cfg:7'].sort());
  });

  it("tox.toml's environment tables are read at the lines of their strings (tox's ToxToml)", async () => {
    const dir = tree({
      'tox.toml': [
        'env_list = ["py312", "lint"]', // 1
        '[env_run_base]', // 2
        'deps = [', // 3
        '  "pytest",', // 4
        '  "-r{tox_root}/ci/toml.lst",', // 5
        ']', // 6
        'set_env = { PIP_EXTRA_INDEX_URL = "https://toml-env.example/simple" }', // 7
        '[env.lint]', // 8
        'constraints = ["ci/limits.lst"]', // 9
        'install_command = ["python", "-m", "pip", "install", "--trusted-host", "tls-off.example", "{packages}"]', // 10
        'deps = [{ replace = "env", name = "REQS" }, "-r ci/more.lst"]', // 11
      ].join('\n'),
      'ci/toml.lst': '--index-url https://toml.example/simple\nz==1\n',
      'ci/limits.lst': '-r nested.lst\n',
      'ci/nested.lst': 'y>=1\n',
      'ci/more.lst': 'w==1\n',
    });
    const r = await scanWith(dir, [pythonDepsStage]);
    expect(ids(r)).toEqual(
      [
        'CPP070@ci/toml.lst:1',
        'CPP010@ci/nested.lst:1',
        'CPP012@tox.toml:7',
        'CPP070@tox.toml:7',
        'CPP071@tox.toml:10',
      ].sort(),
    );
  });

  it("pyproject.toml's [tool.tox]: legacy_tox_ini as tox.ini, the native tables as tox.toml", async () => {
    const dir = tree({
      'pyproject.toml': [
        '[project]', // 1
        'name = "x"', // 2
        '[tool.tox]', // 3
        'legacy_tox_ini = """', // 4
        // Indented with the TOML around it: configparser reads each line by its indent relative to the others.
        '    [testenv]', // 5
        '    deps =', // 6
        '        -r ci/legacy.lst', // 7
        '"""', // 8
      ].join('\n'),
      'ci/legacy.lst': '--extra-index-url https://legacy.example/simple\nz==1\n',
      'native/pyproject.toml': [
        '[project]', // 1
        'name = "y"', // 2
        '[tool.tox.env.docs]', // 3
        'deps = ["--index-url=https://native.example/simple"]', // 4
      ].join('\n'),
    });
    const r = await scanWith(dir, [pythonDepsStage]);
    expect(ids(r)).toEqual(
      ['CPP012@ci/legacy.lst:1', 'CPP070@ci/legacy.lst:1', 'CPP070@native/pyproject.toml:4'].sort(),
    );
  });

  it('a hostile legacy_tox_ini of many lines or a long run of continued deps lines is read, not a crash', () => {
    // Many lines once overflowed the call stack (the indent taken as `Math.min(...lines)`).
    const legacy = `[tool.tox]\nlegacy_tox_ini = """\n${'  x\n'.repeat(200_000)}  [testenv]\n  deps = -r ci/r.lst\n"""\n`;
    const out = asInstallCommands('pyproject.toml', legacy).split('\n');
    expect(out[200_003]).toBe('pip install -r ci/r.lst');
    // One command of 100,000 pieces, at its first line (configparser strips each line of a value).
    const ini = asInstallCommands('tox.ini', `[testenv]\ndeps = -r \\\n${'  a\\\n'.repeat(100_000)}  .lst\n`);
    expect(ini.split('\n')[1]).toBe(`pip install -r ${'a'.repeat(100_000)}.lst`);
  });

  it('a pyproject.toml or setup.cfg without tox configuration runs nothing', () => {
    const toml = '[project]\nname = "x"\n[tool.uv]\nindex-url = "https://u.example/simple"\n';
    expect(asInstallCommands('pyproject.toml', toml)).toBe('\n\n\n\n');
    expect(asInstallCommands('setup.cfg', '[options]\ninstall_requires =\n  -r x.lst\n')).toBe('\n\n\n');
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

  it('a session on uv runs `uv pip install` (Session.install), whose extra index uv asks first', async () => {
    const dir = tree({
      'noxfile.py': [
        'import nox', // 1
        '', // 2
        '@nox.session(python=["3.12"], venv_backend="uv")', // 3
        'def tests(session):', // 4
        '    session.install("--extra-index-url", "https://uv-extra.example/simple", "pytest")', // 5
        '', // 6
        '@nox.session', // 7
        'def lint(session):', // 8
        '    session.install("--extra-index-url", "https://pip-extra.example/simple", "ruff")', // 9
      ].join('\n'),
      'all/noxfile.py': [
        'import nox', // 1
        'nox.options.default_venv_backend = "uv|virtualenv"', // 2
        '@nox.session', // 3
        'def tests(session):', // 4
        '    session.install("--extra-index-url", "https://uv-default.example/simple", "pytest")', // 5
      ].join('\n'),
    });
    const r = await scanWith(dir, [pythonDepsStage]);
    // CPP012 (pip takes the highest version from any index) only where pip installs.
    expect(ids(r)).toEqual(
      ['CPP070@noxfile.py:5', 'CPP012@noxfile.py:9', 'CPP070@noxfile.py:9', 'CPP070@all/noxfile.py:5'].sort(),
    );
    expect(asInstallCommands('noxfile.py', '@nox.session(venv_backend="uv")\ndef t(s):\n  s.install("x")')).toBe(
      '\n\nuv pip install x',
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
