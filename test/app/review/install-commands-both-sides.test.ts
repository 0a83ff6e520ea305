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
/** A workflow that runs a PEP 723 script with uv and builds a conda environment whose `pip:` list pip installs. */
const WORKFLOW = [
  'on: push',
  'jobs:',
  '  t:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - run: uv run tools/gen.py && conda env create -f envs/ci.yml',
  '',
].join('\n');
const script = (...deps: string[]) =>
  ['# /// script', '# dependencies = [', ...deps.map((d) => `#   "${d}",`), '# ]', '# ///', 'print("hi")', ''].join(
    '\n',
  );
const condaEnv = (...pip: string[]) =>
  ['name: ci', 'dependencies:', '  - python=3.12', '  - pip:', ...pip.map((p) => `      - ${p}`), ''].join('\n');
const BASE: Tree = {
  'README.md': 'x\n',
  Dockerfile: DOCKERFILE,
  'deps/prod.pins': 'six==1.16.0\nidna==3.7\n',
  '.github/workflows/ci.yml': WORKFLOW,
  'tools/gen.py': script('requests==2.31.0'),
  'envs/ci.yml': condaEnv('six==1.16.0'),
};

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
  {
    // The snapshot lays out the script `uv run` runs: its inline metadata is what uv installs.
    name: "the change adds a git requirement to the inline metadata of a script uv runs → CPP014 at the script's line",
    head: { 'tools/gen.py': script('requests==2.31.0', 'gen @ git+https://github.com/evil/gen') },
    want: ['CPP014@tools/gen.py:4'],
    changes: [],
    gate: false,
  },
  {
    // And the conda environment file: conda hands its `pip:` list to `pip install -r`.
    name: "the change adds a git requirement to the pip list of a conda environment the workflow builds → CPP014 at the file's line",
    head: { 'envs/ci.yml': condaEnv('six==1.16.0', 'git+https://github.com/evil/env') },
    want: ['CPP014@envs/ci.yml:6'],
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
