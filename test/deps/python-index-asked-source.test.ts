import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pythonDepsStage } from '../../src/deps/parsers/python/stage.js';
import { scanWith } from '../helpers/scan.js';

/**
 * CPP081: pyproject.toml asks for an index version and poetry.lock / uv.lock installs the name from git, a URL or a
 * folder (poetry-core `Package.source_satisfies`, uv `Lock::satisfies`). One finding per cause: not also the source
 * warning (CPP014 / CPP015 / CPP073). Fixtures: fixtures/lockfiles/install-agreement/README.md.
 */
const DIR = path.resolve(import.meta.dirname, '../../fixtures/lockfiles/install-agreement');

const cases = [
  { dir: 'poetry-url-for-index', want: ['CPP081:error@poetry.lock:3'] },
  { dir: 'poetry-git-for-index', want: ['CPP081:error@poetry.lock:3'] },
  { dir: 'poetry-dir-for-index', want: ['CPP081:error@poetry.lock:3'] },
  { dir: 'uv-url-for-index', want: ['CPP081:error@uv.lock:16'] },
  // The manifest asks for the URL itself ([tool.uv.sources]): the direct-URL warning only.
  { dir: 'uv-url-declared', want: ['CPP015:warning@uv.lock:16'] },
];

describe('Python: an index requirement locked to git, a URL or a folder is lockfile injection (CPP081)', () => {
  it.each(cases)('$dir', async ({ dir, want }) => {
    const r = await scanWith(path.join(DIR, dir), [pythonDepsStage], {});
    const got = r.findings
      .filter((f) => f.ruleId !== 'CPP050')
      .map((f) => `${f.ruleId}:${f.level ?? ''}@${f.location.path}:${f.location.line ?? ''}`)
      .sort();
    expect(got).toEqual(want);
  });

  it('names the manifest and the locked source in the evidence', async () => {
    const r = await scanWith(path.join(DIR, 'poetry-git-for-index'), [pythonDepsStage], {});
    const f = r.findings.find((x) => x.ruleId === 'CPP081');
    expect(f?.evidence?.manifest).toBe('pyproject.toml');
    expect(String(f?.evidence?.locked)).toContain('https://github.com/evil/requests.git');
  });
});
