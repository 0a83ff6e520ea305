import { describe, expect, it } from 'vitest';
import { DEFAULT_SKIP_DIRS, KEEP_FILE_MAX, TEMPLATE_CHUNK, walkTree } from '../../src/discover/walk.js';
import { SNIFF_BYTES } from '../../src/discover/detect.js';
import { MAX_TEMPLATE_FILE } from '../../src/discover/formats/chat-template-head.js';
import { ownReferenceSources } from '../../src/refs/sources.js';
import { tempTrees } from '../helpers/temp-tree.js';

const tree = tempTrees('chainproof-walk-template-');

/** The walk as a scan runs it: with the refs stage's content filter (small JSON and YAML are read whole). */
async function claims(files: Record<string, string>): Promise<Record<string, string>> {
  const root = tree(files);
  const { files: found } = await walkTree(root, {
    include: [],
    exclude: [],
    skipDirs: DEFAULT_SKIP_DIRS,
    content: ownReferenceSources,
  });
  return Object.fromEntries(found.map((f) => [f.path, `${f.format}/${f.claimed ?? '-'}`]));
}

const KEY = '"chat_template": "{{ messages }}"';
/** A JSON object too large to be read whole whose key starts at byte `at`. */
const keyAt = (at: number) => `{"pad": "${'x'.repeat(at - 13)}", ${KEY}}`;

describe('the walk finds chat templates under other names by content', () => {
  it.each([
    { name: 'a JSON object with the key in its head', file: 'a.json', text: `{${KEY}}`, want: true },
    {
      name: 'the key spelled with a JSON escape (json.load decodes it)',
      file: 'a.json',
      text: '{"chat\\u005Ftemplate": "x"}',
      want: true,
    },
    {
      name: 'the key past the head, in a file read whole for the refs stage',
      file: 'tok.json',
      text: `{"pad": "${'x'.repeat(20_000)}", ${KEY}}`,
      want: true,
    },
    {
      name: 'the key past the head, in a file too large to be read whole',
      file: 'tok.json',
      text: `{"pad": "${'x'.repeat(KEEP_FILE_MAX + 10_000)}", ${KEY}}`,
      want: true,
    },
    {
      // Reads past the head start 16 bytes before the bytes already searched end, so a key cut in two by the end
      // of one read is whole in the next: here at the end of the head and of the first read after it.
      name: 'the key across the end of the head and the next read',
      file: 'tok.json',
      text: keyAt(SNIFF_BYTES + TEMPLATE_CHUNK - 6),
      want: true,
    },
    {
      name: 'the key across the end of the first read past the head',
      file: 'tok.json',
      text: keyAt(SNIFF_BYTES - 16 + TEMPLATE_CHUNK - 6),
      want: true,
    },
    {
      // json.load reads a config of any size: a key padded past the inspector's limit is still found (CPI051 there).
      name: 'the key past the largest template file the inspector reads',
      file: 'serving.json',
      text: keyAt(MAX_TEMPLATE_FILE + 1000),
      want: true,
    },
    { name: 'a YAML config', file: 'serve.yaml', text: `model: x\nchat_template: "{{ messages }}"\n`, want: true },
    {
      name: 'a YAML key with a \\x escape',
      file: 'serve.yml',
      text: '"chat\\x5ftemplate": x\n',
      want: true,
    },
    {
      name: 'a YAML key with a \\U escape',
      file: 'serve.yaml',
      text: '"\\U00000063hat_template": x\n',
      want: true,
    },
    { name: 'a .j2 template, whatever it holds', file: 'nginx.conf.j2', text: 'server {}\n', want: true },
    {
      name: 'a .tmpl with Jinja syntax past the head',
      file: 'late.tmpl',
      text: `${'text\n'.repeat(2000)}{% if x %}{% endif %}`,
      want: true,
    },
    { name: 'a .template without Jinja syntax', file: '.env.template', text: 'API_URL=${API_URL}\n', want: false },
    { name: 'a JSON array', file: 'data.json', text: `[{${KEY}}]`, want: false },
    { name: 'a JSON object without the key', file: 'package-info.json', text: '{"name": "x"}', want: false },
    { name: 'a vocabulary with non-ASCII escapes', file: 'vocab.json', text: '{"\\u0120the": 1}', want: false },
    { name: 'a Python file mentioning the key', file: 'app.py', text: `cfg = {${KEY}}\n`, want: false },
  ])('$name', async ({ file, text, want }) => {
    const got = await claims({ [file]: text });
    // The file stays `other`: the refs stage, which reads JSON and YAML configs, still reads it.
    expect(got[file]).toBe(want ? 'other/chat-template-file' : 'other/-');
  });

  it('a name transformers reads keeps its own format', async () => {
    expect(await claims({ 'tokenizer_config.json': `{${KEY}}` })).toEqual({
      'tokenizer_config.json': 'chat-template/chat-template',
    });
  });
});
