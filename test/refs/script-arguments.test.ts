import { describe, expect, it } from 'vitest';
import { refFindingLines } from './finding-lines.js';
import { argumentLoads, findScriptArgumentReferences } from '../../src/refs/script-arguments.js';
import type { ModelReference } from '../../src/refs/types.js';
import { scriptOptions } from '../../src/refs/python-argparse.js';
import { keptByWalk } from '../helpers/own-sources.js';
import { tempTrees, type Tree } from '../helpers/temp-tree.js';
import { scanWith } from '../helpers/scan.js';
import { EMPTY_REGISTRY } from '../../src/core/trusted-registry.js';
import { refsStage } from '../../src/refs/stage.js';

/**
 * script-arguments.ts: a Python script that loads a model by a command-line argument (argparse.py
 * `_parse_known_args`: `--flag value`, `--flag=value`, the last occurrence; after `--` nothing is an option) loads
 * whatever a command line of the repository gives it — a shell script, a Makefile recipe, a workflow step, a
 * Dockerfile's exec form — reported at the command's line, as the script's loader judges it.
 */
const tree = tempTrees('chainproof-script-arguments-');
const C = '0123456789abcdef0123456789abcdef01234567';

/** Each finding outside the scripts (`rule path:line:column repo@revision`, or `dynamic`), sorted. */
function scan(files: Tree): Promise<string[]> {
  return refFindingLines(tree(files), (f) => !f.location.path.endsWith('.py'));
}

const TRAIN = [
  'import argparse',
  'from transformers import AutoModel',
  'parser = argparse.ArgumentParser()',
  'parser.add_argument("--model_name_or_path", default="acme/base")',
  `parser.add_argument("--revision", default="${C}")`,
  'parser.add_argument("--trust_remote_code", action="store_true")',
  'args = parser.parse_args()',
  'AutoModel.from_pretrained(args.model_name_or_path, revision=args.revision, trust_remote_code=args.trust_remote_code)',
  '',
].join('\n');

