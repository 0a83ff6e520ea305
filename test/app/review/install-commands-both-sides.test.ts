import { afterAll, describe, expect, it } from 'vitest';
import type { ReviewResult } from '../../../src/app/review/index.js';
import { makeRepo, type Tree, reviewHead, reviewWorkTree } from './repo.js';

/**
 * The Python dependency stage reads the install commands of Dockerfiles, workflows, scripts and tox/nox files, and the
 * requirements files they name under any name (`pip install -r deps/prod.pins`). A review scans both revisions with
 * it: each side must hold those files, or what the work tree always had reads as the change's doing (and fails the
 * gate of every update), and a head commit's new install is never read.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const DOCKERFILE =
  'FROM python:3.12\nRUN pip install -r deps/prod.pins\nRUN pip install git+https://github.com/acme/tool\n';
const BASE: Tree = { 'README.md': 'x\n', Dockerfile: DOCKERFILE, 'deps/prod.pins': 'six==1.16.0\nidna==3.7\n' };

interface Case {
  name: string;
  head: Tree;
  /** `rule@path:line` of the findings the review reports. */
  want: string[];
  /** The change set, `lockfile: name kind`. */
  changes: string[];
  gate: boolean;
}

const cases: Case[] = [
  {
    name: 'nothing the install reads changes → no finding, no lockfile change, the patch gate passes',
    head: { 'README.md': 'y\n' },
    want: [],
    changes: [],
    gate: true,
  },
  {
    name: 'a patch update of the requirements file the Dockerfile names → that update alone',
    head: { 'deps/prod.pins': 'six==1.16.0\nidna==3.7.1\n' },
    want: [],
    changes: ['deps/prod.pins: idna upgraded'],
    gate: true,
  },
  {
    name: 'the change adds an install from git → CPP014 at its line',
    head: { Dockerfile: `${DOCKERFILE}RUN pip install git+https://github.com/evil/pkg\n` },
    want: ['CPP014@Dockerfile:4'],
    changes: [],
    gate: false,
  },
];

describe('review reads the install commands at both revisions', () => {
  it.each(
    cases.flatMap((c) => [
      { ...c, workTree: false },
      { ...c, workTree: true },
    ]),
  )('$name (work tree as head: $workTree)', async ({ head, want, changes, gate, workTree }) => {
    const repo = makeRepo(BASE, head);
    cleanups.push(repo.cleanup);
    const r: ReviewResult = workTree
      ? await reviewWorkTree(repo.dir, { gate: 'patch' })
      : await reviewHead(repo.dir, { gate: 'patch' });
    const found = r.findings.filter((f) => f.ruleId.startsWith('CPP'));
    expect(found.map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 1}`).sort()).toEqual(want);
    expect(r.lockfiles.flatMap((lf) => lf.changes.map((c) => `${lf.lockfile}: ${c.name} ${c.kind}`))).toEqual(changes);
    expect(r.gate?.passed).toBe(gate);
  });
});
