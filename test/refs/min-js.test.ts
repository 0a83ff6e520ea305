import { describe, expect, it } from 'vitest';
import { searchText } from '../../src/refs/find.js';
import { languageOf } from '../../src/refs/sources.js';

/**
 * A `.min.js` is a script like any other to the runtime that loads it: searched when it reads as hand-written code,
 * and when minified, skipped by its shape and counted (CPR011) — never passed over unseen for its name.
 */
describe('.min.js files', () => {
  it('are JavaScript to the finders', () => {
    expect(languageOf('web/app.min.js')).toBe('javascript');
    expect(languageOf('types/index.d.ts')).toBeUndefined();
  });

  it('one that is not minified is searched for its references', () => {
    const text = [
      "import { pipeline } from '@huggingface/transformers';",
      "const generate = await pipeline('text-generation', 'acme/tiny-chat');",
      '',
    ].join('\n');
    const r = searchText('web/app.min.js', text, () => false);
    expect(r.kind === 'found' && r.refs.references.map((x) => x.repoId)).toEqual(['acme/tiny-chat']);
  });

  it('a minified one that names a loader is skipped by its shape, so the scan counts it', () => {
    const body = Array.from({ length: 400 }, (_, i) => `var a${i}=function(b){return b+${i}};`).join('');
    const text = `import{pipeline as p}from"@huggingface/transformers";${body}p("text-generation","acme/bundled");\n`;
    expect(searchText('web/vendor.min.js', text, () => false)).toEqual({ kind: 'skipped' });
  });
});
