import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/core/finding.js';
import { buildTar, buildZip } from '../containers/build.js';
import { scanAsCli } from '../../helpers/scan.js';
import { tempTrees } from '../../helpers/temp-tree.js';

const tree = tempTrees('chainproof-chat-template-member-');

const PAYLOAD = "{{ cycler.__init__.__globals__.os.popen('id').read() }}";
const BENIGN =
  "{% for m in messages %}{{ '<|' + m['role'] + '|>\\n' + m['content'] + eos_token }}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}";

/** The chat template and YAML tag rules a scan gives, `rule:level:indicators`, with where they are. */
const TEMPLATE_RULES = /^(CPI05\d|CPI134)$/;
async function templateFindings(files: Record<string, Buffer>): Promise<{ at: string; rule: string }[]> {
  const res = await scanAsCli(tree(files));
  return res.findings
    .filter((f) => TEMPLATE_RULES.test(f.ruleId))
    .map((f) => ({ at: f.location.member ?? f.location.path, rule: ruleOf(f) }))
    .sort((a, b) => (a.at + a.rule < b.at + b.rule ? -1 : 1));
}

const ruleOf = (f: Finding) => `${f.ruleId}:${f.level}:${String(f.evidence?.['indicators'] ?? '')}`;

/** The same file on disk, in a release zip, and in a release `.tar.gz` under a folder. */
async function threeWays(name: string, text: string) {
  const data = Buffer.from(text);
  const onDisk = await templateFindings({ [name]: data });
  const zipped = await templateFindings({ 'release.zip': buildZip([{ name, data, deflate: true }]) });
  const tgz = await templateFindings({ 'release.tar.gz': gzipSync(buildTar(`model/${name}`, data)) });
  return { onDisk, zipped, tgz };
}

describe('chat templates inside archives are judged as the same file on disk (transformers, vLLM, llama.cpp read it once extracted)', () => {
  it.each([
    { name: 'tokenizer_config.json', text: JSON.stringify({ chat_template: PAYLOAD, eos_token: '</s>' }) },
    { name: 'chat_template.json', text: JSON.stringify({ chat_template: { default: BENIGN, tool_use: PAYLOAD } }) },
    {
      name: 'processor_config.json',
      text: JSON.stringify({ processor_class: 'LlavaProcessor', chat_template: PAYLOAD }),
    },
    { name: 'chat_template.jinja', text: PAYLOAD },
    // By its name a full chat template; under another `.jinja` name, a candidate judged for a payload's signs alone.
    { name: 'additional_chat_templates/probe.jinja', text: "{{ '__class__' }}" },
    { name: 'templates/probe.jinja', text: "{{ '__class__' }}" },
    // Candidates by content, which runtimes load by path (`--chat-template`).
    { name: 'templates/chatml.json', text: JSON.stringify({ chat_template: PAYLOAD }) },
    { name: 'prompts/chat.j2', text: `{% for m in messages %}{{ m.content }}{% endfor %}${PAYLOAD}` },
    // A YAML candidate with python tags: both its template and its tags are judged, as on disk.
    { name: 'serve.yaml', text: `chat_template: "${PAYLOAD}"\nx: !!python/object/apply:os.system [id]\n` },
  ])('$name: the payload is found, with the same rules and signs', async ({ name, text }) => {
    const { onDisk, zipped, tgz } = await threeWays(name, text);
    expect(onDisk.map((f) => f.rule.split(':')[0])).toContain('CPI055');
    expect(zipped).toEqual(onDisk.map((f) => ({ ...f, at: name })));
    expect(tgz).toEqual(onDisk.map((f) => ({ ...f, at: `<gzip>!model/${name}` })));
  });

  it('the member of a YAML candidate with tags carries both findings', async () => {
    const { zipped } = await threeWays(
      'serve.yaml',
      `chat_template: "${PAYLOAD}"\nx: !!python/object/apply:os.system [id]\n`,
    );
    expect(zipped.map((f) => f.rule.split(':').slice(0, 2).join(':'))).toEqual(['CPI055:error', 'CPI134:error']);
  });

  it('a candidate past what the tar walk holds whole (8 MiB) is still read, as on disk', async () => {
    // A tokenizer config under another name whose added-token table pads it past the hold.
    const text = JSON.stringify({ added_tokens_decoder: ' '.repeat(9 << 20), chat_template: PAYLOAD });
    const { onDisk, tgz } = await threeWays('serving/chat-config.json', text);
    expect(onDisk.map((f) => f.rule.split(':')[0])).toEqual(['CPI055']);
    expect(tgz).toEqual(onDisk.map((f) => ({ ...f, at: '<gzip>!model/serving/chat-config.json' })));
  });

  it.each([
    { name: 'tokenizer_config.json', text: JSON.stringify({ chat_template: BENIGN, eos_token: '</s>' }) },
    { name: 'chat_template.jinja', text: BENIGN },
    // A web page's template: its globals are no payload outside a chat template.
    { name: 'site/page.j2', text: `<a href="{{ url_for('index') }}">{{ request.path }}</a>` },
    { name: 'data/labels.json', text: JSON.stringify({ labels: ['__class__', 'os'] }) },
    // transformers never renders a model config's `chat_template` (only processor_config.json's): the walk reads
    // config.json by its name, not as a candidate.
    { name: 'config.json', text: JSON.stringify({ model_type: 'llama', chat_template: PAYLOAD }) },
  ])('silent: $name', async ({ name, text }) => {
    expect(await threeWays(name, text)).toEqual({ onDisk: [], zipped: [], tgz: [] });
  });
});
