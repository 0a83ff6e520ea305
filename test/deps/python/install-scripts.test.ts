import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../../src/core/result.js';
import {
  condaPipRequirementsFile,
  environmentYaml,
  namedCondaEnvironments,
} from '../../../src/deps/parsers/python/conda-environments.js';
import { installCommands } from '../../../src/deps/parsers/python/install-arguments.js';
import { shellCommands } from '../../../src/deps/parsers/python/install-requirements.js';
import { scriptRequirements } from '../../../src/deps/parsers/python/script-metadata.js';
import { pythonDepsStage } from '../../../src/deps/parsers/python/stage.js';
import { scanWith } from '../../helpers/scan.js';
import { tempTrees } from '../../helpers/temp-tree.js';

const tree = tempTrees('cp-install-scripts-');
const ids = (r: ScanResult) =>
  r.findings
    .filter((f) => f.ruleId !== 'CPP050')
    .map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}`)
    .sort();

const script = (...deps: string[]) =>
  ['#!/usr/bin/env python3', '# /// script', '# dependencies = [', ...deps.map((d) => `#   "${d}",`), '# ]', '# ///']
    .concat(['print("hi")', ''])
    .join('\n');

/**
 * `uv run tools/x.py` and `pipx run tools/x.py` install the script's PEP 723 inline `dependencies` (and uv its
 * `[tool.uv.sources]`) before it runs. Only scripts an install file runs are read: no `.py` file is an input by itself.
 */
describe('PEP 723 scripts that uv run / pipx run install for', () => {
  it('are judged at their own lines; a script nothing runs is not read', async () => {
    const dir = tree({
      '.github/workflows/ci.yml': [
        'on: push', // 1
        'jobs:', // 2
        '  t:', // 3
        '    runs-on: ubuntu-latest', // 4
        '    steps:', // 5
        '      - run: uv run --python 3.12 tools/gen.py --out x && pipx run scripts/fetch.py', // 6
        '      - run: uv run --script tools/task && uv run python tools/skip.py', // 7
        '      - run: pipx run bin/pipx-task && pipx run --spec black black && pipx run pipx-task', // 8
      ].join('\n'),
      'tools/gen.py': script('requests', 'gen @ git+https://github.com/o/gen'),
      'scripts/fetch.py': script('fetch @ https://e.example/fetch-1.0.tar.gz'),
      'bin/pipx-task': script('task @ https://e.example/task-1.0.zip'),
      black: script('black @ https://e.example/black.zip'),
      'tools/task': [
        '# /// script',
        '# dependencies = ["pinned-by-source"]',
        '# [tool.uv.sources]',
        '# pinned-by-source = { git = "https://github.com/o/src" }',
        '# ///',
      ].join('\n'),
      'tools/skip.py': script('skip @ git+https://github.com/o/skip'),
      'tools/unrun.py': script('unrun @ git+https://github.com/o/unrun'),
    });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual(
      // pipx runs any local file as a script: bin/pipx-task by its path, not `pipx-task` (a package of that name).
      ['CPP014@tools/gen.py:5', 'CPP015@scripts/fetch.py:4', 'CPP014@tools/task:4', 'CPP015@bin/pipx-task:4'].sort(),
    );
  });

  it('name the scripts uv run and pipx run execute, not the commands or their arguments', () => {
    const text = [
      'uv run -s deps.txt && uv run --with rich tools/a.PY arg.py && uvx tools/not-run.py',
      'pipx run --spec x tools/b.pyw && uv run pytest tests/test_a.py && uv tool run tools/c.py',
      'pipx run --python 3.12 tools/d.py arg && pipx run black',
    ].join('\n');
    expect(
      installCommands(shellCommands(text), 'Dockerfile').scripts.map(
        (s) => `${s.line}:${s.written}${s.exact ? ' (exact)' : ''}`,
      ),
    ).toEqual(['1:deps.txt', '1:tools/a.PY', '3:tools/d.py', '3:black (exact)']);
  });
});

describe('a script or environment file an install reads past the bound of what is read', () => {
  it('is a CPP001 naming its size, not a pass: uv and conda read any size', async () => {
    // 4.8 MB each: the inline block and the pip: list come first, padded after by comment lines.
    const padding = `# ${'x'.repeat(94)}\n`.repeat(50_000);
    const big = `${script('big @ git+https://github.com/o/big')}${padding}`;
    const env = `name: ml\ndependencies:\n  - pip:\n      - env @ git+https://github.com/o/env\n${padding}`;
    const dir = tree({
      'setup.sh': 'uv run tools/big.py\nconda env create -f env.yml\n',
      'tools/big.py': big,
      'env.yml': env,
    });
    const found = (await scanWith(dir, [pythonDepsStage])).findings.filter((f) => f.ruleId !== 'CPP050');
    expect(found.map((f) => `${f.ruleId}@${f.location.path} ${f.evidence?.['reason']}`).sort()).toEqual([
      `CPP001@env.yml is ${env.length} bytes, over the 4194304-byte limit`,
      `CPP001@tools/big.py is ${big.length} bytes, over the 4194304-byte limit`,
    ]);
  });
});

