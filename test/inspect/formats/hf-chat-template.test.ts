import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusPath, hasCorpora } from '../../helpers/corpus.js';
import { inspectFolder } from '../pickle/scan-folder.js';

const PAYLOAD = "{{ cycler.__init__.__globals__.os.popen('id').read() }}";
const BENIGN =
  "{% for m in messages %}{{ '<|' + m['role'] + '|>\\n' + m['content'] + eos_token }}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}";

/** One model folder per case: file name → text. Returns rule:level per repo-relative path. */
async function scanCase(files: Record<string, string>): Promise<Record<string, string[]>> {
  const root = mkdtempSync(path.join(tmpdir(), 'cp-hf-template-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  const by = await inspectFolder(root);
  return Object.fromEntries([...by].map(([p, fs]) => [p, fs.map((f) => `${f.ruleId}:${f.level}`).sort()]));
}

describe('Hugging Face chat templates are read where transformers finds them', () => {
  it.each([
    {
      name: 'tokenizer_config.json, string template with a payload',
      files: { 'tokenizer_config.json': JSON.stringify({ chat_template: PAYLOAD, bos_token: '<s>' }) },
      want: { 'tokenizer_config.json': ['CPI055:error'] },
    },
    {
      name: 'tokenizer_config.json, named templates: the payload in the second',
      files: {
        'tokenizer_config.json': JSON.stringify({
          chat_template: [
            { name: 'default', template: BENIGN },
            { name: 'tool_use', template: PAYLOAD },
          ],
        }),
      },
      want: { 'tokenizer_config.json': ['CPI055:error'] },
    },
    {
      // transformers keeps an object as `self.chat_template` (only a list is turned into one) and
      // `get_chat_template` renders its "default" or "tool_use" entry.
      name: 'tokenizer_config.json, named templates as an object: the payload under tool_use',
      files: {
        'tokenizer_config.json': JSON.stringify({ chat_template: { default: BENIGN, tool_use: PAYLOAD } }),
      },
      want: { 'tokenizer_config.json': ['CPI055:error'] },
    },
    {
      name: 'chat_template.json (processors), named templates as an object',
      files: { 'chat_template.json': JSON.stringify({ chat_template: { default: PAYLOAD } }) },
      want: { 'chat_template.json': ['CPI055:error'] },
    },
    {
      name: 'chat_template.json (processors)',
      files: { 'chat_template.json': JSON.stringify({ chat_template: PAYLOAD }) },
      want: { 'chat_template.json': ['CPI055:error'] },
    },
    {
      // processing_utils.py `get_processor_dict`: a legacy `chat_template` in processor_config.json reaches the
      // processor's `chat_template` (a chat_template.jinja beside it takes precedence; older releases read only this).
      name: 'processor_config.json, legacy chat_template',
      files: { 'processor_config.json': JSON.stringify({ processor_class: 'LlavaProcessor', chat_template: PAYLOAD }) },
      want: { 'processor_config.json': ['CPI055:error'] },
    },
    {
      name: 'the other model configs hold no template transformers renders',
      files: {
        'config.json': JSON.stringify({ model_type: 'llama', chat_template: PAYLOAD }),
        'preprocessor_config.json': JSON.stringify({ chat_template: PAYLOAD }),
        'processor_config.json': JSON.stringify({ processor_class: 'LlavaProcessor', chat_template: BENIGN }),
      },
      want: {},
    },
    {
      name: 'chat_template.jinja and additional_chat_templates/*.jinja',
      files: { 'chat_template.jinja': BENIGN, 'additional_chat_templates/rag.jinja': PAYLOAD },
      want: { 'additional_chat_templates/rag.jinja': ['CPI055:error'] },
    },
    {
      name: 'benign templates in every place, and a config with no template',
      files: {
        'tokenizer_config.json': JSON.stringify({ chat_template: BENIGN }),
        'chat_template.json': JSON.stringify({ chat_template: BENIGN }),
        'chat_template.jinja': BENIGN,
        'other/tokenizer_config.json': JSON.stringify({ model_max_length: 512 }),
      },
      want: {},
    },
    {
      name: 'a template past the size limit is not checked, and fails the gate',
      files: { 'tokenizer_config.json': JSON.stringify({ chat_template: `${BENIGN}${' '.repeat(300_000)}` }) },
      want: { 'tokenizer_config.json': ['CPI051:error'] },
    },
    {
      name: 'a tokenizer config that is not JSON',
      files: { 'tokenizer_config.json': '{"chat_template": "{{ x }}", ' },
      want: { 'tokenizer_config.json': ['CPI050:warning'] },
    },
  ])('$name', async ({ files, want }) => {
    expect(await scanCase(files)).toEqual(want);
  });

  it.runIf(hasCorpora())('modelaudit’s jinja2 samples: every malicious one flagged, no benign one', async () => {
    const dir = corpusPath('released', 'pickles', 'modelaudit', 'tests', 'assets', 'samples', 'jinja2');
    const files: Record<string, string> = {};
    for (const sub of ['benign', 'malicious', 'obfuscated'])
      for (const f of readdirSync(path.join(dir, sub)).filter((n) => n.endsWith('.json')))
        files[`${sub}/${f.replace(/\.json$/, '')}/tokenizer_config.json`] = readFileSync(
          path.join(dir, sub, f),
          'utf8',
        );
    const got = await scanCase(files);
    const flagged = Object.keys(got).map((p) => p.split('/').slice(0, 2).join('/'));
    const expected = Object.keys(files)
      .filter((p) => !p.startsWith('benign/'))
      .map((p) => p.split('/').slice(0, 2).join('/'));
    expect(flagged.sort()).toEqual(expected.sort());
    expect(Object.values(got).every((r) => r.includes('CPI055:error'))).toBe(true);
  });
});
