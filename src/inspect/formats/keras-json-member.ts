import type { FileSource } from '../../core/file-source.js';
import {
  MAX_TEMPLATE_FILE,
  mayBeTemplateFile,
  TEMPLATE_NEEDLE_OVERLAP,
  templateFileKind,
} from '../../discover/formats/chat-template-head.js';
import { jsonChunkSign, opensKerasJsonText, showsKerasKey } from '../../discover/formats/keras-json-head.js';
import { judgeMember, registerMemberFormat, type MemberVerdict, type SourcePlace } from '../content/member-formats.js';
import { chatTemplateSteps } from './hf-chat-template.js';
import { kerasDirConfigSteps } from './keras-hub-preset.js';
import { kerasJsonFileSteps } from './keras-json-file.js';
import { analyseSource, Findings, runParser } from './report.js';
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
    if (!opensKerasJsonText(templateFileKind(name), head, src.size)) return undefined;
    if (src.size > MAX_TEMPLATE_FILE) return judgeOversizedJson(src, head, name, where);
    return judgeMember(await src.read(0, src.size), name, { ...where, budget: 0 });
  },
});

/** Bytes of an oversized JSON member searched at a time for its sign. */
const SEARCH_CHUNK = 4 << 20;

/**
 * A `.json` member past MAX_TEMPLATE_FILE, which the tar walk would otherwise skip unread. On disk the walk searches
 * such a file whole for the key `chat_template` or `class_name` (discover/walk.ts `searchedClaim`: json.load and
 * `model_from_json` read a file of any size) and the reader it goes to reports it past its limit (CPI051): the member
 * is searched the same way, forward and a chunk at a time, and reported by the same reader.
 */
async function judgeOversizedJson(
  src: FileSource,
  head: Buffer,
  name: string,
  where: SourcePlace,
): Promise<MemberVerdict | undefined> {
  if (templateFileKind(name) !== 'json' || !mayBeTemplateFile('json', head)) return undefined;
  const sign = await searchJsonSign(src);
  if (sign === undefined) return undefined;
  const template = sign === 'template-key';
  const out = new Findings(where.path, template ? 'chat-template' : 'keras-json-file', where.member);
  // Both readers refuse a file past the limit before reading a byte of it.
  const report = template
    ? await analyseSource(src, out, 'the chat template', (s, o) =>
        chatTemplateSteps(s, o, { byContent: 'json' }, where.allow),
      )
    : await analyseSource(src, out, 'the Keras model JSON', kerasJsonFileSteps);
  return { findings: report.findings, decompressed: 0, readsAllOfIt: false };
}

/** The walk's sign in a JSON text: a chat template key anywhere wins over a `class_name` seen first. */
async function searchJsonSign(src: FileSource): Promise<'template-key' | 'class-name' | undefined> {
  let keras = false;
  // Each chunk is searched with the end of the one before, so a key cut in two by the boundary is still seen whole.
  let tail = Buffer.alloc(0);
  for await (const chunk of src.chunks(0, src.size, SEARCH_CHUNK)) {
    const sign = jsonChunkSign(Buffer.concat([tail, chunk]));
    if (sign === 'template-key') return sign;
    keras ||= sign === 'class-name';
    tail = Buffer.from(chunk.subarray(Math.max(0, chunk.length - TEMPLATE_NEEDLE_OVERLAP)));
  }
  return keras ? 'class-name' : undefined;
}