describe('scriptRequirements', () => {
  it.each([
    { name: 'one block', text: script('a @ https://e.example/a.zip'), want: ['4:a @ https://e.example/a.zip'] },
    {
      name: 'CRLF line ends',
      text: script('a @ https://e.example/a.zip').replace(/\n/g, '\r\n'),
      want: ['4:a @ https://e.example/a.zip'],
    },
    // The reference regex's greedy content: the block closes at the last `# ///` of the comment run, so the first
    // one is content, `///`, which no TOML parser takes.
    {
      name: 'closed by the last # /// of the run',
      text: '# /// script\n# dependencies = ["x @ https://e.example/x.zip"]\n# ///\n#\n# ///\n',
      want: [],
    },
    { name: 'two script blocks: refused', text: `${script('a')}\n${script('b')}`, want: [] },
    { name: 'not TOML: refused', text: '# /// script\n# dependencies = [\n# ///\n', want: [] },
    { name: 'not closed', text: '# /// script\n# dependencies = ["x @ https://e.example/x.zip"]\nx = 1\n', want: [] },
    {
      name: 'another type only',
      text: '# /// pyproject\n# dependencies = ["x @ https://e.example/x.zip"]\n# ///\n',
      want: [],
    },
    // 4 MiB of openers and no closer: each opener rescanning the run to its end was 5e10 line tests.
    { name: 'a run of openers without a closer', text: `${'# /// script\n'.repeat(320_000)}x = 1\n`, want: [] },
  ])('$name', ({ text, want }) => {
    expect(scriptRequirements(text).map((a) => `${a.line}:${a.written}`)).toEqual(want);
  });
});

/**
 * conda's pip installer (env/installers/pip.py `_pip_install_via_requirements`) writes an environment file's `pip:`
 * list to a requirements file and runs `pip install -U -r` on it. Read for the files an install file builds from.
 */
