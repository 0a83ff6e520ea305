import { describe, expect, it } from 'vitest';
import { applyPolicy } from '../../src/core/apply-policy.js';
import type { Finding } from '../../src/core/finding.js';
import type { Policy, Suppression } from '../../src/core/policy.js';
import { inShard } from '../../src/core/shard.js';
import { DEFAULT_POLICY } from '../../src/trust/policy/default.js';

const f = (ruleId: string, p: string, extra: Partial<Finding> = {}): Finding => ({
  ruleId,
  message: `${ruleId} at ${p}`,
  location: { path: p },
  ...extra,
});
const policy = (over: Partial<Policy>): Policy => ({ ...DEFAULT_POLICY, ...over });

describe('applyPolicy', () => {
  it.each([
    { name: 'rule default level', pol: policy({}), want: ['warning'] },
    { name: 'policy overrides level', pol: policy({ rules: { CPX001: 'error' } }), want: ['error'] },
    { name: 'policy turns a rule off', pol: policy({ rules: { CPX001: 'off' } }), want: [] },
  ])('$name', ({ pol, want }) => {
    const out = applyPolicy([f('CPX001', 'a.pt')], pol, '2026-01-01');
    expect(out.findings.map((x) => x.level)).toEqual(want);
  });

  it('live suppressions hide, expired ones stop hiding and become CPX004', () => {
    const sup = { rule: 'CPX001', path: 'models/**', reason: 'accepted', expires: '2026-06-30', line: 7 };
    const live = applyPolicy(
      [f('CPX001', 'models/a.pt'), f('CPX001', 'other/b.pt')],
      policy({ suppressions: [sup] }),
      '2026-06-30',
    );
    expect(live.findings.map((x) => x.location.path)).toEqual(['other/b.pt']);
    expect(live.suppressed).toHaveLength(1);
    const expired = applyPolicy(
      [f('CPX001', 'models/a.pt')],
      policy({ suppressions: [sup], source: 'policy.yml' }),
      '2026-07-01',
    );
    expect(expired.findings.map((x) => [x.ruleId, x.location.path, x.location.line])).toEqual([
      ['CPX001', 'models/a.pt', undefined],
      ['CPX004', 'policy.yml', 7],
    ]);
  });

  it('package suppressions match name and optional version', () => {
    const pkg = (name: string, version: string) =>
      f('CPX003', 'package-lock.json', { artifact: { kind: 'package', ecosystem: 'npm', name, version } });
    const out = applyPolicy(
      [pkg('lodash', '4.17.20'), pkg('lodash', '4.17.21'), pkg('@acme/x', '1.0.0')],
      policy({
        suppressions: [
          { rule: 'CPX003', package: 'lodash@4.17.20', reason: 'r', expires: '2099-01-01' },
          { rule: 'CPX003', package: '@acme/*', reason: 'r', expires: '2099-01-01' },
        ],
      }),
      '2026-01-01',
    );
    expect(out.findings.map((x) => (x.artifact?.kind === 'package' ? x.artifact.version : ''))).toEqual(['4.17.21']);
  });

  describe('package suppressions and ecosystems', () => {
    const npmSix = f('CPU001', 'package-lock.json', {
      artifact: { kind: 'package', ecosystem: 'npm', name: 'six', version: '1.16.0' },
    });
    const pypiSix = f('CPU001', 'uv.lock', {
      artifact: { kind: 'package', ecosystem: 'pypi', name: 'six', version: '1.16.0' },
    });
    const run = (sup: Partial<Suppression>, findings: Finding[] = [npmSix, pypiSix]) =>
      applyPolicy(
        findings,
        policy({
          source: 'policy.yml',
          suppressions: [{ rule: 'CPU001', reason: 'r', expires: '2099-01-01', line: 4, ...sup }],
        }),
        '2026-01-01',
      );
    const shown = (out: ReturnType<typeof run>) => out.findings.map((x) => `${x.ruleId} ${x.location.path}`);

    it('an ecosystem hides only that ecosystem’s package', () => {
      expect(shown(run({ package: 'six@1.16.0', ecosystem: 'npm' }))).toEqual(['CPU001 uv.lock']);
      expect(shown(run({ package: 'six@1.16.0', ecosystem: 'pypi' }))).toEqual(['CPU001 package-lock.json']);
    });

    it('without one, matching both ecosystems hides neither and says why at the suppression', () => {
      const out = run({ package: 'six@1.16.0' });
      expect(out.suppressed).toEqual([]);
      expect(shown(out)).toEqual(['CPU001 package-lock.json', 'CPX006 policy.yml', 'CPU001 uv.lock']);
      const cpx = out.findings.find((x) => x.ruleId === 'CPX006')!;
      expect(cpx.location.line).toBe(4);
      expect(cpx.message).toContain('npm six@1.16.0 in package-lock.json; PyPI six@1.16.0 in uv.lock');
      expect(cpx.evidence).toMatchObject({ ecosystems: 'npm,pypi' });
    });

    it('without one, a suppression that matches one ecosystem keeps working', () => {
      expect(shown(run({ package: 'six@1.16.0' }, [npmSix]))).toEqual([]);
      expect(shown(run({ package: 'six' }, [pypiSix]))).toEqual([]);
      // A path that covers one ecosystem's lockfile decides it too.
      expect(shown(run({ package: 'six', path: 'package-lock.json' }))).toEqual(['CPU001 uv.lock']);
    });

    it('a PyPI name matches as pip compares projects (PEP 503)', () => {
      const yaml = f('CPU001', 'uv.lock', {
        artifact: { kind: 'package', ecosystem: 'pypi', name: 'pyyaml', version: '6.0.1' },
      });
      expect(shown(run({ package: 'PyYAML@6.0.1', ecosystem: 'pypi' }, [yaml]))).toEqual([]);
      expect(shown(run({ package: 'pyYAML' }, [yaml]))).toEqual([]);
      expect(shown(run({ package: 'PyYAML@6.0.2' }, [yaml]))).toEqual(['CPU001 uv.lock']);
    });

    it('a shard judges ambiguity over every shard’s findings and keeps the policy’s findings once', () => {
      const sup = { rule: 'CPU001', package: 'six', reason: 'r', expires: '2099-01-01' };
      const old = { rule: 'CPU001', path: 'x', reason: 'r', expires: '2020-01-01' };
      const pol = policy({ source: 'policy.yml', suppressions: [sup, old] });
      const shards = [1, 2, 3].map((index) =>
        applyPolicy([npmSix, pypiSix], pol, '2026-01-01', (x) => inShard(x.location.path, { index, count: 3 })),
      );
      const all = shards.flatMap((o) => shown(o)).sort();
      expect(all).toEqual(['CPU001 package-lock.json', 'CPU001 uv.lock', 'CPX004 policy.yml', 'CPX006 policy.yml']);
    });
  });

  it('sorts, dedupes and fingerprints without line numbers', () => {
    const a = f('CPX001', 'b.pt', { location: { path: 'b.pt', line: 3 } });
    const b = f('CPX001', 'a.pt');
    const out = applyPolicy([a, b, a], policy({}), '2026-01-01');
    expect(out.findings.map((x) => x.location.path)).toEqual(['a.pt', 'b.pt']);
    const moved = applyPolicy([{ ...a, location: { path: 'b.pt', line: 9 } }], policy({}), '2026-01-01');
    expect(moved.findings[0]!.fingerprint).toBe(out.findings[1]!.fingerprint);
  });
});