describe('command lines that give a script its model (script-arguments.ts)', () => {
  it('reads the value a shell script, a Makefile, a workflow and a Dockerfile give the flag', async () => {
    expect(
      await scan({
        'train.py': TRAIN,
        'run.sh':
          '#!/bin/sh\n# python train.py --model_name_or_path acme/commented\npython train.py --model_name_or_path acme/shell\n',
        Makefile: 'train:\n\tpython3 -u train.py --model_name_or_path=acme/make --revision main\n',
        '.github/workflows/ci.yml':
          'on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          accelerate launch --num_processes 2 train.py \\\n            --model_name_or_path acme/workflow\n',
        Dockerfile:
          'FROM python:3.11\nCOPY . /app\nCMD ["python", "/app/train.py", "--model_name_or_path", "acme/docker"]\n',
      }),
    ).toEqual([
      'CPR001 Makefile:2:43 acme/make@main',
      `CPR003 .github/workflows/ci.yml:8:34 acme/workflow@${C}`,
      `CPR003 Dockerfile:3:57 acme/docker@${C}`,
      'CPR003 Makefile:2:43 acme/make@main',
      `CPR003 run.sh:3:38 acme/shell@${C}`,
    ]);
  });

  it("reads a Dockerfile's exec-form ENTRYPOINT with its CMD's words after it, as the image runs them", async () => {
    // docs.docker.com reference/dockerfile "Understand how CMD and ENTRYPOINT interact": the last stage's exec-form
    // ENTRYPOINT runs with the CMD's words as its arguments; a shell-form ENTRYPOINT ignores CMD, and an earlier
    // stage's start is no part of the image.
    expect(
      await scan({
        'train.py': TRAIN,
        Dockerfile: [
          'FROM python:3.11 AS build',
          'ENTRYPOINT ["python", "/app/train.py"]',
          'CMD ["--model_name_or_path", "acme/built"]',
          'FROM python:3.11',
          'COPY . /app',
          'CMD ["--model_name_or_path", "acme/entry"]',
          'ENTRYPOINT ["python", "/app/train.py"]',
          '',
        ].join('\n'),
        'shell.Dockerfile':
          'FROM python:3.11\nENTRYPOINT python /app/train.py\nCMD ["--model_name_or_path", "acme/ignored"]\n',
      }),
    ).toEqual([`CPR003 Dockerfile:6:30 acme/entry@${C}`]);
  });

  it("takes the last value before `--`, `uv run`'s script, and no folder, test runner or inline code", async () => {
    expect(
      await scan({
        'train.py': TRAIN,
        'local/config.json': '{}\n',
        'run.sh': [
          'python train.py --model_name_or_path acme/first --model_name_or_path acme/last',
          'uv run --with rich train.py --model_name_or_path acme/uv',
          'python train.py -- --model_name_or_path acme/positional',
          'python train.py --model_name_or_path local',
          'python -m pytest train.py --model_name_or_path acme/pytest',
          'python train.py --model_name_or_path "$MODEL"',
          'python train.py --model_name_or_path',
          '',
        ].join('\n'),
      }),
    ).toEqual([`CPR003 run.sh:1:70 acme/last@${C}`, `CPR003 run.sh:2:50 acme/uv@${C}`, 'CPR010 run.sh:6:38 dynamic']);
  });

  it('turns trust_remote_code on where the command gives a store_true flag, with the default model', async () => {
    expect(
      await scan({
        'train.py': TRAIN,
        'run.sh': 'python train.py --trust_remote_code\npython train.py --revision main --model_name_or_path acme/x\n',
      }),
    ).toEqual(
      [
        `CPR002 run.sh:1:17 acme/base@${C}`,
        `CPR003 run.sh:1:17 acme/base@${C}`,
        'CPR001 run.sh:2:54 acme/x@main',
        'CPR003 run.sh:2:54 acme/x@main',
      ].sort(),
    );
  });

  it('gives a model to a flag with no default: None, required=True, a dataclass field with none', async () => {
    const script = (loads: string) => `import argparse\nfrom transformers import AutoModel\n${loads}`;
    expect(
      await scan({
        'serve.py': script(
          'p = argparse.ArgumentParser()\np.add_argument("--model")\np.add_argument("--base", required=True)\na = p.parse_args()\nAutoModel.from_pretrained(a.model)\nAutoModel.from_pretrained(a.base)\n',
        ),
        'tune.py': script(
          'from dataclasses import dataclass\nfrom transformers import HfArgumentParser\n@dataclass\nclass Args:\n    model_name_or_path: str\n(args,) = HfArgumentParser((Args,)).parse_args_into_dataclasses()\nAutoModel.from_pretrained(args.model_name_or_path)\n',
        ),
        'run.sh':
          'python serve.py --base acme/b --model acme/m\ntorchrun --nproc_per_node=8 tune.py --model_name_or_path=acme/t\n',
      }),
    ).toEqual([
      'CPR001 run.sh:1:24 acme/b@-',
      'CPR001 run.sh:1:39 acme/m@-',
      'CPR001 run.sh:2:58 acme/t@-',
      'CPR003 run.sh:1:24 acme/b@-',
      'CPR003 run.sh:1:39 acme/m@-',
      'CPR003 run.sh:2:58 acme/t@-',
    ]);
  });

  it('reads a unique prefix of a long option as argparse does (allow_abbrev), and no ambiguous or disallowed one', async () => {
    // argparse.py `_parse_optional` / `_get_option_tuples`: `--model_n` is `--model_name_or_path` (the only option
    // it starts), `--model` could be `--model_type` too (argparse exits: nothing loads); `allow_abbrev=False` takes
    // only the whole option.
    const typed = TRAIN.replace(
      'parser.add_argument("--revision"',
      'parser.add_argument("--model_type")\nparser.add_argument("--revision"',
    );
    expect(
      await scan({
        'train.py': typed,
        'strict/train.py': typed.replace('ArgumentParser()', 'ArgumentParser(allow_abbrev=False)'),
        'run.sh': [
          'python train.py --model_n acme/abbrev',
          'python train.py --model_name_or_path acme/whole --model_na=acme/later',
          'python train.py --model acme/ambiguous',
          'python train.py --rev main --trust',
          'python strict/train.py --model_n acme/strict',
          '',
        ].join('\n'),
      }),
    ).toEqual(
      [
        `CPR003 run.sh:1:27 acme/abbrev@${C}`,
        `CPR003 run.sh:2:60 acme/later@${C}`,
        'CPR001 run.sh:4:23 acme/base@main',
        'CPR002 run.sh:4:23 acme/base@main',
        'CPR003 run.sh:4:23 acme/base@main',
      ].sort(),
    );
  });

  it("knows a script's options only where the file writes them all (python-argparse.ts scriptOptions)", () => {
    const made = 'import argparse\nparser = argparse.ArgumentParser()\n';
    expect(
      scriptOptions(`${made}parser.add_argument("-m", "--model", default="a/b")\nparser.add_argument("path")\n`),
    ).toEqual({
      arguments: [
        ['-h', '--help'],
        ['-m', '--model'],
      ],
      abbreviates: true,
      // How argparse gives words to the positionals: each argument's nargs (none for `--model`, 0 for `--help`).
      words: {
        nargs: [0, null],
        positionals: [{ dest: 'path', nargs: null }],
        keepsExtras: false,
        negativeOptions: false,
      },
    });
    // Options the file does not write, or matched some other way: only the option as the finding names it.
    for (const more of [
      'add_model_args(parser)\n',
      'parser.add_argument(*FLAGS)\n',
      'other = argparse.ArgumentParser()\n',
      'sub = parser.add_subparsers()\n',
      'child = argparse.ArgumentParser(parents=[base])\n',
    ])
      expect(scriptOptions(`${made}parser.add_argument("--model")\n${more}`)).toBeUndefined();
    // No positional: a bare word no option takes is `parse_args`'s error, unless the file keeps such words.
    const words = { nargs: [0], positionals: [], keepsExtras: false, negativeOptions: false };
    expect(scriptOptions(made.replace('()', '(allow_abbrev=False)'))).toEqual({
      arguments: [['-h', '--help']],
      noPositionals: true,
      words,
    });
    expect(scriptOptions(`${made}args, rest = parser.parse_known_args()\n`)).toEqual({
      arguments: [['-h', '--help']],
      abbreviates: true,
      words: { ...words, keepsExtras: true },
    });
  });

  it("takes the other strings of the flag's argument: a short option, alone, after `=` or joined", async () => {
    // argparse.py `_parse_optional`: `-m` is the argument `--model_name_or_path` names too; `-m=v` and `-mv`
    // (`_get_option_tuples`: a short option that starts the word) give it a value, allow_abbrev or not.
    const short = TRAIN.replace('"--model_name_or_path"', '"-m", "--model_name_or_path"').replace(
      'ArgumentParser()',
      'ArgumentParser(allow_abbrev=False)',
    );
    expect(
      await scan({
        'train.py': short,
        'run.sh':
          'python train.py -m acme/a\npython train.py -m=acme/b\npython train.py -macme/c\npython train.py --model_n acme/d\n',
      }),
    ).toEqual([`CPR003 run.sh:1:20 acme/a@${C}`, `CPR003 run.sh:2:20 acme/b@${C}`, `CPR003 run.sh:3:19 acme/c@${C}`]);
  });

  it('takes a word that starts a single-dash long option for it, two characters too', async () => {
    // argparse.py `_get_option_tuples` (Python 3.11), allow_abbrev or not: `-m` and `-mo` start `-model_name_or_path`
    // only, so each is that option (`parse_args(['-m', 'acme/a'])` sets model_name_or_path).
    const single = TRAIN.replace('"--model_name_or_path"', '"-model_name_or_path"').replace(
      'ArgumentParser()',
      'ArgumentParser(allow_abbrev=False)',
    );
    expect(
      await scan({ 'train.py': single, 'run.sh': 'python train.py -m acme/a\npython train.py -mo acme/b\n' }),
    ).toEqual([`CPR003 run.sh:1:20 acme/a@${C}`, `CPR003 run.sh:2:21 acme/b@${C}`]);
  });

  it("takes a dataclass field's hyphenated option (HfArgumentParser), and no argparse flag's", async () => {
    // hf_argparser.py `_parse_dataclass_field`: `--model_name_or_path` and `--model-name-or-path` are one option; a
    // plain argparse parser has only the option as written (`--model-name-or-path` is no prefix of it: an error).
    const tune = [
      'from dataclasses import dataclass',
      'from transformers import AutoModel, HfArgumentParser',
      '@dataclass',
      'class Args:',
      '    model_name_or_path: str = "acme/base"',
      '(args,) = HfArgumentParser((Args,)).parse_args_into_dataclasses()',
      'AutoModel.from_pretrained(args.model_name_or_path)',
      '',
    ].join('\n');
    expect(
      await scan({
        'tune.py': tune,
        'train.py': TRAIN,
        'run.sh':
          'python tune.py --model-name-or-path acme/hyphen\npython train.py --model-name-or-path acme/argparse\n',
      }),
    ).toEqual(['CPR001 run.sh:1:37 acme/hyphen@-', 'CPR003 run.sh:1:37 acme/hyphen@-']);
  });

  it("reads a notebook's shell escapes and shell cells as command lines, at their place in its JSON", async () => {
    // IPython `InteractiveShell.system` runs `!cmd` in a shell; `%%bash` runs its cell's lines.
    const notebook = JSON.stringify(
      {
        cells: [
          {
            cell_type: 'code',
            source: ['!pip install transformers\n', '!python train.py --model_name_or_path acme/nb'],
          },
          { cell_type: 'code', source: ['%%bash\n', 'python3 train.py --model_name_or_path=acme/cell\n'] },
          { cell_type: 'markdown', source: ['!python train.py --model_name_or_path acme/prose'] },
        ],
        metadata: { language_info: { name: 'python', file_extension: '.py' } },
        nbformat: 4,
        nbformat_minor: 5,
      },
      null,
      1,
    );
    expect(keptByWalk('run.ipynb', Buffer.from(notebook))).toBe(true);
    expect(await scan({ 'train.py': TRAIN, 'run.ipynb': notebook })).toEqual([
      `CPR003 run.ipynb:14:44 acme/cell@${C}`,
      `CPR003 run.ipynb:7:44 acme/nb@${C}`,
    ]);
  });

  it("finds the script from the command file's folder, the root, or one path that ends alike", async () => {
    expect(
      await scan({
        'jobs/a/train.py': TRAIN,
        'jobs/b/train.py': TRAIN,
        'jobs/a/run.sh': 'python train.py --model_name_or_path acme/here\n',
        Makefile: 'x:\n\tpython jobs/b/train.py --model_name_or_path acme/root\n',
        Dockerfile: 'FROM python:3.11\nCMD python /app/train.py --model_name_or_path acme/either\n',
      }),
    ).toEqual([`CPR003 Makefile:2:46 acme/root@${C}`, `CPR003 jobs/a/run.sh:1:38 acme/here@${C}`]);
  });

  it("keeps the walk's read of a file that runs a script, and declines one that runs none (not read again)", () => {
    // The refs stage reads a command file's text from the walk's copy (prefilter.ts `mayNameModelRead`).
    expect(keptByWalk('jobs/run.sh', Buffer.from('cd jobs\npython3 train.py --model_name_or_path acme/x\n'))).toBe(
      true,
    );
    expect(keptByWalk('Makefile', Buffer.from('x:\n\ttorchrun --nproc_per_node 8 jobs/train.py\n'))).toBe(true);
    expect(keptByWalk('jobs/run.sh', Buffer.from('uv run train.py --model_name_or_path acme/x\n'))).toBe(true);
    expect(keptByWalk('jobs/run.sh', Buffer.from('make -C jobs\necho done\n'))).toBe(false);
  });

  it('reads the command lines a Python program runs, as subprocess hands them to the system', async () => {
    expect(
      await refFindingLines(
        tree({
          'train.py': TRAIN,
          // A list is argv word for word, over several lines; sys.executable is the interpreter.
          'launch.py': [
            'import subprocess',
            'import sys',
            '',
            'subprocess.run(',
            '    [',
            '        sys.executable,',
            '        "train.py",',
            '        "--model_name_or_path",',
            '        "acme/list",',
            '        "--trust_remote_code",',
            '    ],',
            '    check=True,',
            ')',
            '',
          ].join('\n'),
          // (The walk keeps a Python file that names subprocess: prefilter.ts `mayRunPythonScriptBytes`.)
          'system.py': 'import os, subprocess\nos.system("python train.py --model_name_or_path acme/system")\n',
          'shell.py':
            'import subprocess\nsubprocess.check_call("cd . && python3 train.py --model_name_or_path acme/shell", shell=True)\n',
          'split.py':
            'import shlex\nfrom subprocess import Popen\nPopen(shlex.split("python train.py --model_name_or_path acme/split"))\n',
          'constant.py': [
            'import subprocess',
            'from sys import executable',
            'MODEL = "acme/constant"',
            'subprocess.check_output([executable, "train.py", "--model_name_or_path", MODEL])',
            '',
          ].join('\n'),
          // A value the file does not decide is the run time's; a comment and `-c` run no script.
          'runtime.py': [
            'import subprocess',
            'def go(model):',
            '    subprocess.run(["python", "train.py", "--model_name_or_path", model])',
            '# subprocess.run(["python", "train.py", "--model_name_or_path", "acme/comment"])',
            'subprocess.run(["python", "-c", "import train", "train.py", "--model_name_or_path", "acme/inline"])',
            '',
          ].join('\n'),
        }),
        (f) => f.location.path !== 'train.py',
      ),
    ).toEqual([
      `CPR002 launch.py:9:10 acme/list@${C}`,
      `CPR003 constant.py:4:74 acme/constant@${C}`,
      `CPR003 launch.py:9:10 acme/list@${C}`,
      `CPR003 shell.py:2:70 acme/shell@${C}`,
      `CPR003 split.py:3:57 acme/split@${C}`,
      `CPR003 system.py:2:49 acme/system@${C}`,
      'CPR010 runtime.py:3:67 dynamic',
    ]);
  });

  it("keeps the walk's read of a Python program that may run a script, and declines one that may not", () => {
    const run = 'import subprocess, sys\nsubprocess.run([sys.executable, "train.py", "--model", "acme/x"])\n';
    expect(keptByWalk('jobs/launch.py', Buffer.from(run))).toBe(true);
    expect(keptByWalk('jobs/launch.py', Buffer.from(run.replace('sys.executable', '"python3"')))).toBe(true);
    expect(keptByWalk('jobs/launch.py', Buffer.from(run.replace('train.py', 'train')))).toBe(false);
    expect(keptByWalk('jobs/launch.py', Buffer.from('import sys\nprint(sys.executable, "train.py")\n'))).toBe(false);
  });

  it('reads each command segment once on a line of a hundred thousand runners', () => {
    const ref: ModelReference = {
      path: 'train.py',
      line: 8,
      column: 1,
      via: 'AutoModel.from_pretrained',
      hub: 'huggingface',
      repoId: 'acme/base',
      nameFrom: '--model',
      revisionKind: 'none',
      runsRemoteCode: false,
    };
    const line = `${'python;'.repeat(50_000)}${'python python '.repeat(50_000)}; python train.py --model acme/end\n`;
    const found = findScriptArgumentReferences('run.sh', line, new Map([['train.py', [{ ref }]]]), () => false);
    expect(found.references.map((r) => `${r.line}:${r.column} ${r.repoId}`)).toEqual([
      `1:${line.indexOf('acme/end') + 1} acme/end`,
    ]);
  });

  // A script of thousands of loads by one flag, run by thousands of command lines: each line was given a reference
  // per load (3,000 × 3,000 references took minutes and gigabytes), and each load read the line's words again.
  const load = (line: number, revisionFrom?: string): ModelReference => ({
    path: 'train.py',
    line,
    column: 1,
    via: 'AutoModel.from_pretrained',
    hub: 'huggingface',
    repoId: 'acme/base',
    nameFrom: '--model',
    revisionKind: 'none',
    runsRemoteCode: false,
    ...(revisionFrom !== undefined ? { revisionFrom } : {}),
  });

  it('gives each command line one reference for the loads of a script that differ only in their place', () => {
    const loads = argumentLoads(
      Array.from({ length: 3_000 }, (_, i) => load(i + 8)),
      [],
      new Map(),
    );
    const text = Array.from(
      { length: 3_000 },
      (_, i) => `python train.py --model acme/m${i}
`,
    ).join('');
    const found = findScriptArgumentReferences('run.sh', text, loads, () => false);
    expect(found.references).toHaveLength(3_000);
    expect(found.references.map((r) => `${r.line} ${r.repoId}`).slice(0, 2)).toEqual(['1 acme/m0', '2 acme/m1']);
  });

  it('reads a command of half a million words once for thousands of loads by distinct flags', () => {
    const loads = argumentLoads(
      Array.from({ length: 4_000 }, (_, i) => load(i + 8, `--rev${i}`)),
      [],
      new Map(),
    );
    const line = `python train.py ${'--x y '.repeat(250_000)}--model=acme/end --rev7 main\n`;
    const found = findScriptArgumentReferences('run.sh', line, loads, () => false);
    const byRevision = found.references.filter((r) => r.revision === 'main');
    expect(found.references).toHaveLength(4_000);
    expect(byRevision.map((r) => `${r.repoId} ${r.argumentOf}`)).toEqual(['acme/end train.py --model']);
  });
});

