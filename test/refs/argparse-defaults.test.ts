import { describe, expect, it } from 'vitest';
import { pythonReferenceLines } from './python-readers.js';
import { findPythonReferences } from '../../src/refs/python.js';
import { findPythonReferencesFast } from '../../src/refs/python-fast.js';
import { keptStatements } from '../../src/refs/python-snippet.js';
import { DEFAULT_POLICY } from '../../src/trust/policy/default.js';
import { dynamicFinding, judgeReference } from '../../src/refs/judge.js';

/**
 * python-argparse.ts: a model or revision read from `args.<dest>` after `args = parser.parse_args()` loads the
 * argument's default when the command line does not give it — what argparse.py does — and is reported as the
 * environment's defaults are, naming the flag. Each case: what the finder the scan uses reports, and lezer over the
 * whole file must agree.
 */
const noLocal = () => false;
const C = '0123456789abcdef0123456789abcdef01234567';

const refs = (text: string) => pythonReferenceLines(text, 'train.py');

const head = 'import argparse\nfrom transformers import AutoModel\nparser = argparse.ArgumentParser()\n';

describe('argparse defaults', () => {
  it.each([
    {
      // _get_optional_kwargs: the first long option, `-` made `_`; the short one is not the dest.
      name: 'long option with dashes, a short alias',
      text: `${head}parser.add_argument("-m", "--model-name", default="acme/a")\nargs = parser.parse_args()\nAutoModel.from_pretrained(args.model_name)\n`,
      want: ['6 acme/a@- name:--model-name'],
    },
    {
      // An explicit dest wins over the option strings.
      name: 'dest=',
      text: `${head}parser.add_argument("--m", dest="model", default="acme/b")\nargs = parser.parse_args()\nAutoModel.from_pretrained(args.model)\n`,
      want: ['6 acme/b@- name:--m'],
    },
    {
      name: 'a constant default and a pinned revision default',
      text: `${head}BASE = "acme/c"\nparser.add_argument("--model", default=BASE)\nparser.add_argument("--revision", default="${C}")\nargs = parser.parse_args()\nAutoModel.from_pretrained(args.model, revision=args.revision)\n`,
      want: [`8 acme/c@${C} name:--model rev:--revision`],
    },
    {
      // `default=None` (or none given): the loader's default for the revision — the default branch.
      name: 'no revision default',
      text: `${head}parser.add_argument("--model", default="acme/d")\nparser.add_argument("--revision")\nargs = parser.parse_args()\nAutoModel.from_pretrained(args.model, revision=args.revision)\n`,
      want: ['7 acme/d@- name:--model rev:--revision'],
    },
    {
      // _get_positional_kwargs: a positional's default is used only with nargs='?' or '*'.
      name: 'positional arguments',
      text: `${head}parser.add_argument("model", nargs="?", default="acme/e")\nparser.add_argument("other", default="acme/never")\nargs = parser.parse_args()\nAutoModel.from_pretrained(args.model)\nAutoModel.from_pretrained(args.other)\n`,
      want: ['7 acme/e@- name:<model>', '8 dynamic'],
    },
    {
      // required=True: the default never loads; another action stores no given string; set_defaults overrides.
      name: 'required, store_true, set_defaults',
      text: `${head}parser.add_argument("--a", required=True, default="acme/x")\nparser.add_argument("--b", action="store_const", const="acme/y", default="acme/z")\nargs = parser.parse_args()\nAutoModel.from_pretrained(args.a)\nAutoModel.from_pretrained(args.b)\n`,
      want: ['7 dynamic', '8 dynamic'],
    },
    {
      name: 'set_defaults makes every default unknown',
      text: `${head}parser.add_argument("--model", default="acme/a")\nparser.set_defaults(model="acme/b")\nargs = parser.parse_args()\nAutoModel.from_pretrained(args.model)\n`,
      want: ['7 dynamic'],
    },
    {
      // Another object's attribute of the same name is no argparse namespace.
      name: 'not a namespace',
      text: `${head}parser.add_argument("--model", default="acme/a")\nargs = parser.parse_args()\ncfg = load()\nAutoModel.from_pretrained(cfg.model)\n`,
      want: ['7 dynamic'],
    },
    {
      // The run assigns the attribute itself: whatever the default, that is what loads.
      name: 'an attribute assigned in the file',
      text: `${head}parser.add_argument("--model", default="acme/a")\nargs = parser.parse_args()\nargs.model = pick(args.model)\nAutoModel.from_pretrained(args.model)\n`,
      want: ['7 dynamic'],
    },
    {
      // Added twice (a second parser's dest of the same name is its own).
      name: 'a dest added twice',
      text: `${head}parser.add_argument("--model", default="acme/a")\nparser.add_argument("--model", default="acme/b")\nargs = parser.parse_args()\nAutoModel.from_pretrained(args.model)\n`,
      want: ['7 dynamic'],
    },
  ])('$name', ({ text, want }) => {
    expect(refs(text)).toEqual(want);
  });

  it('a flag with no default is named in the run-time note', () => {
    const text = `${head}parser.add_argument("--model")\nargs = parser.parse_args()\nAutoModel.from_pretrained(args.model)\n`;
    const [d] = findPythonReferences('train.py', text, noLocal).dynamic;
    expect(d?.nameFrom).toBe('--model');
    expect(dynamicFinding(d!).message).toContain('chosen at run time (given as --model, with no default in the file)');
  });

  it('a required flag, and a dataclass field with no default, are named as the command line gives them', () => {
    // argparse.py `_parse_known_args`: a required argument's value is the command line's; hf_argparser.py
    // `_parse_dataclass_field` makes a field with no default a required `--<field>`.
    const argparse = `${head}parser.add_argument("--model", required=True, default="acme/never")\nargs = parser.parse_args()\nAutoModel.from_pretrained(args.model)\n`;
    const dataclass = `from dataclasses import dataclass\nfrom transformers import AutoModel, HfArgumentParser\n@dataclass\nclass A:\n    model: str\n(a,) = HfArgumentParser((A,)).parse_args_into_dataclasses()\nAutoModel.from_pretrained(a.model)\n`;
    for (const text of [argparse, dataclass])
      expect(findPythonReferences('train.py', text, noLocal).dynamic.map((d) => d.nameFrom)).toEqual(['--model']);
  });

  it('the finding names the flag, and how to pin its default', () => {
    const text = `${head}parser.add_argument("--model", default="acme/a")\nparser.add_argument("--revision", default="main")\nargs = parser.parse_args()\nAutoModel.from_pretrained(args.model, revision=args.revision)\n`;
    const [ref] = findPythonReferences('train.py', text, noLocal).references;
    const msg = judgeReference(ref!, new Map(), DEFAULT_POLICY).find((f) => f.ruleId === 'CPR001')?.message;
    expect(msg).toContain('acme/a (the default when --model is not given)');
    expect(msg).toContain('at the revision given as --revision, and when it is not given at "main"');
    expect(msg).toContain('default="<40-hex>" where the argument is declared');
  });
});

