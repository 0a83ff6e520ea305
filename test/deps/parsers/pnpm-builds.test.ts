import { describe, expect, it } from 'vitest';
import { parseLockfile } from '../../../src/deps/index.js';

const SHA = `sha512-${'A'.repeat(86)}==`;

/** A pnpm lockfile of version `v` with packages a, b, c and the given top-level settings lines. */
function lock(v: string, settings: string): string {
  const key = (n: string) => (v.startsWith('5') ? `/${n}/1.0.0` : v.startsWith('6') ? `/${n}@1.0.0` : `${n}@1.0.0`);
  const pkgs = ['a', 'b', 'c'].map((n) => `  ${key(n)}:\n    resolution: {integrity: ${SHA}}\n`).join('\n');
  const snaps = v.startsWith('9')
    ? `\nsnapshots:\n\n${['a', 'b', 'c'].map((n) => `  ${key(n)}: {}\n`).join('\n')}`
    : '';
  return `lockfileVersion: '${v}'\n\n${settings}\npackages:\n\n${pkgs}${snaps}`;
}

const disabled = (text: string) =>
  Object.fromEntries(parseLockfile('pnpm-lock.yaml', text).packages.map((p) => [p.name, p.buildDisabled ?? null]));

describe('pnpm build settings decide which packages run install scripts (createAllowBuildFunction)', () => {
  it.each([
    {
      name: '6.0 onlyBuiltDependencies: only listed names build',
      text: lock('6.0', 'onlyBuiltDependencies:\n  - a\n'),
      want: { a: null, b: 'onlyBuiltDependencies', c: 'onlyBuiltDependencies' },
    },
    {
      name: '5.4 neverBuiltDependencies: listed names do not build',
      text: lock('5.4', 'neverBuiltDependencies:\n  - b\n'),
      want: { a: null, b: 'neverBuiltDependencies', c: null },
    },
    {
      name: '6.0 an empty onlyBuiltDependencies builds nothing',
      text: lock('6.0', 'onlyBuiltDependencies: []\n'),
      want: { a: 'onlyBuiltDependencies', b: 'onlyBuiltDependencies', c: 'onlyBuiltDependencies' },
    },
    { name: '6.0 without settings: everything may build', text: lock('6.0', ''), want: { a: null, b: null, c: null } },
    {
      // Lockfile 9 does not record the settings (pnpm 10 keeps them in pnpm-workspace.yaml): assume nothing.
      name: '9.0 ignores a stray onlyBuiltDependencies',
      text: lock('9.0', 'onlyBuiltDependencies:\n  - a\n'),
      want: { a: null, b: null, c: null },
    },
  ])('$name', ({ text, want }) => {
    expect(disabled(text)).toEqual(want);
  });
});
