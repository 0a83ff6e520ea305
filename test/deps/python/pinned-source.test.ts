import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pythonDepsStage } from '../../../src/deps/parsers/python/stage.js';
import { scanWith } from '../../helpers/scan.js';

const CASES = path.resolve(import.meta.dirname, '../../../fixtures/python/cases/pinned-source');

/**
 * CPP080: pyproject.toml ties a package to a git repository (at a commit) or an archive URL, and the lockfile, which
 * `poetry install` (`Executor._install_git`: the lock's url at resolved_reference) and `uv sync --frozen` follow,
 * installs it from another. Before, the swapped lock gave the same findings as the honest one (CPP014 / CPP015).
 */
describe('a lockfile that swaps the git repository or URL pyproject.toml names (CPP080)', () => {
  it.each([
    [
      'poetry-git-swapped',
      'Poetry: the lock clones a look-alike repository',
      ['CPP014@poetry.lock:1', 'CPP080@poetry.lock:1'],
    ],
    [
      'poetry-commit-swapped',
      'Poetry: the right repository at another commit',
      ['CPP014@poetry.lock:1', 'CPP080@poetry.lock:1'],
    ],
    ['uv-git-swapped', 'uv: the lock builds a look-alike repository', ['CPP014@uv.lock:14', 'CPP080@uv.lock:14']],
    ['uv-url-swapped', 'uv: the lock downloads another archive URL', ['CPP015@uv.lock:14', 'CPP080@uv.lock:14']],
    ['uv-git-same', 'uv: the lock is what the manifest names', ['CPP014@uv.lock:14']],
    [
      'pipenv-git-swapped',
      'pipenv: the lock clones a look-alike repository',
      ['CPP014@Pipfile.lock:19', 'CPP080@Pipfile.lock:19'],
    ],
    ['pipenv-git-same', 'pipenv: the lock is what the Pipfile names', ['CPP014@Pipfile.lock:19']],
  ])('%s: %s', async (dir, _what, want) => {
    const r = await scanWith(path.join(CASES, dir), [pythonDepsStage]);
    expect(r.findings.map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}`).sort()).toEqual(want);
  });
});
