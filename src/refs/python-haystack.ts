import type { CallFacts, LoaderShape, Resolved } from './calls.js';
import { RUN_TIME } from './syntax.js';

/**
 * Haystack 2.x components that download a hub model when warmed up (deepset-ai/haystack haystack/components), each
 * read the way its `__init__` and `warm_up` read their arguments:
 * - `sentence-transformers`: embedders/sentence_transformers_{document,text}_embedder.py `(model=…, …,
 *   trust_remote_code, …, revision)` → backends/sentence_transformers_backend.py `SentenceTransformer(
 *   model_name_or_path=model, trust_remote_code=…, revision=…)` (2.0 betas named the first `model_name_or_path`).
 * - `cross-encoder`: rankers/sentence_transformers_similarity.py `(*, model=…, trust_remote_code, model_kwargs…)` →
 *   `CrossEncoder(model_name_or_path=…, trust_remote_code=…)`, no revision passed on.
 * - `from-pretrained`: rankers/transformers_similarity.py `(model=…, …, model_kwargs)` →
 *   `AutoModelForSequenceClassification.from_pretrained(model, **model_kwargs)` and the tokenizer of the same name.
 * - `pipeline`: generators/hugging_face_local.py and generators/chat/hugging_face_local.py `(model=…, task, device,
 *   token, …, huggingface_pipeline_kwargs)` → utils/hf.py `resolve_hf_pipeline_kwargs`:
 *   `huggingface_pipeline_kwargs.setdefault("model", model)`, then `transformers.pipeline(**kwargs)`.
 */
type Reads = 'sentence-transformers' | 'cross-encoder' | 'from-pretrained' | 'pipeline';

/** Each component's class, how it reads its arguments, and the model it loads when none is named. */
const COMPONENTS: ReadonlyMap<string, readonly [reads: Reads, model: string]> = new Map([
  ['SentenceTransformersDocumentEmbedder', ['sentence-transformers', 'sentence-transformers/all-mpnet-base-v2']],
  ['SentenceTransformersTextEmbedder', ['sentence-transformers', 'sentence-transformers/all-mpnet-base-v2']],
  ['SentenceTransformersSimilarityRanker', ['cross-encoder', 'cross-encoder/ms-marco-MiniLM-L-6-v2']],
  ['TransformersSimilarityRanker', ['from-pretrained', 'cross-encoder/ms-marco-MiniLM-L-6-v2']],
  ['HuggingFaceLocalGenerator', ['pipeline', 'google/flan-t5-base']],
  ['HuggingFaceLocalChatGenerator', ['pipeline', 'HuggingFaceH4/zephyr-7b-beta']],
]);

/**
 * The download a Haystack component makes, or null for a call that is none of theirs. `isTrue` is the language's
 * truth test of a value.
 */
export function haystackShape(f: CallFacts, isTrue: (r: Resolved | undefined) => boolean): LoaderShape | null {
  if (!f.resolved.startsWith('haystack.')) return null;
  const name = f.resolved.slice(f.resolved.lastIndexOf('.') + 1);
  const component = COMPONENTS.get(name);
  if (component === undefined) return null;
  const [reads, byDefault] = component;
  const kw = (k: string) => f.keywords.get(k);
  // The default loads only when the call names no model: a `**kwargs` may name one.
  const fallback = f.splat ? undefined : { value: byDefault, isString: true };
  const given = kw('model') ?? (reads === 'cross-encoder' ? undefined : f.positional[0]);
  if (reads === 'sentence-transformers')
    return {
      via: name,
      name: given ?? kw('model_name_or_path') ?? fallback,
      revision: kw('revision'),
      runsRemoteCode: isTrue(kw('trust_remote_code')),
      bareNames: 'sentence-transformers',
    };
  if (reads === 'cross-encoder')
    return {
      via: name,
      name: given ?? fallback,
      runsRemoteCode: isTrue(kw('trust_remote_code')),
      takesNoRevision: true,
    };
  const options = reads === 'pipeline' ? kw('huggingface_pipeline_kwargs') : kw('model_kwargs');
  // Options the file does not show (a name, a call): what they set is the run time's.
  const entries = options?.entries;
  const unread = options !== undefined && entries === undefined && options.value !== 'None';
  const inner = reads === 'pipeline' ? entries?.get('model_kwargs')?.entries : undefined;
  return {
    via: name,
    name: (reads === 'pipeline' ? entries?.get('model') : undefined) ?? given ?? fallback,
    revision: unread ? RUN_TIME : (entries?.get('revision') ?? inner?.get('revision')),
    runsRemoteCode: isTrue(entries?.get('trust_remote_code')) || isTrue(inner?.get('trust_remote_code')),
  };
}
