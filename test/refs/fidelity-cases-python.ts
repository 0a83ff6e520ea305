import { C, type FidelityCase } from './fidelity-cases.js';

/** fidelity.test.ts's cases of Python libraries' option shapes (fixtures/refs/fidelity), kept in a file of their own. */
export const PYTHON_CASES: FidelityCase[] = [
  {
    // utils/_validators.py `validate_repo_id` takes a bare "repo_name", and a dataset's id given to hf_hub_download /
    // snapshot_download is never a folder: canonical datasets (`squad`, `imdb`) are read as repositories.
    file: 'dataset-canonical-names.py',
    want: [
      'CPR001:5:9 datasets/squad@- plain_text/train-00000-of-00001.parquet',
      'CPR003:5:9 datasets/squad@- plain_text/train-00000-of-00001.parquet',
      'CPR001:6:8 datasets/imdb@-',
      'CPR003:6:8 datasets/imdb@-',
    ],
  },
  {
    // llama_index/core/embeddings/utils.py `resolve_embed_model`: "local:<name>" is HuggingFaceEmbedding(model_name=
    // <name>) with no revision, given to a call of LlamaIndex's or set on `Settings.embed_model` (whose setter calls
    // it); a bare name is sentence-transformers'. A folder, "default" (OpenAI), a string no LlamaIndex call is given
    // and a docstring's example load nothing from the hub.
    file: 'llama-index-local-embed.py',
    want: [
      'CPR001:7:9 acme/resolved-embed@-',
      'CPR003:7:9 acme/resolved-embed@-',
      'CPR001:8:9 acme/index-embed@-',
      'CPR003:8:9 acme/index-embed@-',
      'CPR001:9:8 sentence-transformers/all-MiniLM-L6-v2@-',
      'CPR003:9:8 sentence-transformers/all-MiniLM-L6-v2@-',
      'CPR001:6:1 acme/settings-embed@-',
      'CPR003:6:1 acme/settings-embed@-',
    ],
  },
  {
    // vllm/config/model.py `ModelConfig.__post_init__`: the tokenizer defaults to the model and tokenizer_revision to
    // revision (named tokenizer or not), loaded with the model's trust_remote_code; vllm/config/speculative.py: the
    // draft model at its own revision (none: the default branch) with the target's trust_remote_code. An n-gram
    // config loads no model; a tokenizer chosen at run time is a note.
    file: 'vllm-tokenizer-draft.py',
    want: [
      `CPR003:5:5 acme/chat-8b@${C}`,
      `CPR003:5:5 acme/chat-tokenizer@${C}`,
      `CPR003:6:5 acme/chat-8b@${C}`,
      'CPR001:6:5 acme/chat-8b@main',
      'CPR003:6:5 acme/chat-8b@main',
      `CPR003:7:5 acme/chat-8b@${C}`,
      `CPR003:7:5 acme/chat-tokenizer@${C}`,
      `CPR003:8:5 acme/chat-8b@${C}`,
      `CPR002:9:5 acme/target-70b@${C}`,
      `CPR003:9:5 acme/target-70b@${C}`,
      'CPR002:9:5 acme/draft-1b@-',
      'CPR001:9:5 acme/draft-1b@-',
      'CPR003:9:5 acme/draft-1b@-',
      `CPR003:15:5 acme/target-70b@${C}`,
      `CPR003:15:5 acme/draft-1b@${C}`,
      `CPR003:16:5 acme/target-70b@${C}`,
      `CPR003:17:5 acme/chat-8b@${C}`,
      `CPR003:18:5 acme/chat-8b@${C}`,
      'CPR010:17:5 dynamic',
    ],
  },
  {
    // sentence-transformers: SparseEncoder (v5, a SentenceTransformer subclass) loads as SentenceTransformer does,
    // bare names included. `_load_sbert_model` / `_load_auto_model`: model_kwargs / tokenizer_kwargs / config_kwargs
    // override the call's trust_remote_code and revision for that part (CPR002; another revision is a download of
    // its own, once per revision); models.Transformer's model_args / tokenizer_args likewise. tokenizers
    // `Tokenizer.from_pretrained(identifier, revision="main", token=None)`: the second positional is the revision.
    file: 'sentence-transformers-parts.py',
    want: [
      'CPR001:5:10 naver/splade-cocondenser-ensembledistil@-',
      'CPR003:5:10 naver/splade-cocondenser-ensembledistil@-',
      `CPR003:6:8 sentence-transformers/all-MiniLM-L6-v2@${C}`,
      `CPR002:7:8 acme/jina-like@${C}`,
      `CPR003:7:8 acme/jina-like@${C}`,
      `CPR002:8:7 acme/tok-code@${C}`,
      `CPR003:8:7 acme/tok-code@${C}`,
      `CPR003:9:7 acme/reranker@${C}`,
      `CPR003:10:9 acme/moved@${C}`,
      'CPR001:10:9 acme/moved@main',
      'CPR003:10:9 acme/moved@main',
      `CPR003:11:8 acme/both@${C}`,
      'CPR001:11:8 acme/both@dev',
      'CPR003:11:8 acme/both@dev',
      `CPR003:12:8 acme/same@${C}`,
      `CPR003:13:8 acme/base-encoder@${C}`,
      'CPR001:13:8 acme/base-encoder@main',
      'CPR003:13:8 acme/base-encoder@main',
      'CPR001:14:9 acme/plain-encoder@-',
      'CPR003:14:9 acme/plain-encoder@-',
      `CPR003:15:6 acme/bpe@${C}`,
      'CPR001:16:6 acme/bpe@main',
      'CPR003:16:6 acme/bpe@main',
      'CPR001:17:6 acme/bpe@-',
      'CPR003:17:6 acme/bpe@-',
    ],
  },
  {
    // evaluate/loading.py `evaluation_module_factory`: a bare name is the Space evaluate-<module_type>/<name>
    // (metric first), org/name the community's; `HubEvaluationModuleFactory.get_module` downloads `<name>.py` at
    // `revision` (default: the v<version> tag, else main) and `load` imports it. A `.py` path, a folder holding
    // `<name>/<name>.py` (checkpoints/ here) or a deeper path is local: nothing.
    file: 'evaluate-metrics.py',
    want: [
      'CPR002:5:12 spaces/evaluate-metric/accuracy@- accuracy.py',
      'CPR001:5:12 spaces/evaluate-metric/accuracy@- accuracy.py',
      'CPR003:5:12 spaces/evaluate-metric/accuracy@- accuracy.py',
      `CPR002:6:9 spaces/evaluate-metric/rouge@${C} rouge.py`,
      `CPR003:6:9 spaces/evaluate-metric/rouge@${C} rouge.py`,
      'CPR002:7:9 spaces/evaluate-comparison/exact_match@- exact_match.py',
      'CPR001:7:9 spaces/evaluate-comparison/exact_match@- exact_match.py',
      'CPR003:7:9 spaces/evaluate-comparison/exact_match@- exact_match.py',
      'CPR002:8:13 spaces/acme/bleurt-mine@main bleurt-mine.py',
      'CPR001:8:13 spaces/acme/bleurt-mine@main bleurt-mine.py',
      'CPR003:8:13 spaces/acme/bleurt-mine@main bleurt-mine.py',
      'CPR002:12:10 dynamic',
    ],
  },
  {
    // timm _builder.py `_resolve_pretrained_source`: a table name whose pretrained cfg (overlay) names a `file` loads
    // it, not the table's download; an `hf-hub:` source still downloads. open_clip factory.py `create_model`: a
    // `pretrained` that is no table tag is `os.path.exists(pretrained)`, a local checkpoint.
    file: 'local-pretrained-weights.py',
    want: [
      'CPR001:7:7 acme/vit-tiny@-',
      'CPR003:7:7 acme/vit-tiny@-',
      'CPR015:6:9 resnet50',
      'CPR015:10:16 ViT-B-32 laion2b_s34b_b79k',
    ],
  },
  // Haystack 2.x (python-haystack.ts): the sentence-transformers embedders pass model / revision /
  // trust_remote_code to SentenceTransformer (default sentence-transformers/all-mpnet-base-v2); the local
  // generators hand `huggingface_pipeline_kwargs` (whose `model` wins) to transformers.pipeline;
  // TransformersSimilarityRanker passes model_kwargs to from_pretrained; SentenceTransformersSimilarityRanker's
  // CrossEncoder gets no revision. The API embedder fetches nothing.
  {
    file: 'haystack-components.py',
    want: [
      'CPR001:13:36 acme/doc-embedder@-',
      'CPR003:13:36 acme/doc-embedder@-',
      'CPR002:14:18 acme/text-embedder@main',
      'CPR001:14:18 acme/text-embedder@main',
      'CPR003:14:18 acme/text-embedder@main',
      'CPR001:17:20 sentence-transformers/all-mpnet-base-v2@-',
      'CPR003:17:20 sentence-transformers/all-mpnet-base-v2@-',
      `CPR003:18:13 acme/flan-small@${C}`,
      'CPR002:23:8 acme/chat-7b@-',
      'CPR001:23:8 acme/chat-7b@-',
      'CPR003:23:8 acme/chat-7b@-',
      'CPR001:24:10 acme/reranker@v1.0',
      'CPR003:24:10 acme/reranker@v1.0',
      'CPR001:25:9 acme/cross-encoder@-',
      'CPR003:25:9 acme/cross-encoder@-',
    ],
  },
  {
    // TransformersSimilarityRanker's default cross-encoder, with trust_remote_code in model_kwargs.
    file: 'haystack-ranker-only.py',
    want: [
      'CPR002:5:10 cross-encoder/ms-marco-MiniLM-L-6-v2@-',
      'CPR001:5:10 cross-encoder/ms-marco-MiniLM-L-6-v2@-',
      'CPR003:5:10 cross-encoder/ms-marco-MiniLM-L-6-v2@-',
    ],
  },
  {
    // Python's scopes (CPython symtable): a name bound in a function's body is that function's for the whole body,
    // a class body's names are not its methods' or the module's, a parameter shadows a module name of its own, an
    // inner function sees its enclosing function's names, and `global` binds the module's name.
    file: 'python-scopes.py',
    want: [
      'CPR001:19:12 acme/loader-a@-',
      'CPR003:19:12 acme/loader-a@-',
      'CPR001:24:12 acme/loader-b@-',
      'CPR003:24:12 acme/loader-b@-',
      `CPR003:32:12 acme/only-default@${C} env:load_model(revision) name-env:load_model(checkpoint)`,
      'CPR001:39:16 acme/enclosing@-',
      'CPR003:39:16 acme/enclosing@-',
      `CPR003:53:9 acme/module-model@${C}`,
      'CPR001:54:13 acme/module-checkpoint@-',
      'CPR003:54:13 acme/module-checkpoint@-',
      'CPR010:28:12 dynamic',
      'CPR010:55:9 dynamic',
    ],
  },
  {
    // trust_remote_code through a name (python-loaders.ts pythonTruthy): False is false; an env string is true.
    file: 'trust-remote-code-names.py',
    want: [
      `CPR003:12:5 acme/safe-flag@${C}`,
      `CPR002:13:5 acme/unsafe-flag@${C}`,
      `CPR003:13:5 acme/unsafe-flag@${C}`,
      `CPR002:14:5 acme/env-flag@${C}`,
      `CPR003:14:5 acme/env-flag@${C}`,
    ],
  },
  {
    // A dict the readers cannot read keeps a trust_remote_code a binding or a write of its own turns on
    // (python-remote-code-writes.ts; transformers auto_factory.py `if has_remote_code and trust_remote_code:`); its
    // other keys stay unknown. Turned off, read, commented out, or another function's dict: nothing.
    file: 'kwargs-remote-code-writes.py',
    want: [
      'CPR002:11:5 acme/written@-',
      'CPR001:11:5 acme/written@-',
      'CPR003:11:5 acme/written@-',
      `CPR002:15:5 acme/item@${C}`,
      `CPR003:15:5 acme/item@${C}`,
      `CPR002:19:5 acme/updated@${C}`,
      `CPR003:19:5 acme/updated@${C}`,
      `CPR002:23:5 acme/defaulted@${C}`,
      `CPR003:23:5 acme/defaulted@${C}`,
      'CPR002:27:5 acme/merged@-',
      'CPR001:27:5 acme/merged@-',
      'CPR003:27:5 acme/merged@-',
      `CPR002:30:5 acme/pairs@${C}`,
      `CPR003:30:5 acme/pairs@${C}`,
      `CPR003:36:5 acme/off@${C}`,
      `CPR003:48:12 acme/elsewhere@${C}`,
    ],
  },
  {
    // python-dict-uses.ts: a dict or list name two functions bind is searched as its scope's own (python-scopes.ts);
    // a copy (`dict(BASE)`, `copy.deepcopy`, `.copy()`) changed in place leaves the dict it copies as written.
    file: 'kwargs-dict-uses.py',
    want: [
      'CPR001:14:12 acme/changed@-',
      'CPR003:14:12 acme/changed@-',
      `CPR003:19:12 acme/untouched@${C}`,
      `CPR003:32:9 acme/listed@${C}`,
      `CPR003:48:8 acme/base@${C}`,
      'CPR010:26:9 dynamic',
      'CPR010:45:12 dynamic',
    ],
  },
  {
    // python-dict-uses.ts skips prose (python-prose.ts): a dict's name in a comment, a docstring or a plain string
    // (a repo id, a log message) changes nothing, nor does `print(kw)` / `len(kw)`; an f-string's field is code. A
    // docstring's line that writes trust_remote_code (python-remote-code-writes.ts) turns nothing on.
    file: 'kwargs-dict-prose.py',
    want: [
      `CPR003:14:9 acme/load_kwargs@${C}`,
      `CPR003:20:12 acme/kw@${C}`,
      'CPR001:25:10 acme/popped@-',
      'CPR003:25:10 acme/popped@-',
      `CPR003:37:8 acme/docs@${C}`,
    ],
  },
  {
    // trust_remote_code from a comparison (python-env.ts comparedDefault): a bool, on only when the comparison holds
    // with the variable unset; both readers alike (a comparison was a non-empty string to lezer, nothing to the other).
    file: 'trust-remote-code-compared.py',
    want: [
      `CPR002:11:5 acme/on@${C}`,
      `CPR003:11:5 acme/on@${C}`,
      `CPR003:12:5 acme/off@${C}`,
      `CPR002:13:5 acme/inline-on@${C}`,
      `CPR003:13:5 acme/inline-on@${C}`,
      `CPR003:14:5 acme/inline-off@${C}`,
      `CPR002:15:5 acme/lower-on@${C}`,
      `CPR003:15:5 acme/lower-on@${C}`,
      `CPR003:17:5 acme/lower-off@${C}`,
    ],
  },
  {
    // trust_remote_code by its truth, as transformers tests it (python-loaders.ts pythonTruth; auto_factory.py
    // `if has_remote_code and trust_remote_code:`): 1, `not False`, `bool(1)`, `not OFF`, "yes", -1 run the code;
    // 0, None, "", False, bool(0), `not 1` do not. Both readers alike.
    file: 'trust-remote-code-truthy.py',
    want: [
      `CPR002:9:5 acme/one@${C}`,
      `CPR003:9:5 acme/one@${C}`,
      `CPR002:10:5 acme/not-false@${C}`,
      `CPR003:10:5 acme/not-false@${C}`,
      `CPR002:11:5 acme/bool-one@${C}`,
      `CPR003:11:5 acme/bool-one@${C}`,
      `CPR002:12:5 acme/not-off@${C}`,
      `CPR003:12:5 acme/not-off@${C}`,
      `CPR002:13:5 acme/yes@${C}`,
      `CPR003:13:5 acme/yes@${C}`,
      `CPR002:14:5 acme/minus-one@${C}`,
      `CPR003:14:5 acme/minus-one@${C}`,
      `CPR003:15:5 acme/zero@${C}`,
      `CPR003:16:5 acme/none@${C}`,
      `CPR003:17:5 acme/empty@${C}`,
      `CPR003:18:5 acme/false@${C}`,
      `CPR003:19:5 acme/bool-zero@${C}`,
      `CPR003:20:5 acme/not-one@${C}`,
    ],
  },
  {
    // A trust_remote_code only the run decides, whatever its shape: CPR002 (at warning level, judge.ts); a default the
    // file gives decides instead (a parameter's, argparse store_true/store_false/default=, an env read's).
    file: 'trust-remote-code-run-time.py',
    want: [
      `CPR002:14:9 acme/parameter@${C}`,
      `CPR003:14:9 acme/parameter@${C}`,
      `CPR002:15:9 acme/subscript@${C}`,
      `CPR003:15:9 acme/subscript@${C}`,
      `CPR002:16:9 acme/call@${C}`,
      `CPR003:16:9 acme/call@${C}`,
      `CPR002:17:9 acme/negated@${C}`,
      `CPR003:17:9 acme/negated@${C}`,
      `CPR002:18:9 acme/either@${C}`,
      `CPR003:18:9 acme/either@${C}`,
      `CPR002:19:9 acme/default-on@${C}`,
      `CPR003:19:9 acme/default-on@${C}`,
      `CPR003:20:9 acme/default-off@${C}`,
      `CPR002:21:9 acme/both@${C}`,
      `CPR003:21:9 acme/both@${C}`,
      `CPR003:22:9 acme/never@${C}`,
      `CPR002:23:9 acme/always@${C}`,
      `CPR003:23:9 acme/always@${C}`,
      `CPR003:32:5 acme/store-true@${C}`,
      `CPR002:33:5 acme/store-false@${C}`,
      `CPR003:33:5 acme/store-false@${C}`,
      `CPR002:34:5 acme/flag-default@${C}`,
      `CPR003:34:5 acme/flag-default@${C}`,
      `CPR002:35:5 acme/env-on@${C}`,
      `CPR003:35:5 acme/env-on@${C}`,
      `CPR003:36:5 acme/env-empty@${C}`,
      `CPR002:37:5 acme/env-unset@${C}`,
      `CPR003:37:5 acme/env-unset@${C}`,
      'CPR002:24:12 dynamic',
    ],
  },
  {
    // An attribute only the run decides (`cfg.trust_remote_code`): as the other run-time shapes; `x and False` never.
    file: 'trust-remote-code-attributes.py',
    want: [
      `CPR002:10:9 acme/attribute@${C}`,
      `CPR003:10:9 acme/attribute@${C}`,
      `CPR003:11:9 acme/off@${C}`,
      'CPR002:12:12 dynamic',
    ],
  },
  {
    // mlx-lm's and mlx-vlm's `load` with trust_remote_code, and mlx-lm's tokenizer_config (a literal or a dict
    // constant) handing it to AutoTokenizer: CPR002, as transformers' own loaders are.
    file: 'mlx-remote-code.py',
    want: [
      `CPR002:9:11 acme/custom-arch-4bit@${C}`,
      `CPR003:9:11 acme/custom-arch-4bit@${C}`,
      `CPR002:10:10 acme/remote-tokenizer@${C}`,
      `CPR003:10:10 acme/remote-tokenizer@${C}`,
      `CPR002:11:12 acme/named-tokenizer@${C}`,
      `CPR003:11:12 acme/named-tokenizer@${C}`,
      `CPR003:12:12 acme/plain-tokenizer@${C}`,
      `CPR003:13:10 acme/off@${C}`,
      `CPR002:14:18 acme/vision-remote@${C}`,
      `CPR003:14:18 acme/vision-remote@${C}`,
      `CPR003:15:19 acme/vision-fast@${C}`,
      `CPR003:17:22 acme/vision-tok@${C}`,
      'CPR002:22:14 acme/sharded@-',
      'CPR001:22:14 acme/sharded@-',
      'CPR003:22:14 acme/sharded@-',
      'CPR002:23:12 acme/piped@-',
      'CPR001:23:12 acme/piped@-',
      'CPR003:23:12 acme/piped@-',
      'CPR001:24:10 acme/sharded-eos@-',
      'CPR003:24:10 acme/sharded-eos@-',
      'CPR002:25:12 acme/sharded-empty@-',
      'CPR001:25:12 acme/sharded-empty@-',
      'CPR003:25:12 acme/sharded-empty@-',
      `CPR003:29:1 acme/to-convert@${C}`,
      'CPR002:30:1 acme/convert-remote@-',
      'CPR001:30:1 acme/convert-remote@-',
      'CPR003:30:1 acme/convert-remote@-',
    ],
  },
  {
    // vLLM's LoRARequest: a hub id is snapshot_downloaded at the default branch, whatever revision the model pins; an
    // absolute path or a folder of the repository is none.
    file: 'vllm-lora-request.py',
    want: [
      `CPR003:7:7 acme/lora-base@${C}`,
      'CPR001:8:59 acme/sql-lora@-',
      'CPR003:8:59 acme/sql-lora@-',
      'CPR001:9:11 acme/keyword-lora@-',
      'CPR003:9:11 acme/keyword-lora@-',
      'CPR001:10:10 acme/legacy-lora@-',
      'CPR003:10:10 acme/legacy-lora@-',
      `CPR003:15:35 acme/downloaded-lora@${C}`,
    ],
  },
  {
    // torch.load's default turned to weights_only=False by the file (python-torch-load-default.ts): a partial, a
    // wrapper, TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD; a call passing weights_only=True, "True", a child's env and prose
    // are none.
    file: 'torch-load-default/partial.py',
    want: [
      `CPR002:11:20 acme/patched@${C} model.pth`,
      `CPR003:11:20 acme/patched@${C} model.pth`,
      `CPR003:12:22 acme/weights-only@${C} model.pth`,
    ],
  },
  {
    file: 'torch-load-default/wrapper.py',
    want: [`CPR002:14:8 acme/wrapped@${C} model.pth`, `CPR003:14:8 acme/wrapped@${C} model.pth`],
  },
  {
    file: 'torch-load-default/environment.py',
    want: [`CPR002:10:8 acme/forced@${C} model.pth`, `CPR003:10:8 acme/forced@${C} model.pth`],
  },
  { file: 'torch-load-default/not-turned-off.py', want: [`CPR003:15:8 acme/default@${C} model.pth`] },
  {
    // NeMo's AutoTokenizer and NeMo 2's import_ckpt of an `hf://` source (python-loaders.ts `nemoShape`).
    file: 'nemo-hub-loads.py',
    want: [
      'CPR001:6:13 acme/nemo-tokenizer@-',
      'CPR003:6:13 acme/nemo-tokenizer@-',
      'CPR002:7:10 acme/nemo-remote@-',
      'CPR001:7:10 acme/nemo-remote@-',
      'CPR003:7:10 acme/nemo-remote@-',
      'CPR001:8:1 acme/nemo-import@-',
      'CPR003:8:1 acme/nemo-import@-',
      'CPR001:14:6 acme/nmt-tokenizer@-',
      'CPR003:14:6 acme/nmt-tokenizer@-',
      'CPR002:15:14 acme/nmt-remote@-',
      'CPR001:15:14 acme/nmt-remote@-',
      'CPR003:15:14 acme/nmt-remote@-',
    ],
  },
  {
    // huggingface_hub `hf_hub_url` (syntax.ts `pythonHubUrl`): the hub file's URL at its revision (`main` by default),
    // read as that URL written out wherever a URL loader or an HTTP GET (`cached_download` too) is handed it; a
    // function of the file's own is not it.
    file: 'hub-file-urls.py',
    want: [
      'CPR002:9:9 acme/pickled@main pytorch_model.bin',
      'CPR001:9:9 acme/pickled@main pytorch_model.bin',
      'CPR003:9:9 acme/pickled@main pytorch_model.bin',
      'CPR002:10:10 acme/tagged@v2 x.pt',
      'CPR001:10:10 acme/tagged@v2 x.pt',
      'CPR003:10:10 acme/tagged@v2 x.pt',
      `CPR003:11:10 acme/pinned@${C} x.pt`,
      'CPR002:14:10 acme/sub@main ckpt/m.pt',
      'CPR001:14:10 acme/sub@main ckpt/m.pt',
      'CPR003:14:10 acme/sub@main ckpt/m.pt',
      'CPR001:15:8 acme/requested@main model.onnx',
      'CPR003:15:8 acme/requested@main model.onnx',
      'CPR001:16:10 acme/cached@main config.json',
      'CPR003:16:10 acme/cached@main config.json',
      'CPR001:17:8 datasets/acme/squad@main train.json',
      'CPR003:17:8 datasets/acme/squad@main train.json',
    ],
  },
  {
    // pyannote.audio's `model_id@revision` (calls.ts `atRevision`): the repo and the revision apart.
    file: 'pyannote-at-revision.py',
    want: [
      'CPR001:4:15 acme/diarization@2.1',
      'CPR003:4:15 acme/diarization@2.1',
      `CPR003:5:16 acme/segmentation@${C}`,
      'CPR001:6:10 acme/diarization-latest@-',
      'CPR003:6:10 acme/diarization-latest@-',
    ],
  },
];
