import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { BINDING_STATEMENTS, pythonPrograms } from './programs.js';
import { describe, expect, it } from 'vitest';
import { logicalLines } from '../../src/refs/python-lines.js';
import { assignmentHits, keptStatements, MOST_OF_FILE_MIN, pythonSnippet } from '../../src/refs/python-snippet.js';
import {
  findPythonReferences,
  findPythonReferencesInSnippet,
  findPythonReferencesInWholeFile,
} from '../../src/refs/python.js';
import { REPO } from '../helpers/cli.js';
import { PYTHON_LOADER_WORDS } from '../../src/refs/calls.js';
import { nativeLines, placeHash, standsNowhere } from '../../src/refs/python-lines-native.js';
import { differentialRuns } from './differential-runs.js';

/**
 * The Python finder parses only the statements that can matter (python-snippet.ts): it must find exactly what a
 * parse of the whole file finds, references and run-time notes alike, at the same lines and columns.
 */
const local = (p: string) => p === 'checkpoints/run-1';
/** Comment lines, `n` characters in all: a file made larger by what no statement keeps. */
const PAD = (n: number) => '#\n'.repeat(Math.ceil(n / 2));
const same = (name: string, text: string) =>
  expect(findPythonReferences(name, text, local)).toEqual(findPythonReferencesInWholeFile(name, text, local));

describe('logicalLines', () => {
  // Each logical line as `first code characters|header`; undefined where the lexer cannot vouch for the text.
  it.each([
    { name: 'simple', text: 'a = 1\nb = 2\n', want: ['a = 1|', 'b = 2|'] },
    { name: 'brackets-join', text: 'f(\n  1,\n)\nx\n', want: ['f(\n  1,\n)|', 'x|'] },
    { name: 'backslash-join', text: 'a = 1 + \\\n  2\n', want: ['a = 1 + \\\n  2|'] },
    { name: 'comment-and-blank-skipped', text: '# x = (\n\n  \ny = 1  # (\n', want: ['y = 1  # (|'] },
    { name: 'header', text: 'if a:  # note\n    b()\n', want: ['if a:  # note|header', 'b()|'] },
    { name: 'long-string', text: 's = """\nx = (\n"""\nt\n', want: ['s = """\nx = (\n"""|', 't|'] },
    { name: 'escaped-quote', text: "s = 'a\\'b('\nt\n", want: ["s = 'a\\'b('|", 't|'] },
    { name: 'raw-escaped-quote', text: 's = r"\\"("\nt\n', want: ['s = r"\\"("|', 't|'] },
    { name: 'fstring-nested-quotes', text: 'f"{d["k"]:>{w}}("\nt\n', want: ['f"{d["k"]:>{w}}("|', 't|'] },
    { name: 'fstring-doubled-brace', text: 'f"{{("\nt\n', want: ['f"{{("|', 't|'] },
    { name: 'fstring-spec-quote', text: 'f"{x:\'>9}("\nt\n', want: ['f"{x:\'>9}("|', 't|'] },
    { name: 'named-escape-in-fstring', text: 'f"\\N{DASH}("\nt\n', want: ['f"\\N{DASH}("|', 't|'] },
    { name: 'not-a-prefix', text: 'xf"{("\nt\n', want: ['xf"{("|', 't|'] },
    { name: 'number-then-fstring', text: '1f"{x}("\nt\n', want: ['1f"{x}("|', 't|'] },
    { name: 'unterminated-short-string-ends-at-newline', text: "s = '(\nt\n", want: ["s = '(|", 't|'] },
    { name: 'crlf', text: 'a = 1  # c\r\nb = (\r\n 2)\r\n', want: ['a = 1  # c\r|', 'b = (\r\n 2)\r|'] },
    { name: 'no-final-newline', text: 'a\nb', want: ['a|', 'b|'] },
    { name: 'unclosed-bracket', text: 'f(\n', want: undefined },
    { name: 'stray-closing-bracket', text: 'x)\n', want: undefined },
    { name: 'unclosed-long-string', text: 's = """\n', want: undefined },
    { name: 'lone-carriage-return', text: 'a = 1\rb = 2\n', want: undefined },
    { name: 'backslash-continuing-nothing', text: 'a \\ b\n', want: undefined },
    { name: 'lambda-in-fstring', text: 'f"{lambda x: 1}"\n', want: undefined },
  ])('$name', ({ text, want }) => {
    const got = logicalLines(text)?.map((l) => `${text.slice(l.start, l.end)}|${l.header ? 'header' : ''}`);
    expect(got).toEqual(want);
  });
});

