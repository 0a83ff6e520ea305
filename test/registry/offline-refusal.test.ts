import { describe, expect, it } from 'vitest';
import { graphOf, node, scanGraphs, tempDir } from './scan.js';

/**
 * Offline without a cache directory the client answers every packument with one shared refusal instead of building
 * a URL, cache key and promise per package. It must say exactly what an offline scan with an empty cache says,
 * apart from the reason text naming the missing cache directory.
 */
const CASES = [
  { name: 'one package', packages: [node('a', '1.0.0')] },
  { name: 'a scoped package', packages: [node('@s/a', '2.0.0')] },
  {
    name: 'many packages on different lines',
    packages: [node('a', '1.0.0'), node('b', '1.0.0', { line: 20 }), node('c', '3.1.4')],
  },
];

describe('offline scan without a cache directory', () => {
  it.each(CASES)('$name: one CPD131 counting every package, all unverifiable, as with an empty cache', async (c) => {
    const graphs = [graphOf(c.packages)];
    const bare = await scanGraphs({ root: tempDir(), graphs, offline: true });
    const cached = await scanGraphs({ root: tempDir(), graphs, offline: true, cacheDir: tempDir('chainproof-cache-') });

    const cause = bare.findings.filter((f) => f.ruleId === 'CPD131');
    expect(cause).toHaveLength(1);
    expect(cause[0]!.evidence).toMatchObject({
      cause: 'offline',
      count: c.packages.length,
      reason: 'offline, and no cache directory to answer from',
    });
    expect(bare.verifications.map((v) => [v.key, v.status, v.detail])).toEqual(
      c.packages.map((p) => [
        `pkg:${p.name}@${p.version}`,
        'unverifiable',
        'offline: offline, and no cache directory to answer from',
      ]),
    );
    // The fingerprint hashes the reason, so it differs with it; everything else is the same.
    const comparable = (r: typeof bare) =>
      JSON.stringify(r.findings.map(({ fingerprint: _, ...f }) => f)).replaceAll(
        'no cache directory to answer from',
        'the cache holds no answer',
      );
    expect(comparable(bare)).toBe(comparable(cached));
    expect(bare.verifications.map((v) => v.status)).toEqual(cached.verifications.map((v) => v.status));
  });
});
