import { describe, expect, it } from 'vitest';
import { dynamicFinding } from '../../src/refs/judge.js';
import { findPythonReferences } from '../../src/refs/python.js';

/**
 * flair's `WordEmbeddings(name)` and `FlairEmbeddings(model)` (flair/embeddings/token.py) fetch a name of their own
 * table by URL with no digest (`cached_path`) and unpickle it — gensim's `KeyedVectors.load`, or
 * `LanguageModel.load_language_model`'s `torch.load(…, weights_only=False)`; any other name is a path that must exist,
 * never the hub. `PooledFlairEmbeddings("…")` builds a `FlairEmbeddings` of its string.
 */
describe("flair's word and language-model embeddings", () => {
  const IMPORTS = 'from flair.embeddings import WordEmbeddings, FlairEmbeddings, PooledFlairEmbeddings\n';
  const notes = (text: string) => {
    const found = findPythonReferences('embed.py', IMPORTS + text, () => false);
    return [
      ...found.references.map((r) => `${r.line} ${r.repoId!}`),
      ...found.dynamic.map((d) => {
        const f = dynamicFinding(d);
        return `${d.line} ${f.ruleId} ${String((f.evidence as { host?: string }).host)}`;
      }),
    ];
  };

  it.each([
    ['WordEmbeddings("glove")', ['2 CPR015 flair.informatik.hu-berlin.de']],
    // resolve_precomputed_path: any two-letter code, `xx-wiki`, `xx-crawl`, lowered names.
    ['WordEmbeddings("de")', ['2 CPR015 flair.informatik.hu-berlin.de']],
    ["WordEmbeddings(embeddings='fr-crawl')", ['2 CPR015 flair.informatik.hu-berlin.de']],
    ['WordEmbeddings("En-Twitter")', ['2 CPR015 flair.informatik.hu-berlin.de']],
    ['FlairEmbeddings("news-forward")', ['2 CPR015 flair.informatik.hu-berlin.de']],
    ['FlairEmbeddings(model="News-Backward-Fast")', ['2 CPR015 flair.informatik.hu-berlin.de']],
    // replace_with_language_code, on the name as written.
    ['FlairEmbeddings("german-forward")', ['2 CPR015 flair.informatik.hu-berlin.de']],
    ['FlairEmbeddings("en-impresso-hipe-v1-backward")', ['2 CPR015 files.ifi.uzh.ch']],
    ['PooledFlairEmbeddings("pubmed-forward")', ['2 CPR015 flair.informatik.hu-berlin.de']],
    // A path, which must exist, and names no table holds: nothing is downloaded.
    ['WordEmbeddings("vectors/custom.gensim")', []],
    ['FlairEmbeddings("resources/lm/best-lm.pt")', []],
    ['FlairEmbeddings("acme/flair-lm")', []],
    ['FlairEmbeddings("German-forward")', []],
    ['FlairEmbeddings(args.lm)', []],
  ])('%s', (call, want) => {
    expect(notes(`e = ${call}\n`)).toEqual(want);
  });

  it('says what unpickles the download', () => {
    const [word, lm] = findPythonReferences(
      'embed.py',
      `${IMPORTS}w = WordEmbeddings("glove")\nf = FlairEmbeddings("news-forward")\n`,
      () => false,
    ).dynamic.map((d) => dynamicFinding(d).message);
    expect(word).toContain("gensim's KeyedVectors.load (pickle.load) unpickles them");
    expect(lm).toContain("flair's LanguageModel.load_language_model (torch.load, weights_only=False) unpickles them");
  });
});