describe('applyPolicy dedupe', () => {
  const at = (line: number | undefined, column: number | undefined, message = 'same') =>
    f('CPX001', 'a.pt', {
      message,
      location: {
        path: 'a.pt',
        ...(line !== undefined ? { line } : {}),
        ...(column !== undefined ? { column } : {}),
      },
    });
  it.each([
    { name: 'exact duplicates', input: [at(3, 1), at(3, 1)], want: [[3, 1]] },
    {
      name: 'same line, other columns: duplicates apart in sorted order',
      input: [at(3, 1), at(3, 2), at(3, 9)],
      want: [[3, 1]],
    },
    { name: 'no line and line 0 are the same place', input: [at(undefined, 1), at(0, 2)], want: [[undefined, 1]] },
    {
      name: 'other lines are kept',
      input: [at(3, 1), at(4, 1), at(3, 1)],
      want: [
        [3, 1],
        [4, 1],
      ],
    },
    {
      name: 'other messages are kept, repeats of each dropped',
      input: [at(3, 1, 'x'), at(3, 2, 'y'), at(3, 3, 'x'), at(3, 4, 'z'), at(3, 5, 'y')],
      want: [
        [3, 1],
        [3, 2],
        [3, 4],
      ],
    },
  ])('$name', ({ input, want }) => {
    const out = applyPolicy(input, policy({}), '2026-01-01');
    expect(out.findings.map((x) => [x.location.line, x.location.column])).toEqual(want);
  });
});

describe('inShard', () => {
  it('puts every key in exactly one shard for n = 1..4', () => {
    const keys = Array.from({ length: 500 }, (_, i) => `models/file-${i}.pt`);
    for (let n = 1; n <= 4; n++) {
      for (const k of keys) {
        const owners = Array.from({ length: n }, (_, i) => i + 1).filter((i) => inShard(k, { index: i, count: n }));
        expect(owners).toHaveLength(1);
      }
    }
  });
});