describe("a trust flag's value as the script's parser reads it (script-arguments.ts `flagTruth`)", () => {
  /**
   * A script loading `--model` (acme/base) whose `--trust_remote_code` is added by `argument` (its keywords after
   * it), with `before` (a function it calls) and a positional `data`.
   */
  const argparseScript = (argument: string, before = '') =>
    [
      'import argparse',
      'from transformers import AutoModel',
      before,
      'parser = argparse.ArgumentParser()',
      'parser.add_argument("--model", default="acme/base")',
      `parser.add_argument("--trust_remote_code"${argument})`,
      'parser.add_argument("data", nargs="?")',
      'args = parser.parse_args()',
      'AutoModel.from_pretrained(args.model, trust_remote_code=args.trust_remote_code)',
      '',
    ].join('\n');
  const dataclassScript = (annotation: string) =>
    [
      'from dataclasses import dataclass',
      'from transformers import AutoModel, HfArgumentParser',
      '@dataclass',
      'class Args:',
      '    model_name_or_path: str = "acme/base"',
      `    trust_remote_code: ${annotation} = False`,
      '(args,) = HfArgumentParser((Args,)).parse_args_into_dataclasses()',
      'AutoModel.from_pretrained(args.model_name_or_path, trust_remote_code=args.trust_remote_code)',
      '',
    ].join('\n');
  const STR2BOOL = 'def str2bool(v):\n    return v.lower() in ("true", "1")\n';

  /**
   * The line of each command that runs the repository's code (CPR002), marked `run-time` where the finding says only
   * the run decides it, sorted.
   */
  async function trustLines(files: Tree): Promise<string[]> {
    const r = await scanWith(tree(files), [refsStage], { registry: EMPTY_REGISTRY });
    return r.findings
      .filter((f) => f.ruleId === 'CPR002' && f.location.path === 'run.sh')
      .map((f) => `${f.location.line}${f.message.includes('chosen at run time') ? ' run-time' : ''}`)
      .sort();
  }

  it('reads `type=bool` and a plain string as Python does: every non-empty value, "False" too, is true', async () => {
    // argparse.py `_get_values`: `bool("False")` is True; a string flag hands "False" on, which transformers takes
    // as a true `trust_remote_code`. `--trust_remote_code` alone is argparse's "expected one argument" error.
    expect(
      await trustLines({
        'typed.py': argparseScript(', type=bool, default=False'),
        'plain.py': argparseScript(', default=False'),
        'run.sh': [
          'python typed.py --trust_remote_code False',
          'python typed.py --trust_remote_code=0',
          'python typed.py --trust_remote_code ""',
          'python typed.py --trust_remote_code',
          'python plain.py --trust_remote_code no',
          '',
        ].join('\n'),
      }),
    ).toEqual(['1', '2', '5']);
  });

  it("takes no value after a store_true flag, and one joined by `=` is argparse's error", async () => {
    // argparse.py `consume_optional`: `store_true` consumes no word (`False` here is `data`), and
    // `--flag=yes` is "ignored explicit argument" (argparse exits: nothing loads).
    expect(
      await trustLines({
        'switch.py': argparseScript(', action="store_true"'),
        'run.sh': 'python switch.py --trust_remote_code False\npython switch.py --trust_remote_code=yes\n',
      }),
    ).toEqual(['1']);
  });

  it('takes the word after a store_true flag as the error it is where the parser has no positional', async () => {
    // argparse.py `consume_optional` leaves `False` to the positionals; with none, `parse_args` exits
    // ("unrecognized arguments: False") and nothing loads. A word the shell expands may be an option, or no word:
    // it stays on.
    expect(
      await trustLines({
        'strict.py': argparseScript(', action="store_true"').replace('parser.add_argument("data", nargs="?")\n', ''),
        'run.sh': [
          'python strict.py --trust_remote_code False',
          'python strict.py --trust_remote_code --model acme/other',
          'python strict.py --trust_remote_code "$EXTRA"',
          'python strict.py --trust_remote_code',
          '',
        ].join('\n'),
      }),
    ).toEqual(['2', '3', '4']);
  });

  it('reads a short switch in a cluster as argparse does, and no cluster argparse rejects', async () => {
    // argparse.py `consume_optional` (Python 3.11): `-vt` is `-v -t`, and `-tm acme/x` is `-t -m acme/x`; in `-tX`
    // the `X` is no option of the parser ("ignored explicit argument"): argparse exits, nothing loads.
    const cluster = argparseScript(', "-t", action="store_true"')
      .replace('"--model", default', '"-m", "--model", default')
      .replace(
        'parser.add_argument("data"',
        'parser.add_argument("-v", action="store_true")\nparser.add_argument("data"',
      );
    expect(
      await trustLines({
        'cluster.py': cluster,
        'run.sh': ['python cluster.py -vt', 'python cluster.py -tX', 'python cluster.py -tm acme/x', ''].join('\n'),
      }),
    ).toEqual(['1', '3']);
  });

  it("reads a dataclass bool field as transformers' string_to_bool does, in any case", async () => {
    // hf_argparser.py `_parse_dataclass_field`: `type=string_to_bool`, `nargs="?"`, `const=True`.
    expect(
      await trustLines({
        'tune.py': dataclassScript('bool'),
        'run.sh': [
          'python tune.py --trust_remote_code F',
          'python tune.py --trust_remote_code FALSE',
          'python tune.py --trust_remote_code T',
          'python tune.py --trust-remote-code Yes',
          'python tune.py --trust_remote_code',
          'python tune.py --trust_remote_code off',
          '',
        ].join('\n'),
      }),
    ).toEqual(['3', '4', '5']);
  });

  it('takes an Optional[bool] field with no default but None as one value the command must give', async () => {
    // hf_argparser.py `_parse_dataclass_field`: no `nargs="?"`/`const=True` for it, so the flag alone is argparse's
    // "expected one argument" error; a value is `string_to_bool`'s. A `bool` field takes the flag alone as True.
    const optional = (fieldLine: string) =>
      dataclassScript('bool').replace('    trust_remote_code: bool = False', fieldLine);
    expect(
      await trustLines({
        'none.py': optional('    trust_remote_code: Optional[bool] = None').replace(
          'from dataclasses',
          'from typing import Optional\nfrom dataclasses',
        ),
        'bare.py': optional('    trust_remote_code: bool | None = field(default=None)').replace(
          'import dataclass',
          'import dataclass, field',
        ),
        'run.sh': [
          'python none.py --trust_remote_code',
          'python none.py --trust_remote_code yes',
          'python bare.py --trust-remote-code',
          'python bare.py --trust-remote-code 1',
          '',
        ].join('\n'),
      }),
    ).toEqual(['2', '4']);
  });

  it("leaves a value a script's own type function converts to the run, whatever it is", async () => {
    expect(
      await trustLines({
        'helper.py': argparseScript(', type=str2bool, default=False', STR2BOOL),
        'run.sh': 'python helper.py --trust_remote_code False\npython helper.py --trust_remote_code True\n',
      }),
    ).toEqual(['1 run-time', '2 run-time']);
  });
});

