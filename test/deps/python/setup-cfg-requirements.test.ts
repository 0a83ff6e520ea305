import { describe, expect, it } from 'vitest';
import { setupCfgRequirements } from '../../../src/deps/parsers/python/setup-cfg-requirements.js';
import { pythonDepsStage } from '../../../src/deps/parsers/python/stage.js';
import { scanWith } from '../../helpers/scan.js';
import { tempTrees } from '../../helpers/temp-tree.js';

const tree = tempTrees('cp-setup-cfg-');

const SETUP_CFG = `[metadata]
name = app
install_requires = not-an-option

[options]
packages = find:
install_requires =
    numpy>=1.20
    # pinned below
    evil @ https://evil.example/evil-1.0.tar.gz ; python_version >= "3.8"
setup_requires = wheel; helper @ git+https://github.com/o/helper@main
tests_require = pytest @ https://example.com/pytest.whl

[options.extras_require]
gpu =
    torch @ https://download.example/torch.whl
`;

// setuptools/config/setupcfg.py `_parse_requirements_list`: a dangling list is one requirement a line (its marker
// kept), a one-line value is split at `;`; tests_require is never installed by pip, [metadata] is not [options].
describe('setup.cfg requirements', () => {
  it('are read as setuptools reads them, each at its line', () => {
    expect(setupCfgRequirements(SETUP_CFG).map((a) => `${a.line}:${a.written}`)).toEqual([
      '8:numpy>=1.20',
      '10:evil @ https://evil.example/evil-1.0.tar.gz ; python_version >= "3.8"',
      '11:wheel',
      '11:helper @ git+https://github.com/o/helper@main',
      '16:torch @ https://download.example/torch.whl',
    ]);
  });

  it('are judged as the install arguments pip install . fetches', async () => {
    const r = await scanWith(tree({ 'setup.cfg': SETUP_CFG }), [pythonDepsStage]);
    expect(r.findings.map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}`).sort()).toEqual([
      'CPP014@setup.cfg:11',
      'CPP015@setup.cfg:10',
      'CPP015@setup.cfg:16',
    ]);
  });

  it('name a path outside the repository as CPP073, as the same pyproject.toml dependency', async () => {
    const cfg = '[options]\ninstall_requires =\n    numpy>=1.20\n    helper @ file:///opt/vendor/helper\n';
    const r = await scanWith(tree({ 'setup.cfg': cfg }), [pythonDepsStage]);
    const found = r.findings.filter((f) => f.ruleId === 'CPP073');
    expect(found.map((f) => `${f.location.path}:${f.location.line ?? 0} ${f.evidence?.path as string}`)).toEqual([
      'setup.cfg:4 /opt/vendor/helper',
    ]);
  });

  // setuptools' _apply_pyprojecttoml `_handle_missing_dynamic`: a [project] table owns the fields it does not list
  // in `dynamic`; another build backend never reads setup.cfg.
  const at = (r: { findings: readonly { ruleId: string; location: { path: string; line?: number } }[] }) =>
    r.findings.map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}`).sort();
  it.each([
    {
      why: 'a static [project] owns dependencies and extras; setup_requires is still the build',
      pyproject:
        '[build-system]\nbuild-backend = "setuptools.build_meta"\n[project]\nname = "a"\ndependencies = ["six==1.16.0"]\n',
      want: ['CPP014@setup.cfg:11'],
    },
    {
      why: 'dependencies listed in dynamic come from setup.cfg',
      pyproject: '[project]\nname = "a"\ndynamic = ["dependencies"]\n',
      want: ['CPP014@setup.cfg:11', 'CPP015@setup.cfg:10'],
    },
    {
      why: 'no [project] table: setup.cfg is the configuration',
      pyproject: '[build-system]\nrequires = ["setuptools"]\n',
      want: ['CPP014@setup.cfg:11', 'CPP015@setup.cfg:10', 'CPP015@setup.cfg:16'],
    },
    {
      why: 'another build backend does not read setup.cfg',
      pyproject: '[build-system]\nbuild-backend = "hatchling.build"\n',
      want: [],
    },
  ])('beside a pyproject.toml: $why', async ({ pyproject, want }) => {
    const r = await scanWith(tree({ 'setup.cfg': SETUP_CFG, 'pyproject.toml': pyproject }), [pythonDepsStage]);
    expect(at(r).filter((id) => id.includes('setup.cfg'))).toEqual(want);
  });
});
