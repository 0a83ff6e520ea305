/**
 * JavaScript classes whose `new X(fields)` builds a transformers.js `pipeline("feature-extraction", model, options)`:
 * the readers take such a `new` for a call of X (calls.ts `constructedShape`), and the pin advice names the option
 * that carries the revision (judge.ts `pinAdvice`).
 */
export interface ConstructedLoader {
  /** The modules the class is exported from. */
  readonly modules: readonly string[];
  /** The fields that name the model, first found first read. */
  readonly model: readonly string[];
  /** The field handed to `pipeline` as its options, where `revision` goes. */
  readonly options: string;
  /** The model with no field given. */
  readonly default: string;
}

export const JAVASCRIPT_CONSTRUCTED: ReadonlyMap<string, ConstructedLoader> = new Map([
  // @langchain/community embeddings/huggingface_transformers.ts: `fields?.model ?? fields?.modelName ?? this.model`,
  // handed `fields?.pretrainedOptions` (older versions: `modelName` only).
  [
    'HuggingFaceTransformersEmbeddings',
    {
      modules: [
        '@langchain/community/embeddings/huggingface_transformers',
        '@langchain/community/embeddings/hf_transformers',
        'langchain/embeddings/hf_transformers',
      ],
      model: ['model', 'modelName'],
      options: 'pretrainedOptions',
      default: 'Xenova/all-MiniLM-L6-v2',
    },
  ],
  // @llamaindex/huggingface embedding.ts: `params.modelType`, handed `params.modelOptions`.
  [
    'HuggingFaceEmbedding',
    {
      modules: ['llamaindex', '@llamaindex/huggingface'],
      model: ['modelType'],
      options: 'modelOptions',
      default: 'Xenova/all-MiniLM-L6-v2',
    },
  ],
]);
