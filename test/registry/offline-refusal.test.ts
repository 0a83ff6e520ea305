import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { graphOf, node, scanGraphs, tempDir } from './scan.js';
import { packageKey } from '../../src/core/package-key.js';

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
  {
    name: 'two registries (a scope on its own)',
    packages: [node('@corp/b', '1.0.0', { line: 9 }), node('@corp/c', '2.0.0', { line: 14 }), node('a', '1.0.0')],
    npmrc: '@corp:registry=https://npm.corp.example/\n',
    causes: 2,
  },
];

/** A scan root holding the case's .npmrc, if any. */
function rootWith(npmrc: string | undefined): string {
  const root = tempDir();
  if (npmrc !== undefined) writeFileSync(path.join(root, '.npmrc'), npmrc);
  return root;
}

const CORP = { allowedRegistries: ['https://registry.npmjs.org/', 'https://npm.corp.example/'] };

describe('offline scan without a cache directory', () => {
  it.each(CASES)(
    '$name: one CPD131 per registry counting every package, all unverifiable, as with an empty cache',
    async (c) => {
      const graphs = [graphOf(c.packages)];
      const root = rootWith(c.npmrc);
      const bare = await scanGraphs({ root, graphs, offline: true, policy: CORP });
      const cacheDir = tempDir('chainproof-cache-');
      const cached = await scanGraphs({ root, graphs, offline: true, cacheDir, policy: CORP });

      const cause = bare.findings.filter((f) => f.ruleId === 'CPD131');
      expect(cause).toHaveLength(c.causes ?? 1);
      expect(cause.reduce((n, f) => n + Number(f.evidence?.count), 0)).toBe(c.packages.length);
      for (const f of cause)
        expect(f.evidence).toMatchObject({
          cause: 'offline',
          reason: 'offline, and no cache directory to answer from',
        });
      expect(bare.verifications.map((v) => [v.key, v.status, v.detail])).toEqual(
        c.packages.map((p) => [
          packageKey('npm', p.name, p.version),
          'unverifiable',
          'offline, and no cache directory to answer from',
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
    },
  );
});
