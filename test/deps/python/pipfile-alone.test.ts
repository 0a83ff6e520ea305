import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../../src/core/result.js';
import { scanAsCli } from '../../helpers/scan.js';
import { tempTrees } from '../../helpers/temp-tree.js';

const tree = tempTrees('cp-pipfile-alone-');
const ids = (r: ScanResult) =>
  r.findings
    .filter((f) => f.ruleId !== 'CPP050')
    .map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}`)
    .sort();

const PIPFILE = (searchAll: boolean) =>
  [
    '[[source]]', // 1
    'url = "https://pypi.org/simple"',
    'verify_ssl = true',
    'name = "pypi"',
    '',
    '[[source]]', // 6
    'name = "corp"',
    'url = "https://pypi.corp.example/simple"', // 8
    'verify_ssl = false',
    '',
    '[packages]',
    'requests = "*"',
    'corp-lib = {version = "==1.0", index = "corp"}',
    ...(searchAll ? ['', '[pipenv]', 'install_search_all_sources = true'] : []),
    '',
  ].join('\n');

/**
 * `pipenv install` with no Pipfile.lock resolves the Pipfile against its `[[source]]` indexes (pipenv
 * `prepare_pip_source_args`: the first as `-i`, the others `--extra-index-url`, `verify_ssl = false` as
 * `--trusted-host`); each package from the first source or its own `index`, every source for every name only under
 * `install_search_all_sources`.
 */
describe('a Pipfile with no Pipfile.lock beside it', () => {
  it('is judged for its sources: an index the policy does not allow, TLS off', async () => {
    expect(ids(await scanAsCli(tree({ Pipfile: PIPFILE(false) })))).toEqual(['CPP070@Pipfile:8', 'CPP071@Pipfile:8']);
  });

  it('with install_search_all_sources, every source is asked for every name: dependency confusion', async () => {
    const r = await scanAsCli(tree({ Pipfile: PIPFILE(true) }));
    expect(r.findings.find((f) => f.ruleId === 'CPP012')?.message).toContain('under install_search_all_sources');
    expect(ids(r)).toEqual(['CPP012@Pipfile:8', 'CPP070@Pipfile:8', 'CPP071@Pipfile:8']);
  });

  it('is judged for the git and URL packages pipenv fetches, each at its line', async () => {
    const pipfile = [
      '[packages]',
      'requests = "*"',
      'evil = {git = "https://github.com/a/evil.git", ref = "main"}', // 3
      '',
      '[dev-packages]',
      '"tool" = {file = "https://e.example/tool-1.0.tar.gz"}', // 6
      'local = {path = "./vendor/local", editable = true}',
      '',
    ].join('\n');
    const r = await scanAsCli(tree({ Pipfile: pipfile, 'vendor/local/setup.py': '' }));
    expect(ids(r)).toEqual(['CPP014@Pipfile:3', 'CPP015@Pipfile:6']);
    expect(r.findings.find((f) => f.ruleId === 'CPP014')?.message).toContain('git+https://github.com/a/evil.git@main');
  });

  // pipenv's usual form for a repository it develops in place: requirementslib `Requirement.as_line` hands pip
  // `-e git+<url>@<ref>#egg=<name>`, which pip fetches as it does without `editable`.
  it('is judged for an editable git package as for any other', async () => {
    const pipfile = [
      '[packages]',
      'foo = {git = "https://github.com/o/foo.git", editable = true}', // 2
      'foo2 = {git = "https://github.com/o/foo2.git", ref = "main", editable = true}', // 3
      '',
    ].join('\n');
    const r = await scanAsCli(tree({ Pipfile: pipfile }));
    expect(ids(r)).toEqual(['CPP014@Pipfile:2', 'CPP014@Pipfile:3']);
    expect(r.findings.find((f) => f.location.line === 3)?.message).toContain('git+https://github.com/o/foo2.git@main');
  });

  it('beside its Pipfile.lock is installed through the lock, whose sources are judged there', async () => {
    const lock = JSON.stringify({
      _meta: {
        'pipfile-spec': 6,
        requires: {},
        sources: [{ name: 'pypi', url: 'https://pypi.org/simple', verify_ssl: true }],
      },
      default: {},
      develop: {},
    });
    expect(ids(await scanAsCli(tree({ Pipfile: PIPFILE(true), 'Pipfile.lock': lock })))).toEqual([]);
  });
});
