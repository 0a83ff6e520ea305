import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/trust/policy/default.js';
import type { TrustedRegistry } from '../../src/core/trusted-registry.js';
import { judgeReference, reviewedCommits } from '../../src/refs/judge.js';
import { findConfigReferences } from '../../src/refs/config.js';
import { searchBytes } from '../../src/refs/find.js';
import { findPythonReferences, findPythonReferencesInWholeFile } from '../../src/refs/python.js';
import { pythonFindings } from './python-readers.js';

/**
 * refs6: what the library would download, read from its source, against what chainproof reports. Each case is a
 * small Python file written for the test; every finding as `RULE:line repo@revision`, through the finder the scan
 * uses and through lezer over the whole file (they must agree).
 */
const C = '0123456789abcdef0123456789abcdef01234567';
const noLocal = () => false;

const CASES: { name: string; text: string; want: string[] }[] = [
  {
    // timm _hub.py `hf_split`: `hf-hub:<id>@<rev>` (or `hf_hub:`) loads <id> at <rev>; it used to be dropped whole
    // (the `@` made the name no repo id).
    name: 'timm hf-hub name with @revision',
    text: `import timm\na = timm.create_model("hf-hub:timm/vit_b.in21k@${C}", pretrained=True)\nb = timm.create_model("hf_hub:timm/vit_s@main", pretrained=True)\n`,
    want: ['CPR001:3 timm/vit_s@main', 'CPR003:2 timm/vit_b.in21k@' + C, 'CPR003:3 timm/vit_s@main'],
  },
  {
    // SentenceTransformer.__init__: a name with no `/` that is not a legacy transformers model is the
    // sentence-transformers organisation's; langchain's and LlamaIndex's embeddings hand their name to it.
    name: 'sentence-transformers bare name',
    text: [
      'from sentence_transformers import SentenceTransformer, CrossEncoder',
      'from langchain_huggingface import HuggingFaceEmbeddings',
      'a = SentenceTransformer("all-MiniLM-L6-v2")',
      'b = SentenceTransformer("Bert-Base-Uncased")',
      'c = CrossEncoder("ms-marco-MiniLM-L-6-v2")',
      'd = HuggingFaceEmbeddings(model_name="all-mpnet-base-v2")',
      '',
    ].join('\n'),
    want: [
      'CPR001:3 sentence-transformers/all-MiniLM-L6-v2@-',
      'CPR001:4 Bert-Base-Uncased@-',
      'CPR001:5 ms-marco-MiniLM-L-6-v2@-',
      'CPR001:6 sentence-transformers/all-mpnet-base-v2@-',
      'CPR003:3 sentence-transformers/all-MiniLM-L6-v2@-',
      'CPR003:4 Bert-Base-Uncased@-',
      'CPR003:5 ms-marco-MiniLM-L-6-v2@-',
      'CPR003:6 sentence-transformers/all-mpnet-base-v2@-',
    ],
  },
  {
    // langchain_community/embeddings/huggingface.py: HuggingFaceBgeEmbeddings and HuggingFaceInstructEmbeddings hand
    // `model_name` (else DEFAULT_BGE_MODEL, DEFAULT_INSTRUCT_MODEL) and `**model_kwargs` to SentenceTransformer, or to
    // InstructorEmbedding's INSTRUCTOR, a SentenceTransformer.
    name: 'langchain BGE and Instructor embeddings',
    text: [
      'from langchain_community.embeddings import HuggingFaceBgeEmbeddings, HuggingFaceInstructEmbeddings',
      'a = HuggingFaceBgeEmbeddings()',
      'b = HuggingFaceInstructEmbeddings(model_kwargs={"device": "cpu"})',
      `c = HuggingFaceInstructEmbeddings(model_name="acme/instructor", model_kwargs={"revision": "${C}", "trust_remote_code": True})`,
      '',
    ].join('\n'),
    want: [
      'CPR001:2 BAAI/bge-large-en@-',
      'CPR001:3 hkunlp/instructor-large@-',
      'CPR002:4 acme/instructor@' + C,
      'CPR003:2 BAAI/bge-large-en@-',
      'CPR003:3 hkunlp/instructor-large@-',
      'CPR003:4 acme/instructor@' + C,
    ],
  },
  {
    // pipelines/__init__.py `pipeline`: a str tokenizer / image_processor / config is loaded with
    // Auto….from_pretrained(identifier, **hub_kwargs): the call's revision and trust_remote_code apply to it too.
    name: 'pipeline tokenizer and processors given by name',
    text: [
      'from transformers import pipeline, AutoTokenizer',
      'tok = AutoTokenizer.from_pretrained("acme/tok-a", revision="' + C + '")',
      `p = pipeline("text-generation", model="acme/gen", tokenizer="acme/tok-b", revision="${C}", trust_remote_code=True)`,
      'q = pipeline("image-classification", model="acme/vit", image_processor="acme/proc", config="acme/vit")',
      'r = pipeline("text-generation", model="acme/gen2", tokenizer=tok)',
      '',
    ].join('\n'),
    want: [
      'CPR001:4 acme/proc@-',
      'CPR001:4 acme/vit@-',
      'CPR001:5 acme/gen2@-',
      'CPR002:3 acme/gen@' + C,
      'CPR002:3 acme/tok-b@' + C,
      'CPR003:2 acme/tok-a@' + C,
      'CPR003:3 acme/gen@' + C,
      'CPR003:3 acme/tok-b@' + C,
      'CPR003:4 acme/proc@-',
      'CPR003:4 acme/vit@-',
      'CPR003:5 acme/gen2@-',
    ],
  },
  {
    // transformers dynamic_module_utils.py `resolve_trust_remote_code` tests the value's truth: "False" (a
    // non-empty string) runs the repository's code; "" does not.
    name: 'trust_remote_code given a truthy non-bool',
    text: [
      'from transformers import AutoModel',
      `a = AutoModel.from_pretrained("acme/s", revision="${C}", trust_remote_code="False")`,
      `c = AutoModel.from_pretrained("acme/e", revision="${C}", trust_remote_code="")`,
      '',
    ].join('\n'),
    want: ['CPR002:2 acme/s@' + C, 'CPR003:2 acme/s@' + C, 'CPR003:3 acme/e@' + C],
  },
  {
    // huggingface_hub `hf_hub_url`: a dataset's file is `datasets/<org>/<name>/resolve/<rev>/<file>` — the repo was
    // read as "datasets/<org>" with no revision, so a commit-pinned URL was "no revision".
    name: 'weights in a dataset repo by URL',
    text: [
      'import torch',
      `a = torch.hub.load_state_dict_from_url("https://huggingface.co/datasets/acme/w/resolve/${C}/model.pt")`,
      'b = torch.hub.load_state_dict_from_url("https://huggingface.co/spaces/acme/demo/resolve/main/model.pt")',
      '',
    ].join('\n'),
    want: [
      'CPR001:3 https://huggingface.co/spaces/acme/demo/resolve/main/model.pt@main',
      // load_state_dict_from_url unpickles (weights_only=False) at a pinned commit too.
      `CPR002:2 https://huggingface.co/datasets/acme/w/resolve/${C}/model.pt@${C}`,
      'CPR002:3 https://huggingface.co/spaces/acme/demo/resolve/main/model.pt@main',
      `CPR003:2 https://huggingface.co/datasets/acme/w/resolve/${C}/model.pt@${C}`,
      'CPR003:3 https://huggingface.co/spaces/acme/demo/resolve/main/model.pt@main',
    ],
  },
  {
    // Python binds the function object: `load = AutoModel.from_pretrained; load("org/x")` is
    // `AutoModel.from_pretrained("org/x")`, with its revision and trust_remote_code; it used to be missed whole.
    // A name bound twice is left alone (which binding a call sees is run time), as for constants.
    name: 'a loader bound to a name',
    text: [
      'from transformers import AutoModel, AutoTokenizer',
      'from huggingface_hub import hf_hub_download',
      'load = AutoModel.from_pretrained',
      'tok = AutoTokenizer.from_pretrained',
      'fetch = hf_hub_download',
      'again = load',
      'm = load("acme/aliased")',
      `t = tok("acme/tok", revision="${C}", trust_remote_code=True)`,
      'f = fetch("acme/files", "w.bin")',
      'g = again("acme/chained")',
      'twice = AutoModel.from_pretrained',
      'twice = print',
      'x = twice("acme/not-a-reference")',
      '',
    ].join('\n'),
    want: [
      'CPR001:10 acme/chained@-',
      'CPR001:7 acme/aliased@-',
      'CPR001:9 acme/files@-',
      'CPR002:8 acme/tok@' + C,
      'CPR003:10 acme/chained@-',
      'CPR003:7 acme/aliased@-',
      'CPR003:8 acme/tok@' + C,
      'CPR003:9 acme/files@-',
    ],
  },
  {
    // functools.partial: CPython's partial.__call__ calls f(*bound, *args, **{**bound_kw, **kw}); the call's keywords
    // win. It used to be missed whole, not even a note.
    name: 'a loader bound by functools.partial',
    text: [
      'import functools',
      'from functools import partial',
      'from transformers import AutoModel',
      `pinned = functools.partial(AutoModel.from_pretrained, revision="${C}")`,
      'remote = partial(AutoModel.from_pretrained, "acme/bound", trust_remote_code=True)',
      'a = pinned("acme/pinned")',
      'b = pinned("acme/moved", revision="main")',
      'c = remote()',
      '',
    ].join('\n'),
    want: [
      'CPR001:7 acme/moved@main',
      'CPR001:8 acme/bound@-',
      'CPR002:8 acme/bound@-',
      'CPR003:6 acme/pinned@' + C,
      'CPR003:7 acme/moved@main',
      'CPR003:8 acme/bound@-',
    ],
  },
  {
    // refs12: requests' and httpx's `Response.content` is the body fetched, and `io.BytesIO(b)` a file over it:
    // pickle.loads and torch.load (weights_only=False) given either unpickle the hub file. torch.load with no
    // weights_only loads weights only (torch >= 2.6): no CPR002.
    name: 'a hub URL fetched over HTTP and unpickled from its body',
    text: [
      'import pickle, requests, torch, httpx',
      'from io import BytesIO',
      'm = pickle.loads(requests.get("https://huggingface.co/acme/m/resolve/main/a.pkl").content)',
      'resp = httpx.get("https://huggingface.co/acme/m/resolve/main/b.pt")',
      'sd = torch.load(BytesIO(resp.content), weights_only=False)',
      'ok = torch.load(BytesIO(requests.get("https://huggingface.co/acme/m/resolve/main/c.pt").content))',
      '',
    ].join('\n'),
    want: [
      'CPR001:3 https://huggingface.co/acme/m/resolve/main/a.pkl@main',
      'CPR001:4 https://huggingface.co/acme/m/resolve/main/b.pt@main',
      'CPR001:6 https://huggingface.co/acme/m/resolve/main/c.pt@main',
      'CPR002:3 https://huggingface.co/acme/m/resolve/main/a.pkl@main',
      'CPR002:4 https://huggingface.co/acme/m/resolve/main/b.pt@main',
      'CPR003:3 https://huggingface.co/acme/m/resolve/main/a.pkl@main',
      'CPR003:4 https://huggingface.co/acme/m/resolve/main/b.pt@main',
      'CPR003:6 https://huggingface.co/acme/m/resolve/main/c.pt@main',
    ],
  },
  {
    // refs12: setfit/modeling.py `SetFitModel._from_pretrained` downloads the repository's model_head.pkl at the
    // revision and joblib.loads it, with no flag asked (the span models inherit it): CPR002 even when pinned.
    name: "SetFit's from_pretrained unpickles the repository's head",
    text: [
      'from setfit import SetFitModel',
      'from setfit.span.modeling import AspectModel',
      'a = SetFitModel.from_pretrained("acme/setfit-head")',
      `b = AspectModel.from_pretrained("acme/aspect", revision="${C}")`,
      '',
    ].join('\n'),
    want: [
      'CPR001:3 acme/setfit-head@-',
      `CPR002:3 acme/setfit-head@-`,
      `CPR002:4 acme/aspect@${C}`,
      'CPR003:3 acme/setfit-head@-',
      `CPR003:4 acme/aspect@${C}`,
    ],
  },
  {
    // refs12: transformers dynamic_module_utils.py `get_class_from_dynamic_module` downloads `<module>.py` (of the
    // repository `<repo>--` names, else the second argument's) at code_revision, else revision, and imports it: no
    // trust_remote_code is asked. A local folder's module is this repository's code.
    name: "get_class_from_dynamic_module imports a hub repository's module",
    text: [
      'from transformers.dynamic_module_utils import get_class_from_dynamic_module as load_class',
      'a = load_class("modeling.MyModel", "acme/custom")',
      `b = load_class("acme/other--tok.MyTok", "acme/base", revision="${C}")`,
      `c = load_class("modeling.MyModel", "acme/base", revision="${C}", code_revision="main")`,
      'd = load_class("modeling.MyModel", "./checkpoints/run-1")',
      '',
    ].join('\n'),
    want: [
      'CPR001:2 acme/custom@-',
      'CPR001:3 acme/other@-',
      'CPR001:4 acme/base@main',
      'CPR002:2 acme/custom@-',
      'CPR002:3 acme/other@-',
      'CPR002:4 acme/base@main',
      'CPR003:2 acme/custom@-',
      'CPR003:3 acme/other@-',
      'CPR003:4 acme/base@main',
    ],
  },
];

