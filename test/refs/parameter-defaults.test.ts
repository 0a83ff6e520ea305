import { describe, expect, it } from 'vitest';
import { pythonReferenceLines } from './python-readers.js';
import { findPythonReferences } from '../../src/refs/python.js';
import { findPythonReferencesFast } from '../../src/refs/python-fast.js';
import { findJavaScriptReferences } from '../../src/refs/javascript.js';
import { findJavaScriptReferencesFast, hasParameterDefault } from '../../src/refs/javascript-fast.js';
import { dynamicFinding, judgeReference } from '../../src/refs/judge.js';
import { DEFAULT_POLICY } from '../../src/trust/policy/default.js';

/**
 * A model name or revision taken as a function's parameter (`def load_model(model_id: str = "org/x")`) loads its
 * default whenever a caller passes none: it is judged by that default, named with the function and the parameter,
 * as an env read is by its default. Any other binding of the name in the file — a parameter of another function with
 * no default or another one, an assignment in the body — leaves it to run time. Both readers alike.
 */
const noLocal = () => false;

const refs = (text: string) => pythonReferenceLines(text);

const HEAD = 'from transformers import AutoModel\n';

describe('parameter defaults', () => {
  it.each([
    {
      name: 'annotated defaults, name and revision',
      text: `${HEAD}def load_model(model_id: str = "org/x", revision: str = "main"):\n    return AutoModel.from_pretrained(model_id, revision=revision)\n`,
      want: ['3 org/x@main name:load_model(model_id) rev:load_model(revision)'],
      fast: true,
    },
    {
      name: 'a default read from a module constant',
      text: `${HEAD}DEFAULT = "org/y"\n\ndef load(name=DEFAULT):\n    return AutoModel.from_pretrained(name)\n`,
      want: ['5 org/y@- name:load(name)'],
      fast: true,
    },
    {
      name: 'a method',
      text: `${HEAD}class Encoder:\n    def __init__(self, checkpoint="org/enc", *args, **kwargs):\n        self.model = AutoModel.from_pretrained(checkpoint)\n`,
      want: ['4 org/enc@- name:__init__(checkpoint)'],
      fast: true,
    },
    {
      // The same name is another function's parameter with no default: each function's parameter is its own local
      // (python-scopes.ts), so b's default is what b loads and a's call is a run-time choice.
      name: 'another function binds the name without a default',
      text: `${HEAD}def a(model_id):\n    return AutoModel.from_pretrained(model_id)\n\ndef b(model_id="org/x"):\n    return AutoModel.from_pretrained(model_id)\n`,
      want: ['6 org/x@- name:b(model_id)', '3 dynamic'],
      fast: true,
    },
    {
      // A default read at run time is that read: the variable named, its default judged.
      name: 'an env read as the default',
      text: `import os\n${HEAD}def load(model_id="org/x", revision=os.getenv("MODEL_REVISION", "main")):\n    return AutoModel.from_pretrained(model_id, revision=revision)\n`,
      want: ['4 org/x@main name:load(model_id) rev:MODEL_REVISION'],
      fast: true,
    },
    {
      name: 'None as the default',
      text: `${HEAD}def load(model_id=None):\n    return AutoModel.from_pretrained(model_id)\n`,
      want: ['3 dynamic'],
      fast: true,
    },
    {
      name: 'rebound in the body',
      text: `${HEAD}def load(model_id="org/x"):\n    model_id = model_id.lower()\n    return AutoModel.from_pretrained(model_id)\n`,
      want: ['4 dynamic'],
      fast: true,
    },
    {
      // The parameter shadows a module constant of the same name in the function's body: what loads is the caller's.
      name: 'a module constant of the same name',
      text: `${HEAD}model_id = "org/const"\n\ndef load(model_id):\n    return AutoModel.from_pretrained(model_id)\n\nload(model_id)\n`,
      want: ['5 dynamic'],
      fast: true,
    },
    {
      name: 'a lambda binds it too',
      text: `${HEAD}g = lambda model_id: AutoModel.from_pretrained(model_id)\n\ndef load(model_id="org/x"):\n    return AutoModel.from_pretrained(model_id)\n`,
      want: ['5 org/x@- name:load(model_id)', '2 dynamic'],
      fast: false,
    },
    {
      name: 'a default far from the call, the header on several lines',
      text: `${HEAD}def load(\n    model_id: str = (\n        "org/"\n        "multi"\n    ),\n):\n    x = 1\n    y = 2\n    return AutoModel.from_pretrained(model_id)\n`,
      want: ['10 org/multi@- name:load(model_id)'],
      fast: true,
    },
    {
      // The wrapper classes of ML code: the constructor keeps the name, a method loads it.
      name: 'an instance attribute set from a parameter',
      text: `${HEAD}class Embedder:\n    def __init__(self, model_name: str = "org/emb"):\n        self.model_name = model_name\n\n    def load(self):\n        return AutoModel.from_pretrained(self.model_name)\n`,
      want: ['7 org/emb@- name:__init__(model_name)'],
      fast: true,
    },
    {
      name: 'an instance attribute set to a literal',
      text: `${HEAD}class Embedder:\n    def __init__(self):\n        self.model_id = "org/lit"\n        self.model = AutoModel.from_pretrained(self.model_id)\n`,
      want: ['5 org/lit@-'],
      fast: true,
    },
    {
      name: 'an instance attribute set twice',
      text: `${HEAD}class A:\n    def __init__(self, name="org/a"):\n        self.name = name\n    def swap(self, other):\n        self.name = other\n    def load(self):\n        return AutoModel.from_pretrained(self.name)\n`,
      want: ['8 dynamic'],
      fast: true,
    },
  ])('$name', ({ text, want, fast }) => {
    expect(refs(text)).toEqual(want);
    expect(findPythonReferencesFast('app.py', text, noLocal) !== undefined).toBe(fast);
  });

  it('the findings say which call passes no value', () => {
    const text = `${HEAD}def load_model(model_id: str = "org/x", revision: str = "main"):\n    return AutoModel.from_pretrained(model_id, revision=revision)\n`;
    const [ref] = findPythonReferences('app.py', text, noLocal).references;
    const messages = judgeReference(ref!, new Map(), DEFAULT_POLICY).map((f) => `${f.ruleId} ${f.message}`);
    expect(messages[0]).toBe(
      'CPR001 AutoModel.from_pretrained loads org/x (the default when load_model() is called without model_id) at the revision passed to load_model() as revision, and when none is passed at "main", a name that can move. Make that default the reviewed commit (revision="<40-hex>" in the def of load_model), and pass only reviewed commits.',
    );
  });

  it('a constructor parameter is worded as the class being constructed', () => {
    const text = `${HEAD}class Embedder:\n    def __init__(self, model_name="org/emb"):\n        self.model = AutoModel.from_pretrained(model_name)\n`;
    const [ref] = findPythonReferences('app.py', text, noLocal).references;
    expect(judgeReference(ref!, new Map(), DEFAULT_POLICY)[0]?.message).toContain(
      'org/emb (the default when its class is constructed without model_name)',
    );
  });
});