const hf = (body: string, parse = 'model_args, data_args = parser.parse_args_into_dataclasses()') =>
  [
    'from dataclasses import dataclass, field',
    'from typing import Optional',
    'from transformers import AutoModel, HfArgumentParser',
    '@dataclass',
    'class ModelArguments:',
    '    model_name_or_path: str = field(default="acme/base", metadata={"help": "the model"})',
    '    model_revision: str = field(default="main")',
    '    tokenizer_name: Optional[str] = None',
    '    plain: str = "acme/plain"',
    '    needed: str = field(metadata={"help": "required"})',
    '    made: str = field(default_factory=lambda: "acme/made")',
    '@dataclass',
    'class DataArguments:',
    '    model_name_or_path: str = "acme/data-side"',
    'parser = HfArgumentParser((ModelArguments, DataArguments))',
    parse,
    body,
    '',
  ].join('\n');

describe('HfArgumentParser dataclass defaults', () => {
  it.each([
    {
      // hf_argparser.py `_parse_dataclass_field`: `--<field>` with the field's default; instances in the given order.
      name: 'field(default=…) and the revision beside it',
      text: hf('AutoModel.from_pretrained(model_args.model_name_or_path, revision=model_args.model_revision)'),
      want: ['17 acme/base@main name:--model_name_or_path rev:--model_revision'],
    },
    {
      name: 'the second dataclass is the second name',
      text: hf('AutoModel.from_pretrained(data_args.model_name_or_path)\nAutoModel.from_pretrained(model_args.plain)'),
      want: ['17 acme/data-side@- name:--model_name_or_path', '18 acme/plain@- name:--plain'],
    },
    {
      // None, no default (required), a default_factory: chosen at run time.
      name: 'no default the file decides',
      text: hf(
        'AutoModel.from_pretrained(model_args.tokenizer_name)\nAutoModel.from_pretrained(model_args.needed)\nAutoModel.from_pretrained(model_args.made)',
      ),
      want: ['17 dynamic', '18 dynamic', '19 dynamic'],
    },
    {
      // run_glue.py: a JSON file or the command line; a key the JSON does not set keeps its default either way.
      name: 'parse_json_file or parse_args_into_dataclasses',
      text: hf(
        'AutoModel.from_pretrained(model_args.model_name_or_path)',
        'import sys\nif sys.argv[1].endswith(".json"):\n    model_args, data_args = parser.parse_json_file(json_file=sys.argv[1])\nelse:\n    model_args, data_args = parser.parse_args_into_dataclasses()',
      ),
      want: ['21 acme/base@- name:--model_name_or_path'],
    },
    {
      // TRL scripts: `script_args = parser.parse_args_into_dataclasses()[0]`.
      name: 'an index into the instances',
      text: hf(
        'AutoModel.from_pretrained(second.model_name_or_path)',
        'second = parser.parse_args_into_dataclasses()[1]',
      ),
      want: ['17 acme/data-side@- name:--model_name_or_path'],
    },
    {
      // `HfArgumentParser((A, B)).parse_args_into_dataclasses()`: a parser made in place and parsed at once.
      name: 'a parser made in place',
      text: hf(
        'AutoModel.from_pretrained(data_args.model_name_or_path)',
        'model_args, data_args = HfArgumentParser((ModelArguments, DataArguments)).parse_args_into_dataclasses()',
      ),
      want: ['17 acme/data-side@- name:--model_name_or_path'],
    },
    {
      name: 'a parser made in place, one class, indexed or unpacked',
      text: hf(
        'AutoModel.from_pretrained(second.model_name_or_path)\nAutoModel.from_pretrained(only.plain)',
        'second = HfArgumentParser([ModelArguments, DataArguments]).parse_yaml_file("a.yaml")[1]\n(only,) = HfArgumentParser(ModelArguments).parse_args_into_dataclasses()',
      ),
      want: ['18 acme/data-side@- name:--model_name_or_path', '19 acme/plain@- name:--plain'],
    },
    {
      // run_glue.py: `model_args.tokenizer_name if model_args.tokenizer_name else model_args.model_name_or_path` —
      // None by default, so the model's default loads (python-env.ts `orDefault`).
      name: 'the tokenizer defaults to the model',
      text: hf(
        'AutoModel.from_pretrained(model_args.tokenizer_name if model_args.tokenizer_name else model_args.model_name_or_path)',
      ),
      want: ['17 acme/base@- name:--tokenizer_name'],
    },
    {
      name: 'a name bound another way too',
      text: hf('model_args = load()\nAutoModel.from_pretrained(model_args.model_name_or_path)'),
      want: ['18 dynamic'],
    },
  ])('$name', ({ text, want }) => {
    expect(refs(text)).toEqual(want);
    // The reader without a parser leaves these files to lezer (python-snippet.ts).
    expect(findPythonReferencesFast('train.py', text, noLocal)).toBeUndefined();
  });
});

