import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/finding.js';
import { fingerprintOf } from '../../src/core/fingerprint.js';
import { unknownModelsInFolder } from '../../src/models/findings.js';

// Fingerprints are identities stored in code scanning and in baselines: these values were computed by the
// createHash-based implementation before the one-shot rewrite, and must never change.
const cases: { name: string; f: Finding; want: string }[] = [
  {
    name: 'bare',
    f: { ruleId: 'CPX001', message: 'm', location: { path: 'a.pt' } },
    want: 'ac6c8effd2552137fa94e27b8cf78d34',
  },
  {
    name: 'package-artifact',
    f: {
      ruleId: 'CPD002',
      message: 'm',
      location: { path: 'package-lock.json', line: 12 },
      artifact: { kind: 'package', ecosystem: 'npm', name: 'p1', version: '1.0.0' },
      evidence: { lockfileKey: 'node_modules/p1', dependencyPath: 'root > p1', source: 'registry' },
    },
    want: '967427b742baa56c08133dde7574870f',
  },
  {
    name: 'package-artifact-keys-reordered',
    f: {
      ruleId: 'CPD002',
      message: 'm',
      location: { path: 'package-lock.json' },
      artifact: { version: '1.0.0', name: 'p1', ecosystem: 'npm', kind: 'package' },
    },
    want: '74f7c2ee9e72250ce1d63ed326883cd0',
  },
  {
    name: 'package-name-needing-escapes',
    f: {
      ruleId: 'CPD012',
      message: 'm',
      location: { path: 'yarn.lock' },
      artifact: { kind: 'package', ecosystem: 'npm', name: 'a"b\\c\u0001é', version: '1.0.0-β' },
    },
    want: '0e7d48d56eeea1aba11e99c88304d342',
  },
  {
    name: 'model-artifact',
    f: {
      ruleId: 'CPM001',
      message: 'm',
      location: { path: 'm/x.pt', member: 'archive/data.pkl' },
      artifact: { kind: 'model', path: 'm/x.pt', format: 'pytorch-zip', sha256: 'ab'.repeat(32) },
    },
    want: '0f2c31ec947830b39cb48630773cc3c5',
  },
  {
    name: 'file-artifact',
    f: {
      ruleId: 'CPD134',
      message: 'm',
      location: { path: '.npmrc', line: 2 },
      artifact: { kind: 'file', path: '.npmrc' },
      evidence: { key: 'registry', value: 'https://x/' },
    },
    want: '56b19b4d700137d0cfbb813d94a20510',
  },
  {
    name: 'evidence-mixed-scalars',
    f: {
      ruleId: 'CPI001',
      message: 'm',
      location: { path: 'p.pkl' },
      evidence: { zeta: 1, alpha: true, mid: 'x&y=z', count: 3 },
    },
    want: '05c50ab298e0d6459b5b7b06d1f97eee',
  },
  {
    name: 'cause-with-tallies',
    f: {
      ruleId: 'CPS010',
      message: 'm',
      location: { path: 'package-lock.json' },
      evidence: { count: 3, packages: 'a b c', registry: 'https://r/' },
      related: [{ path: 'package-lock.json', line: 4 }],
    },
    want: '97aee0ed63138090ae8942b5bdaffc0f',
  },
  {
    name: 'cause-only-tallies',
    f: {
      ruleId: 'CPS010',
      message: 'm',
      location: { path: 'package-lock.json' },
      evidence: { count: 3, packages: 'a b c' },
      related: [],
    },
    want: 'd93781af6461dde0a6406179e82c493d',
  },
];

describe('fingerprintOf', () => {
  it.each(cases)('$name keeps its published value', ({ f, want }) => {
    expect(fingerprintOf(f)).toBe(want);
  });

  it('ignores message and line, not evidence', () => {
    const base = cases[1]!.f;
    const moved: Finding = { ...base, message: 'other', location: { path: base.location.path, line: 99 } };
    expect(fingerprintOf(moved)).toBe(fingerprintOf(base));
    expect(fingerprintOf({ ...base, evidence: { ...base.evidence, source: 'git' } })).not.toBe(fingerprintOf(base));
  });

  it("keeps a folder's unrecorded-models identity when a shard of another format joins it", () => {
    const shards = [
      { path: 'ckpt/model-00001.bin', format: 'pytorch-zip' as const },
      { path: 'ckpt/model-00002.bin', format: 'pytorch-zip' as const },
    ];
    const more = [...shards, { path: 'ckpt/model-00003.safetensors', format: 'safetensors' as const }];
    expect(fingerprintOf(unknownModelsInFolder('ckpt', more, 'warning'))).toBe(
      fingerprintOf(unknownModelsInFolder('ckpt', shards, 'warning')),
    );
  });

  it('ignores the files a cause reaches, as it ignores its count', () => {
    const group = (files: string, count: number): Finding => ({
      ruleId: 'CPU040',
      message: 'm',
      location: { path: 'a/requirements.txt', line: 3 },
      evidence: { cause: 'x', count, files },
      related: [{ path: 'b/requirements.txt', line: 1 }],
    });
    expect(fingerprintOf(group('a/requirements.txt b/requirements.txt c/requirements.txt', 3))).toBe(
      fingerprintOf(group('a/requirements.txt b/requirements.txt', 2)),
    );
  });

  it("ignores which member's failure a registry cause quotes, not the cause or the registry", () => {
    // Two runs over one dead registry: which lockfile's request met it first (and which the breaker stopped) is a race.
    const unverified = (reason: string, registry = 'https://r.example/'): Finding => ({
      ruleId: 'CPD131',
      message: `641 packages in d/package-lock.json were not verified: ${registry} could not be asked (${reason})`,
      location: { path: 'd/package-lock.json', line: 7 },
      evidence: { cause: 'unreachable', registry, reason, count: 641, packages: 'a@1.0.0 b@2.0.0' },
      related: [{ path: 'd/package-lock.json', line: 7 }],
    });
    const refused = unverified('request failed: request to https://r.example/a failed, reason: connect ECONNREFUSED');
    const stopped = unverified('the registry failed 3 times in a row (unreachable), so it was not asked again');
    expect(fingerprintOf(stopped)).toBe(fingerprintOf(refused));
    expect(fingerprintOf(unverified('x', 'https://other.example/'))).not.toBe(fingerprintOf(unverified('x')));
    expect(fingerprintOf({ ...refused, evidence: { ...refused.evidence, cause: 'timeout' } })).not.toBe(
      fingerprintOf(refused),
    );
  });
});
