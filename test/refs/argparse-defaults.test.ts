import { describe, expect, it } from 'vitest';
import { findPythonReferences, findPythonReferencesInWholeFile } from '../../src/refs/python.js';
import { DEFAULT_POLICY } from '../../src/trust/policy/default.js';
import { judgeReference } from '../../src/refs/judge.js';

/**
 * python-argparse.ts: a model or revision read from `args.<dest>` after `args = parser.parse_args()` loads the
 * argument's default when the command line does not give it — what argparse.py does — and is reported as the
 * environment's defaults are, naming the flag. Each case: what the finder the scan uses reports, and lezer over the
 * whole file must agree.
 */
const noLocal = () => false;
const C = '0123456789abcdef0123456789abcdef01234567';

function refs(text: string): string[] {
  const got = findPythonReferences('train.py', text, noLocal);
  expect(got).toEqual(findPythonReferencesInWholeFile('train.py', text, noLocal));
  return [
    ...got.references.map(
      (r) =>
        `${r.line} ${r.repoId}@${r.revision ?? '-'}${r.nameFrom ? ` name:${r.nameFrom}` : ''}${r.revisionFrom ? ` rev:${r.revisionFrom}` : ''}`,
    ),
    ...got.dynamic.map((d) => `${d.line} dynamic`),
  ];
}

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
      // Added twice (a second parser's dest of the same name is its own).
      name: 'a dest added twice',
      text: `${head}parser.add_argument("--model", default="acme/a")\nparser.add_argument("--model", default="acme/b")\nargs = parser.parse_args()\nAutoModel.from_pretrained(args.model)\n`,
      want: ['7 dynamic'],
    },
  ])('$name', ({ text, want }) => {
    expect(refs(text)).toEqual(want);
  });

  it('the finding names the flag, and how to pin its default', () => {
    const text = `${head}parser.add_argument("--model", default="acme/a")\nparser.add_argument("--revision", default="main")\nargs = parser.parse_args()\nAutoModel.from_pretrained(args.model, revision=args.revision)\n`;
    const [ref] = findPythonReferences('train.py', text, noLocal).references;
    const msg = judgeReference(ref!, new Map(), DEFAULT_POLICY).find((f) => f.ruleId === 'CPR001')?.message;
    expect(msg).toContain('acme/a (the default when --model is not given)');
    expect(msg).toContain('at the revision given as --revision, and when it is not given at "main"');
    expect(msg).toContain('default="<40-hex>" in its add_argument');
  });
});
