/* eslint-disable @typescript-eslint/no-explicit-any -- untyped JSON and YAML documents under test */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';
import { sarifValidator } from './helpers.js';
import { node24 as findNode24 } from './node24.js';
import { ANNOTATIONS_PER_KIND } from '../../src/action/run.js';
import { makeWorkspace, parseAnnotations, runActionInProcess, runDist, type DistRun } from './run-dist.js';
import { corpusPath } from '../helpers/corpus.js';

const TOKEN = 'npm_e2eSecretToken0123456789';
const INPUTS = {
  path: 'app',
  offline: 'true',
  'fail-on': 'error',
  'sarif-file': 'reports/chainproof.sarif',
  formats: 'json, cyclonedx=reports/bom.cdx.json',
  'cache-directory': '.chainproof-cache',
  'verify-tarballs': 'false',
};

function levelsOf(sarif: any): Record<'error' | 'warning' | 'note', number> {
  const n = { error: 0, warning: 0, note: 0 };
  for (const r of sarif.runs[0].results) n[r.level as keyof typeof n]++;
  return n;
}

/** Everything a runner-driven run must satisfy, whatever Node runs it. */
function assertRun(run: DistRun): void {
  expect(run.stderr).not.toMatch(/internal error|Cannot find module|ERR_/);
  const o = run.outputs;
  const declared = Object.keys(parse(readFileSync(path.join(REPO, 'action.yml'), 'utf8')).outputs).sort();
  expect(Object.keys(o).sort()).toEqual(declared);
  for (const k of [
    'sarif-file',
    'json-file',
    'cyclonedx-file',
    'findings',
    'errors',
    'warnings',
    'notes',
    'verified',
    'failed',
    'unverifiable',
    'complete',
  ]) {
    expect(o, `output ${k}`).toHaveProperty(k);
  }
  expect(o['sarif-file']).toBe(path.join(run.workspace, 'reports/chainproof.sarif'));
  expect(o['cyclonedx-file']).toBe(path.join(run.workspace, 'reports/bom.cdx.json'));
  expect(o['json-file']).toBe(path.join(run.workspace, 'chainproof.json'));
  const sarif = JSON.parse(readFileSync(o['sarif-file']!, 'utf8'));
  const validate = sarifValidator();
  expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);

  // Outputs are the report's numbers.
  const levels = levelsOf(sarif);
  expect(Number(o['findings'])).toBe(sarif.runs[0].results.length);
  expect(Number(o['findings'])).toBeGreaterThan(5);
  expect([Number(o['errors']), Number(o['warnings']), Number(o['notes'])]).toEqual([
    levels.error,
    levels.warning,
    levels.note,
  ]);
  const json = JSON.parse(readFileSync(o['json-file']!, 'utf8'));
  expect([Number(o['verified']), Number(o['failed']), Number(o['unverifiable'])]).toEqual([
    json.summary.verified,
    json.summary.failed,
    json.summary.unverifiable,
  ]);
  expect(Number(o['unverifiable'])).toBeGreaterThan(0); // offline: registry answers are missing, and say so
  expect(o['complete']).toBe(String(json.complete));

  // SARIF locations are repository-relative: the scanned folder is a prefix.
  for (const r of sarif.runs[0].results) expect(r.locations[0].physicalLocation.artifactLocation.uri).toMatch(/^app\//);

  // Job summary: headline counts, one table row per (rule, file), what could not be verified.
  expect(run.summary.split('\n')[0]).toBe(
    `## chainproof: ${levels.error} error${levels.error === 1 ? '' : 's'}, ${levels.warning} warning${levels.warning === 1 ? '' : 's'}, ${levels.note} note${levels.note === 1 ? '' : 's'}`,
  );
  // Findings by rule: one row per rule, errors first, with its count and the files it was found in.
  const rules = new Map<string, number>();
  for (const f of json.findings as any[]) rules.set(f.ruleId, (rules.get(f.ruleId) ?? 0) + 1);
  const byRule = run.summary.slice(run.summary.indexOf('### Findings by rule'), run.summary.indexOf('### Findings\n'));
  const rows = byRule.split('\n').filter((l) => /^\| `CP/.test(l));
  expect(rows).toHaveLength(rules.size);
  for (const [rule, n] of rules) {
    const row = rows.find((r) => r.startsWith(`| \`${rule}\``));
    expect(row?.split('|')[3]?.trim(), rule).toBe(String(n));
  }
  const levelsInOrder = rows.map((r) => r.split('|')[2]!.trim());
  expect(levelsInOrder).toEqual(
    [...levelsInOrder].sort(
      (a, b) => ['error', 'warning', 'note'].indexOf(a) - ['error', 'warning', 'note'].indexOf(b),
    ),
  );
  expect(run.summary).toContain('### Not verified');
  expect(run.summary).toContain('](https://github.com/acme/demo/blob/0123456789abcdef0123456789abcdef01234567/app/');

  // Annotations point at the file (repository-relative) and the line of each finding.
  const notes = parseAnnotations(run.stdout).filter((a) => a.props['title'] !== 'chainproof');
  // The most severe first, no more of a kind than GitHub shows in a step (run.ts `annotations`).
  const room = { error: ANNOTATIONS_PER_KIND - 1, warning: ANNOTATIONS_PER_KIND, note: ANNOTATIONS_PER_KIND - 1 };
  const annotated = (['error', 'warning', 'note'] as const).reduce((n, l) => n + Math.min(room[l], levels[l]), 0);
  expect(notes.length).toBe(Math.min(50, annotated));
  for (const a of notes) {
    const f = json.findings.find(
      (x: any) =>
        `app/${x.location.path}` === a.props['file'] &&
        (x.location.line === undefined ? a.props['line'] === undefined : String(x.location.line) === a.props['line']) &&
        a.props['title']!.startsWith(x.ruleId),
    );
    expect(f, `annotation ${JSON.stringify(a)} matches a finding`).toBeDefined();
    expect(a.level).toBe(f.level === 'note' ? 'notice' : f.level);
  }
  const lock = notes.filter((a) => a.props['file'] === 'app/package-lock.json');
  expect(lock.length).toBeGreaterThan(0);
  for (const a of lock) expect(Number(a.props['line'])).toBeGreaterThan(1);

  // CycloneDX: model files as ML components.
  const bom = JSON.parse(readFileSync(o['cyclonedx-file']!, 'utf8'));
  expect(bom.specVersion).toBe('1.6');
  expect(bom.components.filter((c: any) => c.type === 'machine-learning-model').length).toBe(json.models.length);

  // Exit by fail-on.
  expect(run.code).toBe(levels.error > 0 ? 1 : 0);
  if (levels.error > 0)
    expect(run.stdout).toMatch(/^::error title=chainproof::\d+ findings? at or above fail-on: error$/m);

  // No token anywhere.
  for (const text of [
    run.stdout,
    run.stderr,
    run.summary,
    JSON.stringify(run.outputs),
    readFileSync(o['sarif-file']!, 'utf8'),
    readFileSync(o['json-file']!, 'utf8'),
  ]) {
    expect(text).not.toContain(TOKEN);
  }
}

