import type { UnseenCase } from './unseen-attacks.test.js';
import type { GgufValue } from '../formats/build.js';
import { gguf } from '../formats/build.js';

const u64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const str = (s: string) => Buffer.concat([u64(Buffer.byteLength(s)), Buffer.from(s)]);
/** An array (type 9) of `n` arrays of one string each: what gguf-py writes for a list of lists. */
const arrayOfArrays = (n: number) =>
  Buffer.concat([u32(9), u64(n), ...Array.from({ length: n }, () => Buffer.concat([u32(8), u64(1), str('a')]))]);
const BASE: [string, GgufValue][] = [['general.architecture', { type: 'string', value: 'llama' }]];
const PAYLOAD = "{{ cycler.__init__.__globals__.os.popen('id').read() }}";

/** GGUF metadata judged by ggml's gguf.cpp (what llama.cpp loads) and the HF chat-template checks. */
export const ROUND3_GGUF_CASES: readonly UnseenCase[] = [
  {
    name: 'GGUF metadata holding an array of arrays',
    loader: 'ggml gguf.cpp gguf_init_from_file_impl: GGUF_TYPE_ARRAY items fail the load (gguf-py reads them)',
    files: {
      'm.gguf': gguf({ kv: [...BASE, ['tokenizer.ggml.merges', { type: 'raw', typeId: 9, bytes: arrayOfArrays(2) }]] }),
    },
    want: ['CPI056:warning'],
  },
  {
    name: 'GGUF chat template that runs a payload only for the tool role',
    loader: 'llama.cpp / HF apply_chat_template render the Jinja template (CVE-2024-34359 shape)',
    files: {
      'm.gguf': gguf({
        kv: [
          ...BASE,
          [
            'tokenizer.chat_template',
            {
              type: 'string',
              value: `{% for m in messages %}{% if m['role'] == 'tool' %}${PAYLOAD}{% else %}{{ m['content'] }}{% endif %}{% endfor %}`,
            },
          ],
        ],
      }),
    },
    want: ['CPI055:error'],
  },
  {
    name: 'GGUF named chat template (tokenizer.chat_template.tool_use) with a payload',
    loader: 'llama.cpp llama_model_chat_template(name) reads tokenizer.chat_template.<name>',
    files: {
      'm.gguf': gguf({ kv: [...BASE, ['tokenizer.chat_template.tool_use', { type: 'string', value: PAYLOAD }]] }),
    },
    want: ['CPI055:error'],
  },
  {
    name: 'GGUF with an ordinary chat template',
    loader: 'llama.cpp renders it; nothing reaches Python internals',
    files: {
      'm.gguf': gguf({
        kv: [
          ...BASE,
          [
            'tokenizer.chat_template',
            {
              type: 'string',
              value: "{% for m in messages %}{{ '<|' + m['role'] + '|>' + m['content'] }}{% endfor %}",
            },
          ],
        ],
      }),
    },
    want: [],
  },
];
