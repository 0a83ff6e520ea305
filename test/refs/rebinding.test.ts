import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pythonPrograms } from './programs.js';
import { differentialRuns } from './differential-runs.js';
import { findPythonReferences, findPythonReferencesInWholeFile } from '../../src/refs/python.js';
import { findPythonReferencesFast } from '../../src/refs/python-fast.js';
import { findJavaScriptReferences } from '../../src/refs/javascript.js';
import { findJavaScriptReferencesFast } from '../../src/refs/javascript-fast.js';
import { pythonFormat, pythonPercent } from '../../src/refs/syntax.js';

/**
 * A name's value is what a plain assignment gives it only while no other statement binds it: a tuple target, a
 * `for` target, an `as` name, `+=`, `:=` rebind it at run time (python.ts `reboundNames`, python-reader.ts
 * `rebound`). An annotated assignment and a chain of names are plain. The three readers — lezer over the whole file,
 * lezer over the snippet, the reader without a parser — must agree.
 */
const noLocal = () => false;
const HEAD = 'from transformers import AutoModel\n';

function refs(body: string): string[] {
  const text = HEAD + body;
  const show = (r: ReturnType<typeof findPythonReferencesInWholeFile>) => [
    ...r.references.map((x) => `${x.line} ${x.repoId}`),
    ...r.dynamic.map((d) => `${d.line} dynamic`),
  ];
  const whole = show(findPythonReferencesInWholeFile('a.py', text, noLocal));
  expect(show(findPythonReferences('a.py', text, noLocal))).toEqual(whole);
  const fast = findPythonReferencesFast('a.py', text, noLocal);
  if (fast) expect(show(fast)).toEqual(whole);
  return whole;
}

