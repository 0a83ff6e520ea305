import { describe, expect, it } from 'vitest';
import { referenceChanges } from '../../../src/app/review/references.js';

/**
 * refs6: pull requests that re-point a model reference in ways the review did not see, compared with what the
 * merged tree loads (the refs stage's reading of each library). In memory: one file at base and head, no git.
 */
const A = 'a'.repeat(40);
const lines = (...l: string[]) => l.join('\n') + '\n';

async function review(file: string, base: string, head: string): Promise<string[]> {
  const texts = { base, head };
  const r = await referenceChanges({
    base: new Map([[file, 'base']]),
    head: new Map([[file, 'head']]),
    readBase: () => Promise.resolve(texts.base),
    readHead: () => Promise.resolve(texts.head),
    existsLocally: () => false,
  });
  return r.findings.map((f) => `${f.ruleId}@${f.location.path}:${f.location.line}:${f.level ?? 'default'}`);
}

const cases = [
  {
    // The file also fetches a file of the same repo at a branch: the model's own pin moved to that branch must still
    // be CPU011 (an error), not matched against the other call's revision.
    name: 'a pin dropped to a branch another call of the same repo already used → CPU011 error',
    file: 'serve.py',
    base: lines(
      'from huggingface_hub import hf_hub_download',
      'from transformers import AutoModel',
      'card = hf_hub_download("acme/encoder", "README.md", revision="main")',
      `model = AutoModel.from_pretrained("acme/encoder", revision="${A}")`,
    ),
    head: lines(
      'from huggingface_hub import hf_hub_download',
      'from transformers import AutoModel',
      'card = hf_hub_download("acme/encoder", "README.md", revision="main")',
      'model = AutoModel.from_pretrained("acme/encoder", revision="main")',
    ),
    want: ['CPU011@serve.py:4:error'],
  },
  {
    // timm _hub.py hf_split: the revision after `@` is what loads; the name used to be dropped on both sides.
    name: 'a timm hf-hub:<id>@<commit> moved to @main → CPU011 error',
    file: 'vision.py',
    base: `import timm\nm = timm.create_model("hf-hub:timm/vit_b@${A}", pretrained=True)\n`,
    head: 'import timm\nm = timm.create_model("hf-hub:timm/vit_b@main", pretrained=True)\n',
    want: ['CPU011@vision.py:2:error'],
  },
  {
    // pipelines/__init__.py loads a str tokenizer from its own repo (with the call's trust_remote_code): a new repo
    // the change brings in, and its code runs.
    name: 'a tokenizer from another repo slipped into a pipeline call → CPU021 for it',
    file: 'chat.py',
    base: `from transformers import pipeline\np = pipeline("text-generation", model="acme/chat", revision="${A}", trust_remote_code=True)\n`,
    head: `from transformers import pipeline\np = pipeline("text-generation", model="acme/chat", tokenizer="acme-ai/chat", trust_remote_code=True, revision="${A}")\n`,
    want: ['CPU021@chat.py:2:default'],
  },
  {
    // SentenceTransformer("all-MiniLM-L6-v2") loads sentence-transformers/all-MiniLM-L6-v2: spelling it out is no
    // retarget (it was a CPU032 error: the same leaf under another owner).
    name: 'a sentence-transformers name spelled out in full → nothing',
    file: 'embed.py',
    base: `from sentence_transformers import SentenceTransformer\nm = SentenceTransformer("all-MiniLM-L6-v2", revision="${A}")\n`,
    head: `from sentence_transformers import SentenceTransformer\nm = SentenceTransformer("sentence-transformers/all-MiniLM-L6-v2", revision="${A}")\n`,
    want: [],
  },
  {
    // vLLM's image runs `vllm serve` with the Dockerfile's CMD as its arguments (servers.ts readDockerfileServers): the
    // flag added there is remote code turned on; the change read as no change at all.
    name: "--trust-remote-code added to the CMD of vLLM's image → CPU021",
    file: 'Dockerfile',
    base: `FROM vllm/vllm-openai:v0.6.3\nCMD ["--model", "acme/chat", "--revision", "${A}"]\n`,
    head: `FROM vllm/vllm-openai:v0.6.3\nCMD ["--model", "acme/chat", "--revision", "${A}", "--trust-remote-code"]\n`,
    want: ['CPU021@Dockerfile:2:default'],
  },
  {
    // A `vllm serve --config` file (config-fast.ts: `model` beside a remote-code key): turning the switch on is the
    // change, read as that alone — not as a new model.
    name: 'trust-remote-code turned on in a vllm serve --config file → CPU021 alone',
    file: 'serve.yaml',
    base: `model: acme/chat\nrevision: ${A}\ntrust-remote-code: false\n`,
    head: `model: acme/chat\nrevision: ${A}\ntrust-remote-code: true\n`,
    want: ['CPU021@serve.yaml:1:default'],
  },
  {
    // Same repo, same pinned commit: only the file changed, from tensors to a pickle the code then loads (CPU038).
    name: 'hf_hub_download of model.safetensors switched to pytorch_model.bin → CPU038 warning',
    file: 'weights.py',
    base: lines(
      'from huggingface_hub import hf_hub_download',
      `cfg = hf_hub_download("acme/tiny", "config.json", revision="${A}")`,
      `path = hf_hub_download("acme/tiny", "model.safetensors", revision="${A}")`,
    ),
    head: lines(
      'from huggingface_hub import hf_hub_download',
      `cfg = hf_hub_download("acme/tiny", "config.json", revision="${A}")`,
      `path = hf_hub_download("acme/tiny", "pytorch_model.bin", revision="${A}")`,
    ),
    want: ['CPU038@weights.py:3:default'],
  },
  {
    // Both files kept, or a pickle added beside the config only: no tensors-only file was traded away.
    name: 'a .bin downloaded beside the kept safetensors → nothing',
    file: 'weights.py',
    base: `from huggingface_hub import hf_hub_download\np = hf_hub_download("acme/tiny", "model.safetensors", revision="${A}")\n`,
    head: `from huggingface_hub import hf_hub_download\np = hf_hub_download("acme/tiny", "model.safetensors", revision="${A}")\nq = hf_hub_download("acme/tiny", "training_args.bin", revision="${A}")\n`,
    want: [],
  },
];

describe('review: model references re-pointed past the review (refs6)', () => {
  it.each(cases)('$name', async ({ file, base, head, want }) => {
    expect(await review(file, base, head)).toEqual(want);
  });
});
