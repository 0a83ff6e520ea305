import { describe, expect, it } from 'vitest';
import { parseYarnrcV1 } from '../../src/deps/yarnrc-v1.js';

/** yarn 1's `.yarnrc`, read with the syntax of yarn's lockfile `parse` (src/lockfile/parse.js), as rc.js reads it. */
describe('parseYarnrcV1', () => {
  it('reads quoted and plain keys and values, the last line of a key winning', () => {
    const text =
      '# yarn config\nregistry "https://first.example/"\n"@corp:registry" "https://npm.corp.example/"\n' +
      'strict-ssl false\nnetwork-timeout 600000\nregistry "https://last.example/"\n';
    expect(Object.fromEntries(parseYarnrcV1(text))).toEqual({
      registry: 'https://last.example/',
      '@corp:registry': 'https://npm.corp.example/',
      'strict-ssl': 'false',
      'network-timeout': '600000',
    });
  });

  it('keeps only top-level settings: a nested block is no setting of the file', () => {
    expect(
      Object.fromEntries(parseYarnrcV1('registry "https://r.example/"\nnested:\n  registry "https://n.example/"\n')),
    ).toEqual({
      registry: 'https://r.example/',
    });
  });

  // yarn's tokenizer ends an unquoted string at `:`: `registry https://x` stops yarn with "Unknown token ... COLON".
  it.each([
    ['an unquoted URL', 'registry "https://r.example/"\nregistry https://x.example/\n'],
    ['an indent yarn stops reading at', 'registry "https://r.example/"\n   registry "https://x.example/"\n'],
  ])('counts no setting of a file the syntax refuses (%s): yarn stops with the parse error', (_name, text) => {
    expect(parseYarnrcV1(text).size).toBe(0);
  });
});
