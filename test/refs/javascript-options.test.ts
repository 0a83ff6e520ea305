import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/trust/policy/default.js';
import { findJavaScriptReferences } from '../../src/refs/javascript.js';
import { findJavaScriptReferencesFast } from '../../src/refs/javascript-fast.js';
import { judgeReference } from '../../src/refs/judge.js';
import { REPO } from '../helpers/cli.js';

/**
 * transformers.js options as utils/hub.js `getModelFile` reads them (`options.revision ?? 'main'`,
 * `options.local_files_only`), whatever object carries them, and TypeScript's assertions around literals: the
 * verdicts fidelity-cases-javascript.ts's rule IDs do not show, and the parser-free reader's agreement.
 */
const DIR = path.join(REPO, 'fixtures', 'refs', 'fidelity');
const NOWHERE = () => false;
const read = (file: string) => findJavaScriptReferences(file, readFileSync(path.join(DIR, file), 'utf8'), NOWHERE);
const unpinned = (ref: Parameters<typeof judgeReference>[0]) =>
  judgeReference(ref, new Map(), DEFAULT_POLICY).find((f) => f.ruleId === 'CPR001')?.message;
const REV = '0123456789abcdef0123456789abcdef01234567';
const IMPORT = `import { AutoModel, pipeline } from '@huggingface/transformers';\n`;

describe('transformers.js options passed as an object the file shows (transformersjs-options-variable.js)', () => {
  const refs = read('transformersjs-options-variable.js').references;
  const byRepo = (repo: string) => refs.find((r) => r.repoId === repo)!;

  it.each(['acme/by-name', 'acme/spread', 'acme/spread-extended', 'acme/frozen'])('%s is pinned', (repo) => {
    expect(byRepo(repo)).toMatchObject({ revision: REV, revisionKind: 'commit' });
  });

  it.each(['acme/user-spread', 'acme/changed', 'acme/handed'])(
    '%s: a revision the file does not decide, never "no revision" or a pin',
    (repo) => {
      const ref = byRepo(repo);
      expect(ref.revision).toBeUndefined();
      expect(ref.revisionKind).toBe('ref');
      expect(unpinned(ref)).toContain('a revision this file does not decide');
    },
  );

  it('a spread of the caller’s options after a pin leaves the pin undecided; a key after the spread decides', () => {
    const text =
      `${IMPORT}export const f = (o) => AutoModel.from_pretrained('acme/a', { revision: '${REV}', ...o });\n` +
      `export const g = (o) => AutoModel.from_pretrained('acme/b', { ...o, revision: '${REV}' });\n`;
    const got = findJavaScriptReferences('o.js', text, NOWHERE).references.map((r) => `${r.repoId} ${r.revisionKind}`);
    expect(got).toEqual(['acme/a ref', 'acme/b commit']);
  });

  it('objects spread into each other in a cycle are open, not read round and round', () => {
    const text = `${IMPORT}const A = { ...B };\nconst B = { ...A, revision: 'main' };\nawait AutoModel.from_pretrained('acme/cycle', { ...A });\n`;
    const got = findJavaScriptReferences('o.js', text, NOWHERE).references.map((r) => `${r.repoId} ${r.revisionKind}`);
    expect(got).toEqual(['acme/cycle ref']);
  });
});

describe('transformers.js local_files_only (transformersjs-local-files-only.js)', () => {
  it('reads the cache or the local model path only, as Python local_files_only=True is reported', () => {
    const refs = read('transformersjs-local-files-only.js').references;
    expect(refs.filter((r) => r.cacheOnly).map((r) => `${r.line} ${r.via}`)).toEqual([
      '5 AutoTokenizer.from_pretrained',
      '6 AutoModel.from_pretrained',
      '11 pipeline',
    ]);
    expect(unpinned(refs.find((r) => r.line === 5)!)).toContain(
      "from transformers.js's cache or env.localModelPath only (local_files_only: true)",
    );
    // `local_files_only: false` is the default: a download.
    expect(refs.find((r) => r.repoId === 'acme/fetched')?.cacheOnly).toBeUndefined();
  });
});

describe('TypeScript assertions around literals (ts-literal-wrappers.ts)', () => {
  it('reads `<T>x` as an assertion in a .ts file, and as JSX in a .tsx file', () => {
    const text = `${IMPORT}await pipeline('x', <string>'acme/cast');\n`;
    expect(findJavaScriptReferences('a.ts', text, NOWHERE).references.map((r) => r.repoId)).toEqual(['acme/cast']);
    expect(findJavaScriptReferences('a.tsx', text, NOWHERE).references).toEqual([]);
  });
});

describe('the parser-free reader agrees on the new shapes (javascript-fast.ts)', () => {
  const fast = (name: string, text: string) => findJavaScriptReferencesFast(name, text, NOWHERE);

  it.each(['ts-literal-wrappers.ts', 'transformersjs-options-variable.js', 'transformersjs-local-files-only.js'])(
    '%s: answers as lezer does, or leaves the file to it',
    (file) => {
      const text = readFileSync(path.join(DIR, file), 'utf8');
      const got = fast(file, text);
      if (got) expect(got).toEqual(findJavaScriptReferences(file, text, NOWHERE));
    },
  );

  it.each([
    { name: 'as-const', text: `${IMPORT}await pipeline('x', 'acme/a' as const);\n` },
    { name: 'const-as-const', text: `${IMPORT}const ID = 'acme/a' as const;\nawait pipeline('x', ID);\n` },
    { name: 'satisfies', text: `${IMPORT}await pipeline('x', 'acme/a' satisfies string);\n` },
    { name: 'non-null', text: `${IMPORT}const ID: string = 'acme/a';\nawait AutoModel.from_pretrained(ID!);\n` },
    { name: 'chained', text: `${IMPORT}await pipeline('x', ('acme/' + 'a') as unknown as string);\n` },
    {
      name: 'revision-as-const',
      text: `${IMPORT}await pipeline('x', 'acme/a', { revision: '${REV}' as const, dtype: 'q8' });\n`,
    },
  ])('decides $name alone, as lezer does', ({ name, text }) => {
    const got = fast(`${name}.ts`, text);
    expect(got).toBeDefined();
    expect(got).toEqual(findJavaScriptReferences(`${name}.ts`, text, NOWHERE));
    expect(got!.references).toHaveLength(1);
    expect(got!.dynamic).toEqual([]);
  });

  it.each([
    {
      name: 'options-by-name',
      text: `${IMPORT}const o = { revision: '${REV}' };\nAutoModel.from_pretrained('a/b', o);\n`,
    },
    { name: 'options-spread', text: `${IMPORT}AutoModel.from_pretrained('a/b', { ...o, dtype: 'q8' });\n` },
    { name: 'options-frozen', text: `${IMPORT}AutoModel.from_pretrained('a/b', Object.freeze({ revision: 'v1' }));\n` },
    { name: 'options-as-const', text: `${IMPORT}AutoModel.from_pretrained('a/b', { revision: 'v1' } as const);\n` },
    { name: 'type-name-member', text: `${IMPORT}AutoModel.from_pretrained('a/b' as Models.Id);\n` },
  ])('leaves $name to lezer', ({ name, text }) => {
    expect(fast(`${name}.ts`, text)).toBeUndefined();
  });
});
