import { describe, expect, it } from 'vitest';
import { findJavaScriptReferencesFast, hasParameterDefault } from '../../src/refs/javascript-fast.js';
import { findConfigReferencesWithYaml } from '../../src/refs/config.js';
import { findPythonReferences } from '../../src/refs/python.js';
import { readPythonHubSettings } from '../../src/refs/python-env.js';
import { findShellReferences } from '../../src/refs/shell-commands.js';
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
