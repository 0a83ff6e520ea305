import { findConfigReferences, mentionsModelKey, mentionsModelKeyBytes } from './config.js';
import { findJavaScriptReferences } from './javascript.js';
import { findPythonReferences } from './python.js';
import { isReferenceSource, sourceExtension as extOf } from './sources.js';
import { MAX_NESTING, looksGenerated, nestingDepth } from './text.js';
import type { FileReferences } from './types.js';

type Finder = (path: string, text: string, existsLocally: (p: string) => boolean) => FileReferences;

/** Source languages by extension; only files the catalogue calls `other` (not lockfiles, manifests, models). */
const FINDERS: Readonly<Record<string, Finder>> = {
  py: findPythonReferences,
  js: findJavaScriptReferences,
  mjs: findJavaScriptReferences,
  cjs: findJavaScriptReferences,
  jsx: findJavaScriptReferences,
  ts: findJavaScriptReferences,
  mts: findJavaScriptReferences,
  cts: findJavaScriptReferences,
  tsx: findJavaScriptReferences,
  yaml: findConfigReferences,
  yml: findConfigReferences,
  json: findConfigReferences,
};

/** Cheap text tests before parsing: a file that names no loader is not parsed (most of a repository). */
const LOADER_WORDS =
  /from_pretrained|pipeline|hf_hub_download|snapshot_download|hub|create_model|SentenceTransformer|CrossEncoder|InferenceSession|loadGraphModel|loadLayersModel|downloadFile|snapshotDownload|huggingface\.co/;

/**
 * Parsing is what costs (lezer, a few MB/s), and words such as `pipeline` or `hub` are everywhere in ML code. The
 * loaders `shapeOf` (calls.ts) finds through an import — `transformers.pipeline`, `huggingface_hub.*`,
 * `torch.hub.load`, `timm.create_model`, `sentence_transformers.*`, `@huggingface/hub` — can only be called in a
 * file that names their module, so those words count only beside it. The rest need no import to be found.
 */
const LOADER_TESTS: readonly (readonly [word: RegExp, module: RegExp | undefined])[] = [
  [/from_pretrained|InferenceSession|loadGraphModel|loadLayersModel|huggingface\.co/, undefined],
  [/\bpipeline\b/, /transformers/],
  [/hf_hub_download|snapshot_download/, /huggingface_hub/],
  [/\bhub\b/, /\btorch\b/],
  [/create_model/, /\btimm\b/],
  [/SentenceTransformer|CrossEncoder/, /sentence_transformers/],
  [/downloadFile|snapshotDownload/, /@huggingface\/hub/],
];

/** Whether source text may call a loader `shapeOf` follows: the parser runs only when it may. */
export function mayCallLoader(text: string): boolean {
  return (
    LOADER_WORDS.test(text) && LOADER_TESTS.some(([word, module]) => word.test(text) && (!module || module.test(text)))
  );
}
/**
 * The same tests over raw bytes, looser (no word boundaries), run before the text is decoded: most files fail it and
 * are never decoded. UTF-8 keeps ASCII bytes as they are and never makes them up, so a file `mayCallLoader` accepts
 * always passes (test/refs/prefilter.test.ts holds the two together).
 */
export const LOADER_NEEDLES: readonly (readonly [words: readonly string[], module: string | undefined])[] = [
  [['from_pretrained', 'InferenceSession', 'loadGraphModel', 'loadLayersModel', 'huggingface.co'], undefined],
  [['pipeline'], 'transformers'],
  [['hf_hub_download', 'snapshot_download'], 'huggingface_hub'],
  [['hub'], 'torch'],
  [['create_model'], 'timm'],
  [['SentenceTransformer', 'CrossEncoder'], 'sentence_transformers'],
  [['downloadFile', 'snapshotDownload'], '@huggingface/hub'],
];

/**
 * Every needle in one pass (one `Buffer.includes` per needle read each file 14 times). The search restarts one
 * character after each hit, so needles inside or overlapping others (`hub` in `huggingface_hub`) are seen too; no
 * needle starts another, so a hit at one position is the only needle there.
 */
const ANY_NEEDLE = new RegExp(
  [...new Set(LOADER_NEEDLES.flatMap(([words, module]) => (module ? [...words, module] : words)))]
    .map((w) => w.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
    .join('|'),
  'g',
);

/** Whether source bytes may call a loader: false means `mayCallLoader` on the decoded text is false too. */
export function mayCallLoaderBytes(bytes: Buffer): boolean {
  // latin1 maps each byte to one character, so an ASCII needle is in the string exactly when it is in the bytes.
  const text = bytes.toString('latin1');
  const seen = new Set<string>();
  ANY_NEEDLE.lastIndex = 0;
  for (let m = ANY_NEEDLE.exec(text); m; m = ANY_NEEDLE.exec(text)) {
    seen.add(m[0]);
    ANY_NEEDLE.lastIndex = m.index + 1;
  }
  return (
    seen.size > 0 &&
    LOADER_NEEDLES.some(([words, module]) => words.some((w) => seen.has(w)) && (!module || seen.has(module)))
  );
}

export const MAX_SOURCE_BYTES = 2 * 1024 * 1024;

/** The outcome of searching one file: references found, nothing to find, or skipped (counted by the caller). */
export type Searched =
  { readonly kind: 'found'; readonly refs: FileReferences } | { readonly kind: 'none' } | { readonly kind: 'skipped' };

export { isReferenceSource };

function isConfig(path: string): boolean {
  const ext = extOf(path);
  return ext === 'json' || ext === 'yaml' || ext === 'yml';
}

/** A file over the size limit: configs that large are data, not configuration; source that large is skipped. */
export function searchOversized(path: string): Searched {
  return isConfig(path) ? { kind: 'none' } : { kind: 'skipped' };
}

/** Search one file's bytes: the byte test first, so most files are never decoded; then `searchText`. */
export function searchBytes(path: string, bytes: Buffer, existsLocally: (p: string) => boolean): Searched {
  const ext = extOf(path);
  if (!FINDERS[ext]) return { kind: 'none' };
  if (!(isConfig(path) ? mentionsModelKeyBytes(bytes) : mayCallLoaderBytes(bytes))) return { kind: 'none' };
  return searchText(path, bytes.toString('utf8'), existsLocally);
}

/** Search one file's text (the same rules for `scan` and `review`): cheap filter, shape checks, then the parser. */
export function searchText(path: string, text: string, existsLocally: (p: string) => boolean): Searched {
  const finder = FINDERS[extOf(path)];
  if (!finder) return { kind: 'none' };
  const config = isConfig(path);
  if (config ? !mentionsModelKey(text) : !mayCallLoader(text)) return { kind: 'none' };
  // Minified or generated code, and nesting deeper than hand-written code (the parsers' tree building recurses).
  if ((!config && looksGenerated(text)) || nestingDepth(text) > MAX_NESTING) return { kind: 'skipped' };
  try {
    return { kind: 'found', refs: finder(path, text, existsLocally) };
  } catch {
    // A parser that gives up (it should not: lezer recovers from syntax errors) skips the file, counted.
    return { kind: 'skipped' };
  }
}
