import { describe, expect, it } from 'vitest';
import { applyPolicy } from '../../../src/core/apply-policy.js';
import { isDeferred, type Evidence, type Finding, type Level } from '../../../src/core/finding.js';
import { fingerprintOf } from '../../../src/core/fingerprint.js';
import type { PackageNode } from '../../../src/core/records.js';
import { packageFinding, type PackageEvidence } from '../../../src/deps/checks/finding.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
import { pkg } from '../../action/helpers.js';

/** What packageFinding gave as a plain object before it deferred its text: the reference it must still equal. */
function plainPackageFinding(
  ruleId: string,
  node: PackageNode,
  what: string,
  todo: string,
  evidence: Evidence,
  level?: Level,
): Finding {
  const redact = (t: string) =>
    t
      .replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, '$1***@')
      .replace(/([?&][^=&#\s]*(?:token|auth|key|secret|password|sig|credential)[^=&#\s]*=)[^&#\s]+/gi, '$1***');
  const path = node.path.join(' > ');
  const name = node.alias !== undefined ? `${node.alias} (npm:${node.name})` : node.name;
  const label = node.version === '' ? name : `${name}@${node.version}`;
  return {
    ruleId,
    message: redact(`${label} ${what} at ${node.lockfile}:${node.line} (pulled in by ${path}). ${todo}`),
    location: { path: node.lockfile, line: node.line },
    ...(level !== undefined ? { level } : {}),
    artifact: { kind: 'package', ecosystem: 'npm', name: node.name, version: node.version },
    evidence: Object.fromEntries(
      Object.entries({ lockfileKey: node.key, dependencyPath: path, ...evidence }).map(([k, v]) => [
        k,
        typeof v === 'string' ? redact(v) : v,
      ]),
    ),
  };
}

/** The fields reporters read, copied by name (as every consumer must read a finding). */
const fields = (f: Finding) => ({
  ruleId: f.ruleId,
  message: f.message,
  location: f.location,
  level: f.level,
  artifact: f.artifact,
  evidence: f.evidence,
});

const secretUrl = 'https://user:s3cret@registry.example/a/-/a-1.0.0.tgz?token=abc';

describe('packageFinding', () => {
  it.each<{
    name: string;
    node: PackageNode;
    evidence: Evidence;
    own?: PackageEvidence;
    level?: Level;
    whatOf?: (n: PackageNode) => string;
  }>([
    { name: 'plain package, no evidence', node: pkg({ name: 'a', version: '1.0.0', line: 7 }), evidence: {} },
    {
      name: 'alias, nested path, own evidence after the common keys',
      node: pkg({ name: 'b', version: '2.0.0', alias: 'bee', path: ['root', 'x', 'bee'] }),
      evidence: { source: 'registry', resolved: 'https://registry.npmjs.org/b/-/b-2.0.0.tgz', integrity: false },
      level: 'note',
    },
    {
      name: 'credentials in key, path and evidence are redacted',
      node: pkg({ name: 'c', version: '1.0.0', key: secretUrl, path: ['root', secretUrl] }),
      evidence: { resolved: secretUrl },
    },
    {
      name: 'an own key named like a common one overrides it in place',
      node: pkg({ name: 'd', version: '1.0.0' }),
      evidence: { extra: 1, lockfileKey: 'given' },
    },
    {
      name: 'evidence read from the node',
      node: pkg({ name: 'e', version: '1.0.0', resolved: secretUrl }),
      evidence: { source: 'registry', resolved: secretUrl },
      own: (n) => ({ source: n.source, resolved: n.resolved! }),
    },
    {
      name: 'a package locked without a version (a Bun git tuple) reads as its name alone',
      node: pkg({ name: 'g', version: '', source: 'git' }),
      evidence: {},
    },
    {
      name: 'words read from the node, redacted',
      node: pkg({ name: 'f', version: '1.0.0', resolved: secretUrl }),
      evidence: {},
      whatOf: (n) => `resolves from ${n.resolved!}`,
    },
  ])('reads as the plain finding: $name', ({ node, evidence, own, level, whatOf }) => {
    const what = whatOf ? whatOf(node) : 'has no integrity hash';
    const todo = 'Reinstall.';
    const got = packageFinding('CPD002', node, whatOf ?? what, todo, own ?? evidence, level);
    const want = plainPackageFinding('CPD002', node, what, todo, evidence, level);
    expect(fields(got)).toEqual(fields(want));
    expect(Object.keys(got.evidence!)).toEqual(Object.keys(want.evidence!));
    expect(got.message).not.toContain('s3cret');
    expect(fingerprintOf(got)).toBe(fingerprintOf(want));
    expect(JSON.parse(JSON.stringify(got))).toEqual(JSON.parse(JSON.stringify(want)));

    expect(isDeferred(got)).toBe(true);
    if (!isDeferred(got)) return;
    const resolved = got.resolve('error', 'fp');
    expect({ ...fields(resolved), fingerprint: resolved.fingerprint }).toEqual({
      ...fields(want),
      level: 'error',
      fingerprint: 'fp',
    });
    expect(JSON.parse(JSON.stringify(resolved))).toEqual({
      ...JSON.parse(JSON.stringify(want)),
      level: 'error',
      fingerprint: 'fp',
    });
  });
});

it('names a versionless package without a dangling @', () => {
  const got = packageFinding(
    'CPD007',
    pkg({ name: 'g', version: '', source: 'git' }),
    'is installed from git',
    'Pin it.',
    {},
  );
  expect(got.message).toMatch(/^g is installed from git at /);
});

describe('applyPolicy over deferred findings', () => {
  const node = (i: number) => pkg({ name: `p${i}`, version: '1.0.0', line: i + 2 });
  const raw = (i: number, ruleId = 'CPD012') => packageFinding(ruleId, node(i), 'runs install scripts', 'Review.');

  it('resolves them without formatting a message, and still dedupes repeats', () => {
    let formatted = 0;
    const counting = (f: Finding): Finding =>
      new Proxy(f, {
        get(target, key, receiver) {
          if (key === 'message') formatted++;
          return Reflect.get(target, key, receiver) as unknown;
        },
      });
    const input = [raw(2), raw(1), raw(1, 'CPD002'), raw(3)].map(counting);
    const out = applyPolicy(input, DEFAULT_POLICY, '2026-01-01');
    expect(out.findings.map((f) => [f.ruleId, f.location.line])).toEqual([
      ['CPD002', 3],
      ['CPD012', 3],
      ['CPD012', 4],
      ['CPD012', 5],
    ]);
    expect(formatted).toBe(0);

    const repeated = applyPolicy([raw(1), raw(1), raw(2)].map(counting), DEFAULT_POLICY, '2026-01-01');
    expect(repeated.findings).toHaveLength(2);
    expect(formatted).toBeGreaterThan(0);
    expect(repeated.findings[0]!.message).toBe(
      'p1@1.0.0 runs install scripts at package-lock.json:3 (pulled in by root > p1). Review.',
    );
  });
});