describe('bindings other than a plain assignment', () => {
  it.each([
    ['annotated', 'MODEL_ID: str = "acme/typed"\nAutoModel.from_pretrained(MODEL_ID)\n', ['3 acme/typed']],
    ['a chain of names', 'A = B = "acme/chain"\nAutoModel.from_pretrained(B)\n', ['3 acme/chain']],
    // A block's body on its header's line binds in the header's scope: here a function's local, which the
    // module-level call cannot read (Python raises NameError), never the module's "acme/local".
    [
      'an inline if body in a function',
      'm = AutoModel.from_pretrained(MODEL)\ndef f():\n    if c: MODEL = "acme/local"\n',
      ['2 dynamic'],
    ],
    [
      'an inline for body in a function',
      'def f(ms):\n    for x in ms: MODEL = "acme/local"\nm = AutoModel.from_pretrained(MODEL)\n',
      ['4 dynamic'],
    ],
    [
      'an inline body at the module',
      'if c: MODEL = "acme/module"\nm = AutoModel.from_pretrained(MODEL)\n',
      ['3 acme/module'],
    ],
    ['a chain that rebinds', 'A = "acme/a"\nA = B = "acme/b"\nAutoModel.from_pretrained(A)\n', ['4 dynamic']],
    ['a tuple target', 'name = "acme/first"\nname, rev = pick()\nAutoModel.from_pretrained(name)\n', ['4 dynamic']],
    ['a for target', 'name = "acme/first"\nfor name in names():\n    AutoModel.from_pretrained(name)\n', ['4 dynamic']],
    [
      'an as name',
      'name = "acme/first"\nwith open_model() as name:\n    pass\nAutoModel.from_pretrained(name)\n',
      ['5 dynamic'],
    ],
    ['+=', 'name = "acme/first"\nname += suffix()\nAutoModel.from_pretrained(name)\n', ['4 dynamic']],
    [
      'a for over a list of strings',
      'for name in ["acme/a", "acme/b"]:\n    AutoModel.from_pretrained(name)\n',
      ['3 acme/a', '3 acme/b'],
    ],
    [
      'a for over a list of strings, the name also assigned',
      'name = "acme/x"\nfor name in ["acme/a", "acme/b"]:\n    AutoModel.from_pretrained(name)\n',
      ['4 dynamic'],
    ],
    [
      'annotated in a function body',
      'def main(\n    a: int,\n) -> None:\n    model_id: str = "acme/local"\n    AutoModel.from_pretrained(model_id)\n',
      ['6 acme/local'],
    ],
    [
      'annotated in a method, inside a block',
      'class C:\n    def go(self):\n        if ok:\n            model_id: str = "acme/method"\n            AutoModel.from_pretrained(model_id)\n',
      ['6 acme/method'],
    ],
    [
      'a dataclass field of the same name binds no module name',
      'name = "acme/module"\nclass Args:\n    name: str = "acme/field"\nAutoModel.from_pretrained(name)\n',
      ['5 acme/module'],
    ],
    [
      'paired names and values',
      'name, rev = "acme/pair", "main"\nAutoModel.from_pretrained(name, revision=rev)\n',
      ['3 acme/pair'],
    ],
    ['a value tuple', 'name = "acme/a", "acme/b"\nAutoModel.from_pretrained(name)\n', ['3 dynamic']],
    [
      'a tuple target continued over a backslash',
      'name = "acme/first"\nother, \\\n    name = pick()\nAutoModel.from_pretrained(name)\n',
      ['5 dynamic'],
    ],
    [
      'a tuple target over lines in parentheses',
      'name = "acme/first"\n(\n    other,\n    name\n) = pick()\nAutoModel.from_pretrained(name)\n',
      ['7 dynamic'],
    ],
    [
      'a for over a list constant',
      'MODELS = ["acme/a", "acme/b"]\nfor name in MODELS:\n    AutoModel.from_pretrained(name)\n',
      ['4 acme/a', '4 acme/b'],
    ],
    [
      'a for over a tuple constant, a membership test beside it',
      'MODELS = (\n    "acme/a",\n    "acme/b",\n)\nif "x" not in MODELS:\n    pass\nfor name in MODELS:\n    AutoModel.from_pretrained(name)\n',
      ['9 acme/a', '9 acme/b'],
    ],
    [
      'a for over an annotated list constant',
      'MODELS: list[str] = ["acme/a", "acme/b"]\nfor name in MODELS:\n    AutoModel.from_pretrained(name)\n',
      ['4 acme/a', '4 acme/b'],
    ],
    [
      'a comprehension over a list display',
      'models = [AutoModel.from_pretrained(m) for m in ["acme/a", "acme/b"]]\n',
      ['2 acme/a', '2 acme/b'],
    ],
    [
      'a generator over a list constant',
      'MODELS = ("acme/a", "acme/b")\nmodels = list(AutoModel.from_pretrained(m) for m in MODELS)\n',
      ['3 acme/a', '3 acme/b'],
    ],
    [
      'a comprehension whose name a plain assignment binds too',
      'm = "acme/plain"\nmodels = [AutoModel.from_pretrained(m) for m in ["acme/a"]]\n',
      ['3 acme/plain'],
    ],
    [
      'two comprehensions over the same name',
      'a = [AutoModel.from_pretrained(m) for m in ["acme/a"]]\nb = [f(m) for m in pick()]\n',
      ['2 dynamic'],
    ],
    ['a comprehension over pairs', 'models = {k: AutoModel.from_pretrained(v) for k, v in PAIRS}\n', ['2 dynamic']],
    [
      'a for over a list constant also printed and measured',
      'MODELS = ["acme/a", "acme/b"]\nprint(len(MODELS), ", ".join(MODELS))\nfor name in MODELS:\n    AutoModel.from_pretrained(name)\n',
      ['5 acme/a', '5 acme/b'],
    ],
    [
      'a for over enumerate of a list constant',
      'MODELS = ["acme/a", "acme/b"]\nfor i, name in enumerate(MODELS, start=1):\n    AutoModel.from_pretrained(name)\n',
      ['4 acme/a', '4 acme/b'],
    ],
    [
      'a for over enumerate of a display',
      'for i, name in enumerate(["acme/a", "acme/b"]):\n    AutoModel.from_pretrained(name)\n',
      ['3 acme/a', '3 acme/b'],
    ],
    [
      'a for over zip is no enumerate',
      'for i, name in zip(["acme/a"], ["acme/b"]):\n    AutoModel.from_pretrained(name)\n',
      ['3 dynamic'],
    ],
    [
      'a for over an enumerate the file imports',
      'from tools import enumerate\nfor i, name in enumerate(["acme/a"]):\n    AutoModel.from_pretrained(name)\n',
      ['4 dynamic'],
    ],
    [
      "a for over a dict constant's items",
      'MODELS = {"small": "acme/s", "large": "acme/l"}\nfor size, name in MODELS.items():\n    AutoModel.from_pretrained(name)\n',
      ['4 acme/s', '4 acme/l'],
    ],
    [
      "a for over a dict constant's values, the dict changed",
      'MODELS = {"small": "acme/s"}\nMODELS["x"] = pick()\nfor name in MODELS.values():\n    AutoModel.from_pretrained(name)\n',
      ['5 dynamic'],
    ],
    [
      'a loop name a function also takes as a parameter',
      'def load(name):\n    return AutoModel.from_pretrained(name)\nfor name in ["acme/a", "acme/b"]:\n    print(name)\n',
      ['3 dynamic'],
    ],
    [
      'a for over a list constant something appends to',
      'MODELS = ["acme/a"]\nMODELS.append(extra())\nfor name in MODELS:\n    AutoModel.from_pretrained(name)\n',
      ['5 dynamic'],
    ],
    [
      'a for over a list constant an item is assigned in',
      'MODELS = ["acme/a"]\nMODELS[0] = pick()\nfor name in MODELS:\n    AutoModel.from_pretrained(name)\n',
      ['5 dynamic'],
    ],
    [
      'a for over a list constant handed to a function',
      'MODELS = ["acme/a"]\nregister(MODELS)\nfor name in MODELS:\n    AutoModel.from_pretrained(name)\n',
      ['5 dynamic'],
    ],
    [
      'a for over a list bound twice',
      'MODELS = ["acme/a"]\nMODELS = ["acme/b"]\nfor name in MODELS:\n    AutoModel.from_pretrained(name)\n',
      ['5 dynamic'],
    ],
    [
      'a for over a list extended in place',
      'MODELS = ["acme/a"]\nMODELS += more()\nfor name in MODELS:\n    AutoModel.from_pretrained(name)\n',
      ['5 dynamic'],
    ],
    [
      'a for over a name that is no list display',
      'MODELS = load_list()\nfor name in MODELS:\n    AutoModel.from_pretrained(name)\n',
      ['4 dynamic'],
    ],
    [
      'a subscript target rebinds nothing',
      'name = "acme/kept"\ncfg[name] = 1\nAutoModel.from_pretrained(name)\n',
      ['4 acme/kept'],
    ],
  ])('%s', (_case, body, want) => {
    expect(refs(body)).toEqual(want);
  });
});