describe('refs6: references as the loading library reads them', () => {
  it.each(CASES)('$name', ({ text, want }) => {
    expect(pythonFindings(text)).toEqual(want);
    expect(pythonFindings(text, findPythonReferencesInWholeFile)).toEqual(want);
  });
});

describe('refs12: the byte pre-filter lets loaders with no other loader word through', () => {
  it.each([
    [
      'get_class_from_dynamic_module',
      'from transformers.dynamic_module_utils import get_class_from_dynamic_module\nc = get_class_from_dynamic_module("m.C", "acme/x")\n',
    ],
    ['HfFileSystem', 'from huggingface_hub import HfFileSystem\nraw = HfFileSystem().read_bytes("acme/x/w.bin")\n'],
  ])('%s', (_name, text) => {
    const got = searchBytes('app.py', Buffer.from(text), noLocal);
    expect(got.kind === 'found' ? got.refs.references.map((r) => `${r.line} ${r.repoId}`) : got.kind).toEqual([
      '2 acme/x',
    ]);
  });
});

describe('refs6: a notebook shell escape is a shell command', () => {
  // IPython runs `!cmd` / `!!cmd` and `%%bash` cells in a shell, and `%env X=v` sets the process environment: read as
  // shell-commands.ts reads a script. A markdown cell is not run. Through searchBytes: the byte prefilter too.
  const cell = (cell_type: string, source: string[]) => ({ cell_type, metadata: {}, source, outputs: [] });
  const notebook = JSON.stringify(
    {
      cells: [
        cell('code', ['!huggingface-cli download acme/nb-shell --revision main\n', '%pip install torch\n']),
        cell('code', ['%%bash\n', `hf download acme/nb-bash --revision ${C}\n`]),
        cell('code', ['%env HF_ENDPOINT=https://mirror.example\n']),
        cell('markdown', ['!huggingface-cli download acme/in-markdown\n']),
      ],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5,
    },
    null,
    1,
  );
  it('!huggingface-cli, %%bash and %env lines, each at its place in the JSON text', () => {
    const got = searchBytes('explore.ipynb', Buffer.from(notebook), noLocal);
    expect(got.kind).toBe('found');
    const refs = got.kind === 'found' ? got.refs : { references: [], dynamic: [] };
    const lines = notebook.split('\n');
    const at = (line: number, column: number) => lines[line - 1]!.slice(column - 1, column + 13);
    expect(refs.references.map((r) => `${r.repoId}@${r.revision ?? '-'} ${at(r.line, r.column)}`)).toEqual([
      'acme/nb-shell@main acme/nb-shell ',
      `acme/nb-bash@${C} acme/nb-bash -`,
    ]);
    expect(refs.dynamic.map((d) => `${d.hubSetting?.variable}=${d.hubSetting?.value} ${at(d.line, d.column)}`)).toEqual(
      ['HF_ENDPOINT=https://mirror.example HF_ENDPOINT=ht'],
    );
  });
});

