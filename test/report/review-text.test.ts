import { afterAll, describe, expect, it } from 'vitest';
import { MAX_SUMMARY_BYTES } from '../../src/report/markdown.js';
import { toReviewMarkdown, toReviewText } from '../../src/report/review.js';
import { makeRepo, reviewHead } from '../app/review/repo.js';
import { manifest, npmLock, sri } from '../app/review/npm-lock.js';

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

/**
 * `chainproof review` prints this text to a CI log, where a line starting with `::` is a workflow command and escape
 * sequences reach the terminal. The change's names are the pull request's: file names and lockfile package names.
 */
describe('review text', () => {
  it('shows control characters, line breaks and bidi overrides in changed names, never obeys them', async () => {
    const evil = 'models/x\u001b[2J\u202egpj.pkl';
    const pkg = 'left-pad\n::warning::also injected';
    const root = { [pkg]: '^1.0.0' };
    const { dir, cleanup } = makeRepo(
      { 'package.json': manifest({}), 'package-lock.json': npmLock({}, {}) },
      {
        'package.json': manifest(root),
        'package-lock.json': npmLock(root, {
          [pkg]: {
            version: '1.0.0',
            resolved: 'https://registry.npmjs.org/left-pad/-/left-pad-1.0.0.tgz',
            integrity: sri(7),
          },
        }),
        [evil]: 'not a pickle',
      },
    );
    cleanups.push(cleanup);
    const text = toReviewText(await reviewHead(dir));
    const lines = text.split('\n');
    expect(lines.filter((l) => l.startsWith('::'))).toEqual([]);
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(text).toContain('models/x\\x1b[2J\\u202egpj.pkl');
    expect(text).toContain('left-pad\\x0a::warning::also injected');
  });
});

describe('review text of a large update', () => {
  it('a thousand bumps: at most fifty rows per lockfile, the unusual ones first, the rest counted; one CPU014', async () => {
    const names = Array.from({ length: 1000 }, (_, i) => `pkg-${i}`);
    const root = Object.fromEntries(names.map((n) => [n, '*']));
    // Every 20th package goes back to 0.9.0, the next one moves to 2.0.0, the rest get a patch.
    const version = (i: number, head: boolean) =>
      !head ? '1.0.0' : i % 20 === 0 ? '0.9.0' : i % 20 === 1 ? '2.0.0' : '1.0.1';
    const lock = (head: boolean) =>
      npmLock(
        root,
        Object.fromEntries(
          names.map((n, i) => [
            n,
            {
              version: version(i, head),
              resolved: `https://registry.npmjs.org/${n}/-/${n}-${version(i, head)}.tgz`,
              integrity: `sha512-${Buffer.from(`${head ? 'h' : 'b'}${i}`.padEnd(64, 'x')).toString('base64')}`,
            },
          ]),
        ),
      );
    const { dir, cleanup } = makeRepo(
      { 'package.json': manifest(root), 'package-lock.json': lock(false) },
      { 'package.json': manifest(root), 'package-lock.json': lock(true) },
    );
    cleanups.push(cleanup);
    const r = await reviewHead(dir, { gate: 'patch' });
    const lines = toReviewText(r).split('\n');
    const rows = lines.filter((l) => /^ {2}(upgraded|downgraded|added|removed) /.test(l));
    expect(rows).toHaveLength(50);
    expect(rows.every((l) => l.includes('(major)'))).toBe(true);
    expect(lines).toContain(
      '  … and 950 more (25 major downgrades, 25 major updates, 900 patch updates; -f json lists every change)',
    );
    expect(r.findings.filter((f) => f.ruleId === 'CPU014')).toHaveLength(1);
    expect(r.findings.find((f) => f.ruleId === 'CPU014')?.message).toMatch(
      /^50 packages in package-lock.json are downgrades/,
    );
    expect(r.lockfiles[0]!.changes).toHaveLength(1000);
  });
});