describe('an item of a list constant by an integer literal', () => {
  it.each([
    ['the first', 'MODELS = ["acme/a", "acme/b"]\nAutoModel.from_pretrained(MODELS[0])\n', ['3 acme/a']],
    [
      'the last, counted from the end',
      'MODELS = ("acme/a", "acme/b")\nAutoModel.from_pretrained(MODELS[-1])\n',
      ['3 acme/b'],
    ],
    [
      'a sign, and zeros with an underscore',
      'MODELS = ["acme/a", "acme/b"]\nAutoModel.from_pretrained(MODELS[+1])\nAutoModel.from_pretrained(MODELS[0_0])\n',
      ['3 acme/b', '4 acme/a'],
    ],
    [
      'bound to a name first',
      'MODELS = ["acme/a", "acme/b"]\nname = MODELS[1]\nAutoModel.from_pretrained(name)\n',
      ['4 acme/b'],
    ],
    [
      'an item that is a constant',
      'BASE = "acme/base"\nMODELS = [BASE, "acme/b"]\nAutoModel.from_pretrained(MODELS[0])\n',
      ['4 acme/base'],
    ],
    ['past the end: an IndexError', 'MODELS = ["acme/a"]\nAutoModel.from_pretrained(MODELS[1])\n', ['3 dynamic']],
    [
      'a list changed elsewhere',
      'MODELS = ["acme/a"]\nMODELS.insert(0, pick())\nAutoModel.from_pretrained(MODELS[0])\n',
      ['4 dynamic'],
    ],
    [
      'an item assigned',
      'MODELS = ["acme/a"]\nMODELS[0] = pick()\nAutoModel.from_pretrained(MODELS[0])\n',
      ['4 dynamic'],
    ],
    [
      'a list bound twice',
      'MODELS = ["acme/a"]\nMODELS = ["acme/b"]\nAutoModel.from_pretrained(MODELS[0])\n',
      ['4 dynamic'],
    ],
    ['a starred item before it', 'MODELS = [*OTHER, "acme/a"]\nAutoModel.from_pretrained(MODELS[0])\n', ['3 dynamic']],
    [
      'an index the program computes: one of the items',
      'MODELS = ["acme/a", "acme/b"]\nAutoModel.from_pretrained(MODELS[pick()])\n',
      ['3 acme/a', '3 acme/b'],
    ],
    [
      'an index the program computes, an item it does not decide',
      'MODELS = ["acme/a", pick()]\nAutoModel.from_pretrained(MODELS[i])\n',
      ['3 dynamic'],
    ],
    [
      'a leading zero is no literal',
      'MODELS = ["acme/a", "acme/b"]\nAutoModel.from_pretrained(MODELS[01])\n',
      ['3 dynamic'],
    ],
    ['a float is no index', 'MODELS = ["acme/a"]\nAutoModel.from_pretrained(MODELS[0.0])\n', ['3 dynamic']],
    ['a list that holds itself', 'MODELS = [MODELS[0]]\nAutoModel.from_pretrained(MODELS[0])\n', ['3 dynamic']],
  ])('%s', (_case, body, want) => {
    expect(refs(body)).toEqual(want);
  });
});

