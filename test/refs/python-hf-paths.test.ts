import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchBytes } from '../../src/refs/find.js';
import { findPythonReferences, findPythonReferencesInWholeFile } from '../../src/refs/python.js';
import { pythonFindings } from './python-readers.js';
import { parseHfPath } from '../../src/refs/python-hf-paths.js';
import { runMain } from '../helpers/cli.js';

/**
 * refs12: hub files read by path through fsspec — huggingface_hub's HfFileSystem (`hf://`), fsspec's openers, pandas'
 * readers (pandas/io/common.py `_get_filepath_or_buffer`: http(s) by urlopen, any other scheme by fsspec.open) —
 * and what each unpickles. Every finding as `RULE:line repo@revision`, through the finder the scan uses (after the
 * byte pre-filter) and through lezer over the whole file: they must agree.
 */
const C = '0123456789abcdef0123456789abcdef01234567';
const noLocal = () => false;

const lines = (...l: string[]) => [...l, ''].join('\n');

const CASES: { name: string; text: string; want: string[] }[] = [
  {
    // pandas/io/pickle.py `read_pickle`: `get_handle` fetches the URL (urlopen), then `pickle.load`.
    name: 'pandas.read_pickle of a hub URL unpickles the download',
    text: lines('import pandas as pd', 'df = pd.read_pickle("https://huggingface.co/acme/m/resolve/main/model.pkl")'),
    want: [
      'CPR001:2 https://huggingface.co/acme/m/resolve/main/model.pkl@main',
      'CPR002:2 https://huggingface.co/acme/m/resolve/main/model.pkl@main',
      'CPR003:2 https://huggingface.co/acme/m/resolve/main/model.pkl@main',
    ],
  },
  {
    // A scheme other than http(s) is `fsspec.open`: hf:// is HfFileSystem, at the default branch.
    name: 'pandas.read_pickle of an hf:// path unpickles the download',
    text: lines('import pandas', 'm = pandas.read_pickle("hf://acme/m/model.pkl")'),
    want: ['CPR001:2 acme/m@-', 'CPR002:2 acme/m@-', 'CPR003:2 acme/m@-'],
  },
  {
    // HfFileSystem.resolve_path: `<repo>@<revision>/<path>`; a commit there pins the read.
    name: 'an hf:// path pinned to a commit',
    text: lines('import pandas as pd', `m = pd.read_pickle("hf://acme/m@${C}/model.pkl")`),
    want: [`CPR002:2 acme/m@${C}`, `CPR003:2 acme/m@${C}`],
  },
  {
    // fsspec.open's OpenFile enters as the file: joblib.load reads the hub file.
    name: 'fsspec.open of an hf:// path handed to joblib.load',
    text: lines(
      'import fsspec, joblib',
      'with fsspec.open("hf://acme/clf/model.joblib", "rb") as f:',
      '    clf = joblib.load(f)',
    ),
    want: ['CPR001:2 acme/clf@-', 'CPR002:2 acme/clf@-', 'CPR003:2 acme/clf@-'],
  },
  {
    // A path with no protocol on an HfFileSystem instance (`_strip_protocol` makes both the same); the instance is
    // bound once, its method called in a block.
    name: 'HfFileSystem().open of a bare path handed to pickle.load',
    text: lines(
      'import pickle',
      'from huggingface_hub import HfFileSystem',
      'fs = HfFileSystem()',
      'with fs.open("acme/m/model.pkl", "rb") as f:',
      '    model = pickle.load(f)',
    ),
    want: ['CPR001:4 acme/m@-', 'CPR002:4 acme/m@-', 'CPR003:4 acme/m@-'],
  },
  {
    // `HfFileSystem._open(path, mode, revision=…)`: the keyword pins the read.
    name: 'HfFileSystem.open with revision=, and a read of a dataset file',
    text: lines(
      'from huggingface_hub import HfFileSystem',
      'fs = HfFileSystem()',
      `raw = fs.open("acme/m/config.json", revision="${C}").read()`,
      'rows = fs.read_text("datasets/acme/data/train.csv")',
    ),
    want: [`CPR003:3 acme/m@${C}`, 'CPR001:4 datasets/acme/data@-', 'CPR003:4 datasets/acme/data@-'].sort(),
  },
  {
    // hf_file_system.py SPECIAL_REFS_REVISION_REGEX: a pull request's ref, written with its slashes or quoted.
    name: "pandas.read_parquet of a dataset at a pull request's ref",
    text: lines('import pandas as pd', 'df = pd.read_parquet("hf://datasets/acme/data@refs%2Fpr%2F3/train.parquet")'),
    want: ['CPR003:2 datasets/acme/data@refs/pr/3', 'CPR012:2 datasets/acme/data@refs/pr/3'],
  },
  {
    // Neither a write (it uploads), nor a local file, nor another host's URL, nor a path only the run knows, nor a
    // file-system method that reads no file.
    name: 'what reads no hub file',
    text: lines(
      'import fsspec, sys',
      'import pandas as pd',
      'from huggingface_hub import HfFileSystem',
      'fs = HfFileSystem()',
      'with fs.open("acme/m/model.pkl", "wb") as f:',
      '    f.write(b"x")',
      'with fsspec.open("hf://acme/m/notes.txt", mode="w") as g:',
      '    g.write("x")',
      'a = pd.read_csv("data/train.csv")',
      'b = pd.read_pickle("https://example.com/model.pkl")',
      'c = pd.read_pickle(sys.argv[1])',
      'names = fs.ls("acme/m")',
      'd = pd.read_csv("s3://bucket/train.csv")',
    ),
    want: [],
  },
];

