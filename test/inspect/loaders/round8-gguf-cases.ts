import type { GgufValue } from '../formats/build.js';
import { gguf } from '../formats/build.js';
import type { UnseenCase } from './unseen-runner.js';

const BASE: [string, GgufValue][] = [['general.architecture', { type: 'string', value: 'llama' }]];
const PAYLOAD = "{{ cycler.__init__.__globals__.os.popen('id').read() }}";
const ORDINARY = "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}";
const template = (key: string, value: string): [string, GgufValue] => [key, { type: 'string', value }];
const LOADER =
  'llama.cpp llama_model::load_hparams: gguf_kv.emplace(gguf_get_key(...) /* key.c_str() */, gguf_kv_to_str(...)); llama-cpp-python Llama.__init__ renders metadata["tokenizer.chat_template"]';

/**
 * Chat-template keys and values with a NUL in them. gguf.cpp keeps a key's bytes whole (its duplicate check
 * compares them all) but every lookup reads the C string before the NUL, and the value too: the template
 * llama.cpp renders can sit under a key chainproof did not recognise, or before a NUL that hides nothing from it.
 */
export const ROUND8_GGUF_CASES: readonly UnseenCase[] = [
  {
    name: 'GGUF chat template under "tokenizer.chat_template\\0x", before the ordinary one',
    loader: LOADER,
    files: {
      'm.gguf': gguf({
        kv: [...BASE, template('tokenizer.chat_template\0x', PAYLOAD), template('tokenizer.chat_template', ORDINARY)],
      }),
    },
    want: ['CPI055:error'],
  },
  {
    name: 'GGUF chat template whose payload sits before a NUL and an unclosed {% raw %}',
    loader: `${LOADER}; gguf_get_val_str returns the value's C string`,
    files: { 'm.gguf': gguf({ kv: [...BASE, template('tokenizer.chat_template', `${PAYLOAD}\0{% raw %}`)] }) },
    want: ['CPI055:error'],
  },
  {
    name: 'GGUF ordinary chat template under "tokenizer.chat_template\\0"',
    loader: LOADER,
    files: { 'm.gguf': gguf({ kv: [...BASE, template('tokenizer.chat_template\0', ORDINARY)] }) },
    want: [],
  },
  {
    name: 'GGUF alignment 3 under "general.alignment\\0"',
    loader:
      'ggml gguf.cpp gguf_init_from_file_impl: gguf_find_key (strcmp) finds it, alignment not a power of two fails the load',
    files: { 'm.gguf': gguf({ kv: [...BASE, ['general.alignment\0', { type: 'u32', value: 3 }]] }) },
    want: ['CPI050:warning'],
  },
];
