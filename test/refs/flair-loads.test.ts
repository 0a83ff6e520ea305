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
