import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runMain } from '../helpers/cli.js';
import { corpusPath } from '../helpers/corpus.js';
import { tempTrees } from '../helpers/temp-tree.js';

/**
 * `--shard i/n` offline over a real uv project (karpathy/nanochat's uv.lock and pyproject.toml): each shard counts
 * its own packages as unverifiable and the "not checked because offline" cause (CPP050) comes out once, from the
 * shard that owns the lockfile, with every package in it, as npm's CPD131 does. Before, each shard counted only its
 * share and the finding survived only if that shard also owned the lockfile (red-team rt2 item 6: 2 of 3 shards
 * reported unverifiable packages with no finding).
 */
const tree = tempTrees('chainproof-shard-py-');

interface Report {
  readonly findings: readonly {
    ruleId: string;
    location: { path: string; line?: number };
    evidence?: { count?: number };
  }[];
  readonly summary: { readonly unverifiable: number };
}

async function scan(dir: string, extra: readonly string[]): Promise<Report> {
  const r = await runMain(['scan', dir, '--offline', '--no-cache', '--fail-on', 'none', '-f', 'json', ...extra], {
    cwd: REPO,
  });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Report;
}

const identity = (f: Report['findings'][number]) =>
  `${f.ruleId} ${f.location.path}:${f.location.line ?? 0} ${f.evidence?.count ?? ''}`;

describe('--shard over a uv project offline', () => {
  it('merged shards give the unsharded findings and unverifiable count', async () => {
    const dir = tree({});
    copyFileSync(corpusPath('python', 'lockfiles', 'karpathy-nanochat.uv.lock'), path.join(dir, 'uv.lock'));
    copyFileSync(
      corpusPath('python', 'lockfiles', 'karpathy-nanochat.pyproject.toml'),
      path.join(dir, 'pyproject.toml'),
    );
    const whole = await scan(dir, []);
    const cause = whole.findings.filter((f) => f.ruleId === 'CPP050');
    expect(cause).toHaveLength(1);
    // 104 lockfile entries; the summary counts 103 distinct name@version (torch 2.9.1 is locked twice).
    expect(cause[0]!.evidence?.count).toBeGreaterThanOrEqual(whole.summary.unverifiable);

    const shards = [];
    for (const i of [1, 2, 3]) shards.push(await scan(dir, ['--shard', `${i}/3`]));
    // Every shard has packages of its own, so the lost-finding case is really exercised.
    for (const s of shards) expect(s.summary.unverifiable).toBeGreaterThan(0);
    expect(shards.reduce((n, s) => n + s.summary.unverifiable, 0)).toBe(whole.summary.unverifiable);
    expect(shards.flatMap((s) => s.findings.map(identity)).sort()).toEqual(whole.findings.map(identity).sort());
  });
});

describe('the offline cause over two Python lockfiles', () => {
  it('names both lockfiles in its message and reaches every entry, so its count is not read as the first file’s', async () => {
    const dir = tree({});
    // google-deepmind/alphafold3's uv.lock (105 entries) in a folder, jax's requirements lock (102) at the root.
    const sub = path.join(dir, 'python');
    mkdirSync(sub);
    copyFileSync(corpusPath('python', 'lockfiles', 'google-deepmind-alphafold3.uv.lock'), path.join(sub, 'uv.lock'));
    copyFileSync(
      corpusPath('python', 'lockfiles', 'google-deepmind-alphafold3.pyproject.toml'),
      path.join(sub, 'pyproject.toml'),
    );
    copyFileSync(
      corpusPath('python', 'lockfiles', 'jax-ml-jax.requirements_lock_3_12.txt'),
      path.join(dir, 'requirements.txt'),
    );
    const r = await runMain(['scan', dir, '--offline', '--no-cache', '--fail-on', 'none', '-f', 'json'], { cwd: REPO });
    const report = JSON.parse(r.stdout) as {
      findings: { ruleId: string; message: string; evidence?: { count?: number }; related?: { path: string }[] }[];
    };
    const cause = report.findings.filter((f) => f.ruleId === 'CPP050');
    expect(cause).toHaveLength(1);
    expect(cause[0]!.evidence?.count).toBe(207);
    expect(cause[0]!.message).toMatch(
      /^207 Python packages in 2 lockfiles \(python\/uv\.lock and requirements\.txt\) were not checked/,
    );
    expect(new Set(cause[0]!.related!.map((l) => l.path))).toEqual(new Set(['python/uv.lock', 'requirements.txt']));
    expect(cause[0]!.related).toHaveLength(207);
  });
});
