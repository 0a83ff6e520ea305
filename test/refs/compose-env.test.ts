import { describe, expect, it } from 'vitest';
import { interpolate } from '../../src/refs/compose-env.js';
import { dotenvValues } from '../../src/refs/compose-dotenv.js';

const env = new Map([
  ['MODEL', 'acme/x'],
  ['EMPTY', ''],
]);
const word = (text: string) => interpolate({ text, at: 0, expands: text.includes('$') }, env);

describe('Compose interpolation (compose-env.ts)', () => {
  it.each([
    ['${MODEL}', 'acme/x', false, 'MODEL'],
    ['$MODEL', 'acme/x', false, 'MODEL'],
    ['--model=${MODEL}', '--model=acme/x', false, 'MODEL'],
    // `:-` defaults when unset or empty, `-` only when unset.
    ['${UNSET:-acme/d}', 'acme/d', false, 'UNSET'],
    ['${EMPTY:-acme/d}', 'acme/d', false, 'EMPTY'],
    ['${EMPTY-acme/d}', '', false, 'EMPTY'],
    ['${MODEL:-acme/d}', 'acme/x', false, 'MODEL'],
    // `$$` is a dollar sign.
    ['cost$$', 'cost$', false, undefined],
    // Left to the run time: no value, `:?`, `:+`, a default that interpolates again, forms not read here.
    ['${UNSET}', '${UNSET}', true, 'UNSET'],
    ['${UNSET:?need it}', '${UNSET:?need it}', true, 'UNSET'],
    ['${MODEL:+acme/alt}', '${MODEL:+acme/alt}', true, 'MODEL'],
    ['${UNSET:-${MODEL}}', '${UNSET:-acme/x}', true, 'UNSET'],
    ['${MODEL/x/y}', '${MODEL/x/y}', true, 'MODEL'],
    ['plain', 'plain', false, undefined],
  ])('%s', (text, want, expands, variable) => {
    const got = word(text);
    expect([got.text, got.expands, got.variable]).toEqual([want, expands, variable]);
  });

  it('reads a value once, however many unclosed expansions it holds', () => {
    const text = '${A:-'.repeat(100_000);
    expect(word(text)).toMatchObject({ text, expands: true, variable: 'A' });
  });

  it('reads .env as dotenv does, and never takes a secret', () => {
    const values = dotenvValues(
      [
        '# comment',
        'export MODEL_ID=acme/m # trailing comment',
        "REVISION='main'",
        'HF_TOKEN=hf_example',
        'HUGGING_FACE_HUB_TOKEN=anything',
        'OPENAI_API_KEY=x',
        'MIRROR=ghp_abcdef',
        'EMPTY=',
      ].join('\n'),
    );
    expect(Object.fromEntries(values)).toEqual({ MODEL_ID: 'acme/m', REVISION: 'main', EMPTY: '' });
  });
});
