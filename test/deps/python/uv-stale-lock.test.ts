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
