import { afterAll, describe, expect, it } from 'vitest';
import { loadTrust } from '../../../src/app/trust.js';
import { makeRepo, type Tree, reviewHead } from './repo.js';

/**
 * A change that edits the files that judge it: the policy and the trusted registry. It is judged with the base
 * revision's copies, and the edit is reported (CPU019 policy, CPU020 registry). Before, the head's copies judged:
 * a pull request could drop `forbiddenFormats: [pickle]` and add a pickle, or drop the advisory naming the package
 * it adds, and pass.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const POLICY = '.chainproof/policy.yml';
const STRICT = 'version: 1\nmodels:\n  forbiddenFormats: [pickle]\n';
const LOOSE = 'version: 1\n';
/** Protocol-0 pickle of an empty dict: benign, but a pickle. */
const PICKLE = '(dp0\n.';

const sri = (fill: number) => `sha512-${Buffer.alloc(64, fill).toString('base64')}`;
function npmLock(pkgs: Record<string, string>): string {
  const packages: Record<string, unknown> = { '': { name: 'app', version: '1.0.0', dependencies: {} } };
  for (const [n, v] of Object.entries(pkgs)) {
    (packages[''] as { dependencies: Record<string, string> }).dependencies[n] = `^${v}`;
    packages[`node_modules/${n}`] = {
      version: v,
      resolved: `https://registry.npmjs.org/${n}/-/${n}-${v}.tgz`,
      integrity: sri(n.length),
    };
  }
  return (
    JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2) + '\n'
  );
}
const manifest = (pkgs: Record<string, string>) =>
  JSON.stringify({
    name: 'app',
    version: '1.0.0',
    dependencies: Object.fromEntries(Object.entries(pkgs).map(([n, v]) => [n, `^${v}`])),
  }) + '\n';
const advisory = (name: string) =>
  JSON.stringify({
    id: 'MAL-2026-0002',
    summary: 'test advisory',
    affected: [{ package: { ecosystem: 'npm', name }, versions: ['1.0.0'] }],
  });

interface Case {
  name: string;
  base: Tree;
  head: Tree;
  /** Rule IDs (sorted, unique) the review must report among `watch`. */
  want: string[];
}
/** CPM006: a model format the policy forbids. */
const WATCH = new Set(['CPU019', 'CPU020', 'CPM006', 'CPD013']);

const cases: Case[] = [
  {
    name: 'the policy drops forbiddenFormats: [pickle] in the change that adds a pickle → CPU019 and the base policy forbids it',
    base: { [POLICY]: STRICT, 'README.md': 'x\n' },
    head: { [POLICY]: LOOSE, 'models/clf.pkl': PICKLE },
    want: ['CPM006', 'CPU019'],
  },
  {
    name: 'the same pickle under an unchanged strict policy → forbidden, no CPU019',
    base: { [POLICY]: STRICT, 'README.md': 'x\n' },
    head: { 'models/clf.pkl': PICKLE },
    want: ['CPM006'],
  },
  {
    name: 'the registry retargets the advisory naming the package the change adds → CPU020 and CPD013 still fires',
    base: {
      'package.json': manifest({}),
      'package-lock.json': npmLock({}),
      'trusted-registry/malicious.json': advisory('evil'),
    },
    head: {
      'package.json': manifest({ evil: '1.0.0' }),
      'package-lock.json': npmLock({ evil: '1.0.0' }),
      'trusted-registry/malicious.json': advisory('someone-else'),
    },
    want: ['CPD013', 'CPU020'],
  },
];

describe('review judges a change with the base revision’s policy and registry', () => {
  it.each(cases)('$name', async ({ base, head, want }) => {
    const repo = makeRepo(base, head);
    cleanups.push(repo.cleanup);
    // As the CLI and the Action load them: from the checked-out (head) tree.
    const { policy, registry } = await loadTrust(repo.dir, undefined, []);
    const r = await reviewHead(repo.dir, { gate: 'any', policy, registry });
    const got = [...new Set(r.findings.map((f) => f.ruleId).filter((id) => WATCH.has(id)))].sort();
    expect(got).toEqual(want);
    expect(r.gate?.passed).toBe(false);
  });
});