describe('`X or "org/x"`: the string is what loads when X is unset, None or empty', () => {
  it.each([
    {
      name: 'env reads with no default of their own',
      text: `import os\n${HEAD}name = os.getenv("MODEL") or "org/or"\nm = AutoModel.from_pretrained(name, revision=os.environ.get("REV") or "main")\n`,
      want: ['4 org/or@main name:MODEL rev:REV'],
    },
    {
      // The variable's own default is truthy: the right side never loads.
      name: 'an env read with a default of its own',
      text: `import os\n${HEAD}m = AutoModel.from_pretrained(os.getenv("MODEL", "org/first") or "org/second")\n`,
      want: ['3 org/first@- name:MODEL'],
    },
    {
      name: 'a flag with no default',
      text: `import argparse\n${HEAD}p = argparse.ArgumentParser()\np.add_argument("--model")\nargs = p.parse_args()\nm = AutoModel.from_pretrained(args.model or "org/fallback")\n`,
      want: ['6 org/fallback@- name:--model'],
    },
    {
      // `tokenizer_name or model_name_or_path`: the right side's default when neither is set, the left one named.
      name: 'two env reads, the second with a default',
      text: `import os\n${HEAD}m = AutoModel.from_pretrained(os.getenv("TOKENIZER") or os.getenv("MODEL", "org/model"))\n`,
      want: ['3 org/model@- name:TOKENIZER'],
    },
    {
      name: 'two flags, by `or` and by `a if a else b`',
      text: `import argparse\n${HEAD}p = argparse.ArgumentParser()\np.add_argument("--model", default="org/base")\np.add_argument("--tokenizer")\nargs = p.parse_args()\nt = AutoModel.from_pretrained(args.tokenizer or args.model)\nu = AutoModel.from_pretrained(args.tokenizer if args.tokenizer else args.model)\nv = AutoModel.from_pretrained(args.tokenizer if args.model else args.model)\n`,
      want: ['7 org/base@- name:--tokenizer', '8 org/base@- name:--tokenizer', '9 dynamic'],
    },
    {
      // Neither has a default: None loads, as the run decides.
      name: 'two env reads with no default',
      text: `import os\n${HEAD}m = AutoModel.from_pretrained(os.getenv("TOKENIZER") or os.getenv("MODEL"))\n`,
      want: ['3 dynamic'],
    },
    {
      // A truthy default of the left side's own: the right side is never evaluated, whatever it is.
      name: 'a default of its own before a call',
      text: `import os\n${HEAD}m = AutoModel.from_pretrained(os.getenv("MODEL", "org/first") or pick())\n`,
      want: ['3 org/first@- name:MODEL'],
    },
    {
      name: 'a name the file does not decide',
      text: `${HEAD}m = AutoModel.from_pretrained(x or "org/x")\n`,
      want: ['2 dynamic'],
    },
  ])('$name', ({ text, want }) => {
    expect(refs(text)).toEqual(want);
    expect(findPythonReferencesFast('app.py', text, noLocal)).toBeDefined();
  });
});

