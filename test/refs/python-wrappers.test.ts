import { parser } from '@lezer/python';
import { describe, expect, it, vi } from 'vitest';
import { pythonLoaderWrappers, readsModuleNames } from '../../src/refs/python-wrappers.js';
import { refsStage } from '../../src/refs/stage.js';
import { scanWith } from '../helpers/scan.js';
import { tempTrees } from '../helpers/temp-tree.js';

const tree = tempTrees('cp-refs-py-wrappers-');

/** Each finding as `rule path:line repo@revision (definedIn)`, sorted. */
const shown = (r: Awaited<ReturnType<typeof scanWith>>) =>
  r.findings
    .filter((f) => f.ruleId !== 'CPR003')
    .map(
      (f) =>
        `${f.ruleId} ${f.location.path}:${f.location.line} ${String(f.evidence?.['repoId'])}@${String(
          f.evidence?.['revision'],
        )} (${String(f.evidence?.['definedIn'])})`,
    )
    .sort();

const MODELS = [
  'from transformers import AutoModel',
  '',
  'def load_model(name, revision=None):',
  '    return AutoModel.from_pretrained(name, revision=revision)',
  '',
].join('\n');

describe('Python loader wrappers, one hop (python-wrappers.ts)', () => {
  it("reads the caller's literal id and revision at the caller's line, relative and absolute imports", async () => {
    const r = await scanWith(
      tree({
        'mypkg/__init__.py': '',
        'mypkg/models.py': MODELS,
        'mypkg/run.py': "from .models import load_model\n\nm = load_model('acme/bert', revision='main')\n",
        'app.py':
          "import mypkg.models as mm\nfrom mypkg.models import load_model\n\nload_model('acme/two')\nx = mm.load_model(\n    'acme/three',\n)\n",
      }),
      [refsStage],
    );
    expect(shown(r)).toEqual([
      'CPR001 app.py:4 acme/two@undefined (mypkg/models.py)',
      'CPR001 app.py:5 acme/three@undefined (mypkg/models.py)',
      'CPR001 mypkg/run.py:3 acme/bert@main (mypkg/models.py)',
    ]);
  });

  it('follows **kwargs carrying trust_remote_code, a revision the module pins by a constant, a decorated def', async () => {
    const r = await scanWith(
      tree({
        'lib.py': [
          'import functools',
          'from transformers import AutoModelForCausalLM as LM',
          'REVISION = "0123456789abcdef0123456789abcdef01234567"',
          '',
          '@functools.lru_cache',
          'def get_model(model_id, **kwargs):',
          '    model = LM.from_pretrained(model_id, revision=REVISION, **kwargs)',
          '    model.eval()',
          '    return model',
          '',
        ].join('\n'),
        'serve.py': 'from lib import get_model\n\nm = get_model("acme/llm", trust_remote_code=True)\n',
      }),
      [refsStage],
    );
    expect(shown(r)).toEqual(['CPR002 serve.py:3 acme/llm@0123456789abcdef0123456789abcdef01234567 (lib.py)']);
  });

  it('keeps the run-time note where no caller names the model, and a caller passing a run-time name gets its own', async () => {
    const r = await scanWith(
      tree({
        'models.py': MODELS,
        'other.py': MODELS.replace('load_model', 'load_other'),
        // Not the wrapper: a function of the same name in another module.
        'own.py': 'def load_model(name):\n    return name\n',
        'a.py': "from own import load_model\n\nload_model('acme/not-a-model')\n",
        'b.py': 'import os\nfrom models import load_model\n\nload_model(os.environ["MODEL"])\n',
      }),
      [refsStage],
    );
    expect(shown(r)).toEqual([
      'CPR010 b.py:4 undefined@undefined (undefined)',
      'CPR010 other.py:4 undefined@undefined (undefined)',
    ]);
  });

  it("reads a caller's other id where the def's parameter has a literal default; a caller passing none adds nothing", async () => {
    const r = await scanWith(
      tree({
        'pkg/__init__.py': '',
        'pkg/models.py': MODELS.replace('def load_model(name,', 'def load_model(name="acme/default",'),
        'run.py': "from pkg.models import load_model\n\nload_model('acme/other', revision='v2')\nload_model()\n",
      }),
      [refsStage],
    );
    // The default is one finding at the def, where a reviewer changes it (the wording says when it applies); a call
    // that leaves it unbound is that same cause, not a second finding at every caller.
    expect(shown(r)).toEqual([
      'CPR001 pkg/models.py:4 acme/default@undefined (undefined)',
      'CPR001 run.py:3 acme/other@v2 (pkg/models.py)',
    ]);
  });

  it("reads the def's other arguments and defaults in the def's module, not the caller's (review C #1)", async () => {
    const r = await scanWith(
      tree({
        'models.py': [
          'import os',
          'from transformers import AutoModel',
          'TRUST = os.environ.get("TRUST") == "1"',
          'REV = os.environ.get("REV", "main")',
          '',
          'def load_model(name, trust=TRUST):',
          '    return AutoModel.from_pretrained(name, trust_remote_code=trust)',
          '',
          'def load_pinned(name):',
          '    return AutoModel.from_pretrained(name, revision=REV)',
          '',
        ].join('\n'),
        'app.py': [
          'from models import load_model, load_pinned',
          'TRUST = False',
          'REV = "0123456789abcdef0123456789abcdef01234567"',
          "load_model('acme/remote')",
          "load_pinned('acme/llm')",
          '',
        ].join('\n'),
      }),
      [refsStage],
    );
    // Neither def is read at its callers: the caller's TRUST and REV are not the ones the loader sees.
    expect(shown(r)).toEqual([
      'CPR002 models.py:7 undefined@undefined (undefined)',
      'CPR010 models.py:10 undefined@undefined (undefined)',
    ]);
  });

  it('keeps the note where a file uses the wrapper otherwise than by a call read here (review C #3)', async () => {
    const r = await scanWith(
      tree({
        'models.py': MODELS,
        'app.py': "from models import load_model\nload_model('acme/fixed')\n",
        'serve.py': 'import sys\nfrom models import load_model\n\nlist(map(load_model, sys.argv[1:]))\n',
        'other.py': MODELS.replace('load_model', 'load_other') + 'DEFAULT = load_other("acme/in-module")\n',
        'b.py': "from other import load_other\nload_other('acme/b')\n",
      }),
      [refsStage],
    );
    expect(shown(r)).toEqual([
      'CPR001 app.py:2 acme/fixed@undefined (models.py)',
      'CPR001 b.py:2 acme/b@undefined (other.py)',
      'CPR010 models.py:4 undefined@undefined (undefined)',
      'CPR010 other.py:4 undefined@undefined (undefined)',
    ]);
  });

  it('reads every wrapper call of a line, each at its own column (review C #4)', async () => {
    const r = await scanWith(
      tree({
        'models.py': MODELS,
        'app.py': [
          'from models import load_model',
          "ms = [load_model('acme/first'), load_model('acme/second')]",
          "a = load_model('acme/third'); b = load_model('acme/fourth')",
          '',
        ].join('\n'),
      }),
      [refsStage],
    );
    expect(
      r.findings
        .filter((f) => f.ruleId === 'CPR001')
        .map((f) => `${f.location.line}:${f.location.column} ${String(f.evidence?.['repoId'])}`)
        .sort(),
    ).toEqual(['2:33 acme/second', '2:7 acme/first', '3:35 acme/fourth', '3:5 acme/third']);
  });

  it('keeps the note of a def whose decorator may replace the call (review C #6)', async () => {
    const r = await scanWith(
      tree({
        'models.py': [
          'from transformers import AutoModel',
          'from hooks import swap',
          '',
          '@swap',
          'def load_model(name):',
          '    return AutoModel.from_pretrained(name)',
          '',
        ].join('\n'),
        'app.py': "from models import load_model\nload_model('acme/safe')\n",
      }),
      [refsStage],
    );
    expect(shown(r)).toEqual(['CPR010 models.py:6 undefined@undefined (undefined)']);
  });

  it('reads no call where a parameter, local, class attribute or module def of the same name shadows the import (review C #7)', async () => {
    const r = await scanWith(
      tree({
        'models.py': MODELS,
        'app.py': [
          'from models import load_model',
          '',
          'def run(load_model):',
          "    return load_model('acme/param-shadow')",
          '',
          'def local():',
          '    load_model = print',
          "    return load_model('acme/local-shadow')",
          '',
          'class K:',
          '    load_model = staticmethod(print)',
          "    x = load_model('acme/class-shadow')",
          '    def m(self):',
          "        return load_model('acme/method-real')",
          '',
          'def lazy():',
          '    from models import load_model',
          "    return load_model('acme/lazy-real')",
          '',
          "f = lambda load_model: load_model('acme/lambda-shadow')",
          'print(dict(load_model=1))',
          '',
        ].join('\n'),
        // The module binds the name again: which object a call sees is the run's, so the note stands.
        'own.py': "from models import load_model\n\ndef load_model(name):\n    return name\n\nload_model('acme/own')\n",
      }),
      [refsStage],
    );
    expect(shown(r)).toEqual([
      'CPR001 app.py:14 acme/method-real@undefined (models.py)',
      'CPR001 app.py:18 acme/lazy-real@undefined (models.py)',
      'CPR010 models.py:4 undefined@undefined (undefined)',
    ]);
  });

  it("reads no call where a comprehension's own variable shadows the import, but reads its outermost iterable", async () => {
    const r = await scanWith(
      tree({
        'models.py': MODELS,
        'app.py': [
          'from models import load_model',
          '',
          'fs = [print]',
          "a = [load_model('acme/list-shadow') for load_model in fs]",
          "b = {k: load_model('acme/dict-shadow') for k, load_model in {}.items()}",
          "c = list(load_model('acme/gen-shadow') for load_model in fs)",
          "d = [m for m in load_model('acme/iter-real')]",
          "e = [load_model('acme/comp-real') for n in range(2)]",
          '',
        ].join('\n'),
      }),
      [refsStage],
    );
    expect(shown(r)).toEqual([
      'CPR001 app.py:7 acme/iter-real@undefined (models.py)',
      'CPR001 app.py:8 acme/comp-real@undefined (models.py)',
    ]);
  });

  it("keeps the note where the def's parameter is rebound by a nested nonlocal or a := in a comprehension (review 56 C1)", async () => {
    const PIN = '0123456789abcdef0123456789abcdef01234567';
    const wrapper = (rebind: string[]) =>
      [
        'import os',
        'from transformers import AutoModel',
        '',
        'def load_model(name, revision=None):',
        ...rebind,
        '    return AutoModel.from_pretrained(name, revision=revision)',
        '',
      ].join('\n');
    const app = `from models import load_model\nm = load_model('acme/safe', revision='${PIN}')\n`;
    const nonlocalTree = tree({
      'models.py': wrapper([
        '    def pick():',
        '        nonlocal name',
        "        name = os.environ.get('MODEL_OVERRIDE', name)",
        '    pick()',
      ]),
      'app.py': app,
    });
    const walrusTree = tree({
      'models.py': wrapper(["    [(name := os.environ.get('MODEL_OVERRIDE', name)) for _ in range(1)]"]),
      'app.py': app,
    });
    expect(shown(await scanWith(nonlocalTree, [refsStage]))).toEqual([
      'CPR010 models.py:9 undefined@undefined (undefined)',
    ]);
    expect(shown(await scanWith(walrusTree, [refsStage]))).toEqual([
      'CPR010 models.py:6 undefined@undefined (undefined)',
    ]);
  });

  it('reads a call in a comprehension in a class body as the import, and no call of a match capture (review 56 C4, C5)', async () => {
    const r = await scanWith(
      tree({
        'models.py': MODELS,
        'app.py': [
          'from models import load_model',
          '',
          'class K:',
          '    load_model = staticmethod(print)',
          "    warm = [load_model('acme/class-comp') for _ in range(1)]",
          '',
          'def f(x):',
          '    match x:',
          '        case load_model:',
          "            return load_model('acme/match-shadow')",
          '',
        ].join('\n'),
      }),
      [refsStage],
    );
    expect(shown(r)).toEqual(['CPR001 app.py:5 acme/class-comp@undefined (models.py)']);
  });

  it('keeps the note of a wrapper a notebook calls, beside a .py caller that is read', async () => {
    const cell = (source: string[]) => ({ cell_type: 'code', metadata: {}, outputs: [], source });
    const notebook = {
      cells: [cell(['from models import load_model\n']), cell(['m = load_model(input())\n'])],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5,
    };
    const r = await scanWith(
      tree({
        'models.py': MODELS,
        'app.py':
          "from models import load_model\n\nload_model('acme/py', revision='aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')\n",
        'explore.ipynb': JSON.stringify(notebook),
      }),
      [refsStage],
    );
    expect(shown(r)).toEqual(['CPR010 models.py:4 undefined@undefined (undefined)']);
  });

  it('follows no def its module defines twice: the last one binds the name (review C #7, q1)', async () => {
    const r = await scanWith(
      tree({
        'models.py':
          MODELS +
          '\ndef load_model(name, revision=None):\n    return AutoModel.from_pretrained(name, trust_remote_code=True)\n',
        'app.py': "from models import load_model\nm = load_model('acme/x')\n",
      }),
      [refsStage],
    );
    expect(shown(r)).toEqual([
      'CPR002 models.py:7 undefined@undefined (undefined)',
      'CPR010 models.py:4 undefined@undefined (undefined)',
    ]);
  });

  it('reads no call Python would reject: a missing argument, a positional-only parameter by keyword', async () => {
    const r = await scanWith(
      tree({
        'models.py': [
          'from transformers import AutoModel',
          '',
          'def load_on(name, device):',
          '    return AutoModel.from_pretrained(name).to(device)',
          '',
          'def load_pos(name, /, revision=None):',
          '    return AutoModel.from_pretrained(name, revision=revision)',
          '',
        ].join('\n'),
        'app.py': [
          'from models import load_on, load_pos',
          "load_on('acme/missing')",
          "load_on('acme/given', 'cuda')",
          "load_pos(name='acme/by-keyword')",
          "load_pos('acme/by-place', revision='v1')",
          '',
        ].join('\n'),
      }),
      [refsStage],
    );
    // The rejected calls raise TypeError before the body runs: no load, and the wrapper's note stands for them.
    expect(shown(r)).toEqual([
      'CPR001 app.py:3 acme/given@undefined (models.py)',
      'CPR001 app.py:5 acme/by-place@v1 (models.py)',
      'CPR010 models.py:4 undefined@undefined (undefined)',
      'CPR010 models.py:7 undefined@undefined (undefined)',
    ]);
  });

  it('parses a wrapper module once, and asks for its constants only where the loader call names one (review C #9)', () => {
    const parse = vi.spyOn(parser, 'parse');
    try {
      const places = [{ line: 4, column: 12 }];
      const plain = pythonLoaderWrappers('models.py', MODELS, places);
      const again = pythonLoaderWrappers('models.py', MODELS, places, new Map());
      expect(parse).toHaveBeenCalledTimes(1);
      expect(again).toEqual(plain);
      expect(plain.map(readsModuleNames)).toEqual([false]);
      const pinned = MODELS.replace('revision=revision', 'revision=REVISION');
      expect(pythonLoaderWrappers('models.py', pinned, places).map(readsModuleNames)).toEqual([true]);
    } finally {
      parse.mockRestore();
    }
  });
});