describe('review of a regenerated lockfile', () => {
  it('lists the added packages before the removed ones, which bring no code in, in text and Markdown', async () => {
    // 210 packages dropped, then (after them in name order) 5 new ones: removals alone filled both tables.
    const entry = (n: string, i: number) => ({
      version: '1.0.0',
      resolved: `https://registry.npmjs.org/${n}/-/${n}-1.0.0.tgz`,
      integrity: sri(i % 200),
    });
    const gone = Array.from({ length: 210 }, (_, i) => `a-old-${i}`);
    const added = Array.from({ length: 5 }, (_, i) => `z-new-${i}`);
    const lock = (names: readonly string[]) => {
      const root = Object.fromEntries(names.map((n) => [n, '^1.0.0']));
      return { root, lock: npmLock(root, Object.fromEntries(names.map((n, i) => [n, entry(n, i)]))) };
    };
    const base = lock(gone);
    const head = lock(added);
    const { dir, cleanup } = makeRepo(
      { 'package.json': manifest(base.root), 'package-lock.json': base.lock },
      { 'package.json': manifest(head.root), 'package-lock.json': head.lock },
    );
    cleanups.push(cleanup);
    const r = await reviewHead(dir);
    const lines = toReviewText(r).split('\n');
    const rows = lines.filter((l) => /^ {2}(upgraded|downgraded|added|removed) /.test(l));
    expect(rows).toHaveLength(50);
    expect(rows.slice(0, 5)).toEqual(added.map((n) => `  added      ${n} 1.0.0`));
    expect(lines).toContain('  … and 165 more (165 removed; -f json lists every change)');

    const md = toReviewMarkdown(r).split('\n');
    const table = md.filter((l) => l.startsWith('| package-lock.json |'));
    expect(table).toHaveLength(200);
    expect(table.slice(0, 5)).toEqual(added.map((n) => `| package-lock.json | ${n} | added |  | 1.0.0 |  |`));
    expect(md).toContain('…and 15 more changes (see the JSON report).');
  });
});

describe('review markdown', () => {
  it('stays under the job summary limit when a change holds hundreds of huge names', async () => {
    // Package names with spaces, which end elideLongRuns' runs: each is shortened as a whole text instead.
    const names = Array.from({ length: 220 }, (_, i) => `p${i} ${'word '.repeat(1200)}`.trim());
    const root = Object.fromEntries(names.map((n) => [n, '^1.0.0']));
    const { dir, cleanup } = makeRepo(
      { 'package.json': manifest({}), 'package-lock.json': npmLock({}, {}) },
      {
        'package.json': manifest(root),
        'package-lock.json': npmLock(
          root,
          Object.fromEntries(
            names.map((n, i) => [
              n,
              {
                version: '1.0.0',
                resolved: `https://registry.npmjs.org/p${i}/-/p${i}-1.0.0.tgz`,
                integrity: sri(i % 200),
              },
            ]),
          ),
        ),
      },
    );
    cleanups.push(cleanup);
    const md = toReviewMarkdown(await reviewHead(dir));
    expect(md).toContain('p0 word word');
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(MAX_SUMMARY_BYTES + 200);
    expect(md).toMatch(/p0 word word[^\n]*…\\\(\d+ characters left out\\\)…/);
  });

  it('counts the model files and references past the row limit, as the change table does', async () => {
    // 205 new safetensors files (an 8-byte header length and `{}`) and 205 new references in one source file.
    const n = 205;
    const header = Buffer.alloc(8);
    header.writeBigUInt64LE(2n);
    const weights = Buffer.concat([header, Buffer.from('{}')]);
    const models = Object.fromEntries(
      Array.from({ length: n }, (_, i) => [`models/m${String(i).padStart(3, '0')}.safetensors`, weights]),
    );
    const source = Array.from(
      { length: n },
      (_, i) => `m${i} = AutoModel.from_pretrained("org/model-${i}", revision="${'a'.repeat(40)}")`,
    ).join('\n');
    const { dir, cleanup } = makeRepo(
      { 'README.md': 'x\n' },
      { 'README.md': 'x\n', ...models, 'load.py': `from transformers import AutoModel\n${source}\n` },
    );
    cleanups.push(cleanup);
    const r = await reviewHead(dir);
    expect(r.models).toHaveLength(n);
    expect(r.references).toHaveLength(n);
    const md = toReviewMarkdown(r);
    // Counted with their nouns, as every other report does: "205 model file change(s)" read as a template.
    expect(md).toContain(`0 package changes in 0 lockfiles, ${n} model file changes, ${n} model reference changes;`);
    expect(md).toContain(`…and ${n - 200} more model file changes (see the JSON report).`);
    expect(md).toContain(`…and ${n - 200} more model reference changes (see the JSON report).`);
  });
});

