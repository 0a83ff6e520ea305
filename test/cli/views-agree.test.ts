import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runMain } from '../helpers/cli.js';
import { corpusPath } from '../helpers/corpus.js';
import { tempTrees } from '../helpers/temp-tree.js';

const tree = tempTrees('chainproof-views-');
const SHARED = path.resolve(import.meta.dirname, '../../fixtures/models-cases/shared-global');

type Counts = { error: number; warning: number; note: number };
interface Views {
  code: number;
  verdict: string;
  text: string;
  markdown: string;
  json: {
    summary: { files: number; byLevel: Counts; baselined?: number };
    findings: { level: keyof Counts }[];
    notScanned: { path: string }[];
  };
  sarif: { runs: { results: { level?: keyof Counts }[]; properties: { summary: { byLevel: Counts } } }[] };
}

/**
 * A tree with something of each kind: pickles that share a cause, a truncated checkpoint, a link out of the root, a
 * named pipe, a Keras archive that runs code, a lockfile.
 */
function mixedTree(): string {
  const dir = tree({ 'web/package.json': '{"name":"w","version":"1.0.0"}\n' });
  copyFileSync(
    corpusPath('lockfiles', 'npm-cli-v6.14.13.v1.package-lock.json'),
    path.join(dir, 'web/package-lock.json'),
  );
  for (const n of [1, 2, 3]) {
    execFileSync('mkdir', ['-p', path.join(dir, `runs/run-${n}`)]);
    copyFileSync(path.join(SHARED, `run-${n}/config.pkl`), path.join(dir, `runs/run-${n}/config.pkl`));
  }
  const pt = readFileSync(corpusPath('models', 'torch_state_dict_zip.pt'));
  execFileSync('mkdir', ['-p', path.join(dir, 'models')]);
  execFileSync('dd', ['status=none', `of=${path.join(dir, 'models/cut.pt')}`], { input: pt.subarray(0, 100) });
  copyFileSync(corpusPath('models', 'keras_v3_layout_lambda.keras'), path.join(dir, 'models/lambda.keras'));
  symlinkSync('/etc/hostname', path.join(dir, 'models/outside.pkl'));
  execFileSync('mkfifo', [path.join(dir, 'models/pipe.pkl')]);
  return dir;
}

async function views(dir: string, ...extra: string[]): Promise<Views> {
  const out = (ext: string) => path.join(dir, '..', `${path.basename(dir)}${extra.length}.${ext}`);
  const r = await runMain([
    'scan',
    dir,
    '--offline',
    '--no-cache',
    ...['-f', `text=${out('txt')}`, '-f', `json=${out('json')}`, '-f', `sarif=${out('sarif')}`],
    ...['-f', `markdown=${out('md')}`],
    ...extra,
  ]);
  const read = (ext: string) => readFileSync(out(ext), 'utf8');
  return {
    code: r.code,
    verdict: r.stderr,
    text: read('txt'),
    markdown: read('md'),
    json: JSON.parse(read('json')) as Views['json'],
    sarif: JSON.parse(read('sarif')) as Views['sarif'],
  };
}

const tally = (levels: readonly (keyof Counts | undefined)[]): Counts => {
  const c: Counts = { error: 0, warning: 0, note: 0 };
  for (const l of levels) c[l ?? 'warning']++;
  return c;
};

describe('every view of one scan says the same counts', () => {
  let dir: string;
  beforeAll(() => {
    dir = mixedTree();
  });

  it('text, JSON, SARIF, Markdown, the verdict line and the exit code agree', async () => {
    const v = await views(dir);
    const by = v.json.summary.byLevel;
    expect(by.error).toBeGreaterThan(0);
    expect(v.code).toBe(1);
    expect(tally(v.json.findings.map((f) => f.level))).toEqual(by);
    expect(tally(v.sarif.runs[0]!.results.map((r) => r.level))).toEqual(by);
    expect(v.sarif.runs[0]!.properties.summary.byLevel).toEqual(by);
    const counts = `${by.error} error${by.error === 1 ? '' : 's'}, ${by.warning} warnings, ${by.note} note`;
    expect(v.text).toContain(`findings: ${counts}`);
    expect(v.markdown).toContain(`## chainproof: ${counts}`);
    expect(v.verdict).toContain(`chainproof: ${counts}`);
    // The link out of the root and the pipe: listed in every view, and now counted beside the files checked.
    expect(v.json.notScanned.map((n) => n.path)).toEqual(['models/outside.pkl', 'models/pipe.pkl']);
    expect(v.text).toContain(`files ${v.json.summary.files} (2 not scanned),`);
    expect(v.verdict).toContain(`in ${v.json.summary.files} files (2 not scanned);`);
  });

  // The known findings were said only in a JSON/SARIF notification: the text and Markdown summaries and the log line
  // gave the new findings' counts alone, and with none new the job summary read "no findings".
  it('with a baseline, every view says how many known findings it left out', async () => {
    const first = await views(dir);
    const baseline = path.join(dir, '..', `${path.basename(dir)}-baseline.sarif`);
    copyFileSync(path.join(dir, '..', `${path.basename(dir)}0.sarif`), baseline);
    const known = first.json.findings.length;
    const v = await views(dir, '--baseline', baseline);
    expect(v.code).toBe(0);
    expect(v.json.findings).toEqual([]);
    expect(v.json.summary.baselined).toBe(known);
    expect(v.sarif.runs[0]!.properties.summary).toMatchObject({ baselined: known });
    expect(v.text).toContain(`findings: 0 errors, 0 warnings, 0 notes, ${known} already in the baseline (not listed)`);
    expect(v.markdown).toMatch(
      new RegExp(`## chainproof: no findings\\n\\n${known} findings already in the baseline are not listed\\.`),
    );
    expect(v.verdict).toContain(
      `chainproof: 0 errors, 0 warnings, 0 notes, ${known} already in the baseline (not listed) in`,
    );
  });
});
