import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shellWord } from '../../src/core/shell-word.js';
import { unknownModel, unknownModelsInFolder } from '../../src/models/findings.js';

/** What /bin/sh makes of `word` as the one argument of printf: the text it would pass to a command. */
const shellReads = (word: string): string =>
  spawnSync('/bin/sh', ['-c', `printf '%s' ${word}`], { encoding: 'utf8' }).stdout;

describe('shellWord', () => {
  it.each([
    { name: 'plain path', path: 'models/bert.pkl', want: 'models/bert.pkl' },
    { name: 'command substitution', path: '$(touch x).pkl', want: `'$(touch x).pkl'` },
    { name: 'backticks', path: '`id`.pkl', want: "'`id`.pkl'" },
    { name: 'a quote', path: "it's.pkl", want: `'it'\\''s.pkl'` },
    { name: 'a leading dash', path: '-rf.pkl', want: './-rf.pkl' },
    { name: 'space and pipe', path: 'a b|c.pkl', want: `'a b|c.pkl'` },
  ])('$name', ({ path, want }) => {
    expect(shellWord(path)).toBe(want);
  });

  it('the shell reads every quoted name back as the name, and runs nothing', () => {
    const name = fc.stringMatching(/^[^\0]{1,16}$/).filter((s) => !s.startsWith('-'));
    fc.assert(
      fc.property(name, (path) => {
        expect(shellReads(shellWord(path))).toBe(path);
      }),
      { numRuns: 150 },
    );
  });
});

describe('the suggested `registry add` quotes the path', () => {
  it.each([
    { name: 'one file', message: unknownModel({ path: '$(curl x|sh).pkl', format: 'pickle' }, 'note').message },
    {
      name: 'a folder',
      message: unknownModelsInFolder(
        'm;id',
        [
          { path: 'm;id/a.pkl', format: 'pickle' },
          { path: 'm;id/b.pkl', format: 'pickle' },
        ],
        'note',
      ).message,
    },
  ])('$name', ({ message }) => {
    const command = /`(chainproof registry add [^`]*)`/.exec(message)?.[1];
    expect(command).toBeDefined();
    expect(command).toMatch(/^chainproof registry add '[^']*' --name/);
  });
});
