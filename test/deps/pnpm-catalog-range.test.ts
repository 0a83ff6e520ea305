import { describe, expect, it } from 'vitest';
import { repoWith, scanDeps } from './helpers.js';

/**
 * A `catalog:` dependency is installed at its catalog's range (@pnpm/catalogs.resolver `resolveFromCatalog`:
 * `catalog:` is the default catalog, `catalog:<name>` a named one), and a frozen install compares only the
 * `catalog:` text with the importer's specifier. Behind it, a registry range still never resolves to a tarball URL.
 */
const SHA512 = 'sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQHHlX5mJ5/bY6VVcZ1D3T0SXdC4cNuDgp5RX8RsfFuv3XrQ==';
const EVIL = 'https://evil.example/left-pad-1.3.0.tgz';

function lockfile(spec: string, catalogs: boolean, tarball: string | undefined): string {
  const id = spec.slice('catalog:'.length) || 'default';
  return [
    "lockfileVersion: '9.0'",
    '',
    ...(catalogs
      ? ['catalogs:', `  ${id}:`, '    left-pad:', '      specifier: ^1.3.0', '      version: 1.3.0', '']
      : []),
    'importers:',
    '',
    '  .:',
    '    dependencies:',
    '      left-pad:',
    `        specifier: '${spec}'`,
    '        version: 1.3.0',
    '',
    'packages:',
    '',
    '  left-pad@1.3.0:',
    `    resolution: {integrity: ${SHA512}${tarball !== undefined ? `, tarball: '${tarball}'` : ''}}`,
    '',
    'snapshots:',
    '',
    '  left-pad@1.3.0: {}',
    '',
  ].join('\n');
}

async function verdicts(spec: string, catalogs: boolean, tarball?: string): Promise<string[]> {
  const id = spec.slice('catalog:'.length);
  const workspace = id === '' ? 'catalog:\n  left-pad: ^1.3.0\n' : `catalogs:\n  ${id}:\n    left-pad: ^1.3.0\n`;
  const root = await repoWith({
    'package.json': JSON.stringify({ name: 'app', version: '1.0.0', dependencies: { 'left-pad': spec } }),
    'pnpm-workspace.yaml': `packages:\n  - .\n${workspace}`,
    'pnpm-lock.yaml': lockfile(spec, catalogs, tarball),
  });
  const r = await scanDeps(root);
  return r.findings
    .filter((f) => !['CPD131', 'CPD137'].includes(f.ruleId))
    .map((f) => `${f.ruleId} ${String(f.evidence?.declared ?? f.evidence?.resolved ?? '')}`);
}

describe('pnpm: a catalog: dependency locked to a tarball URL', () => {
  it('is CPD020, as the range behind it would be', async () => {
    expect(await verdicts('catalog:', true, EVIL)).toEqual(['CPD020 ^1.3.0']);
  });

  it('of a named catalog too', async () => {
    expect(await verdicts('catalog:legacy', true, EVIL)).toEqual(['CPD020 ^1.3.0']);
  });

  it('when the lockfile records no catalogs, through pnpm-workspace.yaml', async () => {
    expect(await verdicts('catalog:', false, EVIL)).toEqual(['CPD020 ^1.3.0']);
  });

  it('locked from the registry, is none (guard)', async () => {
    expect(await verdicts('catalog:', true)).toEqual([]);
  });
});
