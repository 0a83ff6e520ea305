import { describe, expect, it } from 'vitest';
import { clickParameterName } from '../../src/refs/python-env.js';

// click/core.py Option._parse_decls and Argument._parse_decls: the parameter a declaration fills.
describe('click parameter names (python-env.ts clickParameterName)', () => {
  it.each([
    [['--model-name', '-m'], 'model_name'],
    [['-m', '--model-name'], 'model_name'],
    [['-t', '--tok', 'tokenizer_id'], 'tokenizer_id'],
    [['-m'], 'm'],
    [['--shout/--no-shout'], 'shout'],
    [['--Model-ID'], 'model_id'],
    [['--a', '--b'], 'a'],
    [['--1st'], undefined],
  ] as const)('option %j fills %s', (decls, name) => {
    expect(clickParameterName('option', decls)).toBe(name);
  });

  it.each([
    [['model-id'], 'model_id'],
    [['MODEL'], 'model'],
    [['a', 'b'], undefined],
  ] as const)('argument %j fills %s', (decls, name) => {
    expect(clickParameterName('argument', decls)).toBe(name);
  });
});