describe('str.format and % of a string literal', () => {
  it.each([
    ['numbered in order', 'ORG = "acme"\nAutoModel.from_pretrained("{}/{}".format(ORG, "fmt"))\n', ['3 acme/fmt']],
    [
      'by number and by name',
      'AutoModel.from_pretrained("{1}/{0}-{size}".format("m", "acme", size="xl"))\n',
      ['2 acme/m-xl'],
    ],
    ['a format spec', 'AutoModel.from_pretrained("acme/m{:02d}".format(3))\n', ['2 dynamic']],
    ['numbering mixed (a ValueError)', 'AutoModel.from_pretrained("{}/{0}".format("acme", "m"))\n', ['2 dynamic']],
    ['a field past the arguments', 'AutoModel.from_pretrained("{}/{}".format("acme"))\n', ['2 dynamic']],
    ['an argument the file does not decide', 'AutoModel.from_pretrained("acme/{}".format(pick()))\n', ['2 dynamic']],
    ['a template that is a name', 'T = "acme/{}"\nAutoModel.from_pretrained(T.format("m"))\n', ['3 dynamic']],
  ])('%s', (_case, body, want) => {
    expect(refs(body)).toEqual(want);
  });

  it.each([
    ['one value', 'ORG = "acme"\nAutoModel.from_pretrained("%s/pct" % ORG)\n', ['3 acme/pct']],
    ['a tuple of values, then +', 'AutoModel.from_pretrained("%s/%s" % ("acme", "p") + "-x")\n', ['2 acme/p-x']],
    ['a one-item tuple', 'AutoModel.from_pretrained("acme/%s" % ("one",))\n', ['2 acme/one']],
    ['a list is one value', 'AutoModel.from_pretrained("acme/%s" % ["l"])\n', ['2 dynamic']],
    ['another conversion', 'AutoModel.from_pretrained("acme/m%d" % 3)\n', ['2 dynamic']],
    ['too few values (a TypeError)', 'AutoModel.from_pretrained("%s/%s" % ("acme",))\n', ['2 dynamic']],
  ])('%% formatting: %s', (_case, body, want) => {
    expect(refs(body)).toEqual(want);
  });

  it('doubles braces and percents, and reads only the fields Python reads without a spec', () => {
    const none = new Map<string, string>();
    expect(pythonFormat('{{x}}{}', ['y'], none)).toBe('{x}y');
    expect(pythonFormat('{a}', [], new Map([['a', 'b']]))).toBe('b');
    expect(pythonFormat('}', [], none)).toBeUndefined();
    expect(pythonFormat('{', [], none)).toBeUndefined();
    expect(pythonFormat('{0.attr}', ['x'], none)).toBeUndefined();
    expect(pythonFormat('{0!r}', ['x'], none)).toBeUndefined();
    expect(pythonFormat('{ }', ['x'], none)).toBeUndefined();
    expect(pythonPercent('100%% %s', ['x'])).toBe('100% x');
    expect(pythonPercent('%(k)s', ['x'])).toBeUndefined();
    expect(pythonPercent('%10s', ['x'])).toBeUndefined();
    expect(pythonPercent('%s', ['x', 'y'])).toBeUndefined();
  });
});

describe('an instance made with no arguments reads its class', () => {
  const DC = 'from dataclasses import dataclass, field\n\n@dataclass\nclass Args:\n';
  it.each([
    [
      'dataclass fields: a default and field(default=…)',
      `${DC}    model_name: str = field(default="acme/dc")\n    revision: str = "v1"\n\nargs = Args()\nAutoModel.from_pretrained(args.model_name, revision=args.revision)\n`,
      ['10 acme/dc'],
    ],
    [
      'a plain class attribute, read in a function',
      'class CFG:\n    model_name = "acme/cfg"\n\ndef main():\n    cfg = CFG()\n    return AutoModel.from_pretrained(cfg.model_name)\n',
      ['7 acme/cfg'],
    ],
    [
      'a class with __init__',
      'class CFG:\n    model_name = "acme/cfg"\n    def __init__(self):\n        self.model_name = pick()\n\ncfg = CFG()\nAutoModel.from_pretrained(cfg.model_name)\n',
      ['8 dynamic'],
    ],
    [
      'an instance made with arguments',
      `${DC}    model_name: str = "acme/dc"\n\nargs = Args(model_name=pick())\nAutoModel.from_pretrained(args.model_name)\n`,
      ['9 dynamic'],
    ],
    [
      'the attribute assigned',
      'class CFG:\n    model_name = "acme/cfg"\n\ncfg = CFG()\ncfg.model_name = pick()\nAutoModel.from_pretrained(cfg.model_name)\n',
      ['7 dynamic'],
    ],
    [
      'a base class',
      'class CFG(Base):\n    model_name = "acme/cfg"\n\ncfg = CFG()\nAutoModel.from_pretrained(cfg.model_name)\n',
      ['6 dynamic'],
    ],
    [
      'another decorator',
      '@register\nclass CFG:\n    model_name = "acme/cfg"\n\ncfg = CFG()\nAutoModel.from_pretrained(cfg.model_name)\n',
      ['7 dynamic'],
    ],
    [
      'a default factory',
      `${DC}    model_name: str = field(default_factory=pick)\n\nargs = Args()\nAutoModel.from_pretrained(args.model_name)\n`,
      ['9 dynamic'],
    ],
    [
      'an instance bound twice',
      'class CFG:\n    model_name = "acme/cfg"\n\ncfg = CFG()\ncfg = other()\nAutoModel.from_pretrained(cfg.model_name)\n',
      ['7 dynamic'],
    ],
  ])('%s', (_case, body, want) => {
    expect(refs(body)).toEqual(want);
  });
});

