import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { corpusPath } from '../helpers/corpus.js';
import { REPO, runCliAsync, runMain } from '../helpers/cli.js';
import { git, makeRepo } from '../app/review/repo.js';
import { parseAnnotations, runActionInProcess, runDist } from './run-dist.js';

/**
 * Review mode end to end, as a user and the runner run it: the built CLI (`chainproof review`) and the bundled
 * Action (`dist/index.js` with `review-base`) on a temporary git repository holding a real Dependabot update
 * (webpack/enhanced-resolve, form-data 3.0.3 → 3.0.4) and an attack on top of it.
 */
const F = 'yarn.lock';
const lock = (side: 'before' | 'after') =>
  readFileSync(corpusPath('lockfiles', 'update-pairs', `webpack-enhanced-resolve-367d0f6.${side}.${F}`), 'utf8');
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

function repoWith(head: string) {
  const repo = makeRepo({ [F]: lock('before') }, { [F]: head });
  cleanups.push(repo.cleanup);
  return { dir: repo.dir, base: git(repo.dir, 'rev-parse', 'HEAD~1').trim() };
}

const evil = () =>
  lock('after').replace(
    'https://registry.yarnpkg.com/form-data/-/form-data-3.0.4.tgz',
    'https://registry.evil.example/form-data/-/form-data-3.0.4.tgz',
  );

