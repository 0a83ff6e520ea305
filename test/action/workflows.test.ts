/* eslint-disable @typescript-eslint/no-explicit-any -- workflow YAML read as untyped data */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { expandHome } from '../../src/action/run.js';
import { REPO } from '../helpers/cli.js';

const WORKFLOWS = [
  '.github/workflows/ci.yml',
  'fixtures/action/workflows/chainproof.yml',
  'fixtures/action/workflows/chainproof-sharded.yml',
  'fixtures/action/workflows/chainproof-review-automerge.yml',
];
const action = parse(readFileSync(path.join(REPO, 'action.yml'), 'utf8'));
const read = (f: string) => readFileSync(path.join(REPO, f), 'utf8');

function steps(wf: any): any[] {
  return Object.values<any>(wf.jobs).flatMap((j) => j.steps ?? []);
}

describe.each(WORKFLOWS)('%s', (file) => {
  const text = read(file);
  const wf = parse(text);

  it('pins every third-party action to a full commit SHA with a version comment', () => {
    const uses = text.split('\n').filter((l) => /^\s*(-\s+)?uses:/.test(l));
    expect(uses.length).toBeGreaterThan(0);
    for (const line of uses) {
      const ref = /uses:\s*(\S+)/.exec(line)![1]!;
      if (ref.startsWith('./')) continue;
      expect(line, line).toMatch(/uses:\s*[\w.-]+\/[\w./-]+@[0-9a-f]{40}\s+#\s*\S+/);
    }
  });

  it('has least-privilege permissions: read-only at the top, writes only where a job needs them', () => {
    expect(wf.permissions).toEqual({ contents: 'read' });
    for (const [name, job] of Object.entries<any>(wf.jobs)) {
      const perms = job.permissions ?? {};
      expect(perms, name).not.toBe('write-all');
      for (const [scope, level] of Object.entries(perms)) {
        // Only a job that merges (and runs nothing from the repository) may write contents and pull requests.
        const merges = (job.steps ?? []).every((s: any) => s.uses === undefined && /^gh pr merge /.test(String(s.run)));
        const writable = merges ? ['contents', 'pull-requests'] : ['security-events'];
        if (level === 'write') expect(writable, `${name}: ${scope}: write`).toContain(scope);
      }
      const uploads = (job.steps ?? []).some((s: any) =>
        String(s.uses ?? '').startsWith('github/codeql-action/upload-sarif@'),
      );
      if (uploads) expect(perms['security-events'], `${name} uploads SARIF`).toBe('write');
      else expect(perms['security-events'], name).toBeUndefined();
    }
  });

  it('gives chainproof only inputs action.yml declares', () => {
    for (const s of steps(wf)) {
      if (!/^(\.\/|chainproof\/chainproof@)/.test(String(s.uses ?? ''))) continue;
      for (const k of Object.keys(s.with ?? {})) expect(Object.keys(action.inputs), `input ${k}`).toContain(k);
    }
  });
});

describe('the example workflow (for the README)', () => {
  const wf = parse(read('fixtures/action/workflows/chainproof.yml'));
  const all = steps(wf);
  const step = (prefix: string) => all.find((s) => String(s.uses ?? '').startsWith(prefix));

  it('checks out, restores the caches, runs chainproof and uploads its SARIF', () => {
    const order = [
      'actions/checkout@',
      'actions/cache@',
      'chainproof/chainproof@',
      'github/codeql-action/upload-sarif@',
    ].map((p) => all.indexOf(step(p)));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(step('actions/cache@').with.path).toBe(step('chainproof/chainproof@').with['cache-directory']);
    expect(expandHome(step('actions/cache@').with.path)).toBe(path.join(homedir(), '.cache', 'chainproof'));
    const upload = step('github/codeql-action/upload-sarif@');
    expect(upload.with.sarif_file).toBe('${{ steps.chainproof.outputs.sarif-file }}');
    expect(Object.keys(action.outputs)).toContain('sarif-file');
    expect(upload.if).toMatch(/!cancelled\(\)/);
  });
});

describe('CI', () => {
  const wf = parse(read('.github/workflows/ci.yml'));
  const runs = steps(wf).map((s) => String(s.run ?? ''));

  it('runs the same test command as .ci/run, checks dist/, and runs the Action itself', () => {
    expect(runs).toContain('bash .ci/run');
    expect(runs).toContain('node scripts/check-dist.mjs');
    expect(steps(wf).some((s) => s.uses === './')).toBe(true);
    expect(wf.jobs.test.strategy.matrix.node).toContain(24);
  });
});
