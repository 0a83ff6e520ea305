import { describe, expect, it } from 'vitest';
import { buildsDisabledBy } from '../../src/deps/parsers/yarn-berry-builds.js';

/**
 * plugin-pnp `extractBuildScripts`: `built: false` skips the build; `enableScripts: false` skips every build whose
 * merged dependenciesMeta does not say `built: true`.
 */
describe('buildsDisabledBy', () => {
  const meta = {
    'native-thing': { built: true },
    'off-thing': { built: false },
    'pinned-thing@1.0.0': { built: true },
    'pinned-thing': { built: false },
  };
  it.each([
    { name: 'unmentioned, scripts on', pkg: 'plain', version: '1.0.0', enableScripts: true, want: undefined },
    { name: 'unmentioned, scripts off', pkg: 'plain', version: '1.0.0', enableScripts: false, want: 'enableScripts' },
    { name: 'built: true, scripts off', pkg: 'native-thing', version: '2.0.0', enableScripts: false, want: undefined },
    {
      name: 'built: false, scripts on',
      pkg: 'off-thing',
      version: '1.0.0',
      enableScripts: true,
      want: 'dependenciesMeta',
    },
    {
      name: 'built: false, scripts off',
      pkg: 'off-thing',
      version: '1.0.0',
      enableScripts: false,
      want: 'dependenciesMeta',
    },
    { name: 'exact version re-enables', pkg: 'pinned-thing', version: '1.0.0', enableScripts: false, want: undefined },
    {
      name: 'other version of the same',
      pkg: 'pinned-thing',
      version: '2.0.0',
      enableScripts: false,
      want: 'dependenciesMeta',
    },
  ])('$name → $want', ({ pkg, version, enableScripts, want }) => {
    expect(buildsDisabledBy({ dependenciesMeta: meta }, undefined, enableScripts)(pkg, version)).toBe(want);
  });

  it('no dependenciesMeta at all, scripts off: every build is skipped', () => {
    expect(buildsDisabledBy(undefined, undefined, false)('x', '1.0.0')).toBe('enableScripts');
    expect(buildsDisabledBy(undefined, undefined)('x', '1.0.0')).toBeUndefined();
  });
});