describe('a for over a list constant', () => {
  // The three readers agree on programs of the statements that bind, change, read and loop over a list (`refs`
  // checks them against each other); the pool is small so that a loop, its list and what changes it meet often.
  const STATEMENTS = [
    'NAMES = ["acme/a", "acme/b"]',
    'NAMES = ("acme/t", BASE)',
    'NAMES = [BASE]',
    'NAMES: list[str] = ["acme/ann"]',
    'NAMES.append("acme/c")',
    'NAMES[0] = "acme/d"',
    'NAMES += ["acme/e"]',
    'NAMES, X = pick()',
    'register(NAMES)',
    'print(len(NAMES), sorted(NAMES))',
    'for i, MODEL in enumerate(NAMES):\n    m = AutoModel.from_pretrained(MODEL)',
    'for i, MODEL in enumerate(["acme/e1", "acme/e2"], start=1):\n    pass',
    'for i, MODEL in enumerate(NAMES, *more):\n    pass',
    'for i, MODEL in zip(NAMES, NAMES):\n    pass',
    'from tools import enumerate',
    'def take(MODEL):\n    return AutoModel.from_pretrained(MODEL)',
    'SIZES = {"s": "acme/s", "l": BASE}',
    'SIZES["x"] = "acme/x"',
    'AutoModel.from_pretrained(SIZES.get("s", BASE))',
    'X = SIZES.get("l")',
    'MODEL = "{}/{}".format(BASE, X)',
    'MODEL = "%s/%s" % (BASE, X)',
    'for k, MODEL in SIZES.items():\n    m = AutoModel.from_pretrained(MODEL)',
    'for MODEL in SIZES.values():\n    pass',
    'obj.len(NAMES)',
    'print(NAMES[1])',
    'X = NAMES[-1]',
    'AutoModel.from_pretrained(NAMES[0])',
    'AutoModel.from_pretrained(NAMES[X])',
    'class C:\n    MODEL = "acme/class"',
    'X = C()',
    'X.MODEL = pick()',
    'AutoModel.from_pretrained(X.MODEL)',
    'Y = NAMES[X]',
    'NAMES = [*NAMES, BASE]',
    'if X in NAMES:\n    pass',
    'x = [n for n in NAMES]',
    'ms = [AutoModel.from_pretrained(MODEL) for MODEL in NAMES]',
    'ms = {k: AutoModel.from_pretrained(MODEL) for k, MODEL in pairs()}',
    'ms = list(AutoModel.from_pretrained(X) for X in ["acme/g1", "acme/g2"])',
    'ys = [X for X in NAMES if X]',
    'zs = [X for before_X, X in pairs()]',
    'ws = [X for o.attr, X in pairs()]',
    '# NAMES.append(more)',
    'BASE = "acme/base"',
    'MODEL = "acme/m"',
    'for MODEL in NAMES:\n    m = AutoModel.from_pretrained(MODEL)',
    'for NAMES in batches():\n    pass',
    'AutoModel.from_pretrained(MODEL)',
  ];
  it('reads the same in all three readers (fast-check)', () => {
    fc.assert(
      fc.property(pythonPrograms(STATEMENTS, 6), (body) => {
        refs(body);
      }),
      { numRuns: differentialRuns(100) },
    );
  });
});

describe('many loops over one list constant', () => {
  // Each loop asked about the list's uses over the whole text (8,000 loops: 8 s); now once per list. Every loop's
  // reference is found.
  it('Python', () => {
    const loops = Array.from(
      { length: 2000 },
      (_, i) => `for m${i} in MODELS:\n    AutoModel.from_pretrained(m${i})\n`,
    );
    const text = `${HEAD}MODELS = ["acme/a"]\n${loops.join('')}`;
    expect(findPythonReferences('loops.py', text, noLocal).references).toHaveLength(2000);
  });
  it('JavaScript', () => {
    const loops = Array.from(
      { length: 2000 },
      (_, i) => `for (const m${i} of MODELS) { await pipeline('x', m${i}); }\n`,
    );
    const text = `import { pipeline } from '@huggingface/transformers';\nconst MODELS = ['acme/a'];\n${loops.join('')}`;
    expect(findJavaScriptReferences('loops.ts', text, noLocal).references).toHaveLength(2000);
  });
});

