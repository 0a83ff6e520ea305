import { describe, expect, it } from 'vitest';
import { findConfigReferences, findConfigReferencesWithYaml } from '../../src/refs/config.js';
import { findConfigReferencesFast } from '../../src/refs/config-fast.js';

/**
 * Config files a tool reads in place of its command line: vLLM's (vllm-options.ts `vllmConfigReferences`, as
 * vllm/utils/argparse_utils.py FlexibleArgumentParser `load_config_file` and `parse_args` read it) and lm_eval's
 * (toolkit-clis.ts `lmEvalConfigReferences`, as lm_eval/config/evaluate_config.py `EvaluatorConfig` reads it). Each
 * reference as `via repo@revision line:column code?`. Both config readers are asked; where the fast one answers, it
 * answers as yaml's does.
 */
const read = (name: string, text: string) => {
  const fast = findConfigReferencesFast(name, text, (p) => p === 'models/local');
  const slow = findConfigReferencesWithYaml(name, text, (p) => p === 'models/local');
  if (fast) expect(fast).toEqual(slow);
  return findConfigReferences(name, text, (p) => p === 'models/local').references.map(
    (r) => `${r.via} ${r.repoId}@${r.revision ?? '-'} ${r.line}:${r.column}${r.runsRemoteCode ? ' code' : ''}`,
  );
};

const C = '0123456789abcdef0123456789abcdef01234567';

describe('vLLM config files (vllm serve --config)', () => {
  it.each([
    {
      name: 'the documented shape: model beside a server option',
      file: 'serve.yaml',
      text: 'model: acme/m\nhost: "127.0.0.1"\nport: 6379\nuvicorn-log-level: "info"\n',
      want: ['vllm serve --config acme/m@- 1:8'],
    },
    {
      name: 'underscores read as dashes; the last of two spellings wins',
      file: 'serve.yml',
      text: `model: acme/m\nmax_model_len: 4096\nrevision: v1\nrevision: ${C}\ntrust_remote_code: true\n`,
      want: [`vllm serve --config acme/m@${C} 1:8 code`],
    },
    {
      name: 'a false flag after a true one turns it off (PyYAML: off)',
      file: 'serve.yaml',
      text: 'model: acme/m\ntrust-remote-code: true\ntrust_remote_code: off\nenforce-eager: true\n',
      want: ['vllm serve --config acme/m@- 1:8'],
    },
    {
      name: 'a flow mapping for the draft model, a flow list of LoRA modules',
      file: 'serve.yaml',
      text: 'model: acme/m\nspeculative-config: {"model": "acme/d", "revision": "r2"}\nlora-modules: [a=acme/l]\n',
      want: [
        'vllm serve --config acme/m@- 1:8',
        'vllm serve --config --speculative-config acme/d@r2 2:31',
        'vllm serve --config --lora-modules acme/l@- 3:18',
      ],
    },
    {
      name: 'a dotted key sets one field of the draft model',
      file: 'serve.yaml',
      text: 'model: acme/m\nspeculative-config.model: acme/d\ntensor-parallel-size: 2\n',
      want: ['vllm serve --config acme/m@- 1:8', 'vllm serve --config --speculative-config acme/d@- 2:27'],
    },
    {
      name: 'a local folder is no download; its tokenizer from the hub is',
      file: 'serve.yaml',
      text: 'model: models/local\nmax-num-seqs: 8\ntokenizer: acme/t\n',
      want: ['vllm serve --config --tokenizer acme/t@- 3:12'],
    },
    {
      name: 'a tokenizer revision alone fetches the model repo tokenizer at it',
      file: 'serve.yaml',
      text: 'model: acme/m\ntokenizer-revision: v3\n',
      want: ['vllm serve --config acme/m@- 1:8', 'vllm serve --config --tokenizer-revision acme/m@v3 1:8'],
    },
    {
      name: "ms-swift's infer config (VllmArguments' names, ModelScope's hub): a key vLLM has no option for",
      file: 'infer.yaml',
      text: 'model: Qwen/Qwen2.5-7B-Instruct\ninfer_backend: vllm\ngpu_memory_utilization: 0.9\nmax_model_len: 8192\n',
      want: [],
    },
    { name: 'no vLLM option: an application setting', file: 'app.yaml', text: 'model: acme/m\nport: 80\n', want: [] },
    {
      name: 'a nested `model:` is no top-level option',
      file: 'serve.yaml',
      text: 'server:\n  model: acme/m\n  max-model-len: 4096\n',
      want: [],
    },
    {
      name: 'JSON: load_config_file takes .yaml and .yml only',
      file: 'serve.json',
      text: '{"model": "acme/m", "max-model-len": 4096}\n',
      want: [],
    },
    {
      name: 'several documents: yaml.safe_load refuses the stream',
      file: 'serve.yaml',
      text: 'model: acme/m\nmax-model-len: 1\n---\nport: 1\n',
      want: [],
    },
  ])('$name', ({ file, text, want }) => {
    expect(read(file, text)).toEqual(want);
  });
});

describe('lm_eval config files (lm_eval run --config)', () => {
  it.each([
    {
      name: 'model_args as a mapping: the model, its tokenizer and adapter at its revision; top-level trust',
      file: 'eval.yaml',
      text: 'model: hf\nmodel_args:\n  pretrained: acme/m\n  revision: v2\n  tokenizer: acme/t\n  peft: acme/p\ntasks:\n  - hellaswag\ntrust_remote_code: yes\n',
      want: [
        'lm_eval --config (model: hf) acme/m@v2 3:15 code',
        'lm_eval --config (model: hf) (tokenizer) acme/t@v2 5:14 code',
        'lm_eval --config (model: hf) (peft) acme/p@v2 6:9',
      ],
    },
    {
      name: "model defaults to hf; a bool in model_args is Python's",
      file: 'eval.yml',
      text: 'model_args:\n  pretrained: acme/m\n  trust_remote_code: false\ntasks: arc_easy\n',
      want: ['lm_eval --config (model: hf) acme/m@- 2:15'],
    },
    {
      name: 'model_args as the CLI string (simple_parse_args_string); vLLM reads tokenizer_revision',
      file: 'eval.yaml',
      text: `model: vllm\nmodel_args: "pretrained=acme/m,tokenizer=acme/t,tokenizer_revision=${C},trust_remote_code=True"\n`,
      want: [
        'lm_eval --config (model: vllm) acme/m@- 2:25 code',
        `lm_eval --config (model: vllm) (tokenizer) acme/t@${C} 2:42 code`,
      ],
    },
    {
      name: 'JSON is YAML to yaml.safe_load; a quoted "false" is a non-empty string, which `if` takes as true',
      file: 'eval.json',
      text: '{"model_args": {"pretrained": "acme/m"}, "trust_remote_code": "false"}\n',
      want: ['lm_eval --config (model: hf) acme/m@- 1:31 code'],
    },
    {
      name: 'an API model names a served model, not a download',
      file: 'eval.yaml',
      text: 'model: local-completions\nmodel_args:\n  pretrained: acme/m\n  base_url: http://localhost:8000/v1\n',
      want: [],
    },
    {
      name: "model_args under another key is no lm_eval config (a results file's `config`)",
      file: 'results.json',
      text: '{"config": {"model": "hf", "model_args": "pretrained=acme/m"}}\n',
      want: [],
    },
  ])('$name', ({ file, text, want }) => {
    expect(read(file, text)).toEqual(want);
  });
});