// The SARIF case runs the built binary (review's one end-to-end CLI run); the other two call main() in-process.
describe('chainproof review (built CLI)', () => {
  it('--gate patch passes a real patch update (exit 0) and writes the Markdown review', async () => {
    const { dir, base } = repoWith(lock('after'));
    const r = await runMain(['review', dir, '--base', base, '--gate', 'patch', '--offline', '-f', 'markdown']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('passes the `patch` gate');
    expect(r.stdout).toContain('| yarn.lock | form-data | upgraded (patch) | 3.0.3 | 3.0.4 |');
  });

  it('--gate patch fails a moved host (exit 1); SARIF has only the introduced findings, at head lines', async () => {
    const { dir, base } = repoWith(evil());
    const r = await runCliAsync(['review', dir, '--base', base, '--gate', 'patch', '--offline', '-f', 'sarif']);
    expect(r.code, r.stderr).toBe(1);
    const results = (
      JSON.parse(r.stdout) as {
        runs: { results: { ruleId: string; locations: { physicalLocation: { region: { startLine: number } } }[] }[] }[];
      }
    ).runs[0]!.results;
    // The moved entry's CPU002 folds into the head scan's CPD005 for the host the policy does not allow.
    const ids = results.map((x) => x.ruleId).sort();
    expect(ids).toEqual(['CPD005']);
    const line =
      evil()
        .split('\n')
        .findIndex((l) => l.startsWith('form-data@')) + 1;
    expect(results.find((x) => x.ruleId === 'CPD005')?.locations[0]?.physicalLocation.region.startLine).toBe(line);
  });

  // The Action's `include` / `exclude` in review mode, on the command line: the same globs narrow what is reviewed and
  // gated, through the walk and narrowReview.
  it.each([
    { name: '--exclude naming the lockfile', args: ['--exclude', 'yarn.lock'], code: 0, changes: 0 },
    { name: '--include naming another folder', args: ['--include', 'services/**'], code: 0, changes: 0 },
    { name: '--include naming the lockfile', args: ['--include', '*.lock'], code: 1, changes: 1 },
  ])('$name: the moved host is reviewed and gated only when selected', async ({ args, code, changes }) => {
    const { dir, base } = repoWith(evil());
    const r = await runMain(['review', dir, '--base', base, '--gate', 'patch', '--offline', '-f', 'json', ...args]);
    expect(r.code, r.stderr).toBe(code);
    const json = JSON.parse(r.stdout) as { lockfiles: { changes: unknown[] }[]; findings: { ruleId: string }[] };
    expect(json.lockfiles.reduce((n, lf) => n + lf.changes.length, 0)).toBe(changes);
    expect(json.findings.some((f) => f.ruleId === 'CPD005')).toBe(code === 1);
  });

  it('--exclude leaves out a changed model file, which then neither fails the gate nor shows', async () => {
    // A pickle model added under models/: read from the revisions' trees, not through the walk, so narrowReview drops it.
    const pickle = Buffer.from('80049503000000000000008c026f7394', 'hex').toString('latin1');
    const repo = makeRepo({ [F]: lock('before') }, { [F]: lock('after'), 'models/evil.pkl': pickle });
    cleanups.push(repo.cleanup);
    const run = (...extra: string[]) =>
      runMain(['review', repo.dir, '--base', 'HEAD~1', '--gate', 'patch', '--offline', '-f', 'json', ...extra]);
    const all = await run();
    expect(all.code, all.stdout).toBe(1);
    const narrowed = await run('--exclude', 'models/**');
    expect(narrowed.code, narrowed.stdout).toBe(0);
    const json = JSON.parse(narrowed.stdout) as { models: unknown[]; findings: { location: { path: string } }[] };
    expect(json.models).toEqual([]);
    expect(json.findings.filter((f) => f.location.path.startsWith('models/'))).toEqual([]);
  });

  it('refuses a base that git could read as an option (exit 2)', async () => {
    const { dir } = repoWith(lock('after'));
    expect((await runMain(['review', dir, '--base=--output=/tmp/x', '--offline'])).code).toBe(2);
  });
});

describe('the bundled Action in review mode (dist/index.js, review-base)', () => {
  it('passes a clean patch update with gate patch, and fails the attack', async () => {
    const ok = repoWith(lock('after'));
    // The passing run in-process (runAction, what the bundle runs), the failing one through dist/index.js: one bundle
    // run proves review mode is bundled; a second was ~0.8 s of CPU more.
    const pass = await runActionInProcess(ok.dir, {
      path: '.',
      'review-base': ok.base,
      gate: 'patch',
      offline: 'true',
    });
    expect(pass.code, pass.stdout + pass.stderr).toBe(0);
    expect(pass.outputs['gate-passed']).toBe('true');
    expect(pass.outputs['changes']).toBe('1');
    // Every output action.yml declares is set, as in a scan.
    const declared = Object.keys(parse(readFileSync(path.join(REPO, 'action.yml'), 'utf8')).outputs).sort();
    expect(Object.keys(pass.outputs).sort()).toEqual(declared);
    expect(pass.outputs['verified']).toMatch(/^\d+$/);
    expect(pass.summary).toContain('## chainproof review: ✅ passes the `patch` gate');

    const bad = repoWith(evil());
    const fail = await runDist(bad.dir, { path: '.', 'review-base': bad.base, gate: 'patch', offline: 'true' });
    expect(fail.code).toBe(1);
    expect(fail.outputs['gate-passed']).toBe('false');
    expect(fail.stdout).toMatch(/::error title=CPD005 DisallowedRegistryHost,file=yarn\.lock,line=\d+::/);
    const sarif = JSON.parse(readFileSync(fail.outputs['sarif-file']!, 'utf8')) as {
      runs: { results: { ruleId: string }[] }[];
    };
    expect(sarif.runs[0]!.results.map((x) => x.ruleId)).toContain('CPD005');
  }, 300_000);

  it('links each finding of the job summary to its line at the checked-out commit, under the scanned folder', async () => {
    // The scan's summary links its Location cells (run.ts blobUrl); the review's listed plain text, so the reader
    // searched the lockfile for the line by hand. The lockfile sits in a sub-folder the Action is pointed at.
    const repo = makeRepo({ [`web/${F}`]: lock('before') }, { [`web/${F}`]: evil() });
    cleanups.push(repo.cleanup);
    const r = await runActionInProcess(repo.dir, { path: 'web', 'review-base': 'HEAD~1', offline: 'true' });
    expect(r.code, r.stdout).toBe(1);
    const line =
      evil()
        .split('\n')
        .findIndex((l) => l.startsWith('form-data@')) + 1;
    expect(r.summary).toContain(
      `\`CPD005\` [yarn.lock\\:${line}](https://github.com/acme/demo/blob/0123456789abcdef0123456789abcdef01234567/web/yarn.lock#L${line}): `,
    );
  }, 300_000);

  it('fails with exit 2 when the base revision is missing, even under a policy that turns CPU022 off', async () => {
    // A shallow clone (actions/checkout's default) and a policy that silenced CPU022: the gate was judged on no
    // finding at all and passed (exit 0, gate-passed true) with nothing compared. `chainproof review` exits 2 there.
    const policy = 'version: 1\nrules:\n  CPU022: "off"\n';
    const repo = makeRepo({ [F]: lock('before') }, { [F]: evil(), '.chainproof/policy.yml': policy });
    cleanups.push(repo.cleanup);
    const r = await runActionInProcess(repo.dir, {
      path: '.',
      'review-base': '0123456789abcdef0123456789abcdef01234567',
      gate: 'patch',
      offline: 'true',
    });
    expect(r.code, r.stdout).toBe(2);
    expect(r.outputs['gate-passed']).toBe('false');
    expect(r.stdout).toMatch(
      /::error title=chainproof::chainproof: error: the base revision "0123456789abcdef0123456789abcdef01234567" could not be read/,
    );
  }, 300_000);
});

/**
 * The scan-mode inputs in review mode, as the runner passes them: `baseline` hides what a previous report holds and the
 * gate is judged without it; `include` / `exclude` narrow what is reviewed; `shard` does not apply (one review, one
 * gate verdict) and says so.
 */
describe('the Action in review mode: baseline, include / exclude, shard', () => {
  const review = { path: '.', gate: 'patch', offline: 'true' };

  it('a baseline holding the moved-host finding hides it, and the patch gate passes', async () => {
    const first = repoWith(evil());
    const before = await runActionInProcess(first.dir, { ...review, 'review-base': first.base });
    expect(before.code, before.stdout).toBe(1);
    const baseline = path.join(mkdtempSync(path.join(tmpdir(), 'chainproof-baseline-')), 'prev.sarif');
    copyFileSync(before.outputs['sarif-file']!, baseline);
    cleanups.push(() => rmSync(path.dirname(baseline), { recursive: true, force: true }));

    const again = repoWith(evil());
    const r = await runActionInProcess(again.dir, { ...review, 'review-base': again.base, baseline });
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs['gate-passed']).toBe('true');
    expect(r.outputs['findings']).toBe('0');
    expect(r.outputs['changes']).toBe('1');
    expect(r.summary).toContain('passes the `patch` gate');
    // A quiet review under a baseline says the known findings are still there, in the summary and the log.
    expect(r.summary).toContain('1 finding already in the baseline is not listed.');
    expect(r.stdout).toContain('1 finding already in the baseline is not listed.');
  });

  it.each([
    { name: 'exclude names the lockfile', inputs: { exclude: 'yarn.lock' } },
    { name: 'include names another folder', inputs: { include: 'services/**' } },
  ])('$name: the change there is not reviewed nor gated', async ({ inputs }) => {
    const { dir, base } = repoWith(evil());
    const r = await runActionInProcess(dir, { ...review, 'review-base': base, ...inputs });
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs['changes']).toBe('0');
    expect(r.outputs['findings']).toBe('0');
  });

  it('include naming the lockfile still reviews it', async () => {
    const { dir, base } = repoWith(evil());
    const r = await runActionInProcess(dir, { ...review, 'review-base': base, include: '*.lock' });
    expect(r.code).toBe(1);
    expect(r.outputs['gate-passed']).toBe('false');
  });

  it('without a gate, fail-on decides and the log says why the step failed, annotations off too', async () => {
    const { dir, base } = repoWith(evil());
    const r = await runActionInProcess(dir, {
      path: '.',
      offline: 'true',
      'review-base': base,
      'fail-on': 'warning',
      annotations: 'false',
    });
    expect(r.code, r.stdout).toBe(1);
    const errors = parseAnnotations(r.stdout).filter((a) => a.level === 'error');
    expect(errors.map((a) => a.message)).toEqual(['1 finding at or above fail-on: warning']);
    expect(r.outputs['findings']).toBe('1');
  });

  it('without GITHUB_OUTPUT, the log says the outputs (gate-passed among them) are not set', async () => {
    // A scan warned; a review wrote no outputs and said nothing, and an auto-merge step read gate-passed as ''.
    const { dir, base } = repoWith(lock('after'));
    const r = await runActionInProcess(dir, { ...review, 'review-base': base }, { env: { GITHUB_OUTPUT: '' } });
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs).toEqual({});
    const warnings = parseAnnotations(r.stdout).filter((a) => a.level === 'warning');
    expect(warnings.map((a) => a.message)).toEqual(['GITHUB_OUTPUT is not set: step outputs are not available']);
  });

  it('shard: a warning that it does not apply, and the whole change is reviewed', async () => {
    const { dir, base } = repoWith(evil());
    const r = await runActionInProcess(dir, { ...review, 'review-base': base, shard: '2/2' });
    expect(r.code).toBe(1);
    expect(r.outputs['changes']).toBe('1');
    const warnings = parseAnnotations(r.stdout).filter(
      (a) => a.level === 'warning' && a.props['title'] === 'chainproof',
    );
    expect(warnings.map((a) => a.message)).toEqual([
      'input shard (2/2) does not apply in review mode: this job reviews the whole change',
    ]);
  });
});
