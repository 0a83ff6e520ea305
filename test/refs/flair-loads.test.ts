import { describe, expect, it } from 'vitest';
import { dynamicFinding } from '../../src/refs/judge.js';
import { findPythonReferences } from '../../src/refs/python.js';

/**
 * flair's short names of `hu_model_map` (flair/models/sequence_tagger_model.py `_fetch_model`) are URLs of flair's own
 * server, fetched with no digest (flair/file_utils.py `cached_path`) and then unpickled by `load_torch_state`
 * (`torch.load(…, weights_only=False)`): the note says that whoever answers for that server runs code.
 */
describe("flair's own URL table", () => {
  it('says the download is unpickled', () => {
    const text = 'from flair.models import SequenceTagger\ntagger = SequenceTagger.load("ner-pooled")\n';
    const found = findPythonReferences('tag.py', text, () => false);
    expect(found.references).toEqual([]);
    const notes = found.dynamic.map((d) => dynamicFinding(d));
    expect(notes.map((f) => f.ruleId)).toEqual(['CPR015']);
    expect(notes[0]!.message).toContain(
      "flair's load_torch_state (torch.load, weights_only=False) unpickles them, so whoever can change what that server answers runs code here.",
    );
  });
});

/**
 * TextClassifier, TARSClassifier and TARSTagger fetch only the short names of their own `_fetch_model` `model_map`
 * (flair/models/text_classification_model.py, tars_model.py), by URL from flair's server, and read any other name as
 * a file (flair/nn/model.py `Model.load`: `load_torch_state(cls._fetch_model(str(model_path)))`), never the hub. The
 * abstract Classifier's load asks each subclass's `_fetch_model`, so it fetches their names too. A file fetched from
 * the hub and handed to any of them, by position or as `model_path=`, is unpickled.
 */
describe("flair's classifiers", () => {
  const IMPORTS = 'from flair.models import TextClassifier, TARSClassifier, TARSTagger, SequenceTagger\n';
  const notes = (text: string) => {
    const found = findPythonReferences('app.py', IMPORTS + text, () => false);
    return [
      ...found.references.map((r) => `${r.line} ${r.repoId!}`),
      ...found.dynamic.map((d) => `${d.line} ${dynamicFinding(d).ruleId}`),
    ];
  };

  it.each([
    ['TextClassifier.load("en-sentiment")', ['2 CPR015']],
    ["TextClassifier.load(model_path='sentiment-fast')", ['2 CPR015']],
    ['TARSClassifier.load("tars-base")', ['2 CPR015']],
    ['TARSTagger.load("tars-ner")', ['2 CPR015']],
    ['import flair\nflair.nn.Classifier.load("communicative-functions")', ['3 CPR015']],
    // Not its table's: a file of the app's own, wherever it was written.
    ['TextClassifier.load("acme/sentiment")', []],
    ['TextClassifier.load("resources/taggers/best-model.pt")', []],
    ['TARSClassifier.load(args.model)', []],
    ['TextClassifier.load("tars-base")', []],
  ])('%s', (call, want) => {
    expect(notes(`m = ${call}\n`)).toEqual(want);
  });

  it.each([
    ['by position', 'TextClassifier.load(path)'],
    ['as model_path=', 'SequenceTagger.load(model_path=path)'],
  ])('a hub download handed over %s is unpickled', (_, call) => {
    const text = `${IMPORTS}from huggingface_hub import hf_hub_download\npath = hf_hub_download("acme/clf", "final-model.pt")\nm = ${call}\n`;
    const [ref] = findPythonReferences('app.py', text, () => false).references;
    expect(ref?.unpickledBy).toBe(
      call.startsWith('Text') ? 'flair.models.TextClassifier.load' : 'flair.models.SequenceTagger.load',
    );
  });
});

/**
 * flair's transformer embeddings load a hub model by name (flair/embeddings/transformer.py
 * `TransformerEmbeddings.__init__`: AutoTokenizer's, AutoConfig's and AutoModel's `from_pretrained(model, …,
 * **kwargs)`), `bert-base-uncased` when none is named; `revision=` and `trust_remote_code=` reach all three.
 */
describe("flair's transformer embeddings", () => {
  const PIN = '0123456789abcdef0123456789abcdef01234567';
  it.each([
    [
      'from flair.embeddings import TransformerWordEmbeddings\ne = TransformerWordEmbeddings("acme/enc")',
      '2 acme/enc@- -',
    ],
    [
      `from flair.embeddings.document import TransformerDocumentEmbeddings as T\ne = T(model="acme/enc", revision="${PIN}")`,
      `2 acme/enc@${PIN} -`,
    ],
    [
      'import flair.embeddings\ne = flair.embeddings.TransformerDocumentEmbeddings(fine_tune=True)',
      '2 bert-base-uncased@- -',
    ],
    [
      'from flair.embeddings import TransformerEmbeddings\ne = TransformerEmbeddings("acme/enc", trust_remote_code=True)',
      '2 acme/enc@- remote code',
    ],
  ])('%s', (text, want) => {
    const found = findPythonReferences('train.py', `${text}\n`, () => false);
    expect(
      found.references.map(
        (r) => `${r.line} ${r.repoId!}@${r.revision ?? '-'} ${r.runsRemoteCode ? 'remote code' : '-'}`,
      ),
    ).toEqual([want]);
  });
});
