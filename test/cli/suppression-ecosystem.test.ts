import { describe, expect, it } from 'vitest';
import { REPO, runMain } from '../helpers/cli.js';
import { tempTrees } from '../helpers/temp-tree.js';

/**
 * A suppression written for npm's `six@1.16.0` must not silence PyPI's `six@1.16.0`: the two are unrelated packages
 * (npm and pip each install their own). Before, `package:` matched name and version only, so one suppression hid
 * both, and a Python package added later under an accepted npm name came in silenced.
 */
const tree = tempTrees('chainproof-suppression-eco-');

/** npm's six with an http `resolved` and no integrity (CPD002). */
const PACKAGE_LOCK = JSON.stringify({
  name: 'app',
  version: '1.0.0',
  lockfileVersion: 3,
  requires: true,
  packages: {
    '': { name: 'app', version: '1.0.0', dependencies: { six: '1.16.0' } },
    'node_modules/six': { version: '1.16.0', resolved: 'http://registry.npmjs.org/six/-/six-1.16.0.tgz' },
  },
});
/** PyPI's six without a hash in a hash-checking requirements file (CPP011). */
const REQUIREMENTS = `six==1.16.0\nidna==3.7 --hash=sha256:${'a'.repeat(64)}\n`;

interface Report {
  readonly findings: readonly { ruleId: string; location: { path: string; line?: number }; message: string }[];
  readonly suppressed: readonly { ruleId: string; location: { path: string } }[];
}

async function scanWith(suppression: string, extra: readonly string[] = [], expired = ''): Promise<Report> {
  const dir = tree({
    'package-lock.json': PACKAGE_LOCK,
    'requirements.txt': REQUIREMENTS,
    '.chainproof/policy.yml': `version: 1\nsuppressions:\n  - rule: "*"\n    reason: accepted\n    expires: 2099-01-01\n${suppression}${expired}`,
  });
  const args = ['scan', dir, '--offline', '--no-cache', '--fail-on', 'none', '-f', 'json', ...extra];
  const r = await runMain(args, { cwd: REPO });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Report;
}

/** The findings about six (and about the suppression), as `rule path`. */
const six = (list: Report['suppressed']) =>
  list
    .filter((f) => f.ruleId === 'CPD002' || f.ruleId === 'CPP011' || f.ruleId === 'CPX006')
    .map((f) => `${f.ruleId} ${f.location.path}`);
const rules = (list: Report['suppressed']) => six(list).map((k) => k.split(' ')[0]);

describe('a package suppression and the ecosystem of the package', () => {
  it.each([
    {
      name: 'ecosystem: npm',
      lines: '    package: six@1.16.0\n    ecosystem: npm\n',
      hidden: 'CPD002',
      shown: 'CPP011',
    },
    { name: 'an npm purl', lines: '    package: "pkg:npm/six@1.16.0"\n', hidden: 'CPD002', shown: 'CPP011' },
    {
      name: 'ecosystem: pypi',
      lines: '    package: six@1.16.0\n    ecosystem: pypi\n',
      hidden: 'CPP011',
      shown: 'CPD002',
    },
    { name: 'a PyPI purl', lines: '    package: "pkg:pypi/six@1.16.0"\n', hidden: 'CPP011', shown: 'CPD002' },
  ])('$name hides only that package', async ({ lines, hidden, shown }) => {
    const r = await scanWith(lines);
    expect(rules(r.findings)).toEqual([shown]);
    expect(rules(r.suppressed)).toEqual([hidden]);
  });

  it('without an ecosystem it hides neither, and CPX006 at the suppression says why', async () => {
    const r = await scanWith('    package: six@1.16.0\n');
    expect(r.suppressed).toEqual([]);
    expect(six(r.findings)).toEqual([
      'CPX006 .chainproof/policy.yml',
      'CPD002 package-lock.json',
      'CPP011 requirements.txt',
    ]);
    const cpx = r.findings.find((f) => f.ruleId === 'CPX006')!;
    expect(cpx.location.line).toBe(3);
    expect(cpx.message).toContain('(npm six@1.16.0 in package-lock.json; PyPI six@1.16.0 in requirements.txt)');
  });

  it('a sharded run judges it as the whole run does, and reports each policy finding once', async () => {
    const expired = '  - {rule: CPD002, path: nowhere, reason: old, expires: 2020-01-01}\n';
    const shards: Report[] = [];
    for (const i of [1, 2, 3]) shards.push(await scanWith('    package: six@1.16.0\n', ['--shard', `${i}/3`], expired));
    const all = shards.flatMap((r) => r.findings).filter((f) => f.ruleId !== 'CPD131' && f.ruleId !== 'CPP050');
    expect(all.map((f) => `${f.ruleId} ${f.location.path}`).sort()).toEqual([
      'CPD002 package-lock.json',
      'CPP011 requirements.txt',
      'CPX004 .chainproof/policy.yml',
      'CPX006 .chainproof/policy.yml',
    ]);
    expect(shards.flatMap((r) => r.suppressed)).toEqual([]);
  });
});