describe('the bundled Action (dist/index.js) run as the runner runs it', () => {
  let ws: string;
  let run: DistRun;
  beforeAll(async () => {
    ws = makeWorkspace({ 'app/.npmrc': '//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n' });
    run = await runDist(ws, INPUTS, { env: { NPM_TOKEN: TOKEN } });
  }, 300_000);

  it('writes outputs, SARIF, job summary and annotations that agree, and exits by fail-on (this Node)', () => {
    assertRun(run);
    expect(run.code).toBe(1);
  });

  it('the text report printed to the log cannot issue workflow commands', () => {
    expect(run.stdout).toMatch(/^::stop-commands::[0-9a-f]{32}$/m);
  });

  // The cases below vary inputs of the run above: they test runAction's logic, not the bundling the run above and
  // the Node 24 run prove, so they run in-process (a bundle run each was ~0.8 s of CPU for the same scan).
  it('fail-on none exits 0 with the same findings', async () => {
    const again = await runActionInProcess(ws, { ...INPUTS, 'fail-on': 'none' }, { env: { NPM_TOKEN: TOKEN } });
    expect(again.code).toBe(0);
    expect(again.outputs['findings']).toBe(run.outputs['findings']);
    expect(again.stdout).not.toMatch(/at or above fail-on/);
  }, 300_000);

  it('a baseline of the previous SARIF leaves nothing new: exit 0, zero findings', async () => {
    const again = await runActionInProcess(ws, {
      ...INPUTS,
      baseline: 'reports/chainproof.sarif',
      'sarif-file': 'reports/new.sarif',
    });
    expect(again.code, again.stdout).toBe(0);
    expect(again.outputs['findings']).toBe('0');
    expect(again.summary.split('\n')[0]).toBe('## chainproof: no findings');
  }, 300_000);

  it('hostile file names cannot inject workflow commands or outputs', async () => {
    const evil = makeWorkspace();
    const pickle = readFileSync(corpusPath('pickles/picklescan-data/malicious1_v4.pkl'));
    writeFileSync(path.join(evil, 'app', '::error::injected.pkl'), pickle);
    writeFileSync(path.join(evil, 'app', 'x\n::warning file=a::also injected,y.pkl'), pickle);
    // In-process, the log is what runAction hands to `write`: dist/index.js passes exactly that to process.stdout.
    const r = await runActionInProcess(evil, { ...INPUTS, 'fail-on': 'none' });
    expect(r.code, r.stderr).toBe(0);
    const found = parseAnnotations(r.stdout);
    expect(found.some((a) => /^(injected|also injected)/.test(a.message))).toBe(false);
    const files = found.map((a) => a.props['file']);
    expect(files).toContain('app/::error::injected.pkl');
    expect(files).toContain('app/x\n::warning file=a::also injected,y.pkl');
    expect(Object.keys(r.outputs).sort()).toEqual(Object.keys(run.outputs).sort());
    expect(r.summary).not.toMatch(/^::/m);
  }, 300_000);

  // One bad input through the bundle shows exit 2 and the annotation reach the runner; the rest run the same
  // runAction in-process (a bundle run each was 0.45 s of CPU for an exit at input parsing).
  it.each([
    { name: 'unknown fail-on', inputs: { 'fail-on': 'critical' }, want: /fail-on must be one of/, bundle: false },
    { name: 'bad shard', inputs: { shard: '5/4' }, want: /input shard must be i\/n/, bundle: false },
    { name: 'bad boolean', inputs: { offline: 'yes' }, want: /input offline must be true or false/, bundle: false },
    {
      name: 'missing path',
      inputs: { path: 'no-such-dir' },
      want: /input path: no-such-dir is not a directory/,
      bundle: true,
    },
    { name: 'unknown format', inputs: { formats: 'pdf' }, want: /unknown format "pdf"/, bundle: false },
    // Was exit 3 after the whole scan: "cannot write <workspace>/app (EISDIR)".
    {
      name: 'sarif-file is a folder',
      inputs: { 'sarif-file': 'app' },
      want: /input sarif-file: app is a directory/,
      bundle: false,
    },
    {
      name: 'a report into a folder',
      inputs: { formats: 'json=app/' },
      want: /input formats: app\/ is a directory/,
      bundle: false,
    },
    // Spun at 100 % CPU forever after the scan (Node 20's recursive mkdir under /proc never settles).
    {
      name: 'sarif-file under /proc',
      inputs: { 'sarif-file': '/proc/chainproof-nowhere/r.sarif' },
      want: /input sarif-file: \/proc\/chainproof-nowhere\/r\.sarif is on a kernel pseudo file system/,
      bundle: false,
    },
    // Was exit 4, "the registry stage failed (Invalid URL) … report the failure to the chainproof maintainers".
    {
      name: 'npm-registry not a URL',
      inputs: { 'npm-registry': 'npm.example.com' },
      want: /input npm-registry/,
      bundle: false,
    },
  ])(
    '$name: exit 2 with an error annotation naming the input (bundle: $bundle)',
    async ({ inputs, want, bundle }) => {
      const bad = await (bundle ? runDist : runActionInProcess)(ws, { ...INPUTS, ...inputs });
      expect(bad.code).toBe(2);
      const errors = parseAnnotations(bad.stdout).filter((a) => a.level === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0]!.message).toMatch(want);
    },
    300_000,
  );
});

