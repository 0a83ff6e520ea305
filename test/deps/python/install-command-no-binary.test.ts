import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../../src/core/result.js';
import { pythonDepsStage } from '../../../src/deps/parsers/python/stage.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
import { scanWith } from '../../helpers/scan.js';
import { tempTrees } from '../../helpers/temp-tree.js';

const tree = tempTrees('cp-cmd-no-binary-');
const builds = (r: ScanResult) =>
  r.findings
    .filter((f) => f.ruleId === 'CPP074')
    .map((f) => `${f.location.path}:${f.location.line ?? 0} ${String(f.evidence?.['names'])}`)
    .sort();

/**
 * pip sets the finder's `format_control` from the command line's `--no-binary` / `--only-binary` before it reads the
 * `-r` files, whose lines take it as their default (req_file.get_line_parser) and change it; every package is then
 * judged by what is left (`FormatControl.get_allowed_formats`). So `pip install --no-binary :all: -r r.txt` builds
 * the file's packages from their sdists, unless the file gives a package its wheels back.
 */
describe("an install command's own --no-binary makes pip build its -r files' packages from source", () => {
  it('is one finding at the command line for all the files it names, less what a file gives back', async () => {
    const dir = tree({
      Dockerfile: [
        'FROM python:3.12',
        'COPY deps /deps',
        'RUN pip install --no-binary :all: -r /deps/pins.lst -r requirements.txt -c constraints.txt',
        '',
      ].join('\n'),
      'deps/pins.lst': ['six==1.16.0', '--only-binary idna', 'idna==3.4', ''].join('\n'),
      'requirements.txt': 'PyYAML==6.0.1\n',
      'constraints.txt': 'certifi==2024.2.2\n',
    });
    expect(builds(await scanWith(dir, [pythonDepsStage]))).toEqual(['Dockerfile:3 six pyyaml']);
  });

  it('wherever the option stands on the command, abbreviated or after `=`, for the names it gives', async () => {
    const dir = tree({
      'ci/build.sh':
        'python -m pip install -r ../requirements.txt --no-bin=pyyaml && pip install -r requirements.txt\n',
      'requirements.txt': ['six==1.16.0', 'PyYAML==6.0.1', ''].join('\n'),
    });
    expect(builds(await scanWith(dir, [pythonDepsStage]))).toEqual(['ci/build.sh:1 pyyaml']);
  });

  it('--only-binary :all: after it on the command, or a value pip refuses, builds nothing', async () => {
    const dir = tree({
      'install.sh': [
        'pip install --no-binary six --only-binary :all: -r requirements.txt',
        'pip install --no-binary -r requirements.txt',
        '',
      ].join('\n'),
      'requirements.txt': 'six==1.16.0\n',
    });
    expect(builds(await scanWith(dir, [pythonDepsStage]))).toEqual([]);
  });

  // FormatControl is the finder's, for every requirement of the command: `install_req_from_line` reads an argument
  // as a file's line is, so `pip install --no-binary :all: six==1.16.0` builds six from its sdist (setup.py runs).
  it("names the command's own arguments with its files' packages, in the one finding of the command", async () => {
    const dir = tree({
      Dockerfile: [
        'FROM python:3.12',
        'RUN pip install --no-binary :all: six==1.16.0 "git+https://github.com/o/r@v1"', // 2
        'RUN pip install --no-binary six,pyyaml -r requirements.txt six==1.16.0 idna==3.4', // 3
        'RUN pip download PyYAML==6.0.1 --no-binary=pyyaml --only-binary idna idna==3.4', // 4
        'RUN pip install six==1.16.0 && pip install --no-binary :all: -e ./lib', // 5
        '',
      ].join('\n'),
      'requirements.txt': 'PyYAML==6.0.1\n',
    });
    expect(builds(await scanWith(dir, [pythonDepsStage]))).toEqual([
      'Dockerfile:2 six',
      'Dockerfile:3 six pyyaml',
      'Dockerfile:4 pyyaml',
    ]);
  });

  it("leaves the policy's allowed builds out of the command's arguments", async () => {
    const dir = tree({ 'setup.sh': 'pip install --no-binary :all: Six==1.16.0 idna==3.4\n' });
    const policy = {
      ...DEFAULT_POLICY,
      dependencies: { ...DEFAULT_POLICY.dependencies, allowInstallScripts: ['six'] },
    };
    expect(builds(await scanWith(dir, [pythonDepsStage], { policy }))).toEqual(['setup.sh:1 idna']);
  });

  // pip's resolver (resolvelib) pins one candidate per project name, merging the requirements that name it
  // (`Factory.collect_root_requirements`, keyed by name): a package given twice is one build.
  it('names a package the command and its -r file both give once', async () => {
    const dir = tree({
      'install.sh': 'pip install --no-binary :all: -r requirements.txt Six==1.16.0 six\n',
      'requirements.txt': ['six==1.16.0', 'PyYAML==6.0.1', ''].join('\n'),
    });
    const r = await scanWith(dir, [pythonDepsStage]);
    expect(builds(r)).toEqual(['install.sh:1 six pyyaml']);
    expect(r.findings.find((f) => f.ruleId === 'CPP074')?.evidence?.['packages']).toBe(2);
  });

  // ConfigOptionParser._update_defaults runs PIP_NO_BINARY / PIP_ONLY_BINARY through the option's callback before
  // the command line is parsed: the command's own options and its files' lines change what they set.
  it('reads PIP_NO_BINARY / PIP_ONLY_BINARY the file sets as the control its pip commands start from', async () => {
    const dir = tree({
      Dockerfile: [
        'FROM python:3.12',
        'ENV PIP_NO_BINARY=:all:', // 2
        'RUN pip install -r requirements.txt six==1.16.0',
        'RUN pip install idna==3.4 six==1.16.0', // the same line's cause: one finding
        'RUN uv pip install certifi==2024.2.2', // uv reads no PIP_* variable
        '',
      ].join('\n'),
      '.github/workflows/ci.yml': [
        'jobs:',
        '  build:',
        '    runs-on: ubuntu-latest',
        '    env:',
        '      PIP_NO_BINARY: pyyaml',
        '    steps:',
        '      - run: pip install --only-binary :all: -r requirements.txt',
        '',
      ].join('\n'),
      'ci/setup.sh': ['export PIP_ONLY_BINARY=:all:', 'pip install --no-binary six six==1.16.0 idna==3.4', ''].join(
        '\n',
      ),
      'requirements.txt': ['six==1.16.0', 'PyYAML==6.0.1', ''].join('\n'),
    });
    expect(builds(await scanWith(dir, [pythonDepsStage]))).toEqual([
      'Dockerfile:2 six pyyaml idna',
      'ci/setup.sh:2 six',
    ]);
  });

  // uv keeps no-binary and no-build (--only-binary, --no-build) apart (NoBinary / NoBuild::from_pip_args) and builds
  // a package only under no-binary and not under no-build (`Package::to_dist`: both is an error, nothing built).
  it('reads uv pip install / sync --no-binary as uv combines it with --only-binary and --no-build', async () => {
    const dir = tree({
      'ci/uv.sh': [
        'uv pip install --no-binary :all: --only-binary six six==1.16.0 idna==3.4', // 1: idna
        'uv pip install --only-binary :all: --no-binary pyyaml PyYAML==6.0.1', // 2: nothing (pip would build pyyaml)
        'uv pip install --no-binary=PyYAML,idna --no-build PyYAML==6.0.1', // 3: nothing
        'uv pip sync --no-binary certifi requirements.txt', // 4: certifi, of the synced file
        'uv pip install --no-binary six --no-binary :none: six==1.16.0', // 5: nothing
        '',
      ].join('\n'),
      'requirements.txt': ['certifi==2024.2.2', ''].join('\n'),
    });
    expect(builds(await scanWith(dir, [pythonDepsStage]))).toEqual(['ci/uv.sh:1 idna', 'ci/uv.sh:4 certifi']);
  });
});
