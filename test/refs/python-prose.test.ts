import { describe, expect, it } from 'vitest';
import { proseCheck, proseSpans } from '../../src/refs/python-prose.js';

/** Each prose span's text. */
function prose(text: string): string[] {
  const spans = proseSpans(text);
  const out: string[] = [];
  for (let i = 0; i < spans.length; i += 2) out.push(text.slice(spans[i], spans[i + 1]));
  return out;
}

describe('python-prose.ts: comments and plain strings, as @lezer/python tokenizes them', () => {
  const CASES: { text: string; want: string[] }[] = [
    { text: 'kw = {"revision": R}  # kw pins it\n', want: ['"revision"', '# kw pins it'] },
    // A prefix belongs to its string; an f-string is code (its fields are), and so is a word ending in a prefix.
    { text: 'a = rb"x" + f"{kw}" + Rb\'y\' + x_f"z"\n', want: ['rb"x"', "Rb'y'", '"z"'] },
    // A backslash takes the next character along, raw strings included; `#` in a string is no comment.
    { text: 's = "a\\"#b" + r\'c\\\'d\' # e\n', want: ['"a\\"#b"', "r'c\\'d'", '# e'] },
    // A long string spans lines and holds quotes; a short one ends at its line's end.
    {
      text: 'def f():\n    """kw.update()\n    it\'s "fine"\n    """\n',
      want: ['"""kw.update()\n    it\'s "fine"\n    """'],
    },
    { text: 'x = "open\nkw.update(a)\n', want: ['"open'] },
    { text: 'e = ""\nkw.update(a)\n', want: ['""'] },
    // A long string left open: nothing is prose.
    { text: '# c\nx = """never closed\nkw.update(a)\n', want: [] },
  ];
  for (const { text, want } of CASES)
    it(JSON.stringify(text), () => {
      expect(prose(text)).toEqual(want);
    });

  it('answers by offset', () => {
    const text = 'kw = 1  # kw\nkw.update()\n';
    const isProse = proseCheck(text);
    expect([0, 9, 10, 13].map(isProse)).toEqual([false, true, true, false]);
  });
});
