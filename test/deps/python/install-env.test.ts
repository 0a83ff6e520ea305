import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pythonDepsStage } from '../../../src/deps/parsers/python/stage.js';
import { scanWith } from '../../helpers/scan.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
import { tempTrees } from '../../helpers/temp-tree.js';

const CASES = path.resolve(import.meta.dirname, '../../../fixtures/python/cases');

describe('index settings a Dockerfile, workflow or script gives pip / uv', () => {
  it.each([
    {
      name: 'PIP_* / UV_* variables: hosts the policy does not allow are CPP070, TLS-off hosts CPP071, http CPP013',
      dir: 'install-env-indexes',
      want: [
        // pip merges an extra index with its main one for every name (PackageFinder.find_best_candidate); UV_INDEX
        // is uv's, whose default first-index strategy does not.
        'CPP012@Dockerfile:2=docker-extra.example',
        'CPP012@scripts/install.sh:4=plain.example',
        'CPP013@scripts/install.sh:4=plain.example',
        'CPP070@.github/workflows/ci.yml:8=uv-index.example',
        'CPP070@Dockerfile:2=docker-extra.example',
        'CPP070@scripts/install.sh:3=script-links.example',
        'CPP070@scripts/install.sh:4=plain.example',
        'CPP071@Dockerfile:3=docker-extra.example',
      ],
    },
    {
      name: '--extra-index-url / --trusted-host / -i / uv --index on install command lines',
      dir: 'install-command-options',
      want: [
        // The continuation line belongs to `pip install` (Dockerfile:2): pip's extra index.
        'CPP012@Dockerfile:3=run-extra.example',
        'CPP070@.github/workflows/ci.yml:8=uv-cli.example',
        'CPP070@Dockerfile:3=run-extra.example',
        'CPP070@Dockerfile:6=glued.example',
        'CPP071@Dockerfile:4=run-extra.example',
      ],
    },
  ])('$name ($dir)', async ({ dir, want }) => {
    const r = await scanWith(path.join(CASES, dir), [pythonDepsStage]);
    const got = r.findings
      .filter((f) => f.ruleId !== 'CPP050')
      .map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}=${String(f.evidence?.['host'])}`)
      .sort();
    expect(got).toEqual(want);
  });
});

/**
 * CPP012 whether the policy allows the extra index or not: pip (`PackageFinder.find_all_candidates` over
 * `[index_url] + extra_index_urls`, then `find_best_candidate`) installs the highest version of a name any index
 * serves, so PyPI can take over a name the allowed private index serves. uv's `--extra-index-url` is not reported:
 * its default `first-index` strategy takes a name from the first index that has it.
 */
describe('a pip extra index set outside requirements files (CPP012)', () => {
  it('is reported once per file and index, with the number of settings', async () => {
    const policy = {
      ...DEFAULT_POLICY,
      dependencies: { ...DEFAULT_POLICY.dependencies, python: { indexes: ['https://pypi.corp.example/simple/'] } },
    };
    const r = await scanWith(path.join(CASES, 'install-env-extra-allowed'), [pythonDepsStage], { policy });
    const got = r.findings
      .filter((f) => f.ruleId !== 'CPP050')
      .map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}×${String(f.evidence?.['count'])}`)
      .sort();
    expect(got).toEqual(['CPP012@Dockerfile:3×1', 'CPP012@scripts/install.sh:6×2']);
  });

  // uv-resolver's `IndexStrategy`: `first-index` (the default) stops at the first index that has the name;
  // `unsafe-first-match` / `unsafe-best-match` ask every index for every name, as pip does.
  it("is uv's extra index too when its command or UV_INDEX_STRATEGY picks an unsafe index-strategy", async () => {
    const tree = tempTrees('cp-uv-strategy-');
    const dir = tree({
      Dockerfile: [
        'FROM python:3.12', // 1
        'RUN uv pip install --system --extra-index-url https://pypi.corp.example/simple a', // 2
        'RUN uv pip install --system --index-strategy unsafe-best-match \\', // 3
        '    --extra-index-url https://pypi.corp.example/simple b', // 4
        'RUN uv pip install --index-strategy=first-index --index corp=https://pypi.corp.example/simple c', // 5
      ].join('\n'),
      'ci.sh': [
        'export UV_INDEX_STRATEGY=unsafe-first-match', // 1
        'export UV_INDEX="corp=https://pypi.corp.example/simple"', // 2
        'uv pip install d', // 3
      ].join('\n'),
    });
    const policy = {
      ...DEFAULT_POLICY,
      dependencies: { ...DEFAULT_POLICY.dependencies, python: { indexes: ['https://pypi.corp.example/simple/'] } },
    };
    const r = await scanWith(dir, [pythonDepsStage], { policy });
    const got = r.findings.map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}`).sort();
    expect(got).toEqual(['CPP012@Dockerfile:4', 'CPP012@ci.sh:2']);
    expect(r.findings.map((f) => f.evidence?.['strategy']).sort()).toEqual(['unsafe-best-match', 'unsafe-first-match']);
  });
});

// pipx main.py: `--index-url` / `-i` and the words of `--pip-args` (shlex.split) go to pip.
describe("pipx's index options", () => {
  const tree = tempTrees('cp-pipx-index-');
  it('-i, --index-url and the index options inside --pip-args are read as pip reads them', async () => {
    const dir = tree({
      'install.sh': [
        'pipx install -i https://one.example/simple mypy', // 1
        'pipx install --pip-args "--extra-index-url https://two.example/simple" black', // 2
        "pipx run --pip-args='--index-url=https://three.example/simple --trusted-host three.example' ruff", // 3
      ].join('\n'),
    });
    const r = await scanWith(dir, [pythonDepsStage]);
    const got = r.findings.map((f) => `${f.ruleId}@${f.location.line ?? 0}=${String(f.evidence?.['host'])}`).sort();
    expect(got).toEqual([
      'CPP012@2=two.example',
      'CPP070@1=one.example',
      'CPP070@2=two.example',
      'CPP070@3=three.example',
      'CPP071@3=three.example',
    ]);
  });
});

// pipenv cli/options.py `index_option`: `-i` / `--index` is the index pipenv installs from.
describe("pipenv's index options", () => {
  const tree = tempTrees('cp-pipenv-index-');
  it('-i and --index are the index pipenv installs from, named as pipenv', async () => {
    const dir = tree({
      Dockerfile: [
        'FROM python:3.12', // 1
        'RUN pipenv install -i https://one.example/simple requests', // 2
        'RUN pipenv install --index=https://two.example/simple requests', // 3
      ].join('\n'),
    });
    const r = await scanWith(dir, [pythonDepsStage]);
    const got = r.findings.map((f) => `${f.ruleId}@${f.location.line ?? 0}=${String(f.evidence?.['host'])}`).sort();
    expect(got).toEqual(['CPP070@2=one.example', 'CPP070@3=two.example']);
    expect(r.findings.every((f) => f.message.includes('configures pipenv'))).toBe(true);
  });
});

describe('index URLs in findings carry no token', () => {
  const tree = tempTrees('cp-env-token-');
  it('drops user information and the query, whatever the parameter is called', async () => {
    const dir = tree({
      'requirements.txt': 'requests==2.32.3\n',
      Dockerfile:
        'FROM python:3.12\nENV PIP_EXTRA_INDEX_URL=https://u:Zq81secret@pypi.corp.example/simple?tok=Zq82secret\n',
    });
    const r = await scanWith(dir, [pythonDepsStage]);
    // The password written into the Dockerfile is itself a committed secret (CPP093), reported without it.
    expect(r.findings.map((f) => f.ruleId).sort()).toEqual(['CPP012', 'CPP070', 'CPP093']);
    expect(JSON.stringify(r.findings)).not.toMatch(/Zq8\dsecret/);
  });
});

describe('a GitHub expression inside an index URL on a command line', () => {
  const tree = tempTrees('cp-env-expr-');
  it('is one word, as the runner substitutes it before the shell splits the line: the host is the real one', async () => {
    const dir = tree({
      'requirements.txt': 'requests==2.32.3\n',
      '.github/workflows/ci.yml': [
        'on: push',
        'jobs:',
        '  t:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: pip install -r requirements.txt --index-url https://ci:${{ secrets.PIP_TOKEN }}@pypi.corp.example/simple',
        '',
      ].join('\n'),
    });
    const r = await scanWith(dir, [pythonDepsStage]);
    const hosts = r.findings.filter((f) => f.ruleId === 'CPP070').map((f) => String(f.evidence?.['host']));
    expect(hosts).toEqual(['pypi.corp.example']);
  });
});

/**
 * pip takes any `PIP_<NAME>` variable as the option `_normalize_name` makes of it (lower-cased, `_` as `-`, a leading
 * `--` dropped), and a pip.conf key the same way; `--pypi-url` is an alias of `--index-url` (cmdoptions
 * `index_url`). Checked with pip 24.2: `PIP_PYPI_URL=…`, `[global] pypi_url = …` and `[global] --index_url = …` each
 * made `pip download` look in that index.
 */
describe('the spellings of an index pip accepts', () => {
  const tree = tempTrees('cp-pip-spellings-');
  it('PIP_PYPI_URL, PIP_Index_Url, PIP___EXTRA_INDEX_URL, --pypi-url, and pip.conf pypi_url / --index_url', async () => {
    const dir = tree({
      Dockerfile: [
        'FROM python:3.12',
        'ENV PIP_PYPI_URL=https://env-alias.example/simple',
        'ENV PIP_Index_Url=https://env-case.example/simple PIP___EXTRA_INDEX_URL=https://env-dash.example/simple',
        'RUN pip install --pypi-url https://cli-alias.example/simple six==1.16.0',
        'RUN pip install --pypi=https://cli-abbrev.example/simple six==1.16.0',
        '',
      ].join('\n'),
      'pip.conf': [
        '[global]',
        'pypi_url = https://conf-alias.example/simple',
        '--extra_index_url = https://conf-dash.example/simple',
        '',
      ].join('\n'),
      'ci.sh': 'PIP_No_Binary=:all: pip install six==1.16.0\n',
    });
    const r = await scanWith(dir, [pythonDepsStage]);
    const got = r.findings
      .filter((f) => f.ruleId === 'CPP070' || f.ruleId === 'CPP074')
      .map(
        (f) =>
          `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}=${String(f.evidence?.['host'] ?? f.evidence?.['names'])}`,
      )
      .sort();
    expect(got).toEqual([
      'CPP070@Dockerfile:2=env-alias.example',
      'CPP070@Dockerfile:3=env-case.example',
      'CPP070@Dockerfile:3=env-dash.example',
      'CPP070@Dockerfile:4=cli-alias.example',
      'CPP070@Dockerfile:5=cli-abbrev.example',
      'CPP070@pip.conf:2=conf-alias.example',
      'CPP070@pip.conf:3=conf-dash.example',
      'CPP074@ci.sh:1=six',
    ]);
  });
});
