import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../../src/core/result.js';
import { parseRequirementsFile } from '../../../src/deps/parsers/python/requirements.js';
import { pythonDepsStage } from '../../../src/deps/parsers/python/stage.js';
import { scanWith } from '../../helpers/scan.js';
import { tempTrees } from '../../helpers/temp-tree.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';

const tree = tempTrees('cp-req-no-binary-');
const builds = (r: ScanResult) =>
  r.findings
    .filter((f) => f.ruleId === 'CPP074')
    .map((f) => `${f.location.path}:${f.location.line ?? 0} ${String(f.evidence?.['names'])}`)
    .sort();
const noIncludes = () => Promise.resolve(undefined);
const control = async (text: string) => {
  const fc = (await parseRequirementsFile('requirements.txt', text, noIncludes)).formatControl;
  return { noBinary: [...(fc?.noBinary.keys() ?? [])], onlyBinary: [...(fc?.onlyBinary.keys() ?? [])] };
};

/**
 * pip's line parser passes the finder's `format_control` to optparse as the default of every line
 * (req_file.get_line_parser), so a `--no-binary` anywhere in a requirements file, or a file it includes, makes pip
 * skip every wheel of the packages it names (`LinkEvaluator.evaluate_link`) and build their sdists. Checked with pip
 * 23.0.1 and a local wheel + sdist: `--no-binary :all:` and `demo==1.0 --no-binary demo` both ran the sdist's
 * setup.py, `--only-binary demo` after them installed the wheel.
 */
describe("a requirements file's --no-binary makes pip build from source", () => {
  it('an option line, in the file or one it includes, is one finding naming the index packages it builds', async () => {
    const dir = tree({
      'requirements.txt': ['-r base.txt', '-c constraints.txt', 'tool @ git+https://example.com/tool', ''].join('\n'),
      'base.txt': ['--no-binary :all:', 'six==1.16.0', 'Py_Yaml==6.0', ''].join('\n'),
      'constraints.txt': 'idna==3.4\n',
    });
    expect(builds(await scanWith(dir, [pythonDepsStage]))).toEqual(['base.txt:1 six py-yaml']);
  });

  it('on a requirement line it applies to the whole install, as pip reads it', async () => {
    const dir = tree({ 'requirements.txt': ['six==1.16.0', 'demo==1.0 --no-binary six', ''].join('\n') });
    expect(builds(await scanWith(dir, [pythonDepsStage]))).toEqual(['requirements.txt:2 six']);
  });

  it('--only-binary after it, for a name or for all, gives the wheels back', async () => {
    const dir = tree({
      'requirements.txt': ['--no-binary :all:', '--only-binary six', 'six==1.16.0', 'demo==1.0', ''].join('\n'),
      'all/requirements.txt': ['--no-binary six', '--only-binary :all:', 'six==1.16.0', ''].join('\n'),
    });
    expect(builds(await scanWith(dir, [pythonDepsStage]))).toEqual(['requirements.txt:1 demo']);
  });

  it('follows FormatControl.handle_mutual_excludes: :all: clears both sets, :none: after it keeps later names', async () => {
    expect(await control('--no-binary :all:,six\n')).toEqual({ noBinary: [':all:'], onlyBinary: [] });
    expect(await control('--only-binary six\n--no-binary :all:,:none:,Demo_Pkg\n')).toEqual({
      noBinary: ['demo-pkg'],
      onlyBinary: [],
    });
    expect(await control('--no-binary a,b\n--only-binary b\n')).toEqual({ noBinary: ['a'], onlyBinary: ['b'] });
  });

  it("in a conda environment file's pip: list, at the list's line (conda runs pip -r on the list)", async () => {
    const dir = tree({
      'setup.sh': 'conda env create -f envs/ml.yml\n',
      'envs/ml.yml': [
        'name: ml',
        'dependencies:',
        '  - pip',
        '  - pip:',
        // A quoted item holding `\n` is two lines of the file pip reads: the option is line 7 there, 6 here. Quoted
        // too is the option, as YAML reads a plain `--no-binary :all:` as a mapping.
        '      - "six==1.16.0\\nidna==3.4"',
        '      - "--no-binary :all:"',
      ].join('\n'),
    });
    expect(builds(await scanWith(dir, [pythonDepsStage]))).toEqual(['envs/ml.yml:6 six idna']);
  });

  it('a value that looks like an option is refused, as pip aborts on it', async () => {
    const lock = await parseRequirementsFile('requirements.txt', '--no-binary -x\nsix==1.16.0\n', noIncludes);
    expect(lock.problems.map((p) => `${p.line} ${p.message}`)).toEqual([
      '1 pip option error: --no-binary / --only-binary option requires 1 argument.',
    ]);
    expect(lock.formatControl).toBeUndefined();
  });
});

/**
 * pip's `ConfigOptionParser._update_defaults` runs a configuration file's `[global]`, then `[install]`, `no-binary` /
 * `only-binary` through `FormatControl.handle_mutual_excludes` before the command line is read. Checked with pip 24.2:
 * `PIP_CONFIG_FILE=pip.conf` holding `[global] no_binary = :all:` made `pip download demo==1.0` take demo's sdist
 * over its wheel.
 */
describe("a pip.conf's no-binary makes every pip install that reads it build from source", () => {
  it('is one finding per setting line, after [install] has had its say and less what the policy allows', async () => {
    const dir = tree({
      'pip.conf': ['[global]', 'no_binary = :all:', '', '[install]', 'only-binary = numpy', ''].join('\n'),
      'ci/pip.ini': ['[install]', '--no-binary = six,PyYAML', '[wheel]', 'no-binary = :all:', ''].join('\n'),
    });
    expect(builds(await scanWith(dir, [pythonDepsStage]))).toEqual(['ci/pip.ini:2 pyyaml six', 'pip.conf:2 :all:']);
    const deps = { ...DEFAULT_POLICY.dependencies, allowInstallScripts: ['six'] };
    const allowed = await scanWith(dir, [pythonDepsStage], { policy: { ...DEFAULT_POLICY, dependencies: deps } });
    expect(builds(allowed)).toEqual(['ci/pip.ini:2 pyyaml', 'pip.conf:2 :all:']);
  });

  it('builds nothing when [install] turns it off, or for a value pip refuses', async () => {
    const dir = tree({
      'pip.conf': ['[global]', 'no-binary = :all:', '[install]', 'only-binary = :all:', ''].join('\n'),
      'b/pip.conf': ['[global]', 'no-binary = -r', ''].join('\n'),
      'c/pip.conf': ['[freeze]', 'no-binary = :all:', ''].join('\n'),
    });
    expect(builds(await scanWith(dir, [pythonDepsStage]))).toEqual([]);
  });
});
