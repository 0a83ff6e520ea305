import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PythonFileFormat } from '../../../src/deps/parsers/python/formats.js';
import { parsePythonLock } from '../../../src/deps/parsers/python/index.js';
import { corpusPath } from '../../helpers/corpus.js';

/** Counts from ../shared/corpora/python/lockfiles/INDEX.tsv (counted independently of this parser). */
const CASES: {
  file: string;
  format: PythonFileFormat;
  packages: number;
  projects: number;
  distinct?: number;
  dev?: number;
}[] = [
  { file: 'karpathy-nanochat.uv.lock', format: 'uv-lockfile', packages: 104, projects: 1 },
  { file: 'google-deepmind-alphafold3.uv.lock', format: 'uv-lockfile', packages: 105, projects: 1 },
  { file: 'zylon-ai-private-gpt.uv.lock', format: 'uv-lockfile', packages: 355, projects: 1 },
  { file: 'sktime-pytorch-forecasting.poetry.lock', format: 'poetry-lockfile', packages: 194, projects: 0, dev: 101 },
  { file: 'zylon-ai-private-gpt-5851b02.poetry.lock', format: 'poetry-lockfile', packages: 255, projects: 0 },
  { file: 'qdrant-fastembed.poetry.lock', format: 'poetry-lockfile', packages: 170, projects: 0 },
  {
    file: 'microsoft-presidio.Pipfile.lock',
    format: 'pipfile-lockfile',
    packages: 63,
    projects: 0,
    distinct: 59,
    dev: 22,
  },
  { file: 'Comfy-Org-comfy-cli.pylock.toml', format: 'pylock', packages: 47, projects: 1 },
  { file: 'CSSLab-maia3.pylock.toml', format: 'pylock', packages: 48, projects: 1 },
  { file: 'tensorflow-text.requirements_lock_3_12.txt', format: 'pip-requirements', packages: 58, projects: 0 },
  { file: 'jax-ml-jax.requirements_lock_3_12.txt', format: 'pip-requirements', packages: 102, projects: 0 },
  { file: 'tensorflow-text.requirements.in', format: 'pip-requirements', packages: 14, projects: 0 },
  { file: 'jax-ml-jax.nvidia-requirements.txt', format: 'pip-requirements', packages: 26, projects: 0 },
];

describe('Python lockfile parsers on real lockfiles (counts from INDEX.tsv)', () => {
  it.each(CASES)('$file: $packages packages', async (c) => {
    const text = readFileSync(corpusPath('python', 'lockfiles', c.file), 'utf8');
    const lock = await parsePythonLock(c.format, c.file, text);
    expect(lock.packages).toHaveLength(c.packages);
    expect(lock.projects).toHaveLength(c.projects);
    expect(lock.problems).toEqual([]);
    if (c.distinct !== undefined) expect(new Set(lock.packages.map((p) => p.name)).size).toBe(c.distinct);
    if (c.dev !== undefined) expect(lock.packages.filter((p) => p.dev)).toHaveLength(c.dev);
    // Every entry points at its own line, and lines increase through the file.
    const lines = lock.packages.map((p) => p.line);
    expect(lines.every((l) => l >= 1)).toBe(true);
    expect(new Set(lines).size).toBe(lines.length);
  });

  it('keys same-name packages by version (nanochat locks torch four times)', async () => {
    const file = 'karpathy-nanochat.uv.lock';
    const lock = await parsePythonLock(
      'uv-lockfile',
      file,
      readFileSync(corpusPath('python', 'lockfiles', file), 'utf8'),
    );
    const torch = lock.packages.filter((p) => p.name === 'torch');
    expect(torch.map((p) => `${p.version} ${p.url}`).sort()).toEqual([
      '2.9.1 https://download.pytorch.org/whl/cpu',
      '2.9.1 https://pypi.org/simple',
      '2.9.1+cpu https://download.pytorch.org/whl/cpu',
      '2.9.1+cu128 https://download.pytorch.org/whl/cu128',
    ]);
  });

  it('reads lock-version 1.1 hashes from [metadata.files] and pip-compile hashes after the "unsafe" comment', async () => {
    const poetry = await parsePythonLock(
      'poetry-lockfile',
      'p.lock',
      readFileSync(corpusPath('python', 'lockfiles', 'sktime-pytorch-forecasting.poetry.lock'), 'utf8'),
    );
    const absl = poetry.packages.find((p) => p.name === 'absl-py')!;
    expect(absl.distributions.map((d) => d.filename)).toEqual([
      'absl-py-1.2.0.tar.gz',
      'absl_py-1.2.0-py3-none-any.whl',
    ]);
    const reqs = await parsePythonLock(
      'pip-requirements',
      'r.txt',
      readFileSync(corpusPath('python', 'lockfiles', 'tensorflow-text.requirements_lock_3_12.txt'), 'utf8'),
    );
    const setuptools = reqs.packages.find((p) => p.name === 'setuptools')!;
    expect([setuptools.version, setuptools.line, setuptools.distributions.length]).toEqual(['80.9.0', 1104, 2]);
    expect(reqs.packages.every((p) => p.version !== '' && p.distributions.length > 0)).toBe(true);
  });
});
