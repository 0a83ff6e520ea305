import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UnseenCase } from './unseen-runner.js';

const FIXTURES = join(import.meta.dirname, '../../../fixtures');
/** `fixtures/keras-archives/generate.py`: a Sequential whose Lambda layer carries marshalled bytecode. */
const LAMBDA_KERAS = readFileSync(join(FIXTURES, 'keras-archives/malicious/lambda-bytecode.keras'));
/** A GGUF v3 header with no tensors and no metadata: what content detection sees first. */
const GGUF_HEAD = Buffer.concat([Buffer.from('GGUF'), Buffer.from([3, 0, 0, 0]), Buffer.alloc(16)]);

/**
 * Files whose loader goes by the name: Keras `saving_api.load_model` sends a `.keras` path to `saving_lib` when
 * `zipfile.is_zipfile` finds the end record, which it does behind any leading bytes, and `_load_model_from_fileobj`
 * deserializes `config.json` first. Content detection sees the leading format; the Keras reading must still happen.
 */
export const NAMED_FORMAT_CASES: readonly UnseenCase[] = [
  {
    name: '.keras archive behind a GGUF head',
    loader: 'keras.src.saving.saving_api.load_model (".keras" name + zipfile.is_zipfile) → saving_lib',
    files: { 'model.keras': Buffer.concat([GGUF_HEAD, LAMBDA_KERAS]) },
    want: ['CPI060:error'],
  },
  {
    name: 'the same bytes named .gguf (Keras never loads it; llama.cpp reads an empty GGUF)',
    loader: 'llama.cpp gguf_init_from_file',
    files: { 'model.gguf': Buffer.concat([GGUF_HEAD, LAMBDA_KERAS]) },
    want: [],
  },
];
