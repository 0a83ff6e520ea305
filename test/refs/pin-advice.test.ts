import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/trust/policy/default.js';
import { searchText } from '../../src/refs/find.js';
import { judgeReference } from '../../src/refs/judge.js';

/**
 * An unpinned reference's finding says how to pin it in the form its loader takes: a `revision=` keyword is no pin
 * for torch.hub (the ref goes in the repository string), timm (in the name), a URL fetched as written (in its path),
 * JavaScript (an options object), a config (a key beside it), a shell command (a flag) — and a loader that passes no
 * revision on (Keras `hf://`, open_clip `hf-hub:`, llama-cpp-python, ollama, llama.cpp `-hf`) loads its default
 * branch whatever the call says, so the only pin is a reviewed download. Each case: a file written for the test,
 * the repo its first CPR001 names, and what that finding's advice must hold.
 */
const NOTEBOOK = {
  cells: [
    {
      cell_type: 'code',
      metadata: {},
      source: ['!hf download acme/notebook-cli\n', '!vllm serve acme/notebook-server\n'],
    },
  ],
  metadata: {},
  nbformat: 4,
  nbformat_minor: 5,
};

const CASES: { name: string; path: string; text: string; repo: string; advice: string; noRevision?: true }[] = [
  {
    name: 'transformers keyword',
    path: 'train.py',
    text: 'from transformers import AutoModel\nm = AutoModel.from_pretrained("acme/base")\n',
    repo: 'acme/base',
    advice: 'Pin the reviewed commit (revision="<40-hex>").',
  },
  {
    // torch/hub.py `_parse_repo_info`: `owner/repo[:ref]`; torch.hub.load has no revision keyword.
    name: 'torch.hub repository string',
    path: 'hub.py',
    text: 'import torch\nm = torch.hub.load("acme/vision:v1", "net")\n',
    repo: 'acme/vision',
    advice: 'Pin the reviewed commit in the repository string ("acme/vision:<40-hex>").',
  },
  {
    // timm _hub.py `hf_split`: the revision after the `@` of the name.
    name: 'timm hf-hub name',
    path: 'timm_model.py',
    text: 'import timm\nm = timm.create_model("hf-hub:acme/vit", pretrained=True)\n',
    repo: 'acme/vit',
    advice: 'Pin the reviewed commit in the name ("hf-hub:acme/vit@<40-hex>").',
  },
  {
    // flair/models/sequence_tagger_model.py `_fetch_model`: `model_name.split("@")`, the revision after the `@`.
    name: 'flair name@revision',
    path: 'tagger.py',
    text: 'from flair.models import SequenceTagger\nt = SequenceTagger.load("acme/ner@main")\n',
    repo: 'acme/ner',
    advice: 'Pin the reviewed commit in the name ("acme/ner@<40-hex>").',
  },
  {
    // torch.hub.load_state_dict_from_url fetches the URL as written: the branch in it is what moves.
    name: 'hub URL fetched as written',
    path: 'weights.py',
    text: 'import torch\nsd = torch.hub.load_state_dict_from_url("https://huggingface.co/acme/w/resolve/main/w.pth")\n',
    repo: 'acme/w',
    advice: 'Pin the reviewed commit in the URL (https://huggingface.co/acme/w/resolve/<40-hex>/w.pth).',
  },
  {
    // node-llama-cpp parseModelUri.js: the `:<quant>` form reads `main`; a file path takes `#<ref>`.
    name: 'node-llama-cpp model URI',
    path: 'chat.js',
    text: "import { resolveModelFile } from 'node-llama-cpp';\nconst p = await resolveModelFile('hf:acme/chat-gguf:Q4_K_M');\n",
    repo: 'acme/chat-gguf',
    advice: 'Name the file and pin the reviewed commit in the URI ("hf:acme/chat-gguf/<file>.gguf#<40-hex>").',
  },
  {
    // transformers.js `pipeline(task, model, { revision })`.
    name: 'transformers.js options object',
    path: 'app.js',
    text: "import { pipeline } from '@huggingface/transformers';\nconst p = await pipeline('sentiment-analysis', 'acme/sst2');\n",
    repo: 'acme/sst2',
    advice: 'Pin the reviewed commit ({ revision: "<40-hex>" } in the options).',
  },
  {
    // config-fast.ts `revisionFor`: `<stem>_revision` first (transformers' example scripts' `model_revision`).
    name: 'training config key',
    path: 'configs/train.yaml',
    text: 'model_name_or_path: acme/llm\n',
    repo: 'acme/llm',
    advice: 'Pin the reviewed commit beside it (model_revision: <40-hex>).',
  },
  {
    // LLaMA-Factory model/adapter.py `_setup_lora_tuning`: adapters load at the base model's model_revision.
    name: 'LLaMA-Factory adapter',
    path: 'examples/train_lora.yaml',
    text: 'model_name_or_path: acme/llm\nadapter_name_or_path: acme/llm-lora\n',
    repo: 'acme/llm-lora',
    advice:
      'Download the reviewed commit first (hf download acme/llm-lora --revision <40-hex>) and name that folder (model_revision pins the base model, and LLaMA-Factory loads every adapter at it too).',
  },
  {
    // LLaMA-Factory's CLI (toolkit-clis.ts `readLlamaFactory`): HfArgumentParser's `--model_revision`.
    name: 'LLaMA-Factory CLI model',
    path: 'scripts/sft.sh',
    text: 'llamafactory-cli train --model_name_or_path acme/llm --adapter_name_or_path acme/llm-lora\n',
    repo: 'acme/llm',
    advice: 'Pin the reviewed commit (--model_revision <40-hex>).',
  },
  {
    name: 'LLaMA-Factory CLI adapter',
    path: 'scripts/sft.sh',
    text: 'llamafactory-cli train --model_name_or_path acme/llm --adapter_name_or_path acme/llm-lora\n',
    repo: 'acme/llm-lora',
    advice:
      'Download the reviewed commit first (hf download acme/llm-lora --revision <40-hex>) and name that folder (model_revision pins the base model, and LLaMA-Factory loads every adapter at it too).',
  },
  {
    // peft PeftConfig `revision`: the base model's revision in the adapter's own config.
    name: 'PEFT adapter config',
    path: 'adapter/adapter_config.json',
    text: '{"base_model_name_or_path": "acme/base", "peft_type": "LORA"}\n',
    repo: 'acme/base',
    advice: 'Pin the reviewed commit ("revision": "<40-hex>" in adapter_config.json).',
  },
  {
    // vllm-options.ts `vllmConfigReferences`: vLLM's config file is pinned by its own keys, not the command's flags.
    name: 'vLLM config file',
    path: 'deploy/vllm.yaml',
    text: 'model: acme/served\nmax-model-len: 4096\n',
    repo: 'acme/served',
    advice: 'Pin the reviewed commit beside it (revision: <40-hex>).',
  },
  {
    name: 'vLLM config file tokenizer',
    path: 'deploy/vllm.yaml',
    text: 'model: acme/served\ntokenizer: acme/served-tok\nmax-model-len: 4096\n',
    repo: 'acme/served-tok',
    advice: 'Pin the reviewed commit beside it (tokenizer-revision: <40-hex>).',
  },
  {
    name: 'vLLM config file draft model',
    path: 'deploy/vllm.yaml',
    text: 'model: acme/served\nspeculative-config:\n  model: acme/draft\n',
    repo: 'acme/draft',
    advice: 'Pin the reviewed commit of the draft model (revision: <40-hex> under speculative-config).',
  },
  {
    // toolkit-clis.ts `lmEvalConfigReferences`: the revision goes beside `pretrained` in the file's model_args.
    name: 'lm_eval config file',
    path: 'eval/config.yaml',
    text: 'model: hf\nmodel_args:\n  pretrained: acme/evaluated\ntasks: [arc_easy]\n',
    repo: 'acme/evaluated',
    advice: 'Pin the reviewed commit beside it (revision: <40-hex> in model_args).',
  },
  {
    name: 'lm_eval config file vLLM tokenizer',
    path: 'eval/config.yaml',
    text: 'model: vllm\nmodel_args:\n  pretrained: acme/evaluated\n  tokenizer: acme/evaluated-tok\n',
    repo: 'acme/evaluated-tok',
    advice: 'Pin the reviewed commit beside it (tokenizer_revision: <40-hex> in model_args).',
  },
  {
    name: 'hub CLI flag',
    path: 'Dockerfile',
    text: 'FROM python:3.12\nRUN huggingface-cli download acme/served\n',
    repo: 'acme/served',
    advice: 'Pin the reviewed commit (--revision <40-hex>).',
  },
  {
    // git clone --branch takes a branch or a tag, never a commit.
    name: 'git clone',
    path: 'Dockerfile',
    text: 'FROM python:3.12\nRUN git clone https://huggingface.co/acme/cloned\n',
    repo: 'acme/cloned',
    advice: 'Check out the reviewed commit after cloning (git checkout <40-hex>).',
  },
  {
    // keras/src/saving/saving_api.py: `hf://` is snapshot_download of the default branch; load_model takes no revision.
    name: 'Keras hf:// takes no revision',
    path: 'keras_app.py',
    text: 'import keras\nm = keras.saving.load_model("hf://acme/classifier")\n',
    repo: 'acme/classifier',
    advice:
      'Download the reviewed commit first (huggingface_hub.snapshot_download("acme/classifier", revision="<40-hex>")',
    noRevision: true,
  },
  {
    // open_clip factory.py: `download_pretrained_from_hf(model_id, …)` with no revision.
    name: 'open_clip hf-hub takes no revision',
    path: 'clip.py',
    text: 'import open_clip\nm = open_clip.create_model("hf-hub:acme/clip")\n',
    repo: 'acme/clip',
    advice: 'this loader takes no revision',
    noRevision: true,
  },
  {
    // llama-cpp-python `Llama.from_pretrained`: hf_hub_download without a revision; `revision=` goes to Llama(**kwargs).
    name: 'llama-cpp-python ignores revision=',
    path: 'gguf.py',
    text: 'from llama_cpp import Llama\nm = Llama.from_pretrained(repo_id="acme/chat-GGUF", filename="*q4.gguf", revision="v1")\n',
    repo: 'acme/chat-GGUF',
    advice: 'Download the reviewed commit first',
    noRevision: true,
  },
  {
    // llama.cpp `-hf <user>/<model>[:quant]`: the tag picks a quantization.
    name: 'llama.cpp -hf',
    path: 'Dockerfile',
    text: 'FROM ghcr.io/ggml-org/llama.cpp:server\nCMD ["llama-server", "-hf", "acme/chat-GGUF:Q4_K_M"]\n',
    repo: 'acme/chat-GGUF',
    advice: 'this loader takes no revision',
    noRevision: true,
  },
  {
    // A notebook's shell escape (`!hf download`) runs the CLI (IPython InteractiveShell.system): its flag, not Python's
    // keyword.
    name: 'notebook shell escape',
    path: 'explore.ipynb',
    text: JSON.stringify(NOTEBOOK),
    repo: 'acme/notebook-cli',
    advice: 'Pin the reviewed commit (--revision <40-hex>).',
  },
  {
    name: 'notebook shell escape starting a server',
    path: 'explore.ipynb',
    text: JSON.stringify(NOTEBOOK),
    repo: 'acme/notebook-server',
    advice: 'Pin the reviewed commit (--revision <40-hex>).',
  },
  {
    // lm_eval (toolkit-clis.ts readLmEval): the revision is a key of --model_args (HFLM's `revision`), run from Python
    // too (python-commands.ts).
    name: 'lm_eval --model_args',
    path: 'run_eval.py',
    text: 'import subprocess\nsubprocess.run(["lm_eval", "--model", "hf", "--model_args", "pretrained=acme/evaluated", "--tasks", "mmlu"])\n',
    repo: 'acme/evaluated',
    advice: 'Pin the reviewed commit (revision=<40-hex> in --model_args).',
  },
  {
    // lm_eval's VLLM reads its tokenizer at `tokenizer_revision`, not `revision` (models/vllm_causallms.py).
    name: 'lm_eval vLLM tokenizer',
    path: 'eval.sh',
    text: 'lm_eval --model vllm --model_args pretrained=acme/evaluated-vllm,tokenizer=acme/eval-tokenizer --tasks mmlu\n',
    repo: 'acme/eval-tokenizer',
    advice: 'Pin the reviewed commit (tokenizer_revision=<40-hex> in --model_args).',
  },
];