describe('assignmentHits', () => {
  // The regular expression it replaced (a word, blanks, `=` not `==`): the same names at the same offsets, in order.
  const ID = '[A-Za-z_\\u00a1-\\uffff][\\w\\u00a1-\\uffff]*';
  const ASSIGNED = new RegExp(
    `(?<![A-Za-z_\\u00a1-\\uffff])(${ID})(?![\\w\\u00a1-\\uffff])[ \\t\\f\\\\\\r\\n]*=(?!=)`,
    'g',
  );
  const byRegex = (text: string) => [...text.matchAll(ASSIGNED)].map((m) => m[1]!);
  const byHits = (text: string) => {
    const names: string[] = [];
    assignmentHits(text, Int32Array.of(0, text.length), (_line, name) => names.push(name));
    return names;
  };

  it.each([
    ['plain', 'a = 1', ['a']],
    ['comparison', 'a == 1', []],
    ['augmented', 'a += 1', []],
    ['keyword-argument', 'f(x=1, y =2)', ['x', 'y']],
    ['number-before-word', '1if=2', ['if']],
    ['digits-only', '12 = 3', []],
    ['continued', 'a \\\n  = 1', ['a']],
    ['non-ascii-name', '\u00e9t\u00e9 = 1', ['\u00e9t\u00e9']],
    ['no-break-space-is-no-word', 'a\u00a0= 1', []],
    ['three-equals', 'a === b', []],
    ['attribute', 'self.x = 1', ['x']],
  ])('%s', (_case, text, want) => {
    expect(byHits(text)).toEqual(want);
    expect(byRegex(text)).toEqual(want);
  });

  it('finds what the regular expression finds on text made of words, blanks and operators (fast-check)', () => {
    const piece = fc.constantFrom(
      'a',
      'b1',
      '_',
      '9',
      ' ',
      '\t',
      '\f',
      '\\',
      '\r',
      '\n',
      '=',
      '==',
      '+',
      '!',
      '<',
      '.',
      '(',
      '\u00e9',
      '\u00a0',
      '\u0080',
      '\ud83d',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }), (pieces) => {
        const text = pieces.join('');
        expect(byHits(text)).toEqual(byRegex(text));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('pythonSnippet', () => {
  it('keeps imports, loader calls and the assignments they read, and nothing else', () => {
    const filler = Array.from({ length: 200 }, (_, i) => `def f${i}(x):\n    return x + ${i}\n`).join('');
    const text = `import os\nfrom transformers import AutoModel as M\nBASE = "org/" + NAME\nNAME = "m"\nOTHER = 1\n${filler}class C:\n    def load(self):\n        return M(BASE)\n`;
    const snippet = pythonSnippet(text)!;
    expect(snippet.text).toBe(
      'import os\nfrom transformers import AutoModel as M\nBASE = "org/" + NAME\nNAME = "m"\nreturn M(BASE)\n',
    );
    // Lines and columns are the file's.
    expect(snippet.original(snippet.text.indexOf('return'))).toBe(text.indexOf('return M'));
    same('kept.py', text);
  });
  it('reads tuple targets from the `;` before them, past a `==`, and a comparison binds no name', () => {
    // `mayBindAt` reads a tuple's targets from the statement's start (after `;`) to its first `=` that assigns.
    const text =
      'from transformers import AutoModel\nx = 1; name, rev = pick()\nok == 1 or (name, rev == pair())\n' +
      'name, other == pair()\nAutoModel.from_pretrained(name)\n';
    expect(pythonSnippet(text)!.text).toBe(
      'from transformers import AutoModel\nx = 1; name, rev = pick()\nAutoModel.from_pretrained(name)\n',
    );
    same('targets.py', text);
  });

  it("keeps no statement for torch's layers, only where torch may reach a loader (torch.hub, model_zoo)", () => {
    // An ML file: most lines use torch, nn and F, and none of them loads a model.
    const text = [
      'import torch',
      'import torch.nn as nn',
      'import torch.nn.functional as F',
      'from torch.utils import model_zoo',
      'W = "https://example.com/w-0123abcd.pth"',
      'SIZE = 4',
      'class Net(nn.Module):',
      '    def __init__(self, width=None):',
      '        super().__init__()',
      '        self.fc = nn.Linear(SIZE, SIZE)',
      '    def forward(self, x, scale=None):',
      '        return F.relu(self.fc(torch.flatten(x)))',
      'net = torch.hub.load("pytorch/vision:v0.10.0", "resnet18")',
      'state = model_zoo.load_url(W)',
      '',
    ].join('\n');
    expect(pythonSnippet(text)!.text).toBe(
      'import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\nfrom torch.utils import model_zoo\n' +
        'W = "https://example.com/w-0123abcd.pth"\n' +
        'net = torch.hub.load("pytorch/vision:v0.10.0", "resnet18")\nstate = model_zoo.load_url(W)\n',
    );
    same('layers.py', text);
  });

  it('keeps every statement through a name an import binds to another module (`import transformers as torch`)', () => {
    const text = 'import transformers as torch\nMODEL = "org/m"\np = torch.pipeline("fill-mask", model=MODEL)\n';
    expect(pythonSnippet(text)!.text).toBe(text);
    expect(findPythonReferences('aliased.py', text, local).references.map((r) => r.repoId)).toEqual(['org/m']);
    same('aliased.py', text);
  });

  it('follows a chain of aliases deeper than its rounds of passes, as the whole-file parse does', () => {
    // Twelve links, then a partial, then a call: rounds of passes find the first links, the walk over names the rest.
    const links = Array.from({ length: 12 }, (_, i) => `a${i + 1} = a${i}`).join('\n');
    const text = `import functools\nfrom transformers import AutoModel\na0 = AutoModel.from_pretrained\n${links}\nb = functools.partial(a12, revision="main")\nunrelated = 1\nm = b("org/deep")\n`;
    const kept = pythonSnippet(text)!.text;
    expect(kept).toContain('a12 = a11');
    expect(kept).toContain('m = b("org/deep")');
    expect(kept).not.toContain('unrelated');
    same('deep-chain.py', text);
  });

  it('reads a file of thousands of alias links (one walk over the names, not a pass per link)', () => {
    const links = Array.from({ length: 3000 }, (_, i) => `a${i + 1} = a${i}`).join('\n');
    // Comments after it: the chain stays under half of the file (MOST_OF_FILE_MIN), so the snippet is made.
    const text = `from transformers import AutoModel\na0 = AutoModel.from_pretrained\n${links}\nm = a3000("org/far")\n${PAD(40000)}`;
    expect(pythonSnippet(text)!.text).toContain('m = a3000("org/far")');
    same('long-chain.py', text);
  });

  it('answers a name standing thousands of times in one long statement once for the statement', () => {
    // A list of 50,000 names over as many lines, the name asked: each place read its statement around it (minutes
    // at 100,000). Work per place must not grow with the statement.
    const items = 'a,\n'.repeat(50000);
    const text = `from transformers import AutoModel\nX = [\n${items}]\nY = [m for m in [\n${items}]]\nAutoModel.from_pretrained(a)\n${PAD(400000)}`;
    const kept = keptStatements(text)!;
    expect(kept.length).toBeGreaterThan(0);
    const callLine = text.split('\n').indexOf('AutoModel.from_pretrained(a)') + 1;
    expect(findPythonReferences('long-statement.py', text, local).dynamic.map((d) => d.line)).toEqual([callLine]);
  });

  it('leaves a large file whose statements that matter are most of it to the whole-file parse', () => {
    const links = Array.from({ length: 3000 }, (_, i) => `a${i + 1} = a${i}`).join('\n');
    const text = `from transformers import AutoModel\na0 = AutoModel.from_pretrained\n${links}\nm = a3000("org/far")\n`;
    expect(text.length).toBeGreaterThan(MOST_OF_FILE_MIN);
    expect(keptStatements(text)).toBeUndefined();
    expect(findPythonReferences('long-chain.py', text, local).references.map((r) => r.repoId)).toEqual(['org/far']);
    // The same statements in a file twice as large are a snippet.
    expect(keptStatements(text + PAD(text.length))).toBeDefined();
  });

  it('tells a function body from a class body in one pass over a file of thousands of annotated statements', () => {
    const body = '    a: int = 1\n'.repeat(80000);
    const text = `from transformers import AutoModel\ndef f():\n${body}    AutoModel.from_pretrained(a)\n`;
    expect(findPythonReferences('many-annotated.py', text, local).dynamic.map((d) => d.line)).toEqual([80003]);
  });

  it('reads a file whose names share one hash as the whole-file parse does (the chains give way to a map)', () => {
    // FNV-1a's low 12 bits, as python-lines.wat chains names: 400 names in one chain, each assigned and read.
    const fnv = (w: string) => [...w].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 0x01000193), 0x811c9dc5) & 4095;
    const names: string[] = [];
    for (let i = 0; names.length < 400; i++) if (fnv(`v${i}`) === fnv('v0')) names.push(`v${i}`);
    const text = `from transformers import AutoModel\n${names.map((n) => `${n} = "org/${n}"`).join('\n')}\nm = AutoModel.from_pretrained(${names.join(', ')})\n`;
    expect(pythonSnippet(text)!.text).toContain(`${names[399]} = "org/${names[399]}"`);
    expect(findPythonReferences('colliding-names.py', text, local).references.map((r) => r.repoId)).toEqual(['org/v0']);
    same('colliding-names.py', text);
  });

  it.each([
    { name: 'case-clause', text: 'match x:\n    case torch.hub.Repo():\n        pass\n' },
    { name: 'unclosed-bracket', text: 'torch.hub.load(\n' },
  ])('leaves $name to the whole-file parse', ({ name, text }) => {
    expect(pythonSnippet(text)).toBeUndefined();
    same(`${name}.py`, text);
  });

  const fixtures = readdirSync(path.join(REPO, 'fixtures', 'refs'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.py'))
    .sort();
  it.each(fixtures)('finds what the whole-file parse finds in fixtures/refs/%s', (rel) => {
    same(rel, readFileSync(path.join(REPO, 'fixtures', 'refs', rel), 'utf8'));
  });

  // Statements in the shapes real code has them: every loader, aliases, constants (reassigned, shadowed, built from
  // others), decoys in comments and strings, headers, decorators, else/except clauses, f-strings, continuations.
  const STATEMENTS = [
    'from transformers import AutoModel as M, pipeline as make',
    'from transformers import pipeline',
    'import torch',
    'import torch as T',
    'from torch import hub',
    'import torch.nn as nn, torch.nn.functional as F',
    'from torch.utils import model_zoo',
    'from torch.hub import load_state_dict_from_url as fetch',
    'import torch.hub',
    'from torch import nn, hub as th',
    'import transformers as torch',
    'from torch import *',
    'nn = torch.hub',
    'F = T',
    't = torch',
    'torch = hub',
    'w = fetch("https://example.com/w-0123abcd.pth")',
    'w = model_zoo.load_url(MODEL)',
    'h = nn.load(MODEL)',
    'g = th.load(MODEL)',
    'x = F.hub.load(MODEL, "m")',
    'y = t.hub.load(BASE)',
    'z = torch . hub . load(NAME)',
    'q = torch.nn.Linear(MODEL)',
    'p = torch.pipeline("task", model=MODEL)',
    'u = (torch\n    .hub.load(MODEL))',
    'v = torch.\\\n    hub.load(MODEL)',
    'def run(torch=MODEL):\n    return torch.hub.load(torch)',
    'class K2:\n    model_id = "org/class-attr"\n    def load(self):\n        return M.from_pretrained(self.model_id)',
    'class K3(K2):\n    model_id: str = MODEL',
    'self.model_id = BASE',
    'm = ST(self.model_id)',
    ...BINDING_STATEMENTS,
    'for (MODEL) in NAMES:\n    pass',
    '[MODEL, REV] = pair()',
    'NAME, = pick()',
    'x = 1; MODEL += "y"',
    'x = 1; MODEL, REV = pair()',
    'f(MODEL, revision=REV)',
    'async def run():\n    async for NAME in stream():\n        pass',
    'import tensorflow as tf',
    'from tensorflow import keras',
    'import keras',
    'from keras.models import load_model as lm',
    'from tensorflow.keras import layers',
    'import keras.saving as ks',
    'a = tf.keras.models.load_model("hf://org/tf")',
    'b = keras.saving.load_model("hf://org/k")',
    'c = keras.models.load_model(MODEL)',
    'd = lm("hf://org/lm")',
    'e = ks.load_model("hf://org/ks")',
    'g = tf.constant(MODEL)',
    'h = layers.load_model("hf://org/layers")',
    'tf = keras',
    'k = tf.saving.load_model("hf://org/tfk")',
    'l = torch.load(MODEL, "m")',
    'from huggingface_hub import hf_hub_download as dl, snapshot_download',
    'import timm',
    'from sentence_transformers import SentenceTransformer as ST',
    'import os, numpy as np',
    'M = "shadow/model"',
    'MODEL = "org/model"',
    'MODEL = "other/model"',
    'BASE = MODEL + "-v2"',
    "REV = '0123456789abcdef0123456789abcdef01234567'",
    'NAME = f"{MODEL}-{REV}"',
    'NAME: str = "org/annotated"',
    'A = B = "org/chained"',
    'self.MODEL = "org/attr"',
    'MODEL = os.environ["MODEL"]',
    'x = 1 if MODEL else 2',
    'm = M.from_pretrained(MODEL, revision=REV)',
    'm = AutoModel.from_pretrained(BASE, trust_remote_code=True)',
    'p = make("text-classification", model=NAME)',
    'p = pipeline("fill-mask", model=A)',
    'f = dl(repo_id=MODEL, filename="w.bin")',
    'snapshot_download(BASE)',
    'hub.load("pytorch/vision", "resnet18")',
    'T.hub.load("pytorch/vision:v0.10.0", "resnet50")',
    'e = ST(NAME)',
    'timm.create_model("resnet50", pretrained=True)',
    'AutoModel.from_pretrained(os.path.join(d, "x"))',
    'make(**kw)',
    '# m = M.from_pretrained("org/comment")',
    '"""\nm = M.from_pretrained("org/docstring")\n"""',
    's = \'M.from_pretrained("org/in-string")\'',
    // Prose that looks like code binds and reads nothing (python-code-mask.ts); code beside it still does.
    '"""\n>>> MODEL = "org/doc-assign"\n>>> NAME, REV = pair()\nfrom transformers import pipeline\n"""',
    'x = "MODEL = 1" + MODEL  # NAME = "org/comment-bind"',
    "s = 'it''s'; MODEL = \"org/after-strings\"",
    'u = r"\\" MODEL = 1" + rb\'\\\' NAME\'',
    'w = f"{NAME}" "MODEL = 2"; REV = MODEL',
    'def doc(MODEL="org/def-default"):\n    """MODEL = ignored"""\n    return M.from_pretrained(MODEL)',
    's = f\'{M.from_pretrained("org/in-fstring")}\'',
    'x = (\n    M.from_pretrained(\n        "org/multi-line"\n    )\n)',
    'y = MODEL + \\\n    "-cont"',
    'r = rf"\\{MODEL}"',
    "print(f'{MODEL!r:>{width}}')",
    '@torch.no_grad()\ndef g():\n    return M.from_pretrained(MODEL)',
    'class C(torch.nn.Module):\n    MODEL = "org/class"',
    'if torch.cuda.is_available(): MODEL = "org/cuda"',
    'try:\n    import torch\nexcept ImportError:\n    torch = None',
    'with torch.no_grad():\n    m = M.from_pretrained(MODEL)',
    'for i in range(3):\n    pass\nelse:\n    m = M.from_pretrained(BASE)',
    'if a:\n    pass\nelif torch.cuda.is_available():\n    m = ST(MODEL)',
    'try:  # torch\n    pass\nfinally:\n    snapshot_download(NAME)',
    'fn = lambda: M.from_pretrained(MODEL)',
    'ms = [M.from_pretrained(n) for n in NAMES]',
    'def h(model=M.from_pretrained(MODEL)) -> torch.Tensor:\n    return model',
    'async def k():\n    async with torch.x() as t:\n        await T.hub.load(MODEL)',
  ];
  const program = pythonPrograms(STATEMENTS, 14);
  // 100 programs in the suite (it ran 300: a second of CPU); the bench runs thousands.
  const RUNS = differentialRuns(100);
  it('finds what the whole-file parse finds in generated programs (fast-check)', () => {
    fc.assert(
      fc.property(program, (text) => {
        same('gen.py', text);
      }),
      { numRuns: RUNS },
    );
  });

  // `keptStatements` passes over a loader word whose place hash heads no chain (`standsNowhere`), without asking
  // `namedAt`: the word must then stand nowhere, in code or not. Programs of loader words, their look-alikes
  // (`torch_x`, `1torch`, `xtorch`), in code, strings and comments, are where a wrong chain would show.
  const WORDS = [...PYTHON_LOADER_WORDS, 'save_pretrained', 'save_model'];
  const lookalikes = pythonPrograms(
    ['torch.load(p)', 'x = torch_x', 'y = 1torch', 'xtorch = 2', '# hub', 's = "timm"', 'np.load(q)', ...STATEMENTS],
    10,
  );
  it('a loader word whose hash heads no chain of places stands nowhere (fast-check)', () => {
    fc.assert(
      fc.property(lookalikes, (text) => {
        const native = nativeLines(text);
        if (!native) return;
        for (const word of WORDS)
          if (standsNowhere(native, placeHash(word)))
            expect(new RegExp(`(?<![A-Za-z_])${word}(?![\\w])`).test(text), word).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('the snippet reader decides alone where it can', () => {
  const read = (text: string) => {
    const got = findPythonReferencesInSnippet('train.py', text, () => false);
    expect(got).toEqual(findPythonReferencesInWholeFile('train.py', text, () => false));
    return got?.references.map((r) => `${r.line} ${r.repoId}`);
  };

  it('a float written without its fraction (`1.`, which @lezer/python reads as a member with no name)', () => {
    const text =
      'import numpy as np\nimport torch\nscale = [1., 2.]\npath = "acme/weights"\n' +
      'model = torch.hub.load(path, "m", scale=scale[0])\n';
    expect(read(text)).toEqual(['5 acme/weights']);
  });

  it("`self.attr` where only a function's local has the name (no class attribute can be what it reads)", () => {
    const text =
      'from transformers import AutoModel\nclass Runner:\n    def __init__(self, name):\n        self.name = name\n' +
      '    def load(self):\n        return AutoModel.from_pretrained(self.name)\n' +
      'def main():\n    name = "acme/local"\n    if name:\n        name = name.strip()\n    return Runner(name)\n';
    expect(read(text)).toEqual([]);
    // The same attribute bound in a class body (a class attribute, inherited): the whole file decides.
    const classBound = text.replace('class Runner:\n', 'class Runner:\n    name = "acme/class"\n');
    expect(findPythonReferencesInSnippet('train.py', classBound, () => false)).toBeUndefined();
  });

  it('an attribute of a name no class of the file is named for (a `with … as f`, a parameter)', () => {
    const text =
      'from transformers import AutoModel\n' +
      'def load(cfg):\n    with open(cfg.path) as f:\n        return AutoModel.from_pretrained("acme/x", revision=f.rev)\n';
    expect(read(text)).toEqual(['4 acme/x']);
  });
});
