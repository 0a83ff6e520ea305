import { describe, expect, it } from 'vitest';
import { repoWith, scanDeps } from './helpers.js';

/** Hand-made pnpm 9 lockfile recording `overrides: { left-pad: 1.3.0 }` (line 7) and no patches or extensions. */
const LOCK = { copy: 'cases/settings-mismatch.pnpm9/pnpm-lock.yaml' };
const manifest = (extra: Record<string, unknown>) =>
  JSON.stringify({ name: 'app', version: '1.0.0', dependencies: { 'left-pad': '^1.3.0' }, ...extra });

interface Case {
  name: string;
  files: Record<string, string | { copy: string }>;
  /** `ruleId@path:line`, sorted. */
  want: string[];
  /** The fields CPD026 names. */
  fields?: string;
}

/** pnpm compares these before a frozen install (getOutdatedLockfileSetting); a difference is CPD026. */
const cases: Case[] = [
  {
    name: 'pnpm.overrides as the lockfile records them: nothing to say',
    files: { 'pnpm-lock.yaml': LOCK, 'package.json': manifest({ pnpm: { overrides: { 'left-pad': '1.3.0' } } }) },
    want: [],
  },
  {
    name: 'yarn-style resolutions are pnpm overrides too (getOptionsFromRootManifest)',
    files: { 'pnpm-lock.yaml': LOCK, 'package.json': manifest({ resolutions: { 'left-pad': '1.3.0' } }) },
    want: [],
  },
  {
    name: 'a $reference is resolved before pnpm records it: only the key is compared',
    files: { 'pnpm-lock.yaml': LOCK, 'package.json': manifest({ pnpm: { overrides: { 'left-pad': '$left-pad' } } }) },
    want: [],
  },
  {
    name: 'an override edited in package.json but not in the lockfile',
    files: { 'pnpm-lock.yaml': LOCK, 'package.json': manifest({ pnpm: { overrides: { 'left-pad': '1.2.0' } } }) },
    want: ['CPD026@pnpm-lock.yaml:7'],
    fields: 'overrides',
  },
  {
    name: 'overrides only in the lockfile (removed from the config)',
    files: { 'pnpm-lock.yaml': LOCK, 'package.json': manifest({}) },
    want: ['CPD026@pnpm-lock.yaml:7'],
    fields: 'overrides',
  },
  {
    name: 'pnpm-workspace.yaml overrides win over package.json',
    files: {
      'pnpm-lock.yaml': LOCK,
      'package.json': manifest({ pnpm: { overrides: { 'left-pad': '1.3.0' } } }),
      'pnpm-workspace.yaml': 'overrides:\n  left-pad: 1.1.0\n',
    },
    want: ['CPD026@pnpm-lock.yaml:7'],
    fields: 'overrides',
  },
  {
    name: 'a patch and package extensions configured but not locked: one finding naming both',
    files: {
      'pnpm-lock.yaml': LOCK,
      'package.json': manifest({
        pnpm: {
          overrides: { 'left-pad': '1.3.0' },
          patchedDependencies: { 'left-pad@1.3.0': 'patches/left-pad@1.3.0.patch' },
          packageExtensions: { 'left-pad@1': { dependencies: { evil: '1.0.0' } } },
        },
      }),
    },
    want: ['CPD026@pnpm-lock.yaml:1'],
    fields: 'patchedDependencies, packageExtensionsChecksum',
  },
  {
    name: 'without the root package.json the configuration is unknown: nothing compared',
    files: { 'pnpm-lock.yaml': LOCK },
    want: [],
  },
];

describe('CPD026: pnpm lockfile settings against the configuration', () => {
  it.each(cases)('$name', async ({ files, want, fields }) => {
    const result = await scanDeps(await repoWith(files));
    const got = result.findings
      .map((f) => `${f.ruleId}@${f.location.path}${f.location.line !== undefined ? `:${f.location.line}` : ''}`)
      .sort();
    expect(got).toEqual(want);
    if (fields !== undefined) expect(result.findings[0]?.evidence?.['fields']).toBe(fields);
  });
});