describe('hostile `or` chains', () => {
  // python.ts `orRight`: each side read once per level — reading the right side twice doubled the work at every
  // level (40 levels: hours). What such a chain loads is the run time's either way.
  it('a right-nested chain is read once per level', () => {
    let expr = 'os.getenv("LAST", "org/last")';
    for (let i = 0; i < 40; i++) expr = `(os.getenv("V${i}") or ${expr})`;
    let choice = 'os.getenv("LAST", "org/last")';
    for (let i = 0; i < 40; i++) choice = `a${i} if a${i} else (${choice})`;
    const text = `import os\n${HEAD}m = AutoModel.from_pretrained(${expr})\nn = AutoModel.from_pretrained(${choice})\n`;
    expect(refs(text)).toEqual(['3 dynamic', '4 dynamic']);
  });
});

describe('`X or False`: a bool on the right is a bool, not the string "False"', () => {
  it('trust_remote_code is off while the flag or variable is unset', () => {
    const text =
      `import argparse, os\n${HEAD}p = argparse.ArgumentParser()\np.add_argument("--trust", action="store_true")\n` +
      'args = p.parse_args()\n' +
      'a = AutoModel.from_pretrained("org/a", trust_remote_code=args.trust or False)\n' +
      'c = AutoModel.from_pretrained("org/c", trust_remote_code=os.getenv("T") or False)\n' +
      'd = AutoModel.from_pretrained("org/d", trust_remote_code=args.trust or True)\n';
    for (const read of [findPythonReferences, findPythonReferencesFast])
      expect(read('app.py', text, noLocal)?.references.map((r) => `${r.repoId} ${r.runsRemoteCode}`)).toEqual([
        'org/a false',
        'org/c false',
        'org/d true',
      ]);
  });
});

