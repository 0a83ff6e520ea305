import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/trust/policy/default.js';
import { dynamicFinding, judgeReference } from '../../src/refs/judge.js';
import { findPythonReferencesFast } from '../../src/refs/python-fast.js';
import { findPythonReferencesInWholeFile } from '../../src/refs/python.js';
import type { FileReferences } from '../../src/refs/types.js';
import { REPO } from '../helpers/cli.js';

/**
 * trust_remote_code as transformers reads it (python-loaders.ts `pythonTruth`): dynamic_module_utils.py
 * `resolve_trust_remote_code` keeps any value but None, and auto_factory.py `_BaseAutoModelClass.from_pretrained` runs
 * the repository's code on `if has_remote_code and trust_remote_code:`. Each reader on its own: the parser-free one
 * (python-fast.ts) and lezer's (python.ts), each judged, level and message.
 */
const DIR = path.join(REPO, 'fixtures', 'refs', 'fidelity');
const noLocal = () => false;
const READERS: readonly [string, (p: string, t: string) => FileReferences | undefined][] = [
  ['python-fast.ts', (p, t) => findPythonReferencesFast(p, t, noLocal)],
  ['python.ts (lezer)', (p, t) => findPythonReferencesInWholeFile(p, t, noLocal)],
];

/** Per reference (`repo`) or run-time note (`dynamic:line`): its CPR002, as `level message`, or `-` for none. */
function remoteCode(refs: FileReferences): Map<string, string> {
  const out = new Map<string, string>();
  for (const ref of refs.references) {
    const f = judgeReference(ref, new Map(), DEFAULT_POLICY).find((x) => x.ruleId === 'CPR002');
    out.set(ref.repoId!.replace('acme/', ''), f ? `${f.level ?? 'error'} ${f.message}` : '-');
  }
  for (const d of refs.dynamic) {
    const f = dynamicFinding(d);
    out.set(`dynamic:${d.line}`, f.ruleId === 'CPR002' ? `${f.level ?? 'error'} ${f.message}` : '-');
  }
  return out;
}

describe.each(READERS)('trust_remote_code, %s', (_, read) => {
  const file = (name: string) => {
    const refs = read(name, readFileSync(path.join(DIR, name), 'utf8'));
    expect(refs).toBeDefined();
    return remoteCode(refs!);
  };

  it('runs the code for a literal Python treats as true, and not for one it treats as false', () => {
    const got = file('trust-remote-code-truthy.py');
    for (const on of ['one', 'not-false', 'bool-one', 'not-off', 'yes', 'minus-one'])
      expect(got.get(on), on).toMatch(/^error .*runs the Python code in that repository/);
    for (const off of ['zero', 'none', 'empty', 'false', 'bool-zero', 'not-one']) expect(got.get(off), off).toBe('-');
  });

  it('gives every shape of a value only the run decides the same warning, saying so', () => {
    const got = file('trust-remote-code-run-time.py');
    for (const shape of ['parameter', 'subscript', 'call', 'negated', 'either', 'both'])
      expect(got.get(shape), shape).toMatch(
        /^warning .* with a trust_remote_code chosen at run time \(an argument, a setting or a call's result whose value this file does not decide\)/,
      );
    expect(got.get('env-unset')).toMatch(
      /^warning .*chosen at run time \(environment variable TRC, with no default in the file\)/,
    );
    expect(got.get('dynamic:24')).toMatch(
      /^warning AutoTokenizer\.from_pretrained loads a model whose name is chosen at run time, with a trust_remote_code chosen at run time too/,
    );
    expect(got.get('never')).toBe('-');
    expect(got.get('always')).toMatch(/^error .*\(trust_remote_code=True\)/);
  });

  it('judges by the default the file gives, and names where it comes from', () => {
    const got = file('trust-remote-code-run-time.py');
    expect(got.get('default-on')).toMatch(
      /^error .*\(trust_remote_code=True: the default when load\(\) is called without on\)/,
    );
    expect(got.get('default-off')).toBe('-');
    expect(got.get('store-true')).toBe('-');
    expect(got.get('store-false')).toMatch(
      /^error .*\(trust_remote_code=True: the default when --no-remote-code is not given\)/,
    );
    expect(got.get('flag-default')).toMatch(/^error .*the default when --remote is not given/);
    expect(got.get('env-on')).toMatch(
      /^error .*\(trust_remote_code="1", a non-empty string, which transformers takes as true: the default when TRC is unset\)/,
    );
    expect(got.get('env-empty')).toBe('-');
  });
});

describe('trust_remote_code from an attribute', () => {
  it('is a run-time value like the others', () => {
    const name = 'trust-remote-code-attributes.py';
    const text = readFileSync(path.join(DIR, name), 'utf8');
    // An attribute of a name no class of the file names (syntax.ts `readsFreeAttribute`): the reader without a parser
    // answers as lezer over the whole file does.
    expect(findPythonReferencesFast(name, text, noLocal)).toEqual(findPythonReferencesInWholeFile(name, text, noLocal));
    const got = remoteCode(findPythonReferencesInWholeFile(name, text, noLocal));
    expect(got.get('attribute')).toMatch(/^warning .*trust_remote_code chosen at run time/);
    expect(got.get('off')).toBe('-');
    expect(got.get('dynamic:12')).toMatch(/^warning .*chosen at run time too/);
  });
});

describe('argparse and dataclass flags', () => {
  it('reads a dataclass field bool default (HfArgumentParser): False runs nothing, True runs the code', () => {
    const text = [
      'from dataclasses import dataclass, field',
      'from transformers import AutoModel, HfArgumentParser',
      '@dataclass',
      'class Args:',
      '    off: bool = field(default=False)',
      '    on: bool = True',
      'parser = HfArgumentParser(Args)',
      '(args,) = parser.parse_args_into_dataclasses()',
      'a = AutoModel.from_pretrained("acme/field-off", trust_remote_code=args.off)',
      'b = AutoModel.from_pretrained("acme/field-on", trust_remote_code=args.on)',
      '',
    ].join('\n');
    for (const [, read] of READERS) {
      const refs = read('train.py', text) ?? findPythonReferencesInWholeFile('train.py', text, noLocal);
      const got = remoteCode(refs);
      expect(got.get('field-off')).toBe('-');
      expect(got.get('field-on')).toMatch(/^error .*\(trust_remote_code=True: the default when --on is not given\)/);
    }
  });
});

describe('other flags read by their truth (python-loaders.ts pythonTruth)', () => {
  it("torchvision's pretrained only the run decides still asks for the table's weights, whatever its shape", () => {
    const text = [
      'from torchvision import models',
      'def build(pretrained, cfg):',
      '    a = models.resnet50(pretrained=pretrained)',
      '    b = models.resnet18(pretrained=cfg["pretrained"])',
      '    c = models.resnet34(pretrained=0)',
      '',
    ].join('\n');
    for (const [, read] of READERS) {
      const refs = read('vision.py', text) ?? findPythonReferencesInWholeFile('vision.py', text, noLocal);
      expect(refs.dynamic.map((d) => `${d.line} ${d.table}`)).toEqual([
        '3 resnet50 pretrained chosen at run time',
        '4 resnet18 pretrained chosen at run time',
      ]);
    }
  });
});
