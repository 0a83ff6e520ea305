import { MAX_TEMPLATE_FILE, templateFileKind } from '../../discover/formats/chat-template-head.js';
import { opensKerasJsonText, showsKerasKey } from '../../discover/formats/keras-json-head.js';
import { judgeMember, registerMemberFormat } from '../content/member-formats.js';
import { kerasDirConfigSteps } from './keras-hub-preset.js';
import { kerasJsonFileSteps } from './keras-json-file.js';
import { Findings, runParser } from './report.js';
import { bufferSource, driveSync } from './source.js';

/**
 * Whether a member's bytes are a `model_from_json` candidate as the walk tells one (discover/walk.ts
 * `searchedClaim`): a `.json` object, or under another name a text that opens a JSON object within the chat
 * template reader's bound, either holding the key `class_name`. A candidate that is a chat template too is that
 * reader's (chat-template-member.ts judges it first, and runs the Keras check on it).
 */
function isKerasJsonCandidate(data: Buffer, name: string): boolean {
  return opensKerasJsonText(templateFileKind(name), data, data.length) && showsKerasKey(data);
}

/**
 * A Keras model's architecture as JSON inside an archive (a release zip holding `model_architecture.json`, or a
 * Keras 3 model folder's `config.json` in a `.tar.gz`): extracted, it is read by `keras.models.model_from_json` or
 * `keras.saving.load_model` as the same file on disk is, so it is judged as the walk's readers judge that file
 * (keras-json-file.ts, repo-code.ts), naming the member. No name is claimed: a JSON member the archive reader holds
 * is judged, and large JSON datasets in a tar are not held for it.
 */
registerMemberFormat({
  format: 'keras-json-file',
  claimsName: () => false,
  judge(data, name, where, sniffed) {
    if (sniffed() !== undefined) return undefined;
    // A Keras 3 model saved unzipped: extracted, `saving_api.load_model(folder)` takes any folder with a `config.json`
    // (`is_keras_dir`) and `saving_lib._load_model_from_dir` deserializes it, as repo-code.ts judges one on disk.
    const folder = name === 'config.json';
    if (!folder && !isKerasJsonCandidate(data, name)) return undefined;
    const out = new Findings(where.path, 'keras-json-file', where.member);
    runParser(bufferSource(data), out, 'the Keras model JSON', (src) =>
      driveSync(folder ? kerasDirConfigSteps(src, out) : kerasJsonFileSteps(src, out)),
    );
    // Text, no container; but a pickle head is read whatever the name: leave the container reader its turn.
    return { findings: out.list, decompressed: 0, readsAllOfIt: false };
  },
  /**
   * A JSON text past what the tar walk holds whole (content/tar-stream.ts `KEEP`), which it would skip unread: read
   * whole, within the bound the walk reads such a file on disk to, and judged as a held member is — by this reader
   * and the chat template reader (chat-template-member.ts) alike, in one forward read of the stream.
   */
  async judgeSource(src, head, name, where) {
    if (!opensKerasJsonText(templateFileKind(name), head, src.size) || src.size > MAX_TEMPLATE_FILE) return undefined;
    return judgeMember(await src.read(0, src.size), name, { ...where, budget: 0 });
  },
});