describe('many reads of one long list constant', () => {
  // Each read of an item took the list's items again: thousands of reads of a list of thousands were quadratic. Now
  // once per list. A choice among more than MAX_ONE_OF models is the run time's (a note), and a file's choices add
  // at most 10,000 references: a hostile file stays linear in time and memory.
  const list = (n: number) => Array.from({ length: n }, (_, i) => `"acme/m${i}"`).join(', ');
  const lines = (n: number, line: (i: number) => string) => Array.from({ length: n }, (_, i) => line(i)).join('');
  it('Python: by a literal, by a run-time index, and in loops', () => {
    const text =
      `${HEAD}MODELS = [${list(3000)}]\n` +
      lines(3000, (i) => `AutoModel.from_pretrained(MODELS[${i}])\nAutoModel.from_pretrained(MODELS[k])\n`) +
      lines(2000, (i) => `for m${i} in MODELS:\n    AutoModel.from_pretrained(m${i})\n`);
    const got = findPythonReferencesInWholeFile('reads.py', text, noLocal);
    expect(got.references).toHaveLength(3000);
    expect(got.dynamic).toHaveLength(5000);
  });
  it('Python: a choice among MAX_ONE_OF models is each of them; among more, a note', () => {
    expect(refs(`MODELS = [${list(64)}]\nAutoModel.from_pretrained(MODELS[k])\n`)).toHaveLength(64);
    expect(refs(`MODELS = [${list(65)}]\nAutoModel.from_pretrained(MODELS[k])\n`)).toEqual(['3 dynamic']);
  });
  it("a file's choices add at most 10,000 references", () => {
    const text = `${HEAD}MODELS = [${list(64)}]\n${lines(200, () => 'AutoModel.from_pretrained(MODELS[k])\n')}`;
    const got = findPythonReferencesInWholeFile('reads.py', text, noLocal);
    expect(got.references).toHaveLength(156 * 64);
    expect(got.dynamic).toHaveLength(200 - 156);
  });
  it('JavaScript: by a literal', () => {
    const text = `import { pipeline } from '@huggingface/transformers';\nconst MODELS = [${list(3000)}];\n${lines(3000, (i) => `await pipeline('x', MODELS[${i}]);\n`)}`;
    expect(findJavaScriptReferences('reads.ts', text, noLocal).references).toHaveLength(3000);
  });
});

