import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalPaths, SourceSearcher } from '../../src/refs/search-file.js';
import { IN_WALK_FILES } from '../../src/refs/sources.js';
import { WORKER_MIN_FILES } from '../../src/refs/remote.js';
import type { WorkerInput, WorkerOutput } from '../../src/refs/worker-protocol.js';
import { REPO, runCli } from '../helpers/cli.js';
import { runDist } from '../action/run-dist.js';

/**
 * The refs worker (src/refs/worker.ts): a large repository's source files past the walk's first IN_WALK_FILES are
 * read and searched on a thread of its own. Where the work runs must never change what is found: the built CLI with
 * and without the worker, and each bundle's worker entry against the stage's own search.
 */

const PIN = 'b56f08775db75495b47fcebe192b46a1ddbf6416';
/** Files with references, by path, each with the references it holds (hand count). */
const SOURCES: Readonly<Record<string, readonly [text: string, references: number]>> = {
  // Before the walk's limit: searched in the scan's thread.
  'aa/train.py': [`from transformers import AutoModel\nm = AutoModel.from_pretrained("org/early")\n`, 1],
  // Past it: searched by the worker.
  'zz/serve.py': [
    `from transformers import AutoModel as M\nNAME = "org/late"\nm = M.from_pretrained(NAME, revision="${PIN}")\n` +
      `t = M.from_pretrained("org/other", revision="main", trust_remote_code=True)\n`,
    2,
  ],
  // A local folder of that name exists: transformers loads it, not the hub (`existsLocally` in the worker).
  'zz/local.py': [`from transformers import AutoModel\nm = AutoModel.from_pretrained("checkpoints/base")\n`, 0],
  'zz/dynamic.py': [`from transformers import AutoModel\nimport sys\nm = AutoModel.from_pretrained(sys.argv[1])\n`, 0],
  'zz/web/app.js': [
    `import { pipeline } from '@huggingface/transformers';\nconst p = await pipeline('sentiment-analysis', 'Xenova/late-js');\n`,
    1,
  ],
  'zz/configs/train.yaml': [`model_name_or_path: org/late-config\n`, 1],
  'zz/tests/data/request.json': [`{"model_name": "org/test-data"}\n`, 0],
  'zz/gen/bundle.min.js': [`x`, 0],
  'zz/gen/generated.js': [`${'var a=1;'.repeat(4000)}from_pretrained('org/x')\n`, 0],
};

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'chainproof-refs-worker-'));
  // Enough plain source that the worker starts: past the walk's limit, at least WORKER_MIN_FILES more.
  const plain = IN_WALK_FILES + WORKER_MIN_FILES + 50;
  for (let i = 0; i < plain; i++) {
    const dir = path.join(root, 'mm', `p${Math.floor(i / 100)}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `m${i}.py`), `import os\n\ndef f${i}(x):\n    return os.path.join(x, "${i}")\n`);
  }
  for (const [rel, [text]] of Object.entries(SOURCES)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  mkdirSync(path.join(root, 'checkpoints', 'base'), { recursive: true });
  writeFileSync(path.join(root, 'checkpoints', 'base', 'notes.txt'), 'weights are fetched at deploy time\n');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the built CLI with the refs worker', () => {
  it('finds, judges and counts exactly what the scan thread does, and says the worker ran', () => {
    const scan = (env: Record<string, string>, out: string) => {
      const r = runCli(
        ['scan', root, '--offline', '--no-cache', '--verbose', '--fail-on', 'none', '-f', 'json', '-o', out],
        { env },
      );
      expect(r.code, r.stderr).toBe(0);
      const json = JSON.parse(readFileSync(out, 'utf8')) as { references: unknown[]; findings: unknown[] };
      return { stderr: r.stderr, references: json.references, findings: json.findings };
    };
    const worker = scan({}, path.join(root, '..', `${path.basename(root)}-worker.json`));
    const thread = scan(
      { CHAINPROOF_TEST_REFS_IN_THREAD: '1' },
      path.join(root, '..', `${path.basename(root)}-thread.json`),
    );
    expect(worker.stderr).toMatch(/refs: \d+ source files searched on a worker thread/);
    expect(thread.stderr).not.toMatch(/worker thread/);
    expect(worker.references).toEqual(thread.references);
    expect(worker.findings).toEqual(thread.findings);
    const expected = Object.values(SOURCES).reduce((n, [, refs]) => n + refs, 0);
    expect(worker.references).toHaveLength(expected);
    const rules = (worker.findings as { ruleId: string; message: string }[]).map((f) => f.ruleId);
    // trust_remote_code (CPR002), the computed name (a note), the generated file skipped and the test data counted.
    expect(rules).toEqual(expect.arrayContaining(['CPR001', 'CPR002', 'CPR011']));
    const counted = (worker.findings as { ruleId: string; message: string }[])
      .filter((f) => f.ruleId === 'CPR011')
      .map((f) => f.message);
    expect(counted.some((m) => m.startsWith('1 YAML/JSON file(s) in test folders'))).toBe(true);
    expect(counted.some((m) => m.startsWith('1 source file(s) were not searched'))).toBe(true);
  });
});

describe('the Action with the refs worker', () => {
  it('searches the same repository on its own worker (dist/refs-worker.mjs) and finds what the CLI finds', async () => {
    const report = path.join(root, 'action-report.json');
    try {
      const run = await runDist(root, {
        path: '.',
        offline: 'true',
        'fail-on': 'none',
        formats: 'json=action-report.json',
      });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/::debug::refs: \d+ source files searched on a worker thread/);
      const json = JSON.parse(readFileSync(report, 'utf8')) as { references: unknown[] };
      expect(json.references).toHaveLength(Object.values(SOURCES).reduce((n, [, refs]) => n + refs, 0));
    } finally {
      rmSync(report, { force: true });
    }
  }, 120_000);
});

describe('each bundle’s refs worker entry', () => {
  const entries = {
    cli: path.join(REPO, 'build', 'cli-bundle', 'refs-worker.mjs'),
    action: path.join(REPO, 'dist', 'refs-worker.mjs'),
  };
  it.each(Object.entries(entries))('%s: the same outcome per file as the stage’s own search', async (_, entry) => {
    const rels = [...Object.keys(SOURCES), 'mm/p0/m0.py'];
    const input: WorkerInput = {
      files: [
        ...rels.map((rel) => ({ abs: path.join(root, rel), path: rel, size: 1 << 20 })),
        // Gone since the walk: counted as unreadable, never a silent pass.
        { abs: path.join(root, 'zz', 'gone.py'), path: 'zz/gone.py', size: 10 },
      ],
      paths: [...rels, 'checkpoints/base/notes.txt'],
      maxBytes: 2 * 1024 * 1024,
    };
    const out = await new Promise<WorkerOutput>((resolve, reject) => {
      const w = new Worker(entry, { workerData: input });
      w.once('message', (m: WorkerOutput) => {
        resolve(m);
        void w.terminate();
      });
      w.once('error', reject);
    });
    const searcher = new SourceSearcher();
    const local = new LocalPaths(input.paths);
    const here = await Promise.all(
      rels.map(async (rel) => ({
        path: rel,
        outcome: await searcher.search(rel, readFileSync(path.join(root, rel)), false, local.exists),
      })),
    );
    expect(out.results).toEqual([...here, { path: 'zz/gone.py', unreadable: 'ENOENT' }]);
    expect(out.opens).toBe(rels.length);
  });
});