describe("a script's positional model argument, as argparse gives it the command's words (script-positionals.ts)", () => {
  /** A script that loads its positional `model` (nargs none) after a positional `data` of `dataNargs`, if any. */
  const positionalScript = (data = '') =>
    [
      'import argparse',
      'from transformers import AutoModel',
      'parser = argparse.ArgumentParser()',
      'parser.add_argument("--lr", type=float, default=1e-4)',
      'parser.add_argument("-v", "--verbose", action="store_true")',
      'parser.add_argument("-t", "--tiny", action="store_true")',
      data === '' ? '' : `parser.add_argument("data"${data})`,
      'parser.add_argument("model")',
      'args = parser.parse_args()',
      'AutoModel.from_pretrained(args.model)',
      '',
    ].join('\n');

  it('reads the word argparse gives the positional, past options and their values', async () => {
    // argparse.py `_parse_known_args`: `--lr` takes `3e-4`, `-vt` is `-v -t` (`consume_optional`), after `--` every
    // word is an argument; a word left over (`extra`) is `parse_args`' error, an unquoted expansion may be several
    // words, and a folder of the repository is read from disk: none loads a hub model the command names.
    expect(
      await scan({
        'train.py': positionalScript(),
        'local/config.json': '{}\n',
        'run.sh': [
          'python train.py acme/plain',
          'python train.py --lr 3e-4 -vt acme/after',
          'python train.py --verbose -- acme/dashed',
          'python train.py "$MODEL"',
          'python train.py $MODEL',
          'python train.py acme/first extra',
          'python train.py -vX acme/cluster',
          'python train.py local',
          '',
        ].join('\n'),
      }),
    ).toEqual([
      'CPR001 run.sh:1:17 acme/plain@-',
      'CPR001 run.sh:2:31 acme/after@-',
      'CPR001 run.sh:3:30 acme/dashed@-',
      'CPR003 run.sh:1:17 acme/plain@-',
      'CPR003 run.sh:2:31 acme/after@-',
      'CPR003 run.sh:3:30 acme/dashed@-',
      'CPR010 run.sh:4:17 dynamic',
    ]);
  });

  it("matches the positionals as argparse's patterns do: an optional one before it takes a word only when two are given", async () => {
    // argparse.py `_match_arguments_partial`: `(-*A?-*)(-*A-*)` over one word gives it to `model`, over two the first
    // to `data`; `nargs="+"` before it leaves `model` the last word.
    expect(
      await scan({
        'maybe.py': positionalScript(', nargs="?"'),
        'many.py': positionalScript(', nargs="+"'),
        'run.sh': [
          'python maybe.py acme/one',
          'python maybe.py data.csv acme/two',
          'python many.py a.csv b.csv acme/three',
          '',
        ].join('\n'),
      }),
    ).toEqual([
      'CPR001 run.sh:1:17 acme/one@-',
      'CPR001 run.sh:2:26 acme/two@-',
      'CPR001 run.sh:3:28 acme/three@-',
      'CPR003 run.sh:1:17 acme/one@-',
      'CPR003 run.sh:2:26 acme/two@-',
      'CPR003 run.sh:3:28 acme/three@-',
    ]);
  });
});
