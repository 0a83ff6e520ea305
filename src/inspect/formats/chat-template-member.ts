import {
  mayBeTemplateFile,
  showsTemplateSign,
  templateFileKind,
  type TemplateFileKind,
} from '../../discover/formats/chat-template-head.js';
import { registerMemberFormat, type MemberPlace, type Sniffed } from '../content/member-formats.js';
import { chatTemplateSteps, type TemplateSource } from './hf-chat-template.js';
import { Findings, runParser } from './report.js';
import { bufferSource, driveSync } from './source.js';

/**
 * The files transformers reads a chat template from by name (catalogue `chat-template`, and `hf-config`'s
 * processor_config.json), as hf-chat-template.ts `templateSource` reads them.
 */
const BY_NAME: ReadonlyMap<string, TemplateSource> = new Map([
  ['tokenizer_config.json', 'tokenizer-config'],
  ['chat_template.json', 'tokenizer-config'],
  ['processor_config.json', 'processor-config'],
  ['chat_template.jinja', 'jinja'],
]);

/** `additional_chat_templates/<name>.jinja` (catalogue `chat-template`'s path pattern), in a member's place. */
const ADDITIONAL = /(^|[/!])additional_chat_templates\/[^/!]+\.jinja$/i;

/**
 * Candidates by content claim their names too (YAML, Jinja, `.template`): the YAML python-tag reader claims `.yaml`
 * and would otherwise judge a tagged template candidate first, leaving its templates unread. A `.json` member is
 * not claimed, or the tar walk would hold every large JSON dataset whole: one the walk keeps is judged all the same.
 */
const CLAIMED_KINDS: ReadonlySet<TemplateFileKind> = new Set(['yaml', 'jinja', 'template']);

/**
 * How the walk would read a file of this name and these bytes (discover/walk.ts `searchedClaim`): by its name, or as
 * a candidate by content when nothing else claims it; undefined when it holds no template.
 */
function sourceOf(data: Buffer, name: string, where: MemberPlace, sniffed: Sniffed): TemplateSource | undefined {
  if (ADDITIONAL.test(where.member)) return 'jinja';
  const named = BY_NAME.get(name);
  if (named !== undefined) return named;
  const kind = templateFileKind(name);
  if (kind === undefined || sniffed() !== undefined) return undefined;
  return mayBeTemplateFile(kind, data) && showsTemplateSign(kind, data) ? { byContent: kind } : undefined;
}

/**
 * A chat template shipped in an archive (a model release `.zip` or `.tar.gz` holding tokenizer_config.json or a
 * `chat_template.jinja`): extracted, it is what `AutoTokenizer.from_pretrained` (and vLLM's `--chat-template`,
 * llama.cpp's `--chat-template-file`) reads, so it is judged exactly as the same file on disk is, naming the member.
 */
registerMemberFormat({
  format: 'chat-template',
  claimsName: (name) => BY_NAME.has(name) || CLAIMED_KINDS.has(templateFileKind(name) as TemplateFileKind),
  judge(data, name, where, sniffed) {
    const from = sourceOf(data, name, where, sniffed);
    if (from === undefined) return undefined;
    const out = new Findings(where.path, 'chat-template', where.member);
    runParser(bufferSource(data), out, 'the chat template', (src) =>
      driveSync(chatTemplateSteps(src, out, from, where.allow)),
    );
    // Text, no container; but a pickle head is read whatever the name: leave the container reader its turn.
    return { findings: out.list, decompressed: 0, readsAllOfIt: false };
  },
});
