import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeFidelity, FIDELITY, type FidelityCase } from './fidelity-cases.js';
import { scanDeps } from './helpers.js';
import { pnpmfilePath } from '../../src/deps/checks/pnpmfile.js';

/**
 * pnpm `require`s its pnpmfile on every install (@pnpm/pnpmfile `requireHooks`, path from `getPnpmfilePath`):
 * CPD167, one per file, never loaded by the scan. Fixtures: fixtures/lockfiles/install-agreement/README.md.
 */
const AGREEMENT = path.relative(
  FIDELITY,
  path.resolve(import.meta.dirname, '../../fixtures/lockfiles/install-agreement'),
);

const cases: FidelityCase[] = [
  {
    name: 'a .pnpmfile.cjs beside pnpm-lock.yaml',
    dir: `${AGREEMENT}/pnpmfile.pnpm9`,
    want: ['CPD167:warning@.pnpmfile.cjs:1'],
  },
  {
    name: 'the pnpmfile setting of pnpm-workspace.yaml names the file pnpm loads instead',
    dir: `${AGREEMENT}/pnpmfile-setting.pnpm9`,
    want: ['CPD167:warning@hooks/pnpm.cjs:1'],
  },
];

describeFidelity('pnpmfile hooks run at install', cases, ['CPD131', 'CPD137']);

describe('pnpmfilePath (getPnpmfilePath)', () => {
  it.each([
    { dir: '', settings: { ignore: false }, want: '.pnpmfile.cjs' },
    { dir: 'app', settings: { ignore: false }, want: 'app/.pnpmfile.cjs' },
    { dir: 'app', settings: { pnpmfile: '../hooks.cjs', ignore: false }, want: 'hooks.cjs' },
    { dir: '', settings: { pnpmfile: '/etc/hooks.cjs', ignore: false }, want: undefined },
    { dir: '', settings: { ignore: true }, want: undefined },
  ])('$dir $settings', ({ dir, settings, want }) => {
    expect(pnpmfilePath(dir, settings)).toBe(want);
  });
});

describe('npm v1: CPD020 names the source kept in `version`', () => {
  it.each([
    { dir: 'v1-version-url.v1', source: 'https://evil.example/left-pad-1.3.0.tgz' },
    { dir: 'v1-version-github.v1', source: 'github:evil/left-pad#' },
  ])('$dir', async ({ dir, source }) => {
    const r = await scanDeps(path.join(FIDELITY, AGREEMENT, dir));
    const f = r.findings.find((x) => x.ruleId === 'CPD020');
    expect(f?.message).toContain(`(${source}`);
    expect(String(f?.evidence?.resolved)).toContain(source);
  });
});
