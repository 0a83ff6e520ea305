import {
  mayBeTemplateFile,
  showsTemplateSign,
  templateFileKind,
  type TemplateFileKind,
} from '../../discover/formats/chat-template-head.js';
import { formatFromName } from '../../discover/catalogue/index.js';
import { registerMemberFormat, type MemberPlace, type Sniffed } from '../content/member-formats.js';
import { chatTemplateSteps, type TemplateSource } from './hf-chat-template.js';
import { Findings, runParser } from './report.js';
import { bufferSource, driveSync } from './source.js';

/** The names transformers reads a chat template from (catalogue `chat-template`, and the processor's config). */
const NAMED = new Set(['tokenizer_config.json', 'chat_template.json', 'chat_template.jinja', 'processor_config.json']);

/** `additional_chat_templates/<name>.jinja` (catalogue `chat-template`'s path pattern), in a member's place. */
const ADDITIONAL = /(^|[/!])additional_chat_templates\/[^/!]+\.jinja$/i;

/**
 * Candidates by content claim their names too (YAML, Jinja, `.template`): the YAML python-tag reader claims `.yaml`
 * and would otherwise judge a tagged template candidate first, leaving its templates unread. A `.json` member is
 * not claimed, or the tar walk would hold every large JSON dataset whole: one the walk keeps is judged all the same.
 */
const CLAIMED_KINDS: ReadonlySet<TemplateFileKind> = new Set(['yaml', 'jinja', 'template']);

/**
 * How the walk and the chat template analyser would read a file of this name and these bytes: content first
 * (discover/detect.ts `detectFormat`), then the name (hf-chat-template.ts `templateSource`; of the model configs only
 * processor_config.json), then, for a name nothing claims, a candidate by content (discover/walk.ts
 * `searchedClaim`). Undefined when it holds no template that reader would check.
 */
function sourceOf(data: Buffer, name: string, where: MemberPlace, sniffed: Sniffed): TemplateSource | undefined {
  if (sniffed() !== undefined) return undefined;
  if (ADDITIONAL.test(where.member)) return 'jinja';
  const named = formatFromName(name);
  if (named === 'chat-template') return /\.jinja$/i.test(name) ? 'jinja' : 'tokenizer-config';
  if (named === 'hf-config') return name === 'processor_config.json' ? 'processor-config' : undefined;
  const kind = templateFileKind(name);
  if (named !== undefined || kind === undefined) return undefined;
  return mayBeTemplateFile(kind, data) && showsTemplateSign(kind, data) ? { byContent: kind } : undefined;
}

/**
 * A chat template shipped in an archive (a model release `.zip` or `.tar.gz` holding tokenizer_config.json or a
 * `chat_template.jinja`): extracted, it is what `AutoTokenizer.from_pretrained` (and vLLM's `--chat-template`,
 * llama.cpp's `--chat-template-file`) reads, so it is judged exactly as the same file on disk is, naming the member.
 */
registerMemberFormat({
  format: 'chat-template',
  claimsName: (name) => NAMED.has(name) || CLAIMED_KINDS.has(templateFileKind(name) as TemplateFileKind),
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