describe('review markdown: one cause in many files', () => {
  it('lists a few findings of a rule, in different files, and counts the rest on one line', async () => {
    // Twelve added pickles that each call os.system when loaded (protocol 0: GLOBAL, MARK, STRING, TUPLE, REDUCE).
    const pickles = Object.fromEntries(
      Array.from({ length: 12 }, (_, i) => [`m/w${String(i).padStart(2, '0')}.pkl`, `cos\nsystem\n(S'echo ${i}'\ntR.`]),
    );
    const { dir, cleanup } = makeRepo({ 'README.md': 'x\n' }, pickles);
    cleanups.push(cleanup);
    const r = await reviewHead(dir);
    expect(r.findings.filter((f) => f.ruleId === 'CPI001')).toHaveLength(12);
    const lines = toReviewMarkdown(r).split('\n');
    expect(lines.filter((l) => l.startsWith('- **error** `CPI001`')).map((l) => l.split(' ')[3])).toEqual([
      'm/w00.pkl:',
      'm/w01.pkl:',
      'm/w02.pkl:',
      'm/w03.pkl:',
      'm/w04.pkl:',
    ]);
    expect(lines).toContain('- …and 7 more `CPI001` errors, in 7 more files (see the JSON report).');
    // The place is said once, before the message that opened with it.
    expect(lines.find((l) => l.includes('m/w00.pkl'))).toMatch(
      /^- \*\*error\*\* `CPI001` m\/w00\.pkl: the pickle imports/,
    );
  });
});

describe('review markdown: a long finding', () => {
  it("keeps what the review adds to a moved host's CPD005, and cuts a longer message at a word, saying so", async () => {
    const root = { 'string-width-cjs': '^1.0.0' };
    const entry = (host: string, v: string) => ({
      'string-width-cjs': { version: v, resolved: `https://${host}/s/-/s-${v}.tgz`, integrity: sri(1) },
    });
    const { dir, cleanup } = makeRepo(
      { 'package.json': manifest(root), 'package-lock.json': npmLock(root, entry('registry.npmjs.org', '1.0.0')) },
      { 'package-lock.json': npmLock(root, entry('npm.evil.example', '1.0.1')) },
    );
    cleanups.push(cleanup);
    const r = await reviewHead(dir);
    const md = toReviewMarkdown(r);
    const line = md.split('\n').find((l) => l.includes('`CPD005`'));
    expect(r.findings.find((f) => f.ruleId === 'CPD005')!.message.length).toBeGreaterThan(400);
    expect(line).toContain('at the base revision.');
    const long = { ...r, findings: r.findings.map((f) => ({ ...f, message: 'word '.repeat(300) })) };
    const cut = toReviewMarkdown(long)
      .split('\n')
      .find((l) => l.startsWith('- **'));
    expect(cut).toMatch(/word… \\\(the JSON report has it whole\\\)$/);
  });
});

/** A valid one-element float64 `.npy` (format 1.0): a model file with nothing to report. */
function npy(): Buffer {
  let header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }";
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const len = Buffer.alloc(2);
  len.writeUInt16LE(header.length);
  return Buffer.concat([Buffer.from('\x93NUMPY\x01\x00', 'latin1'), len, Buffer.from(header), Buffer.alloc(8)]);
}

describe('review text of a change that adds a folder of model files', () => {
  it('lists at most fifty model changes, those with a finding first, and counts the rest', async () => {
    // Sixty plain arrays whose names sort before the one pickle that calls os.system (never loaded: parsed only).
    const head: Record<string, string | Buffer> = { 'models/zz-evil.pkl': "cos\nsystem\n(S'id'\ntR." };
    for (let i = 0; i < 60; i++) head[`models/a-${String(i).padStart(2, '0')}.npy`] = npy();
    const { dir, cleanup } = makeRepo({ 'README.md': 'x\n' }, head);
    cleanups.push(cleanup);
    const r = await reviewHead(dir);
    expect(r.models).toHaveLength(61);
    expect(r.findings.filter((f) => f.level !== 'note').map((f) => `${f.ruleId} ${f.location.path}`)).toEqual([
      'CPI001 models/zz-evil.pkl',
    ]);
    const lines = toReviewText(r).split('\n');
    const modelLines = lines.filter((l) => l.startsWith('model '));
    expect(modelLines).toHaveLength(50);
    expect(modelLines).toContain('model added    models/zz-evil.pkl');
    expect(lines).toContain('… and 11 more model file changes (11 added; -f json lists every change)');
  });
});