describe('JavaScript: a name assigned after its declaration', () => {
  const JS_HEAD = "import { pipeline } from '@huggingface/transformers';\n";
  function jsRefs(body: string): string[] {
    const text = JS_HEAD + body;
    const show = (r: ReturnType<typeof findJavaScriptReferences>) => [
      ...r.references.map((x) => `${x.line} ${x.repoId}`),
      ...r.dynamic.map((d) => `${d.line} dynamic`),
    ];
    const lezer = show(findJavaScriptReferences('a.ts', text, noLocal));
    const fast = findJavaScriptReferencesFast('a.ts', text, noLocal);
    if (fast) expect(show(fast)).toEqual(lezer);
    return lezer;
  }
  it.each([
    ['reassigned', "let m = 'acme/first';\nm = pick();\nawait pipeline('fill-mask', m);\n", ['4 dynamic']],
    ['+=', "let m = 'acme/first';\nm += '-x';\nawait pipeline('fill-mask', m);\n", ['4 dynamic']],
    ['++', "let m = 'acme/first';\nm++;\nawait pipeline('fill-mask', m);\n", ['4 dynamic']],
    [
      'a for…of target',
      "let m = 'acme/first';\nfor (m of names()) {}\nawait pipeline('fill-mask', m);\n",
      ['4 dynamic'],
    ],
    [
      'a destructuring target',
      "let m = 'acme/first';\n[m] = pick();\nawait pipeline('fill-mask', m);\n",
      ['4 dynamic'],
    ],
    [
      'a for…of over an array of strings',
      "for (const m of ['acme/a', 'acme/b']) {\n  await pipeline('fill-mask', m);\n}\n",
      ['3 acme/a', '3 acme/b'],
    ],
    [
      'a for…of whose name is declared elsewhere too',
      "const m = 'acme/x';\nfor (const m of ['acme/a', 'acme/b']) {\n  await pipeline('fill-mask', m);\n}\n",
      ['4 dynamic'],
    ],
    [
      'a for…of over an array constant',
      "const MODELS = ['acme/a', 'acme/b'];\nfor (const m of MODELS) {\n  await pipeline('fill-mask', m);\n}\n",
      ['4 acme/a', '4 acme/b'],
    ],
    [
      'a for…of over an array constant something pushes to',
      "const MODELS = ['acme/a'];\nMODELS.push(extra());\nfor (const m of MODELS) {\n  await pipeline('fill-mask', m);\n}\n",
      ['5 dynamic'],
    ],
    [
      'a for…of over an array constant handed to a function',
      "const MODELS = ['acme/a'];\nregister(MODELS);\nfor (const m of MODELS) {\n  await pipeline('fill-mask', m);\n}\n",
      ['5 dynamic'],
    ],
    [
      'a for…of over a name that is no array display',
      "const MODELS = load();\nfor (const m of MODELS) {\n  await pipeline('fill-mask', m);\n}\n",
      ['4 dynamic'],
    ],
    [
      "a for…of over an object constant's values",
      "const MODELS = { asr: 'acme/asr', mask: 'acme/mask' };\nfor (const m of Object.values(MODELS)) {\n  await pipeline('x', m);\n}\n",
      ['4 acme/asr', '4 acme/mask'],
    ],
    [
      "a for…of over an object constant's entries",
      "const MODELS = { asr: 'acme/asr' };\nfor (const [task, m] of Object.entries(MODELS)) {\n  await pipeline(task, m);\n}\n",
      ['4 acme/asr'],
    ],
    [
      'a for…of over the values of an object something writes to',
      "const MODELS = { asr: 'acme/asr' };\nMODELS.asr = pick();\nfor (const m of Object.values(MODELS)) {\n  await pipeline('x', m);\n}\n",
      ['5 dynamic'],
    ],
    [
      'a loop name a function also takes as a parameter',
      "function load(m) {\n  return pipeline('x', m);\n}\nfor (const m of ['acme/a', 'acme/b']) {}\n",
      ['3 dynamic'],
    ],
    [
      'a loop name an arrow function takes as a parameter',
      "const load = (m) => pipeline('x', m);\nfor (const m of ['acme/a']) {}\n",
      ['2 dynamic'],
    ],
    ['a TypeScript annotation', "const m: string = 'acme/typed';\nawait pipeline('fill-mask', m);\n", ['3 acme/typed']],
    [
      'a TypeScript annotation in a declaration list',
      "const a = 1, m: string | undefined = 'acme/listed';\nawait pipeline('fill-mask', m);\n",
      ['3 acme/listed'],
    ],
    [
      'a for…of over an array constant `as const`',
      "const MODELS = ['acme/a', 'acme/b'] as const;\nfor (const m of MODELS) {\n  await pipeline('fill-mask', m);\n}\n",
      ['4 acme/a', '4 acme/b'],
    ],
    [
      'a for…of over an annotated array constant',
      "const MODELS: readonly string[] = ['acme/a'];\nfor (const m of MODELS) {\n  await pipeline('fill-mask', m);\n}\n",
      ['4 acme/a'],
    ],
    [
      'a declaration list',
      "const org = 'acme', m = `${org}/list`;\nawait pipeline('fill-mask', m);\n",
      ['3 acme/list'],
    ],
    [
      'a member assigned',
      "const m = 'acme/kept';\nobj.m = pick();\nawait pipeline('fill-mask', m);\n",
      ['4 acme/kept'],
    ],
    [
      'an item of an array constant',
      "const MODELS = ['acme/a', 'acme/b'];\nawait pipeline('x', MODELS[1]);\n",
      ['3 acme/b'],
    ],
    [
      'an item declared first, beside a loop over the array',
      "const MODELS = ['acme/a', 'acme/b'];\nconst first = MODELS[0];\nawait pipeline('x', first);\nfor (const m of MODELS) await pipeline('y', m);\n",
      ['4 acme/a', '5 acme/a', '5 acme/b'],
    ],
    ['holes count', "const MODELS = [, 'acme/b'];\nawait pipeline('x', MODELS[1]);\n", ['3 acme/b']],
    ['past the end', "const MODELS = ['acme/a'];\nawait pipeline('x', MODELS[1]);\n", ['3 dynamic']],
    ['a spread in the array', "const MODELS = [...BASE, 'acme/a'];\nawait pipeline('x', MODELS[0]);\n", ['3 dynamic']],
    [
      'an item assigned',
      "const MODELS = ['acme/a'];\nMODELS[0] = pick();\nawait pipeline('x', MODELS[0]);\n",
      ['4 dynamic'],
    ],
    [
      'an item compared',
      "const MODELS = ['acme/a'];\nif (MODELS[0] === x) {}\nawait pipeline('x', MODELS[0]);\n",
      ['4 acme/a'],
    ],
    [
      'the array changed',
      "const MODELS = ['acme/a'];\nMODELS.unshift(pick());\nawait pipeline('x', MODELS[0]);\n",
      ['4 dynamic'],
    ],
    [
      'a map over an array constant',
      "const MODELS = ['acme/a', 'acme/b'];\nconst ps = await Promise.all(MODELS.map((m) => pipeline('x', m)));\n",
      ['3 acme/a', '3 acme/b'],
    ],
    [
      'a forEach with a function over a display',
      "['acme/a'].forEach(async function (m, i) {\n  await pipeline('x', m);\n});\n",
      ['3 acme/a'],
    ],
    [
      'a map over the values of an object constant',
      "const BY_TASK = { asr: 'acme/asr' };\nObject.values(BY_TASK).map((m) => pipeline('x', m));\n",
      ['3 acme/asr'],
    ],
    [
      'a map whose array is measured and joined',
      "const MODELS = ['acme/a'];\nconsole.log(MODELS.length, MODELS.join(', '));\nMODELS.map((m) => pipeline('x', m));\n",
      ['4 acme/a'],
    ],
    [
      'a map whose array is emptied by its length',
      "const MODELS = ['acme/a'];\nMODELS.length = 0;\nMODELS.map((m) => pipeline('x', m));\n",
      ['4 dynamic'],
    ],
    [
      'a map whose parameter is a pattern',
      "const MODELS = [{ id: 'acme/a' }];\nMODELS.map(({ id }) => pipeline('x', id));\n",
      ['3 dynamic'],
    ],
    [
      'a reduce hands the accumulator first',
      "['acme/a'].reduce((acc, m) => pipeline('x', acc), null);\n",
      ['2 dynamic'],
    ],
    [
      'two callbacks with one parameter name',
      "['acme/a'].map((m) => pipeline('x', m));\nother.map((m) => m);\n",
      ['2 dynamic'],
    ],
    [
      'destructured from an object constant',
      "const CONFIG = { model: 'acme/a', task: 'x' } as const;\nconst { model, task: t } = CONFIG;\nawait pipeline(t, model);\n",
      ['4 acme/a'],
    ],
    [
      'destructured with a default, or from a member the file assigns',
      "const CONFIG = { model: 'acme/a', tok: 'acme/t' };\nCONFIG.tok = pick();\nconst { model = 'acme/d', tok } = CONFIG;\nawait pipeline('x', model);\nawait pipeline('y', tok);\n",
      ['5 dynamic', '6 dynamic'],
    ],
    ['destructured from a call', "const { model } = load();\nawait pipeline('x', model);\n", ['3 dynamic']],
    [
      'at(), from either end',
      "const MODELS = ['acme/a', , 'acme/c',];\nawait pipeline('x', MODELS.at(0));\nawait pipeline('y', MODELS.at(-1));\nawait pipeline('z', MODELS.at(-2));\n",
      ['3 acme/a', '4 acme/c', '5 dynamic'],
    ],
    ['at() past the start', "const MODELS = ['acme/a'];\nawait pipeline('x', MODELS.at(-2));\n", ['3 dynamic']],
    ['a negative index is no item', "const MODELS = ['acme/a'];\nawait pipeline('x', MODELS[-1]);\n", ['3 dynamic']],
    ['an array that holds itself', "const MODELS = [MODELS[0]];\nawait pipeline('x', MODELS[0]);\n", ['3 dynamic']],
  ])('%s', (_case, body, want) => {
    expect(jsRefs(body)).toEqual(want);
  });
});

