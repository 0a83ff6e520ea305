import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../../src/core/result.js';
import { pythonDepsStage } from '../../../src/deps/parsers/python/stage.js';
import { scanWith } from '../../helpers/scan.js';
import { tempTrees } from '../../helpers/temp-tree.js';

const tree = tempTrees('cp-uv-builds-');
const builds = (r: ScanResult) =>
  r.findings
    .filter((f) => f.ruleId === 'CPP074')
    .map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}`)
    .sort();

// Builds-Here (line 10) has only an sdist, has-wheel (line 16) a wheel and an sdist, allowed-build (line 30) an sdist.
const UV_LOCK = readFileSync(
  path.resolve(import.meta.dirname, '../../../fixtures/python/cases/sdist-builds/uv/uv.lock'),
  'utf8',
);
const project = (...uv: string[]) =>
  ['[project]', 'name = "app"', 'version = "0.1.0"', 'dependencies = []', '', '[tool.uv]', ...uv, ''].join('\n');

/**
 * uv-resolver `Package::to_dist`: `uv sync` installs a locked wheel unless `no-binary` names the package (or all),
 * and builds its sdist only unless `no-build` does; `[tool.uv]` sets both for every sync of the project.
 */
describe("uv.lock's source builds under the project's [tool.uv] build settings", () => {
  it('no-binary: a package with wheels is built from its sdist all the same', async () => {
    const one = tree({ 'uv.lock': UV_LOCK, 'pyproject.toml': project('no-binary-package = ["Has_Wheel"]') });
    const all = tree({ 'uv.lock': UV_LOCK, 'pyproject.toml': project('no-binary = true') });
    const expected = ['CPP074@uv.lock:10', 'CPP074@uv.lock:16', 'CPP074@uv.lock:30'].sort();
    expect(builds(await scanWith(one, [pythonDepsStage]))).toEqual(expected);
    expect(builds(await scanWith(all, [pythonDepsStage]))).toEqual(expected);
  });

  it('no-build: no package is built (the install fails instead)', async () => {
    const one = tree({ 'uv.lock': UV_LOCK, 'pyproject.toml': project('no-build-package = ["builds-here"]') });
    const all = tree({ 'uv.lock': UV_LOCK, 'pyproject.toml': project('no-build = true') });
    expect(builds(await scanWith(one, [pythonDepsStage]))).toEqual(['CPP074@uv.lock:30']);
    expect(builds(await scanWith(all, [pythonDepsStage]))).toEqual([]);
  });

  it('a uv.toml beside pyproject.toml is read instead of [tool.uv], its build settings too', async () => {
    const noBinary = tree({ 'uv.lock': UV_LOCK, 'pyproject.toml': project(), 'uv.toml': 'no-binary = true\n' });
    const noBuild = tree({
      'uv.lock': UV_LOCK,
      'pyproject.toml': project('no-binary = true'),
      'uv.toml': 'no-build = true\n',
    });
    const plain = tree({
      'uv.lock': UV_LOCK,
      'pyproject.toml': project('no-binary-package = ["has-wheel"]'),
      'uv.toml': 'index-strategy = "first-index"\n',
    });
    const all = await scanWith(noBinary, [pythonDepsStage]);
    expect(builds(all)).toEqual(['CPP074@uv.lock:10', 'CPP074@uv.lock:16', 'CPP074@uv.lock:30'].sort());
    expect(all.findings.find((f) => f.location.line === 16)?.evidence?.['noBinary']).toBe('uv.toml');
    expect(builds(await scanWith(noBuild, [pythonDepsStage]))).toEqual([]);
    expect(builds(await scanWith(plain, [pythonDepsStage]))).toEqual(['CPP074@uv.lock:10', 'CPP074@uv.lock:30']);
  });
});