describe('the bundled Action on Node 24 (the runtime action.yml declares)', () => {
  let node24: string[] | undefined;
  let why = '';
  beforeAll(async () => {
    const found = await findNode24();
    if (found) {
      node24 = [found];
      return;
    }
    // npx runs its command through a shell, and shells drop variables whose names hold a hyphen
    // (INPUT_FAIL-ON): ask the npm-shipped Node 24 for its own binary and spawn that directly, as the runner does.
    // Asynchronously: a worker blocked in spawnSync for minutes cannot answer vitest's RPC (see runDist).
    const probe = await new Promise<{ status: number | string | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        'npx',
        ['-y', 'node@24', '-p', 'process.version + " " + process.execPath'],
        { encoding: 'utf8', timeout: 240_000 },
        (err, stdout, stderr) =>
          resolve({ status: err ? (err.code ?? null) : 0, stdout, stderr: stderr || err?.message || '' }),
      );
    });
    const m = /^(v24\.\S+) (.+)$/m.exec(probe.stdout);
    if (probe.status === 0 && m && existsSync(m[2]!)) node24 = [m[2]!];
    else why = `npx -y node@24 failed (status ${probe.status}): ${probe.stderr.trim().split('\n').slice(-2).join(' ')}`;
  }, 300_000);

  it('runs dist/index.js with the same outputs, summary and annotations', async (ctx) => {
    if (!node24) {
      console.warn(`SKIPPED Node 24 end-to-end run: ${why}`);
      ctx.skip();
      return;
    }
    const ws = makeWorkspace({ 'app/.npmrc': '//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n' });
    const run = await runDist(ws, { ...INPUTS, 'job-summary': 'true' }, { command: node24, env: { NPM_TOKEN: TOKEN } });
    assertRun(run);
    expect(spawnSync(node24[0]!, ['--version'], { encoding: 'utf8' }).stdout).toMatch(/^v24\./);
    expect(existsSync(path.join(ws, '.chainproof-cache'))).toBe(true);
  }, 300_000);
});