describe('refs12: hub files read by path through fsspec and pandas', () => {
  it.each(CASES)('$name', ({ text, want }) => {
    const got = searchBytes('app.py', Buffer.from(text), noLocal);
    const scanned = got.kind === 'found' ? pythonFindings(text) : [];
    expect(scanned).toEqual([...want].sort());
    expect(pythonFindings(text, findPythonReferencesInWholeFile)).toEqual([...want].sort());
  });
});

describe('refs12: an ollama Client bound to a name', () => {
  // ollama/_client.py: `Client.pull` is the module's `pull`. The statement that calls it names only the instance,
  // which the snippet reader now follows from `client = ollama.Client(…)`.
  it('client.pull on a Client instance fetches the tag', () => {
    const text = lines(
      'import ollama',
      'client = ollama.Client(host="http://localhost:11434")',
      'client.pull("llama3")',
    );
    const rules = (finder: typeof findPythonReferences) =>
      finder('app.py', text, noLocal).dynamic.map((d) => `${d.line} ${d.via} ${d.ollama}`);
    expect(rules(findPythonReferences)).toEqual(['3 ollama.pull registry.ollama.ai/library/llama3:latest']);
    expect(rules(findPythonReferencesInWholeFile)).toEqual(rules(findPythonReferences));
  });
});

describe('refs12: parseHfPath follows HfFileSystem.resolve_path', () => {
  it.each([
    ['hf://acme/m/model.pkl', { repoId: 'acme/m', file: 'model.pkl' }],
    ['acme/m/sub/dir/w.bin', { repoId: 'acme/m', file: 'sub/dir/w.bin' }],
    ['hf://datasets/acme/d/train.csv', { repoType: 'datasets/', repoId: 'acme/d', file: 'train.csv' }],
    ['hf://spaces/acme/s@v1/app.py', { repoType: 'spaces/', repoId: 'acme/s', revision: 'v1', file: 'app.py' }],
    ['hf://acme/m@refs/pr/12/model.pkl', { repoId: 'acme/m', revision: 'refs/pr/12', file: 'model.pkl' }],
    [
      'hf://datasets/acme/d@refs/convert/parquet/default/train/0.parquet',
      { repoType: 'datasets/', repoId: 'acme/d', revision: 'refs/convert/parquet', file: 'default/train/0.parquet' },
    ],
    ['hf://acme/m@refs%2Fpr%2F1/x.pkl', { repoId: 'acme/m', revision: 'refs/pr/1', file: 'x.pkl' }],
    ['hf://acme/m/', { repoId: 'acme/m' }],
    ['hf://gpt2@main', { repoId: 'gpt2', revision: 'main' }],
  ])('%s', (written, want) => {
    expect(parseHfPath(written)).toEqual(want);
  });
  it.each(['hf://', 'hf://datasets/', 'hf://acme/m@/x.pkl', 'hf://@main/x'])('%s names no repository', (written) => {
    expect(parseHfPath(written)).toBeUndefined();
  });
});

describe('refs12: through the CLI', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'chainproof-hf-paths-'));
    writeFileSync(path.join(dir, 'predict.py'), CASES[4]!.text);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an HfFileSystem read handed to pickle.load is an error, with the pin written as an hf:// path', async () => {
    const r = await runMain(['scan', dir, '--offline', '--no-progress', '-f', 'json', '--fail-on', 'error']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as {
      findings: { ruleId: string; location: { path: string; line?: number }; message: string }[];
    };
    const refs = out.findings.filter((f) => f.ruleId.startsWith('CPR'));
    expect(refs.map((f) => `${f.ruleId}:${f.location.path}:${f.location.line}`).sort()).toEqual([
      'CPR001:predict.py:4',
      'CPR002:predict.py:4',
      'CPR003:predict.py:4',
    ]);
    expect(refs.find((f) => f.ruleId === 'CPR001')!.message).toContain('"hf://acme/m@<40-hex>/model.pkl"');
  });
});
