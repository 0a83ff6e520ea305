import { describe, expect, it } from 'vitest';
import { repoWith, scanDeps } from './helpers.js';
import { workspaceMatcher } from '../../src/deps/read.js';

/**
 * package.json `workspaces` with a `!` glob: npm (@npmcli/map-workspaces `appendNegatedPatterns`) takes it as an
 * exclusion, so a folder it names, or one no other glob lists, is no workspace and its package.json is not checked
 * against the lockfile. Hand-written in the shape npm 11 writes for `packages/*` with one workspace.
 */
const LOCK = `{
  "name": "root",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {"name": "root", "workspaces": ["packages/*", "!packages/legacy"]},
    "node_modules/a": {"resolved": "packages/a", "link": true},
    "packages/a": {"name": "a", "version": "1.0.0"}
  }
}
`;

describe('workspace globs with a ! exclusion', () => {
  it('checks only the folders the globs list, not every other folder with a package.json', async () => {
    const r = await scanDeps(
      await repoWith({
        'package.json': '{"name":"root","private":true,"workspaces":["packages/*","!packages/legacy"]}',
        'package-lock.json': LOCK,
        'packages/a/package.json': '{"name":"a","version":"1.0.0"}',
        'packages/legacy/package.json': '{"name":"legacy","version":"1.0.0","dependencies":{"vue":"^3"}}',
        'examples/demo/package.json': '{"name":"demo","version":"1.0.0","dependencies":{"react":"^18.0.0"}}',
      }),
    );
    expect(r.findings.filter((f) => f.ruleId === 'CPD014')).toEqual([]);
  });

  it('still checks a listed workspace the lockfile does not lock', async () => {
    const r = await scanDeps(
      await repoWith({
        'package.json': '{"name":"root","private":true,"workspaces":["packages/*","!packages/legacy"]}',
        'package-lock.json': LOCK,
        'packages/a/package.json': '{"name":"a","version":"1.0.0","dependencies":{"react":"^18.0.0"}}',
      }),
    );
    expect(r.findings.filter((f) => f.ruleId === 'CPD014').map((f) => f.location.path)).toEqual([
      'packages/a/package.json',
    ]);
  });
});

// @npmcli/map-workspaces `appendNegatedPatterns`: an even run of `!` is positive, and a later positive glob drops
// the exclusions before it that match it.
describe('workspaceMatcher', () => {
  it('reads !! as positive and lets a later glob re-include what an exclusion took', () => {
    expect(workspaceMatcher(['packages/*', '!!packages/a'])('packages/b')).toBe(true);
    expect(workspaceMatcher(['packages/*', '!!packages/a'])('packages/a')).toBe(true);
    const reincluded = workspaceMatcher(['packages/**', '!packages/b/**', 'packages/b/a']);
    expect(reincluded('packages/b/a')).toBe(true);
    // npm drops the exclusion whole (the list becomes ['packages/**', 'packages/b/a']): packages/b/c is back too.
    expect(reincluded('packages/b/c')).toBe(true);
    expect(workspaceMatcher(['packages/*', '!packages/b'])('packages/b')).toBe(false);
  });
});
