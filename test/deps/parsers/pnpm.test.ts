import { describe, expect, it } from 'vitest';
import { pnpmLock9 } from '../../helpers/lockfile-text.js';
import { registryWith, repoWith, scanDeps } from '../helpers.js';

/**
 * pnpm 9 names a package by its dependency path, not the entry's `name` (lockfile.utils nameVerFromPkgSnapshot):
 * with pnpm 9.15.9 and a loopback registry, a `left-pad@1.3.1` entry saying `name: evil` installed left-pad 1.3.1.
 */
const MALICIOUS = registryWith([{ id: 'MAL-TEST-1', name: 'left-pad', ranges: [], versions: ['1.3.1'] }]);
const INTEGRITY = 'sha512-CpaNbkMJrSIrixyZDRxzShMj1s5MhZcoVdEs8t0gfnejS4lyqiyaYUFS8+1bOSErGJtay0xWkH6EnqwlU8Ua/g==';

describe('a pnpm 6 entry whose name field is not its key', () => {
  it('is the package its key names (pnpm 8 installed left-pad 1.3.1 for `/left-pad@1.3.1` saying `name: evil`)', async () => {
    const root = await repoWith({
      'pnpm-lock.yaml': [
        "lockfileVersion: '6.0'",
        '',
        'dependencies:',
        '  left-pad: {specifier: ^1.3.0, version: 1.3.1}',
        '',
        'packages:',
        '',
        '  /left-pad@1.3.1:',
        `    resolution: {integrity: ${INTEGRITY}}`,
        '    name: evil',
        '    dev: false',
        '',
      ].join('\n'),
    });
    const r = await scanDeps(root, { registry: MALICIOUS });
    const got = r.findings
      .filter((f) => !['CPD131', 'CPD137'].includes(f.ruleId))
      .map((f) => `${f.ruleId}@${f.location.line ?? ''} ${f.artifact?.kind === 'package' ? f.artifact.name : ''}`);
    expect(got).toEqual(['CPD013@8 left-pad']);
  });
});

describe('a pnpm 9 entry whose name field is not its key', () => {
  it.each([
    { name: 'name field of another package', field: '    name: evil', want: ['CPD013@10 left-pad'] },
    { name: 'name field agreeing', field: '    name: left-pad', want: ['CPD013@10 left-pad'] },
    { name: 'no name field', field: '', want: ['CPD013@10 left-pad'] },
  ])('$name → the key names what installs', async ({ field, want }) => {
    const root = await repoWith({
      'pnpm-lock.yaml': pnpmLock9({ 'left-pad': '1.3.1' }, [
        '  left-pad@1.3.1:',
        `    resolution: {integrity: ${INTEGRITY}}`,
        ...(field === '' ? [] : [field]),
      ]),
    });
    const r = await scanDeps(root, { registry: MALICIOUS });
    const got = r.findings
      .filter((f) => !['CPD131', 'CPD137'].includes(f.ruleId))
      .map((f) => `${f.ruleId}@${f.location.line ?? ''} ${f.artifact?.kind === 'package' ? f.artifact.name : ''}`);
    expect(got).toEqual(want);
  });
});