describe('a name two scopes bind (python-scopes.ts) in what a finding shows', () => {
  // Both readers key the parameter `pipe` as `pipe#<scope>` beside the module's `pipe`: the callee a finding names is
  // the one the file writes.
  it('names the call as written, in every reader', () => {
    const text =
      'from diffusers import DiffusionPipeline\n' +
      'pipe = DiffusionPipeline.from_pretrained("acme/sd", revision="0123456789abcdef0123456789abcdef01234567")\n' +
      'def style(pipe, lora):\n' +
      '    pipe.load_lora_weights("acme/style-lora")\n' +
      '    pipe.load_lora_weights(lora)\n' +
      'def loader(pipe):\n' +
      '    return pool.submit(pipe.from_pretrained, "acme/x")\n';
    const vias = (r: ReturnType<typeof findPythonReferencesInWholeFile>) => [
      ...r.references.map((x) => `${x.line} ${x.via}`),
      ...r.dynamic.map((d) => `${d.line} ${d.via}`),
    ];
    const whole = vias(findPythonReferencesInWholeFile('a.py', text, noLocal));
    expect(whole).toEqual([
      '2 DiffusionPipeline.from_pretrained',
      '4 pipe.load_lora_weights',
      '5 pipe.load_lora_weights',
      '7 pipe.from_pretrained',
    ]);
    expect(vias(findPythonReferences('a.py', text, noLocal))).toEqual(whole);
    const fast = findPythonReferencesFast('a.py', text, noLocal);
    if (fast) expect(vias(fast)).toEqual(whole);
  });
});
