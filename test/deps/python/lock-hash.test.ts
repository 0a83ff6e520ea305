import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pythonDepsStage } from '../../../src/deps/parsers/python/stage.js';
import { pythonJsonDumps } from '../../../src/deps/parsers/python/poetry-content-hash.js';
import { corpusPath } from '../../helpers/corpus.js';
import { scanWith } from '../../helpers/scan.js';

const CASES = path.resolve(import.meta.dirname, '../../../fixtures/python/cases/poetry-content-hash');

// Poetry's Locker._get_content_hash: sha256 of json.dumps(relevant [tool.poetry] keys, sort_keys=True). The hashes
// in these fixtures were computed with CPython's json module; the three real poetry.lock files of the corpus match
// theirs (test/deps/python/rules.test.ts reports no CPP077 on them).
describe('the manifest hash a lockfile records against the manifest beside it (CPP077)', () => {
  it.each([
    { dir: 'fresh-unicode', name: 'matches: non-ASCII, astral and control characters spelled as json.dumps', want: [] },
    {
      dir: 'stale-source',
      name: 'a source added after locking: no dependency is missing, only the hash tells',
      want: ['CPP077@poetry.lock:15'],
    },
    {
      dir: 'stale-and-missing',
      name: 'a dependency added after locking: CPP020 names it, the stale hash is the same cause',
      want: ['CPP020@pyproject.toml:8'],
    },
    // Poetry 2 with a PEP 621 [project] table (fixtures/python/generate/poetry2_content_hash.py).
    { dir: 'pep621-fresh', name: 'Poetry 2 hashes [project] beside [tool.poetry]: fresh', want: [] },
    { dir: 'pep621-groups-fresh', name: 'Poetry 2.3 also hashes [dependency-groups]: fresh', want: [] },
    {
      dir: 'pep621-groups-poetry22',
      name: 'a Poetry 2.2 lock hashed without [dependency-groups] is still fresh (2.3 accepts it)',
      want: [],
    },
    {
      dir: 'pep621-stale',
      name: '[project] requires-python raised after locking: only the hash tells',
      want: ['CPP077@poetry.lock:62'],
    },
    {
      dir: 'pep621-groups-stale',
      name: 'a [dependency-groups] requirement narrowed after a Poetry 2.3 lock',
      want: ['CPP077@poetry.lock:62'],
    },
  ])('$name ($dir)', async (c) => {
    const r = await scanWith(path.join(CASES, c.dir), [pythonDepsStage]);
    expect(r.findings.map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}`).sort()).toEqual(c.want);
  });

  // plette's Pipfile.get_hash (what pipenv locks and `install --deploy` checks): reproduces presidio's real lock.
  it.each([
    { name: 'the real Pipfile of its Pipfile.lock', edit: (t: string) => t, want: [] },
    {
      name: 'the same Pipfile with a source switched after locking',
      edit: (t: string) => t.replace('https://pypi.python.org/simple', 'https://pypi.corp.example/simple'),
      want: ['CPP077@Pipfile.lock:4'],
    },
  ])('Pipfile.lock _meta.hash: $name', async (c) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-pipfile-hash-'));
    await copyFile(
      corpusPath('python', 'lockfiles', 'microsoft-presidio.Pipfile.lock'),
      path.join(dir, 'Pipfile.lock'),
    );
    const pipfile = await readFile(corpusPath('python', 'lockfiles', 'microsoft-presidio.Pipfile'), 'utf8');
    await writeFile(path.join(dir, 'Pipfile'), c.edit(pipfile));
    const r = await scanWith(dir, [pythonDepsStage]);
    expect(
      r.findings
        .filter((f) => f.ruleId === 'CPP077')
        .map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}`),
    ).toEqual(c.want);
  });

  it.each([
    [{ b: 1, a: [true, null, 'x'] }, '{"a": [true, null, "x"], "b": 1}'],
    ['é\u007f"\\\n', '"\\u00e9\\u007f\\"\\\\\\n"'],
    [{ '\u{1F600}': 1, z: 2 }, '{"z": 2, "\\ud83d\\ude00": 1}'],
    [1.5, undefined],
  ])('json.dumps(%j, sort_keys=True)', (value, want) => {
    expect(pythonJsonDumps(value)).toBe(want);
  });
});
