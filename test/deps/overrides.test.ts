import { describe, expect, it } from 'vitest';
import { nestedNpmOverrides, overridesOf } from '../../src/deps/checks/overrides.js';
import { repoWith, scanDeps } from './helpers.js';

const manifest = (extra: Record<string, unknown>) =>
  `${JSON.stringify({ name: 'case', version: '1.0.0', dependencies: { 'left-pad': '^2.0.0' }, ...extra }, null, 2)}\n`;
const YARN_V1 = `# yarn lockfile v1


left-pad@^2.0.0:
  version "1.3.0"
  resolved "https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz#1"
  integrity sha512-4bNE8iDzkIX8spwnbGvPqBcNlxT5C5EMnT9y6STq4O2KATz0t7YWaSz98MkQGoU9jsbapMReCqTHfYUIL4H4oA==
`;

describe('overrides, resolutions and catalogs are honoured by the sync checks (CPD014/CPD015)', () => {
  const cases = [
    { name: 'no override: locked outside the range', lock: 'npm', extra: {}, want: ['CPD015'] },
    { name: 'npm overrides', lock: 'npm', extra: { overrides: { 'left-pad': '1.3.0' } }, want: [] },
    {
      name: 'npm override to a version it is not',
      lock: 'npm',
      extra: { overrides: { 'left-pad': '1.2.0' } },
      want: ['CPD015'],
    },
    { name: 'yarn resolutions (**/name)', lock: 'yarn', extra: { resolutions: { '**/left-pad': '1.3.0' } }, want: [] },
    { name: 'pnpm.overrides', lock: 'npm', extra: { pnpm: { overrides: { 'left-pad@^2': '1.3.0' } } }, want: [] },
    { name: 'yarn without resolutions', lock: 'yarn', extra: {}, want: ['CPD015'] },
  ];
  it.each(cases)('$name → $want', async ({ lock, extra, want }) => {
    const root = await repoWith(
      lock === 'npm'
        ? { 'package.json': manifest(extra), 'package-lock.json': { copy: 'cases/out-of-range.v3/package-lock.json' } }
        : { 'package.json': manifest(extra), 'yarn.lock': YARN_V1 },
    );
    const r = await scanDeps(root);
    expect(r.findings.map((f) => f.ruleId).filter((id) => id === 'CPD014' || id === 'CPD015')).toEqual(want);
  });

  it.each([
    { key: 'left-pad', want: 'left-pad' },
    { key: '**/left-pad', want: 'left-pad' },
    { key: 'parent/@scope/x', want: '@scope/x' },
    { key: 'a>b@^1', want: 'b' },
    { key: '@scope/x@1', want: '@scope/x' },
  ])('reads the overridden name from $key', ({ key, want }) => {
    expect([...overridesOf({ resolutions: { [key]: '1.0.0' } } as never).keys()]).toEqual([want]);
  });
});

// arborist's OverrideSet reads a nested object's "." as the parent's own spec and skips it as a child.
describe('nestedNpmOverrides', () => {
  it('reads "." as the parent\'s spec, never as a package named "."', () => {
    const found = nestedNpmOverrides({ overrides: { a: { '.': '1.0.0', b: '2.0.0' } } } as never);
    expect(found).toEqual([
      ['a', '1.0.0', []],
      ['b', '2.0.0', ['a']],
    ]);
  });
});

// pnpm 10 reads pnpm-workspace.yaml's `overrides` instead of package.json's (pnpm-settings.ts makes the same choice).
describe('overridesOf beside pnpm-workspace.yaml overrides', () => {
  it("drops package.json's pnpm.overrides and resolutions, which pnpm then ignores", () => {
    const root = { pnpm: { overrides: { 'left-pad': '1.3.0' } }, resolutions: { lodash: '4.17.21' } } as never;
    expect([...overridesOf(root, { react: '18.0.0' })]).toEqual([['react', '18.0.0']]);
    expect([...overridesOf(root).keys()].sort()).toEqual(['left-pad', 'lodash']);
  });
});