describe('argparse set up in a function', () => {
  const fn = (ret: string, call = 'args = parse_args()') =>
    [
      'import argparse',
      'from transformers import AutoModel',
      'def parse_args():',
      '    parser = argparse.ArgumentParser()',
      '    parser.add_argument("--model", default="acme/fn")',
      ret,
      'def main():',
      `    ${call}`,
      '    AutoModel.from_pretrained(args.model)',
      '',
    ].join('\n');
  it.each([
    {
      // run_*_no_trainer.py: `args = parser.parse_args()` in the function, `args = parse_args()` in main — every
      // binding of `args` is the parser's namespace.
      name: 'returns a name bound to parse_args',
      text: fn('    args = parser.parse_args()\n    return args'),
      want: ['10 acme/fn@- name:--model'],
    },
    { name: 'returns parse_args()', text: fn('    return parser.parse_args()'), want: ['9 acme/fn@- name:--model'] },
    {
      name: 'returns something else too',
      text: fn('    if parser.prog:\n        return None\n    return parser.parse_args()'),
      want: ['11 dynamic'],
    },
    {
      name: 'a name bound to another value too',
      text: fn('    return parser.parse_args()', 'args = parse_args() or load_config()'),
      want: ['9 dynamic'],
    },
  ])('$name', ({ text, want }) => {
    expect(refs(text)).toEqual(want);
    // The reader without a parser leaves functions that return a namespace to lezer (python-snippet.ts).
    expect(findPythonReferencesFast('train.py', text, noLocal)).toBeUndefined();
  });
});

describe('hostile input', () => {
  it('a logical line holding a hundred thousand parse_args is read once', () => {
    // Each occurrence once, its line once: a copy of the line per occurrence was quadratic (minutes here).
    const text = `args = parser.parse_args()\nx = [\n${'parse_args,\n'.repeat(100_000)}]\ndef f():\n    return args\n`;
    expect(keptStatements(text)).toBeUndefined();
  });
});
