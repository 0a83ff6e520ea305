import type { CallFacts, LoaderShape, Resolved } from './calls.js';
import type { TableDownload } from './types.js';

/**
 * flair's word and character-language-model embeddings (flair/embeddings/token.py), which fetch a name of their own
 * table from a URL the flair version fixes (file_utils.py `cached_path`: no digest) and unpickle it; any other name
 * is a path that must exist (else `ValueError`), never the hub:
 * - `WordEmbeddings(embeddings)` (`resolve_precomputed_path`): GloVe, fastText and the rest from flair's server, read
 *   with gensim's `KeyedVectors.load`, a `pickle.load` (gensim/utils.py `unpickle`);
 * - `FlairEmbeddings(model)`: a name of `PRETRAINED_MODEL_ARCHIVE_MAP`, as written lowered or after
 *   `replace_with_language_code`, read by models/language_model.py `LanguageModel.load_language_model`
 *   (`torch.load(…, weights_only=False)`);
 * - `PooledFlairEmbeddings(contextual_embeddings)`, which builds `FlairEmbeddings` of a string.
 * As flair's own tables of tagger URLs, each is a CPR015 note (python-loaders.ts `flairShape`).
 */

/** `WordEmbeddings`' fixed names (`resolve_precomputed_path`), lowered; two-letter codes and their forms aside. */
const WORD_EMBEDDING_NAMES: ReadonlySet<string> = new Set(
  ['glove', 'turian', 'extvec', 'pubmed', 'crawl', 'news', 'twitter'].flatMap((n) => [n, `en-${n}`]).concat('en'),
);

/** `resolve_precomputed_path`'s tests, in its order: a name it fetches, or none (a path). */
function wordEmbeddingsName(v: string): boolean {
  const lower = v.toLowerCase();
  return (
    WORD_EMBEDDING_NAMES.has(lower) ||
    lower.length === 2 ||
    (lower.length === 7 && v.endsWith('-wiki')) ||
    (lower.length === 8 && v.endsWith('-crawl'))
  );
}

/** `PRETRAINED_MODEL_ARCHIVE_MAP`'s names: `<name>-forward` and `<name>-backward` for each, some `-fast` too. */
const BOTH_WAYS = [
  ...['multi', 'multi-v0', 'en', 'news', 'mix', 'ar', 'bg', 'cs', 'cs-v0', 'da', 'de', 'es', 'eu', 'eu-v1', 'eu-v0'],
  ...['fa', 'fi', 'fr', 'he', 'hi', 'hr', 'id', 'it', 'ja', 'ml', 'nl', 'nl-v0', 'no', 'pl', 'pl-opus', 'pt'],
  ...['pubmed', 'pubmed-2015', 'sl', 'sl-v0', 'sv', 'sv-v0', 'ta', 'es-clinical', 'uk'],
  ...['ha', 'wz', 'rw'].map((p) => `de-historic-${p}`),
  ...['de', 'en', 'fr'].map((l) => `${l}-impresso-hipe-v1`),
];
const FAST = ['multi', 'en', 'news', 'bg', 'es'];
const FLAIR_LM_NAMES: ReadonlySet<string> = new Set([
  ...BOTH_WAYS.flatMap((n) => [`${n}-forward`, `${n}-backward`]),
  ...FAST.flatMap((n) => [`${n}-forward-fast`, `${n}-backward-fast`]),
  'am-forward',
]);

/** flair/embeddings/token.py `replace_with_language_code`, replacement by replacement (`norwegian-` → `no`, sic). */
const LANGUAGE_CODES: readonly (readonly [string, string])[] = [
  ['arabic-', 'ar-'],
  ['basque-', 'eu-'],
  ['bulgarian-', 'bg-'],
  ['croatian-', 'hr-'],
  ['czech-', 'cs-'],
  ['danish-', 'da-'],
  ['dutch-', 'nl-'],
  ['farsi-', 'fa-'],
  ['persian-', 'fa-'],
  ['finnish-', 'fi-'],
  ['french-', 'fr-'],
  ['german-', 'de-'],
  ['hebrew-', 'he-'],
  ['hindi-', 'hi-'],
  ['indonesian-', 'id-'],
  ['italian-', 'it-'],
  ['japanese-', 'ja-'],
  ['norwegian-', 'no'],
  ['polish-', 'pl-'],
  ['portuguese-', 'pt-'],
  ['slovenian-', 'sl-'],
  ['spanish-', 'es-'],
  ['swedish-', 'sv-'],
];

/** The archive map's name `FlairEmbeddings(model)` fetches, or none: `model.lower()`, else the language code form. */
function flairLmName(v: string): string | undefined {
  if (FLAIR_LM_NAMES.has(v.toLowerCase())) return v.toLowerCase();
  const coded = LANGUAGE_CODES.reduce((s, [from, to]) => s.replaceAll(from, to), v);
  return FLAIR_LM_NAMES.has(coded) ? coded : undefined;
}

/** The server a language model of the archive map comes from (its URL's host). */
function flairLmHost(name: string): string {
  if (name.includes('impresso-hipe')) return 'files.ifi.uzh.ch';
  if (name === 'am-forward') return 'ltdata1.informatik.uni-hamburg.de (plain http)';
  if (name.startsWith('ml-')) return 'raw.githubusercontent.com (qburst/models-repository, master)';
  if (name.startsWith('uk-')) return `huggingface.co (dchaplinsky/flair-${name}, main)`;
  return FLAIR_SERVER;
}

const FLAIR_SERVER = 'flair.informatik.hu-berlin.de';
const FLAIR_LM_LOAD = "flair's LanguageModel.load_language_model (torch.load, weights_only=False)";
const download = (host: string, loads: string): TableDownload => ({ library: 'flair', host, check: 'none', loads });
const runsCode = (unpickler: string) =>
  `Then ${unpickler} unpickles them, so whoever can change what that server answers runs code here.`;

/** The flair embeddings classes, as flair.embeddings and embeddings/token.py export them, and their name parameter. */
export const FLAIR_EMBEDDINGS: ReadonlyMap<string, string> = new Map(
  (
    [
      ['WordEmbeddings', 'embeddings'],
      ['FlairEmbeddings', 'model'],
      ['PooledFlairEmbeddings', 'contextual_embeddings'],
    ] as const
  ).flatMap(([cls, parameter]) => [
    [`flair.embeddings.${cls}`, parameter],
    [`flair.embeddings.token.${cls}`, parameter],
  ]),
);

/** A flair embeddings call's table download (a CPR015 note), or nothing: a path, or a name the file does not show. */
export function flairEmbeddingsShape(
  f: CallFacts,
  kw: (k: string) => Resolved | undefined,
  pos: (i: number) => Resolved | undefined,
): LoaderShape | undefined {
  const parameter = FLAIR_EMBEDDINGS.get(f.resolved);
  const v = (kw(parameter ?? '') ?? pos(0))?.value;
  if (v === undefined) return undefined;
  if (f.resolved.endsWith('.WordEmbeddings')) {
    if (!wordEmbeddingsName(v)) return undefined;
    const fetched = download(FLAIR_SERVER, runsCode("gensim's KeyedVectors.load (pickle.load)"));
    return { via: f.written, name: undefined, runsRemoteCode: false, table: v, fetched };
  }
  const name = flairLmName(v);
  if (name === undefined) return undefined;
  const fetched = download(flairLmHost(name), runsCode(FLAIR_LM_LOAD));
  return { via: f.written, name: undefined, runsRemoteCode: false, table: v, fetched };
}
