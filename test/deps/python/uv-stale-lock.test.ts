import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../../src/core/result.js';
import { pythonDepsStage } from '../../../src/deps/parsers/python/stage.js';
import { scanWith } from '../../helpers/scan.js';
import { tempTrees } from '../../helpers/temp-tree.js';

const tree = tempTrees('cp-uv-stale-');
const ids = (r: ScanResult) =>
  r.findings
    .filter((f) => f.ruleId !== 'CPP050')
    .map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}`)
    .sort();

const HASH = 'sha256:58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f';
const UV_LOCK = [
  'version = 1',
  'requires-python = ">=3.12"',
  '',
  '[[package]]',
  'name = "app"',
  'version = "0.1.0"',
  'source = { virtual = "." }',
  'dependencies = [{ name = "requests" }]',
  '',
  '[[package]]',
  'name = "requests"',
  'version = "2.32.3"',
  'source = { registry = "https://pypi.org/simple" }',
  `wheels = [{ url = "https://files.pythonhosted.org/packages/r/requests-2.32.3-py3-none-any.whl", hash = "${HASH}" }]`,
  '',
].join('\n');
const project = (...uv: string[]) =>
  ['[project]', 'name = "app"', 'version = "0.1.0"', 'dependencies = ["requests"]', ...uv, ''].join('\n');

/**
 * `uv sync` (without `--locked` / `--frozen`) installs uv.lock only while it matches the project's indexes:
 * `Lock::satisfies` answers `MissingRemoteIndex` for a package locked from a registry none of them is (PyPI counts
 * unless an index is the default), and `ValidatedLock::validate` then resolves again from the project's indexes.
 */
describe("a uv.lock its pyproject.toml's indexes no longer match", () => {
  it('is resolved again from them: their indexes are judged as the install reads them', async () => {
    const replaced = tree({
      'uv.lock': UV_LOCK,
      'pyproject.toml': project(
        '[[tool.uv.index]]',
        'name = "mirror"',
        'url = "https://evil.example/simple"',
        'default = true',
      ),
    });
    const indexUrl = tree({
      'uv.lock': UV_LOCK,
      'pyproject.toml': project('[tool.uv]', 'index-url = "https://evil.example/simple"'),
    });
    expect(ids(await scanWith(replaced, [pythonDepsStage]))).toEqual(['CPP070@pyproject.toml:5']);
    expect(ids(await scanWith(indexUrl, [pythonDepsStage]))).toEqual(['CPP070@pyproject.toml:6']);
  });

  it('is installed as locked while PyPI and its registries are still among them', async () => {
    const dir = tree({
      'uv.lock': UV_LOCK,
      'pyproject.toml': project(
        '[[tool.uv.index]]',
        'name = "x"',
        'url = "https://evil.example/simple"',
        'explicit = true',
      ),
    });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual([]);
  });
});

const CORP_LOCK = [
  'version = 1',
  'requires-python = ">=3.10"',
  '',
  '[[package]]',
  'name = "app"',
  'version = "0.1.0"',
  'source = { virtual = "." }',
  'dependencies = [{ name = "corp-utils" }]',
  '',
  '[[package]]',
  'name = "corp-utils"',
  'version = "1.0"',
  'source = { registry = "https://pypi.corp.example/simple" }',
  `wheels = [{ url = "https://pypi.corp.example/packages/corp_utils-1.0-py3-none-any.whl", hash = "${HASH}" }]`,
  '',
].join('\n');
const corpProject = (...uv: string[]) =>
  ['[project]', 'name = "app"', 'version = "0.1.0"', 'dependencies = ["corp-utils==1.0"]', ...uv, ''].join('\n');

/**
 * A uv.lock whose packages come from a private registry the project does not declare. With no index configured at
 * all (`IndexLocations::is_none`), `ValidatedLock::validate` skips the index comparison and uv installs the lock as
 * it stands; with any index configured, `Lock::satisfies` answers `MissingRemoteIndex` and `uv sync` resolves the
 * private names again on PyPI: a name published there is what installs (CPP075).
 */
describe('a uv.lock from a registry its pyproject.toml does not declare', () => {
  it('is installed as locked when the project configures no uv index at all', async () => {
    const dir = tree({ 'uv.lock': CORP_LOCK, 'pyproject.toml': corpProject() });
    // A Poetry source left in the file is no uv setting: uv neither resolves again nor reads it.
    const poetrySource = tree({
      'uv.lock': CORP_LOCK,
      'pyproject.toml': corpProject('', '[[tool.poetry.source]]', 'name = "old"', 'url = "https://old.example/simple"'),
    });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual(['CPP070@uv.lock:10']);
    expect(ids(await scanWith(poetrySource, [pythonDepsStage]))).toEqual(['CPP070@uv.lock:10']);
  });

  it('is resolved again on PyPI once another index is configured: the private names are exposed', async () => {
    const dir = tree({
      'uv.lock': CORP_LOCK,
      'pyproject.toml': corpProject(
        '',
        '[[tool.uv.index]]',
        'name = "pytorch"',
        'url = "https://download.pytorch.org/whl/cpu"',
        'explicit = true',
      ),
    });
    const r = await scanWith(dir, [pythonDepsStage]);
    expect(ids(r)).toEqual(['CPP070@uv.lock:10', 'CPP075@pyproject.toml:6']);
    const f = r.findings.find((x) => x.ruleId === 'CPP075')!;
    expect(f.evidence).toMatchObject({ url: 'https://pypi.corp.example/simple', count: 1, packages: 'corp-utils' });
  });

  it('is not exposed when a default index replaces PyPI, or the package is pinned to a declared index', async () => {
    const replaced = tree({
      'uv.lock': CORP_LOCK,
      'pyproject.toml': corpProject(
        '',
        '[[tool.uv.index]]',
        'name = "mirror"',
        'url = "https://mirror.corp.example/simple"',
        'default = true',
      ),
    });
    const pinned = tree({
      'uv.lock': CORP_LOCK,
      'pyproject.toml': corpProject(
        '',
        '[tool.uv.sources]',
        'corp-utils = { index = "corp" }',
        '',
        '[[tool.uv.index]]',
        'name = "corp"',
        'url = "https://pypi.corp.example/simple"',
        'explicit = true',
      ),
    });
    expect(ids(await scanWith(replaced, [pythonDepsStage]))).not.toContain('CPP075@pyproject.toml:6');
    expect(ids(await scanWith(pinned, [pythonDepsStage])).filter((id) => id.startsWith('CPP075'))).toEqual([]);
  });
});
