/**
 * The model names sentence-transformers loads as written although they have no organisation: the hub's legacy
 * canonical transformers models (SentenceTransformer.py `basic_transformer_models`, compared lower-cased).
 */
const LEGACY_TRANSFORMERS = new Set(
  [
    'albert-base-v1 albert-base-v2 albert-large-v1 albert-large-v2 albert-xlarge-v1 albert-xlarge-v2',
    'albert-xxlarge-v1 albert-xxlarge-v2 bert-base-cased-finetuned-mrpc bert-base-cased bert-base-chinese',
    'bert-base-german-cased bert-base-german-dbmdz-cased bert-base-german-dbmdz-uncased',
    'bert-base-multilingual-cased bert-base-multilingual-uncased bert-base-uncased',
    'bert-large-cased-whole-word-masking-finetuned-squad bert-large-cased-whole-word-masking bert-large-cased',
    'bert-large-uncased-whole-word-masking-finetuned-squad bert-large-uncased-whole-word-masking',
    'bert-large-uncased camembert-base ctrl distilbert-base-cased-distilled-squad distilbert-base-cased',
    'distilbert-base-german-cased distilbert-base-multilingual-cased distilbert-base-uncased-distilled-squad',
    'distilbert-base-uncased-finetuned-sst-2-english distilbert-base-uncased distilgpt2 distilroberta-base',
    'gpt2-large gpt2-medium gpt2-xl gpt2 openai-gpt roberta-base-openai-detector roberta-base roberta-large-mnli',
    'roberta-large-openai-detector roberta-large t5-11b t5-3b t5-base t5-large t5-small transfo-xl-wt103',
    'xlm-clm-ende-1024 xlm-clm-enfr-1024 xlm-mlm-100-1280 xlm-mlm-17-1280 xlm-mlm-en-2048 xlm-mlm-ende-1024',
    'xlm-mlm-enfr-1024 xlm-mlm-enro-1024 xlm-mlm-tlm-xnli15-1024 xlm-mlm-xnli15-1024 xlm-roberta-base',
    'xlm-roberta-large-finetuned-conll02-dutch xlm-roberta-large-finetuned-conll02-spanish',
    'xlm-roberta-large-finetuned-conll03-english xlm-roberta-large-finetuned-conll03-german xlm-roberta-large',
    'xlnet-base-cased xlnet-large-cased',
  ]
    .join(' ')
    .split(' '),
);

/**
 * The hub repo `SentenceTransformer(name)` downloads (SentenceTransformer.__init__): a name with no `/` that is not
 * a legacy transformers model is one of the `sentence-transformers` organisation's (`__MODEL_HUB_ORGANIZATION__`).
 * Only for a name that is no local path (checked before, as the library checks `os.path.exists` first).
 */
export function sentenceTransformersRepo(name: string): string {
  return name.includes('/') || LEGACY_TRANSFORMERS.has(name.toLowerCase()) ? name : `sentence-transformers/${name}`;
}

/**
 * The classes that load a model this way: SentenceTransformer, and SparseEncoder (sparse_encoder/SparseEncoder.py,
 * `class SparseEncoder(SentenceTransformer)`, v5) with its `__init__`; CrossEncoder (cross_encoder/CrossEncoder.py)
 * loads a name as written. `models.Transformer` (models/Transformer.py, and the sparse `MLMTransformer`) is one
 * module of such a model built from a transformers checkpoint: `AutoConfig` / `AutoModel` / `AutoTokenizer
 * .from_pretrained(name, **config_args / model_args / tokenizer_args)`, a name as written, nothing of its own.
 */
export const SENTENCE_TRANSFORMERS_MODELS: ReadonlyMap<string, 'bare-names' | 'as-written' | 'module'> = new Map([
  ['SentenceTransformer', 'bare-names'],
  ['SparseEncoder', 'bare-names'],
  ['CrossEncoder', 'as-written'],
  ['Transformer', 'module'],
  ['MLMTransformer', 'module'],
] as const);

/**
 * The per-part options of a sentence-transformers load, each overriding the call's `revision` and `trust_remote_code`
 * for that part: SentenceTransformer.py `_load_sbert_model` ("1st priority: kwargs passed to SentenceTransformer":
 * `kwargs["model_args"].update(model_kwargs)` after the hub kwargs) and `_load_auto_model` (`{**shared_kwargs,
 * **model_kwargs}`), the same in SparseEncoder and CrossEncoder (v4+; `processor_kwargs` is the newer tokenizer's);
 * models/Transformer.py's own `model_args` / `tokenizer_args` / `config_args`.
 */
const PART_OPTIONS: Readonly<Record<'model' | 'module', readonly string[]>> = {
  model: ['model_kwargs', 'tokenizer_kwargs', 'processor_kwargs', 'config_kwargs'],
  module: ['model_args', 'tokenizer_args', 'config_args', 'model_kwargs', 'processor_kwargs', 'config_kwargs'],
};

interface Option {
  readonly value: string | undefined;
  readonly isString: boolean;
  readonly entries?: ReadonlyMap<string, Option>;
}

/**
 * Where each part of a sentence-transformers load comes from: the call's own revision and remote code (a module,
 * its model part's) unless a part's options say otherwise. `base` is the model's reference: its revision, and whether
 * any part loaded at that revision runs the repository's code (the modules and custom code of modules.json load at
 * the call's revision with its trust_remote_code). `others` are the parts loaded at another revision, one each.
 */
export function sentenceTransformersParts<R extends Option>(
  kind: 'model' | 'module',
  kw: (k: string) => R | undefined,
  truthy: (r: R | undefined) => boolean,
): {
  revision: R | undefined;
  runsRemoteCode: boolean;
  others: { via: string; revision: R; runsRemoteCode: boolean }[];
} {
  const parts = PART_OPTIONS[kind].flatMap((key) => {
    const entries = kw(key)?.entries as ReadonlyMap<string, R> | undefined;
    return entries ? [{ key, entries }] : [];
  });
  const modelPart = kind === 'module' ? parts.find((p) => p.key.startsWith('model_')) : undefined;
  const revision = kind === 'module' ? modelPart?.entries.get('revision') : kw('revision');
  const trusts =
    kind === 'module' ? truthy(modelPart?.entries.get('trust_remote_code')) : truthy(kw('trust_remote_code'));
  let runsRemoteCode = trusts;
  const others: { via: string; revision: R; runsRemoteCode: boolean }[] = [];
  for (const { key, entries } of parts) {
    const own = entries.get('revision');
    const partTrusts = entries.has('trust_remote_code') ? truthy(entries.get('trust_remote_code')) : trusts;
    if (own === undefined || own.value === revision?.value) {
      runsRemoteCode ||= partTrusts;
      continue;
    }
    const same = others.find((o) => o.revision.value !== undefined && o.revision.value === own.value);
    if (same) same.runsRemoteCode ||= partTrusts;
    else others.push({ via: key, revision: own, runsRemoteCode: partTrusts });
  }
  return { revision, runsRemoteCode, others };
}

/** How to pin a part loaded at a revision of its own (`sentenceTransformersParts`): in that part's options. */
export function sentenceTransformersPinAdvice(via: string): string | undefined {
  const part = / \(((?:model|tokenizer|processor|config)_(?:kwargs|args))\)$/.exec(via)?.[1];
  return part === undefined
    ? undefined
    : `Pin the reviewed commit (${part}={"revision": "<40-hex>"}, or leave it out to load the call's revision).`;
}
