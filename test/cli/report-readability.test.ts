import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { annotations } from '../../src/action/run.js';
import { memberToAdd } from '../../src/core/finding.js';
import { toSarif } from '../../src/report/sarif.js';
import { toText } from '../../src/report/text.js';
import { finding, makeResult } from '../action/helpers.js';
import { runMain } from '../helpers/cli.js';
import { corpusPath } from '../helpers/corpus.js';
import { makeRepo } from '../app/review/repo.js';

/** How often `needle` occurs in `text`. */
const count = (text: string, needle: string) => text.split(needle).length - 1;

describe('what a reviewer reads on real model files', () => {
  let dir: string;
  beforeAll(() => {
    // Real files from the shared corpora, copied into a temporary repository at test time (not into fixtures/).
    dir = mkdtempSync(path.join(tmpdir(), 'cp-readability-'));
    copyFileSync(corpusPath('models', 'keras_legacy_lambda_layout.h5'), path.join(dir, 'lambda.h5'));
    copyFileSync(corpusPath('models', 'torch_full_module_zip.pt'), path.join(dir, 'full.pt'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names an archive member once per message in SARIF and text, not again after the message', async () => {
    const sarifFile = path.join(dir, 'out.sarif');
    const r = await runMain(['scan', dir, '--offline', '--no-cache', '--fail-on', 'none', '-f', `sarif=${sarifFile}`]);
    expect(r.code, r.stderr).toBe(0);
    const sarif = JSON.parse(readFileSync(sarifFile, 'utf8')) as {
      runs: { results: { ruleId: string; message: { text: string } }[] }[];
    };
    const byRule = new Map(sarif.runs[0]!.results.map((x) => [x.ruleId, x.message.text]));
    // The Lambda layer's member is "JSON at byte N", the full module's "torch_full_module_zip/data.pkl": each message names it itself.
    const lambda = byRule.get('CPI060')!;
    const member = /\((JSON at byte \d+)\)/.exec(lambda)![1]!;
    expect(count(lambda, member)).toBe(1);
    expect(count(byRule.get('CPI119')!, 'torch_full_module_zip/data.pkl')).toBe(1);

    const text = await runMain(['scan', dir, '--offline', '--no-cache', '--fail-on', 'none', '--exclude', '*.sarif']);
    const line = text.stdout.split('\n').find((l) => l.includes('CPI060'))!;
    expect(count(line, member)).toBe(1);
  });

  it('writes one verdict line on stderr when the reports go to files, so a failing CI step says why', async () => {
    const sarifFile = path.join(dir, 'verdict.sarif');
    const r = await runMain(['scan', dir, '--offline', '--no-cache', '-f', `sarif=${sarifFile}`]);
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('chainproof: '));
    expect(lines).toHaveLength(1);
    // The Lambda layer (error) is named although the pickle note's file sorts first.
    expect(lines[0]).toMatch(
      /^chainproof: 1 error, 0 warnings, \d+ notes? in \d+ files?; most severe: error CPI060 at lambda\.h5;/,
    );
    expect(lines[0]).toContain(`report: ${sarifFile}`);
    expect(lines[0]).toMatch(/exit 1: findings at or above --fail-on error\.$/);
  });

  it('names the error of the highest security-severity, not the first error by path', async () => {
    // requirements.txt in hash-checking mode with a line without --hash (CPP011, 7.0) sorts before the pickle that
    // calls os.system on load (CPI001, 9.8). Pickle bytes written here, never loaded.
    const repo = mkdtempSync(path.join(tmpdir(), 'cp-verdict-'));
    try {
      writeFileSync(path.join(repo, 'requirements.txt'), `six==1.16.0 --hash=sha256:${'a'.repeat(64)}\nidna==3.7\n`);
      mkdirSync(path.join(repo, 'zz'));
      writeFileSync(path.join(repo, 'zz', 'evil.pkl'), "cos\nsystem\n(S'id'\ntR.");
      const r = await runMain([
        'scan',
        repo,
        '--offline',
        '--no-cache',
        '-f',
        'json',
        '-o',
        path.join(repo, 'out.json'),
      ]);
      expect(r.code).toBe(1);
      const report = JSON.parse(readFileSync(path.join(repo, 'out.json'), 'utf8')) as {
        findings: { ruleId: string }[];
      };
      expect(report.findings.map((f) => f.ruleId)).toEqual(expect.arrayContaining(['CPP011', 'CPI001']));
      expect(r.stderr).toMatch(/; most severe: error CPI001 at zz\/evil\.pkl;/);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it('writes no verdict line with --quiet, nor when the text report is on stdout (its summary says it)', async () => {
    const quiet = await runMain(['scan', dir, '--offline', '--no-cache', '-q', '-f', 'json', '--exclude', '*.sarif']);
    expect(quiet.stderr).toBe('');
    const text = await runMain(['scan', dir, '--offline', '--no-cache', '--exclude', '*.sarif']);
    expect(text.stderr).not.toContain('chainproof: ');
    expect(text.stdout).toContain('Summary');
  });
});

describe('archive members in reports', () => {
  const named = finding({
    ruleId: 'CPI002',
    level: 'warning',
    message: 'm.pt (m/data.pkl): the pickle imports `os.system`.',
    location: { path: 'm.pt', member: 'm/data.pkl' },
  });
  const unnamed = finding({
    ruleId: 'CPI002',
    level: 'warning',
    message: 'm.pt: the pickle imports `os.system`.',
    location: { path: 'm.pt', member: 'm/data.pkl' },
  });

  it('adds the member only when the message does not already name it', () => {
    expect(memberToAdd(named)).toBeUndefined();
    expect(memberToAdd(unnamed)).toBe('m/data.pkl');
    // A member that is only part of another name in the message is still added.
    expect(memberToAdd({ ...unnamed, message: 'm/data.pkl.bak: x' })).toBe('m/data.pkl');
  });

  it('keeps every reporter to one mention: SARIF, annotations and text', () => {
    for (const f of [named, unnamed]) {
      const result = makeResult({ findings: [f] });
      const sarif = toSarif(result, { toolVersion: '0' }) as unknown as {
        runs: { results: { message: { text: string } }[] }[];
      };
      expect(count(sarif.runs[0]!.results[0]!.message.text, 'm/data.pkl')).toBe(1);
      const [annotation] = annotations(result, 10, (p) => p);
      expect(count(annotation!, 'm/data.pkl')).toBe(1);
      const line = toText(result, { color: false })
        .split('\n')
        .find((l) => l.includes('CPI002'))!;
      expect(count(line, 'm/data.pkl')).toBe(1);
    }
  });
});

describe('the text report on a model store', () => {
  const models = Array.from({ length: 30 }, (_, i) => ({
    path: `store/shard-${String(i).padStart(2, '0')}.safetensors`,
    format: 'safetensors' as const,
    size: 1024,
    digests: { sha256: 'b'.repeat(64) },
  }));
  const result = makeResult({
    models,
    findings: [
      finding({
        ruleId: 'CPI050',
        level: 'warning',
        message: 'store/shard-27.safetensors: the header could not be parsed.',
        location: { path: 'store/shard-27.safetensors' },
      }),
    ],
  });
  const listed = (text: string) => text.split('\n').filter((l) => /^ {2}[!✓] store\//.test(l));

  it('lists at most 20 model files, those with findings of their own first, and counts the rest', () => {
    const text = toText(result, { color: false });
    const lines = listed(text);
    expect(lines).toHaveLength(20);
    expect(lines.some((l) => l.includes('shard-27'))).toBe(true);
    expect(text).toContain('… and 10 more model files (--verbose or -f json lists every one)');
  });

  it('lists every model file with --verbose, and a short list whole', () => {
    expect(listed(toText(result, { color: false, verbose: true }))).toHaveLength(30);
    const few = makeResult({ models: models.slice(0, 20) });
    const text = toText(few, { color: false });
    expect(listed(text)).toHaveLength(20);
    expect(text).not.toContain('more model file');
  });
});

describe('review with its reports in files', () => {
  it('says in one log line that the gate failed and why (a real Dependabot minor update under --gate patch)', async () => {
    const read = (side: string) =>
      readFileSync(corpusPath('lockfiles', 'update-pairs', `actions-checkout-130a169.${side}.package-lock.json`));
    const repo = makeRepo({ 'package-lock.json': read('before') }, { 'package-lock.json': read('after') });
    try {
      const out = path.join(repo.dir, '..', `${path.basename(repo.dir)}-review.json`);
      const args = ['review', repo.dir, '--base', 'HEAD~1', '--head', 'HEAD', '--offline', '--no-cache'];
      const r = await runMain([...args, '--gate', 'patch', '-f', `json=${out}`]);
      rmSync(out, { force: true });
      expect(r.code).toBe(1);
      expect(r.stderr.split('\n').filter((l) => l.startsWith('chainproof review: '))).toEqual([
        `chainproof review: 1 package change; gate patch FAILED: package-lock.json: minor update of js-yaml 4.1.0 → 4.2.0; offline: registry questions not asked; report: ${out}; exit 1.`,
      ]);
      // The text report on stdout says it itself: no second line.
      const text = await runMain([...args, '--gate', 'patch']);
      expect(text.stdout).toContain('gate patch: FAILED');
      expect(text.stderr).not.toContain('chainproof review: ');
    } finally {
      repo.cleanup();
    }
  });

  it('says offline beside a passed gate: the registry questions were not asked (a real Renovate patch update)', async () => {
    const read = (side: string) =>
      readFileSync(corpusPath('lockfiles', 'update-pairs', `unjs-ufo-5fb179d.${side}.pnpm-lock.yaml`));
    const repo = makeRepo({ 'pnpm-lock.yaml': read('before') }, { 'pnpm-lock.yaml': read('after') });
    try {
      const args = ['review', repo.dir, '--base', 'HEAD~1', '--head', 'HEAD', '--no-cache', '--gate', 'patch'];
      const offline = await runMain([...args, '--offline']);
      expect(offline.code, offline.stderr).toBe(0);
      const lines = offline.stdout.trimEnd().split('\n');
      expect(lines.slice(-3)).toEqual([
        'offline: registry questions not asked about 1 added or moved package; run without --offline to ask them.',
        '',
        'gate patch: passed',
      ]);
      const out = path.join(repo.dir, '..', `${path.basename(repo.dir)}-review.json`);
      const quiet = await runMain([...args, '--offline', '-f', `json=${out}`]);
      rmSync(out, { force: true });
      expect(quiet.stderr).toContain('gate patch passed; offline: registry questions not asked; report: ');
    } finally {
      repo.cleanup();
    }
  });
});

describe('the text report read from the top', () => {
  it('starts with the files that hold errors, then warnings, then notes, each file whole and in path order', () => {
    const f = (path: string, level: 'error' | 'warning' | 'note', line: number) =>
      finding({ ruleId: 'CPD002', level, message: `${level} at ${path}:${line}`, location: { path, line } });
    const result = makeResult({
      findings: [
        f('a/test/data/p1.pkl', 'warning', 1),
        f('a/test/data/p2.pkl', 'note', 1),
        f('m/models/x.pt', 'warning', 1),
        f('web/npm-shrinkwrap.json', 'warning', 7),
        f('web/npm-shrinkwrap.json', 'error', 9),
        f('z/package-lock.json', 'error', 3),
      ],
    });
    const headers = toText(result, { color: false })
      .split('\n')
      .filter((l) => /^[a-z]/.test(l) && !l.startsWith('Summary'));
    expect(headers).toEqual([
      'web/npm-shrinkwrap.json',
      'z/package-lock.json',
      'a/test/data/p1.pkl',
      'm/models/x.pt',
      'a/test/data/p2.pkl',
    ]);
    // A file's own findings keep their order (by line), the warning before the error.
    const web = toText(result, { color: false }).split('\n');
    const at = web.indexOf('web/npm-shrinkwrap.json');
    expect(web.slice(at + 1, at + 3).map((l) => l.trim().split(/\s+/)[1])).toEqual(['warning', 'error']);
  });
});
