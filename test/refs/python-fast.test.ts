import fc from 'fast-check';
import { BINDING_STATEMENTS, pythonPrograms } from './programs.js';
import { describe, expect, it } from 'vitest';
import { findPythonReferencesFast } from '../../src/refs/python-fast.js';
import { findPythonReferencesInWholeFile, findPythonReferencesWithParser } from '../../src/refs/python.js';
import { differentialRuns, itAgreesOnFixtures } from './differential-runs.js';

/**
 * python-fast.ts reads the statements that matter without a parser: whenever it answers, it must answer exactly
 * what @lezer/python's tree gives for the whole file (references and run-time notes, lines and columns), and it must
 * answer for the shapes ordinary code has, or the grammar loads after all (bench `refs`).
 */
const local = (p: string) => p === 'checkpoints/run-1';
const agrees = (name: string, text: string) => {
  const fast = findPythonReferencesFast(name, text, local);
  if (fast) expect(fast).toEqual(findPythonReferencesInWholeFile(name, text, local));
  return fast !== undefined;
};

describe('findPythonReferencesFast', () => {
  // Shapes it decides alone: each must give an answer, the same as the parser's.
  it.each([
    {
      // LlamaIndex's "local:org/name" (python-loaders.ts `llamaIndexLocalEmbedShape`, python-env.ts for the setting).
      name: 'llama-index-local-embed',
      text: 'from llama_index.core import Settings, VectorStoreIndex\nSettings.embed_model = "local:org/e"\nindex = VectorStoreIndex.from_documents(docs, embed_model="local:org/i")\n',
    },
    {
      // vLLM's LoRARequest and mlx-lm's tokenizer_config trust (python-loaders.ts): shapes the fast reader decides.
      name: 'vllm-lora-and-mlx-trust',
      text: 'from vllm.lora.request import LoRARequest\nfrom mlx_lm import load\nTOK = {"trust_remote_code": True}\nr = LoRARequest("sql", 1, "org/lora")\nm, t = load("org/m", tokenizer_config=TOK)\n',
    },
    {
      name: 'pinned',
      text: 'from transformers import AutoModel\nm = AutoModel.from_pretrained("org/m", revision="0123456789abcdef0123456789abcdef01234567")\n',
    },
    {
      name: 'alias-and-constant',
      text: 'from transformers import AutoModel as M\nMODEL = "org/" + "m"\nm = M.from_pretrained(MODEL)\n',
    },
    {
      name: 'fstring-constant',
      text: 'ORG = "org"\nNAME = f"{ORG}/m-{{x}}"\nfrom transformers import pipeline\np = pipeline("fill-mask", model=NAME)\n',
    },
    { name: 'reassigned-constant', text: 'import torch\nM = "a/b"\nM = "c/d"\ntorch.hub.load(M, "x")\n' },
    {
      // An alias bound once at module level and again in a function (python-scopes.ts: two scopes, one binding
      // each): the module's `nn.load` is torch.hub.load, which runs the repository's hubconf.py. The snippet kept
      // only names bound once in the whole file, and the call was never read.
      name: 'alias-rebound-in-a-function',
      text: 'import torch\nnn = torch.hub\nh = nn.load(MODEL)\ndef f():\n    nn = torch.hub\n',
    },
    {
      // python-argparse.ts: `args.<dest>` reads the argument's default; groups add to their parser.
      name: 'argparse-defaults',
      text: 'import argparse\nfrom transformers import AutoModel\nD = "org/d"\np = argparse.ArgumentParser()\np.add_argument("--model-name", "-m", default=D)\ng = p.add_argument_group("x")\ng.add_argument("--revision", default="main")\np.add_argument("--other", required=True)\nargs = p.parse_args()\nm = AutoModel.from_pretrained(args.model_name, revision=args.revision)\nn = AutoModel.from_pretrained(args.other)\n',
    },
    {
      name: 'argparse-set-defaults',
      text: 'from argparse import ArgumentParser\nfrom transformers import AutoModel\np = ArgumentParser()\np.add_argument("--model", default="org/a")\np.set_defaults(model="org/b")\nargs = p.parse_args()\nm = AutoModel.from_pretrained(args.model)\n',
    },
    {
      name: 'dynamic-join',
      text: 'import os\n\ndef load(d, n=None):\n    x = AutoModel.from_pretrained(os.path.join(d, "checkpoint"))\n    return x\n',
    },
    {
      name: 'chained-call',
      text: 'm = AutoModel.from_pretrained("org/a").to(device)\nn = make().from_pretrained("org/b")\n',
    },
    // Two calls at one column: the tree's pre-order puts the outer one (org/d) first.
    { name: 'calls-at-one-column', text: 'AutoModel.from_pretrained("org/c").from_pretrained("org/d")\n' },
    {
      name: 'headers',
      text: 'import torch\nclass C(torch.nn.Module):\n    def __init__(self, a, *args, b: int = 3, **kw) -> None:\n        for i, item in enumerate(self.a):\n            if item is not None and i > 0:\n                with torch.no_grad() as g:\n                    m = AutoModel.from_pretrained("org/c")\n',
    },
    {
      name: 'try-except',
      text: 'try:\n    import torch\nexcept (ImportError, OSError) as e:\n    torch = None\nelse:\n    snapshot_download("org/d")\nfinally:\n    pass\n',
    },
    {
      name: 'literals',
      text: 'x = {"a": [1, 2.5, None], **d}\ny = x[1:2, ::3]\nz = (1,)\nw = -x ** 2 if not y else ~z\nm = AutoModel.from_pretrained("org/" "e", revision=r"main")\n',
    },
    {
      name: 'decorator-and-semicolons',
      text: '@torch.no_grad()\ndef f(): pass\na = 1; m = AutoModel.from_pretrained("org/f");\n',
    },
    {
      name: 'multi-line-call',
      text: 'm = AutoModel.from_pretrained(  # load\n    "org/g",\n    trust_remote_code=True,\n)\n',
    },
    {
      name: 'tuple-and-chained-targets',
      text: 'A = B = "org/h"\nC, D = "org/i", "x"\nE = "org/j",\nm = AutoModel.from_pretrained(A)\nAutoModel.from_pretrained(C)\nAutoModel.from_pretrained(E)\n',
    },
  ])('decides $name alone, as the parser does', ({ name, text }) => {
    expect(agrees(`${name}.py`, text)).toBe(true);
  });

  // Shapes left to the parser: an answer would have to follow more of Python than this reader does.
  it.each([
    { name: 'lambda', text: 'fn = lambda: AutoModel.from_pretrained("org/a")\n' },
    { name: 'comprehension', text: 'ms = [AutoModel.from_pretrained(n) for n in NAMES]\n' },
    { name: 'fstring-expression-field', text: 's = f\'{AutoModel.from_pretrained("org/a")}\'\n' },
    { name: 'walrus', text: 'if (m := AutoModel.from_pretrained("org/a")):\n    pass\n' },
    { name: 'soft-keyword', text: 'match AutoModel.from_pretrained("org/a"):\n    case _:\n        pass\n' },
    {
      name: 'inline-body',
      text: 'if torch.cuda.is_available(): MODEL = "org/cuda"\nAutoModel.from_pretrained(MODEL)\n',
    },
    { name: 'await', text: 'import torch as T\nasync def k():\n    await T.hub.load(MODEL)\n' },
  ])('leaves $name to the parser', ({ name, text }) => {
    expect(findPythonReferencesFast(`${name}.py`, text, local)).toBeUndefined();
    expect(findPythonReferencesWithParser(`${name}.py`, text, local)).toEqual(
      findPythonReferencesInWholeFile(`${name}.py`, text, local),
    );
  });

  it('gives a run of prefix operators deeper than the stack back to the parser', () => {
    const text = `from transformers import AutoModel\nx = ${'-'.repeat(200_000)}1\nAutoModel.from_pretrained(x)\n`;
    expect(findPythonReferencesFast('deep.py', text, local)).toBeUndefined();
  });

  itAgreesOnFixtures(/\.py$/, agrees);

  // Statements in the shapes real code has, and some this reader leaves to the parser, in random programs: every
  // answer it gives is the parser's. Many programs are decided alone (else the property would test nothing).
  const STATEMENTS = [
    'from transformers import AutoModel as M, pipeline as make',
    'from transformers import (\n    AutoTokenizer,\n    pipeline,\n)',
    'import torch',
    'import os',
    'from pathlib import Path',
    'CKPT = os.path.join(OUT, "best")',
    'CKPT = str(Path(OUT))',
    'm = M.from_pretrained(CKPT)',
    'm = M.from_pretrained(str(Path(OUT) / "x"))',
    'import torch.hub as H',
    'from torch import hub',
    'from huggingface_hub import hf_hub_download as dl, snapshot_download',
    'from . import timm',
    'from .models import Net',
    'import timm',
    'from sentence_transformers import SentenceTransformer as ST',
    'import os, numpy as np',
    'M = "shadow/model"',
    'MODEL = "org/model"',
    'MODEL = "other/model"',
    "MODEL = 'org/' 'joined'",
    'BASE = MODEL + "-v2"',
    'BASE = (MODEL + "-v3")',
    'BAD = MODEL - "x"',
    'ODD = "a" + "b" * 2',
    // Precedence: only a `+` whose operands are both strings makes a string (python-expressions.ts `binary`).
    'MIX = "org/" * 1 + MODEL',
    'MIX = MODEL + "x" | "y" + "z"',
    'MIX = "org/" + MODEL << 1 + "q"',
    'MIX = ("org/" + MODEL) + "-" + REV % 2 - 1',
    "REV = '0123456789abcdef0123456789abcdef01234567'",
    'REV = b"main"',
    'NAME = f"{MODEL}-{REV}"',
    'NAME = F"{ MODEL }/{{x}}"',
    "NAME = rf'{MODEL}'",
    'NAME: str = "org/annotated"',
    'A = B = "org/chained"',
    'C, D = "org/c", "org/d"',
    'E = "org/e",',
    'self.MODEL = "org/attr"',
    'MODEL = os.environ["MODEL"]',
    'MODEL += "-x"',
    'x = 1 if MODEL else 2',
    'ok = MODEL is not None and not BASE or x in y',
    'm = M.from_pretrained(MODEL, revision=REV)',
    'm = AutoModel.from_pretrained(BASE, trust_remote_code=True)',
    'm = AutoModel.from_pretrained(pretrained_model_name_or_path=NAME, revision=True)',
    'p = make("text-classification", model=NAME)',
    'p = pipeline("fill-mask", model=A,)',
    // Model objects (calls.ts `Resolved.built`) and dicts changed in place (python-dict-uses.ts).
    'obj = M.from_pretrained(MODEL).to("cuda")',
    'self.obj = AutoModel.from_pretrained(BASE)',
    'obj = load()',
    'p = pipeline("fill-mask", obj)',
    'p = make("fill-mask", model=self.obj, tokenizer=tok)',
    'KW = {"revision": REV, "trust_remote_code": True}',
    'KW["revision"] = "main"',
    'm = M.from_pretrained(MODEL, **KW)',
    'f = dl(repo_id=MODEL, filename="w.bin")',
    'snapshot_download(BASE)',
    'hub.load("pytorch/vision", "resnet18")',
    'H.load(MODEL)',
    'torch.hub.load("pytorch/vision:v0.10.0", "resnet50", source="local")',
    'e = ST(NAME)',
    'timm.create_model("resnet50", pretrained=True)',
    'AutoModel.from_pretrained(os.path.join(d, "x"))',
    'AutoModel.from_pretrained("checkpoints/run-1")',
    'AutoModel.from_pretrained(*a, **kw)',
    'AutoModel.from_pretrained(MODEL).to("cuda").eval()',
    'AutoModel.from_pretrained("org/x").from_pretrained(BASE)',
    'make(**kw)',
    'x = cfg[MODEL][1:2].get("k", {"a": [1, 2.0e-3, None]})',
    '# m = M.from_pretrained("org/comment")',
    '"""\nm = M.from_pretrained("org/docstring")\n"""',
    's = \'M.from_pretrained("org/in-string")\'',
    's = f\'{M.from_pretrained("org/in-fstring")}\'',
    'x = (\n    M.from_pretrained(\n        "org/multi-line"\n    )\n)',
    'y = MODEL + \\\n    "-cont"',
    'r = rf"\\{MODEL}"',
    "print(f'{MODEL!r:>{width}}')",
    '@torch.no_grad()\ndef g(a, /, b=M.from_pretrained("org/default"), *, c: int = 1, **k) -> torch.Tensor:\n    return M.from_pretrained(MODEL)',
    'class C(torch.nn.Module, metaclass=Meta):\n    MODEL = "org/class"',
    'if torch.cuda.is_available(): MODEL = "org/cuda"',
    'try:\n    import torch\nexcept ImportError as err:\n    torch = None',
    'with torch.no_grad(), open(p) as fh:\n    m = M.from_pretrained(MODEL)',
    'for i, (a, b) in enumerate(zip(x, y)):\n    pass\nelse:\n    m = M.from_pretrained(BASE)',
    'while not done:\n    del x[0], y\n    raise ValueError(MODEL) from err',
    'if a:\n    pass\nelif torch.cuda.is_available():\n    m = ST(MODEL)',
    'try:  # torch\n    pass\nfinally:\n    snapshot_download(NAME)',
    'fn = lambda: M.from_pretrained(MODEL)',
    'ms = [M.from_pretrained(n) for n in NAMES]',
    'assert MODEL, "need a model"; global MODEL',
    'match = re.match(MODEL, s)',
    'type(MODEL).from_pretrained("org/type")',
    'async def k():\n    async with torch.x() as t:\n        await T.hub.load(MODEL)',
    // Parameters bind their names, a default is what loads (python-env.ts `parameterDefault`); `self.<attr>` too.
    'def load(MODEL: str = "org/param", REV="main", *rest, **kw):\n    return M.from_pretrained(MODEL, revision=REV)',
    'def other(MODEL, name=f"{BASE}/x"):\n    return AutoModel.from_pretrained(name)',
    'class W:\n    def __init__(self, NAME=MODEL):\n        self.NAME = NAME\n    def go(self):\n        return ST(self.NAME)',
    'def go2(self):\n    self.NAME = "org/attr2"\n    return ST(self.NAME)',
    // One of a set the file names (calls.ts `Resolved.candidates`).
    'SIZES = {"base": MODEL, "large": "org/large"}',
    'SIZES["base"] = BASE',
    'm = M.from_pretrained(SIZES[size])',
    'm = M.from_pretrained(SIZES["large"], revision=REV if ok else "main")',
    'PICK = MODEL if big else SIZES[k]',
    'e = ST(PICK)',
    // python-env.ts `orDefault`.
    'MODEL = os.environ.get("M") or "org/or"',
    'm = M.from_pretrained(os.getenv("N") or BASE, revision=os.getenv("R", "") or REV)',
    'def opt(MODEL=None, REV=None):\n    MODEL = MODEL or BASE\n    return M.from_pretrained(MODEL, revision=REV)',
    'NAME = NAME or "org/self-or"',
    'def env_default(REV=os.getenv("R", "main"), NAME=BASE):\n    return M.from_pretrained(NAME, revision=REV)',
    'class Cfg:\n    model_id = "org/class-attr"\n    def load(self):\n        return M.from_pretrained(self.model_id)',
    'class Sub(Cfg):\n    model_id: str = BASE',
    'self.model_id = MODEL',
    'm = M.from_pretrained(self.model_id, revision=self.rev)',
    ...BINDING_STATEMENTS,
    'import torch.nn as nn',
    'x = nn.Linear(MODEL)',
  ];
  const program = pythonPrograms(STATEMENTS, 12);
  // 100 programs in the suite (it ran 400: a second of CPU); the bench runs thousands.
  const RUNS = differentialRuns(100);
  it('answers as the whole-file parse does in generated programs (fast-check)', () => {
    let decided = 0;
    fc.assert(
      fc.property(program, (text) => {
        if (agrees('gen.py', text)) decided++;
      }),
      { numRuns: RUNS },
    );
    // At least a tenth of the programs decide on the fast path (40 of the 400 the suite once ran).
    expect(decided).toBeGreaterThan(RUNS / 10);
  });
});