describe('a notebook that spells its code with JSON escapes', () => {
  // Jupyter reads the notebook with json.load, which decodes `\u0066` to `f`: the kernel runs `from_pretrained`.
  // No writer escapes ASCII, so the escape hides the word from a search of the raw text, not from the kernel.
  const cells = (source: string) =>
    `{"cells":[{"cell_type":"code","metadata":{},"outputs":[],"execution_count":null,"source":[${source}]}],` +
    '"metadata":{},"nbformat":4,"nbformat_minor":5}';
  it.each([
    [
      'loader word',
      '"from transformers import AutoModel\\n","m = AutoModel.\\u0066rom_pretrained(\\"acme/hidden\\")\\n"',
    ],
    ['module name', '"from \\u0074ransformers import pipeline\\n","p = pipeline(\\"x\\", model=\\"acme/hidden\\")\\n"'],
    ['shell escape', '"!hugging\\u0066ace-cli download acme/hidden\\n"'],
  ])('%s', (_name, source) => {
    const got = searchBytes('explore.ipynb', Buffer.from(cells(source)), noLocal);
    expect(got.kind === 'found' ? got.refs.references.map((r) => r.repoId) : got.kind).toEqual(['acme/hidden']);
  });
  it('an escape of a character that is not ASCII (a progress bar in an output) changes nothing', () => {
    const text = cells('"x = 1\\n"').replace('"outputs":[]', '"outputs":[{"output_type":"stream","text":["\\u2588"]}]');
    expect(searchBytes('explore.ipynb', Buffer.from(text), noLocal).kind).toBe('none');
  });
});
describe('refs6: YAML merge keys', () => {
  // PyYAML SafeLoader `flatten_mapping` (what training code and OmegaConf load configs with): `<<: *anchor` merges
  // the anchored mapping, the mapping's own keys winning. A stage that keeps the model and moves the revision loads
  // that model at the new revision; one that overrides nothing is what its anchor names.
  const yaml = [
    'defaults: &defaults',
    '  model_name_or_path: acme/anchored',
    `  revision: ${C}`,
    'remote: &remote',
    '  trust_remote_code: true',
    'stage1:',
    '  <<: *defaults',
    '  learning_rate: 0.1',
    'stage2:',
    '  <<: *defaults',
    '  revision: main',
    'stage3:',
    '  <<: [*remote, *defaults]',
    '  tokenizer_name: acme/tok',
    '',
  ].join('\n');
  it('a merged mapping that moves the revision or adds a model is read with what it merges', () => {
    const r = findConfigReferences('train.yaml', yaml, noLocal);
    expect(
      r.references.map(
        (x) => `${x.line}:${x.column} ${x.repoId}@${x.revision ?? '-'}${x.runsRemoteCode ? ' remote-code' : ''}`,
      ),
    ).toEqual([
      `14:19 acme/tok@${C} remote-code`,
      `13:3 acme/anchored@${C} remote-code`,
      '10:3 acme/anchored@main',
      `2:23 acme/anchored@${C}`,
    ]);
  });
});

describe('refs6: a dataset repo reviewed in the trusted registry', () => {
  it('a registry entry whose source is the dataset URL covers the pinned dataset URL (same datasets/ id)', () => {
    const text = `import torch\nw = torch.hub.load_state_dict_from_url("https://huggingface.co/datasets/acme/w/resolve/${C}/model.pt", weights_only=True)\n`;
    const [ref] = findPythonReferences('app.py', text, noLocal).references;
    expect(ref?.repoId).toBe('datasets/acme/w');
    const registry = { models: [{ name: 'w-weights', source: 'https://huggingface.co/datasets/acme/w', revision: C }] };
    const reviewed = reviewedCommits(registry as unknown as TrustedRegistry);
    expect(judgeReference(ref!, reviewed, DEFAULT_POLICY).map((f) => f.ruleId)).toEqual([]);
  });
});
