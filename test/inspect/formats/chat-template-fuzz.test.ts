import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkTemplateAst } from '../../../src/inspect/formats/chat-template-ast.js';
import { checkChatTemplate } from '../../../src/inspect/formats/chat-template.js';

/** Pieces of real and hostile templates, glued at random: the checks must answer (a list), never throw. */
const PIECES = [
  '{% set ns = namespace(k=1) %}',
  '{% set ns.k = ns.k ~ x %}',
  '{% for m in messages %}',
  '{% endfor %}',
  '{% if x %}',
  '{% endif %}',
  '{% macro f(a, b=1) %}{{ a[b] }}{% endmacro %}',
  '{{ f(x, y) }}',
  "{{ messages[0]['role'] }}",
  '{{ m[k] }}',
  '{% set k = dict(_=1)|first %}',
  '{% set u %}_{% endset %}',
  "{{ '{:c}'.format(95) }}",
  '{{ (messages|select|string)[24] }}',
  '{{ x | map(attribute=k) | list }}',
  '{{ ',
  ' }}',
  '{% ',
  ' %}',
  "'",
  '[',
  ']',
  '(',
  ')',
  '~',
  'text ',
];

describe('chat template checks on random templates', () => {
  it('always answer, and a template that does not parse is reported', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }), (parts) => {
        const template = parts.join('');
        const ast = checkTemplateAst(template);
        const hits = checkChatTemplate(template);
        expect(Array.isArray(hits)).toBe(true);
        if (ast === undefined)
          expect(hits.map((h) => h.indicator)).toContain('template does not parse (it cannot be checked)');
      }),
      { numRuns: 300 },
    );
  });
});