describe('pin advice follows the loader', () => {
  it.each(CASES)('$name', ({ path, text, repo, advice, noRevision }) => {
    const got = searchText(path, text, () => false);
    expect(got.kind).toBe('found');
    const refs = got.kind === 'found' ? got.refs.references : [];
    const ref = refs.find((r) => r.repoId === repo);
    expect(ref, `a reference to ${repo}`).toBeDefined();
    expect(ref!.takesNoRevision).toBe(noRevision);
    const unpinned = judgeReference(ref!, new Map(), DEFAULT_POLICY).find((f) => f.ruleId === 'CPR001');
    expect(unpinned?.message).toContain(advice);
    // The keyword advice only where a keyword is what the loader reads.
    if (!advice.includes('revision="<40-hex>")') && !noRevision)
      expect(unpinned?.message).not.toContain('(revision="<40-hex>")');
  });

  // The call reads its revision from the environment: the finding names the variable and the default to write, in
  // the file's own language.
  it.each([
    {
      name: 'JavaScript',
      path: 'app.mjs',
      text: "import { pipeline } from '@huggingface/transformers';\nconst p = await pipeline('fill-mask', 'acme/m', { revision: process.env.REV ?? 'main' });\n",
      hint: '(process.env.REV ?? "<40-hex>")',
    },
    {
      name: 'Python',
      path: 'env.py',
      text: 'import os\nfrom transformers import AutoModel\nm = AutoModel.from_pretrained("acme/base", revision=os.environ.get("REV", "main"))\n',
      hint: 'os.environ.get("REV", "<40-hex>")',
    },
  ])('an environment-read revision in $name', ({ path, text, hint }) => {
    const got = searchText(path, text, () => false);
    const ref = got.kind === 'found' ? got.refs.references[0] : undefined;
    const msg = judgeReference(ref!, new Map(), DEFAULT_POLICY).find((f) => f.ruleId === 'CPR001')?.message;
    expect(msg).toContain('environment variable REV');
    expect(msg).toContain(hint);
  });
});