describe('the pip: list of a conda environment file an install builds from', () => {
  const environment = (...pip: string[]) =>
    ['name: ml', 'channels: [conda-forge]', 'dependencies:', '  - python=3.11', '  - pip', '  - pip:']
      .concat(pip.map((p) => `      - ${p}`))
      .join('\n');

  it('is judged at its lines, for conda env create (its default file too), micromamba and setup-miniconda', async () => {
    const dir = tree({
      Dockerfile: 'FROM mambaorg/micromamba\nRUN micromamba install -y -n base -f /tmp/envs/gpu.yaml\n',
      'scripts/setup.sh': 'conda env create && mamba env update --file=../envs/dev.yml --prune\n',
      '.github/workflows/ci.yml': [
        'on: push',
        'jobs:',
        '  t:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: conda-incubator/setup-miniconda@v3',
        '        with:',
        '          environment-file: envs/ci.yml',
      ].join('\n'),
      'envs/gpu.yaml': environment('torch==2.3.0', 'gpu @ git+https://github.com/o/gpu'), // gpu: line 8
      'scripts/environment.yml': environment('--index-url https://i.example/simple', 'https://e.example/d.zip'),
      'envs/dev.yml': environment('-e git+https://github.com/o/dev#egg=dev'),
      'envs/ci.yml': environment('"ci @ https://e.example/ci.tar.gz"'),
      'envs/unbuilt.yml': environment('unbuilt @ git+https://github.com/o/unbuilt'),
    });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual(
      [
        'CPP014@envs/gpu.yaml:8',
        'CPP070@scripts/environment.yml:7',
        'CPP015@scripts/environment.yml:8',
        'CPP014@envs/dev.yml:7',
        'CPP015@envs/ci.yml:7',
      ].sort(),
    );
  });

  // conda.cli.main_env_create: `--file` defaults to environment.yml; a README names the other conventional names.
  it('is read by its conventional name with no install file naming it; another YAML file is not', async () => {
    const dir = tree({
      'environment.yml': environment('torch==2.3.0', 'evil @ git+https://github.com/o/evil'), // line 8
      'envs/environment-gpu.yaml': environment('--extra-index-url https://evil.example/simple', 'x==1'), // line 7
      'conda-env.yml': environment('https://e.example/d.zip'),
      'config/settings.yml': environment('unread @ git+https://github.com/o/unread'),
      // The name of one, no pip: list (a workflow's steps, a conda recipe): nothing to read.
      'deploy/conda.yml': 'jobs:\n  build:\n    steps: [{run: pip install y}]\n',
    });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual(
      [
        'CPP014@environment.yml:8',
        'CPP012@envs/environment-gpu.yaml:7',
        'CPP070@envs/environment-gpu.yaml:7',
        'CPP015@conda-env.yml:7',
      ].sort(),
    );
  });

  it('obeys its option lines as pip does in requirements.txt, -r beside the environment file', async () => {
    const list = [
      'torch==2.3.0',
      '--extra-index-url https://evil.example/simple',
      '--trusted-host evil.example',
      '-r extra.txt',
    ];
    const included = 'numpy==1.26.4\nrogue @ https://e.example/rogue.zip\n';
    const conda = tree({
      'setup.sh': 'conda env create -f envs/ml.yml\n',
      'envs/ml.yml': environment(...list), // items at lines 7–10
      'envs/extra.txt': included,
    });
    const pip = tree({ 'requirements.txt': list.join('\n') + '\n', 'extra.txt': included });
    const condaIds = ids(await scanWith(conda, [pythonDepsStage]));
    // requirements.txt's findings, each moved to the environment file's line of its item.
    const pipIds = ids(await scanWith(pip, [pythonDepsStage])).map((id) =>
      id
        .replace(/requirements\.txt:(\d+)/, (_, n: string) => `envs/ml.yml:${Number(n) + 6}`)
        .replace('@extra.txt', '@envs/extra.txt'),
    );
    expect(condaIds).toEqual(pipIds);
    expect(condaIds).toEqual(
      ['CPP012@envs/ml.yml:8', 'CPP070@envs/ml.yml:8', 'CPP071@envs/ml.yml:9', 'CPP015@envs/extra.txt:2'].sort(),
    );
  });

  it('reads the files its -r names as pip decodes them: a byte-order mark, a PEP 263 declaration', async () => {
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('--extra-index-url https://evil.example/simple\nfoo==1.0\n', 'utf16le'),
    ]);
    // Under latin-1 the 0x85 after `café` ends the comment (pip's `splitlines`): the option is read, at the line an
    // editor shows it on.
    const latin1 = Buffer.from(
      '# -*- coding: latin-1 -*-\n# caf\xe9\x85--extra-index-url https://other.example/simple\nbar==1.0\n',
      'latin1',
    );
    const dir = tree({
      'setup.sh': 'conda env create -f env.yml\n',
      'env.yml': environment('-r wide.lst', '-r old.lst'),
      'wide.lst': utf16,
      'old.lst': latin1,
    });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual(
      ['CPP012@wide.lst:1', 'CPP070@wide.lst:1', 'CPP012@old.lst:2', 'CPP070@old.lst:2'].sort(),
    );
  });

  it('reads a block scalar item as the lines conda joins into the file, each at its own line', async () => {
    const text = [
      'dependencies:',
      '  - pip:',
      '      - |',
      '        --extra-index-url https://evil.example/simple',
      '        gpu @ git+https://github.com/o/gpu',
      '      - --trusted-host evil.example',
    ].join('\n');
    const dir = tree({ 'setup.sh': 'conda env create -f env.yml\n', 'env.yml': text });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual([
      'CPP012@env.yml:4',
      'CPP014@env.yml:5',
      'CPP070@env.yml:4',
      'CPP071@env.yml:6',
    ]);
  });

  it('finds what a quoted item holding \\n says at its line, and the items after it at theirs', async () => {
    const text = [
      'dependencies:',
      '  - pip:',
      '      - "--extra-index-url https://a.example/simple\\n--trusted-host a.example"',
      '      - --extra-index-url https://b.example/simple',
      '      - "gpu @ git+https://github.com/o/gpu\\nrogue @ https://e.example/rogue.zip"',
      '      - --trusted-host b.example',
    ].join('\n');
    const dir = tree({ 'setup.sh': 'conda env create -f env.yml\n', 'env.yml': text });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual(
      [
        'CPP012@env.yml:3',
        'CPP070@env.yml:3',
        'CPP071@env.yml:3',
        'CPP012@env.yml:4',
        'CPP070@env.yml:4',
        'CPP014@env.yml:5',
        'CPP015@env.yml:5',
        'CPP071@env.yml:6',
      ].sort(),
    );
  });

  it('reads a list of plain requirements as before: no requirements file of its own', async () => {
    const text = environment('torch==2.3.0', 'numpy>=1.26', 'gpu @ git+https://github.com/o/gpu');
    expect(condaPipRequirementsFile(environmentYaml(text))).toBeUndefined();
    const dir = tree({ 'setup.sh': 'conda env create -f env.yml\n', 'env.yml': text });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual(['CPP014@env.yml:9']);
  });

  it('names the files conda, mamba and micromamba build environments from', () => {
    const text = [
      'conda env create -f env.yml && conda create -n x python && conda env update',
      'micromamba create -fmm.yaml && mamba install numpy && conda env create --file spec.txt',
    ].join('\n');
    expect(
      namedCondaEnvironments(shellCommands(text)).map((e) => `${e.line}:${e.written}${e.exact ? ' (exact)' : ''}`),
    ).toEqual(['1:env.yml', '1:environment.yml (exact)', '2:mm.yaml']);
  });
});