describe('`x = x or DEFAULT` in the function that takes x', () => {
  const D = `${HEAD}DEFAULT = "org/default"\n`;
  it.each([
    {
      name: 'a None default refined by `or`, name and revision',
      text: `${D}def load(model_name=None, revision=None):\n    model_name = model_name or DEFAULT\n    revision = revision or "main"\n    return AutoModel.from_pretrained(model_name, revision=revision)\n`,
      want: ['6 org/default@main name:load(model_name) rev:load(revision)'],
    },
    {
      name: 'None used as it is',
      text: `${D}def load(model_name=None):\n    return AutoModel.from_pretrained(model_name)\n`,
      want: ['4 dynamic'],
    },
    {
      name: 'rebound again after the `or`',
      text: `${D}def load(model_name=None):\n    model_name = model_name or DEFAULT\n    model_name = model_name.strip()\n    return AutoModel.from_pretrained(model_name)\n`,
      want: ['6 dynamic'],
    },
    {
      // The assignment is the name's one constant binding: its value, as for any constant (not named as a default).
      name: '`if x is None: x = DEFAULT`',
      text: `${D}def load(model_name=None):\n    if model_name is None:\n        model_name = DEFAULT\n    return AutoModel.from_pretrained(model_name)\n`,
      want: ['6 org/default@-'],
    },
    {
      // Another function's parameter of the name is that function's own: a's `or` decides a's call only.
      name: 'two functions take the name',
      text: `${D}def a(model_name=None):\n    model_name = model_name or DEFAULT\n    return AutoModel.from_pretrained(model_name)\n\ndef b(model_name=None):\n    return AutoModel.from_pretrained(model_name)\n`,
      want: ['5 org/default@- name:a(model_name)', '8 dynamic'],
    },
  ])('$name', ({ text, want }) => {
    expect(refs(text)).toEqual(want);
    expect(findPythonReferencesFast('app.py', text, noLocal)).toBeDefined();
  });

  it('the note for a None default names the parameter', () => {
    const text = `${D}def load(model_name=None):\n    return AutoModel.from_pretrained(model_name)\n`;
    const [d] = findPythonReferences('app.py', text, noLocal).dynamic;
    expect(dynamicFinding(d!).message).toContain(
      'chosen at run time (passed to load() as model_name, None by default)',
    );
  });
});

/**
 * JavaScript and TypeScript alike (javascript.ts `recordParameters`): a default is evaluated when the caller passes
 * none or undefined (ECMAScript IteratorBindingInitialization), so it is what loads then. The parser-free reader
 * leaves every such file to lezer: its answer (a run-time name) would otherwise be the scan's.
 */
describe('parameter defaults in JavaScript', () => {
  const JS = "import { pipeline } from '@huggingface/transformers';\n";
  const lines = (file: string, text: string) => {
    const r = findJavaScriptReferences(file, text, noLocal);
    return [
      ...r.references.map(
        (x) => `${x.line} ${x.repoId}@${x.revision ?? '-'}${x.nameFrom !== undefined ? ` name:${x.nameFrom}` : ''}`,
      ),
      ...r.dynamic.map((d) => `${d.line} dynamic`),
    ];
  };
  it.each([
    {
      name: 'a function declaration',
      file: 'load.js',
      text: `${JS}export function load(model = 'acme/x') {\n  return pipeline('feature-extraction', model);\n}\n`,
      want: ['3 acme/x@- name:load(model)'],
    },
    {
      name: 'an arrow function, destructured options',
      file: 'load.js',
      text: `${JS}export const load = async ({ model = 'acme/y' } = {}) => pipeline('text-generation', model);\n`,
      want: ['2 acme/y@- name:load(model)'],
    },
    {
      name: 'TypeScript, annotated',
      file: 'load.ts',
      text: `${JS}export function load(model: string = 'acme/ts') {\n  return pipeline('feature-extraction', model);\n}\n`,
      want: ['3 acme/ts@- name:load(model)'],
    },
    {
      // No scopes: another function's parameter of the name, with no default, leaves it to run time.
      name: 'two functions take the name',
      file: 'load.js',
      text: `${JS}function a(model = 'acme/a') {\n  return pipeline('t', model);\n}\nfunction b(model) {\n  return pipeline('t', model);\n}\n`,
      want: ['3 dynamic', '6 dynamic'],
    },
  ])('$name', ({ file, text, want }) => {
    expect(lines(file, text)).toEqual(want);
    expect(findJavaScriptReferencesFast(file, text, noLocal)).toBeUndefined();
  });

  it.each([
    ['a callback defaulting to null', 'async function getInstance(progress_callback = null) {}', false],
    ['an options object', 'export function f(a, options = {}) {}', false],
    ['a number and a boolean', 'const f = (n = 1, quiet = false) => n;', false],
    ['a string', "function f(model = 'acme/x') {}", true],
    ['a template', 'function f(model = `acme/${v}`) {}', true],
    ['a constant', 'function f(model = DEFAULT_MODEL) {}', true],
    ['an annotated string', "function f(model: string = 'acme/x') {}", true],
  ])('a default that may name a model sends the file to lezer, others do not: %s', (_name, text, want) => {
    expect(hasParameterDefault(text)).toBe(want);
  });
});
