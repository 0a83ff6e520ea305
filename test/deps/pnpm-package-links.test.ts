import { describe, expect, it } from 'vitest';
import { repoWith, scanDeps } from './helpers.js';

/**
 * pnpm links a package's `link:` dependency (lockfile 9: in its snapshot; 6: in its `packages` entry) from the folder
 * it names, resolved against the lockfile's folder (headless `lockfileToDepGraph` → `getChildrenPaths` with the
 * importer id `.`). The package's `require` then reads code from there.
 */
const SHA512 = 'sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQHHlX5mJ5/bY6VVcZ1D3T0SXdC4cNuDgp5RX8RsfFuv3XrQ==';

function lockfile9(link: string): string {
  return [
    "lockfileVersion: '9.0'",
    '',
    'importers:',
    '',
    '  .:',
    '    dependencies:',
    '      left-pad:',
    '        specifier: ^1.3.0',
    '        version: 1.3.0',
    '',
    'packages:',
    '',
    '  left-pad@1.3.0:',
    `    resolution: {integrity: ${SHA512}}`,
    '',
    'snapshots:',
    '',
    '  left-pad@1.3.0:',
    '    dependencies:',
    `      helper: ${link}`,
    '',
  ].join('\n');
}

async function outsideLinks(link: string): Promise<string[]> {
  const root = await repoWith({
    'package.json': '{"name":"app","version":"1.0.0","dependencies":{"left-pad":"^1.3.0"}}',
    'pnpm-lock.yaml': lockfile9(link),
  });
  const r = await scanDeps(root);
  return r.findings.filter((f) => f.ruleId === 'CPD017').map((f) => `${String(f.evidence?.path)}@${f.location.line}`);
}

describe("pnpm: a package's link: dependency", () => {
  it('outside the repository is CPD017 at the line that links it', async () => {
    expect(await outsideLinks('link:../../outside')).toEqual(['../../outside@20']);
  });

  it('inside the repository (a workspace package an override links) is none', async () => {
    expect(await outsideLinks('link:packages/helper')).toEqual([]);
  });
});
