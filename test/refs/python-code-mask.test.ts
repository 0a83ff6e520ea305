import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodeMask } from '../../src/refs/python-code-mask.js';
import { logicalLines } from '../../src/refs/python-lines.js';
import { lineTable } from '../../src/refs/python-lines-native.js';
import { keptStatements, MOST_OF_FILE_MIN, pythonSnippet } from '../../src/refs/python-snippet.js';
import { findPythonReferences, findPythonReferencesInWholeFile } from '../../src/refs/python.js';
import { differentialRuns } from './differential-runs.js';

/** The words of `text` that CodeMask calls code, in order. */
function codeWords(text: string): string[] {
  const table = lineTable(logicalLines(text)!);
  const mask = new CodeMask(text, table);
  const out: string[] = [];
  for (let i = 0; i < table.length / 2; i++) {
    const start = table[2 * i]!;
    const end = i + 1 < table.length / 2 ? table[2 * i + 2]! : text.length;
    for (const m of text.slice(start, end).matchAll(/[A-Za-z_]\w*/g))
      if (mask.inCode(i, start + m.index)) out.push(m[0]);
  }
  return out;
}

describe('CodeMask: where names stand (CPython tokenizer: a literal is one STRING token, a comment none)', () => {
  it.each([
    ['docstring', 'def f():\n    """MODEL = x"""\n    return y', ['def', 'f', 'return', 'y']],
    ['comment', 'a = b  # c = d\ne = 1', ['a', 'b', 'e']],
    ['single-quoted', "x = 'y = z' + w", ['x', 'w']],
    ['prefixed', 'x = rb"y" + Br\'z\' + u"v" + R"""t"""', ['x']],
    ['escaped-quote', 'x = "a\\" b = c" + d', ['x', 'd']],
    ['raw-escaped-quote', 'x = r"a\\" b = c" + d', ['x', 'd']],
    ['triple-with-quotes', 'x = """a "b" \'\'c\'\' """ + d', ['x', 'd']],
    ['adjacent', "x = 'a''b' 'c' + d", ['x', 'd']],
    // Conservative: an f-string's fields are code, so the rest of its line is left as code.
    ['f-string', 'x = f"{a} b" + "c"', ['x', 'f', 'a', 'b', 'c']],
    ['t-string', 'x = t"{a}"', ['x', 't', 'a']],
    ['name-before-quote', 'x = ab"c"', ['x', 'ab', 'c']],
    ['hash-in-string', 'x = "#" + y  # z', ['x', 'y']],
    ['multi-line-statement', 'x = f(\n    "a b",  # c\n    d,\n)', ['x', 'f', 'd']],
  ])('%s', (_name, text, want) => {
    expect(codeWords(text)).toEqual(want);
  });
});

/**
 * CodeMask's reading of a logical line, one character at a time as CPython's lexer reads a literal: 1 per masked
 * character (a plain literal with its prefix and quotes, a comment). What the mask's searches must give exactly.
 */
function maskedByLoop(text: string, start: number, end: number, masked: Uint8Array): void {
  const word = (c: string | undefined) => c !== undefined && /[\w\u00a1-\uffff]/.test(c);
  for (let k = start; k < end;) {
    const c = text[k]!;
    if (c === '#') {
      let stop = k;
      while (stop < end && text[stop] !== '\n' && text[stop] !== '\r') stop++;
      masked.fill(1, k, stop);
      k = stop;
    } else if (c === '"' || c === "'") {
      let from = k;
      while (from > start && from > k - 3 && /[A-Za-z]/.test(text[from - 1]!)) from--;
      if (from > start && word(text[from - 1])) return;
      if (!['', 'r', 'u', 'b', 'br', 'rb'].includes(text.slice(from, k).toLowerCase())) return;
      const triple = text[k + 1] === c && text[k + 2] === c;
      let to: number | undefined;
      for (let j = k + (triple ? 3 : 1); j < end; j++) {
        if (text[j] === '\\') j++;
        else if (text[j] === c && (!triple || (text[j + 1] === c && text[j + 2] === c))) {
          to = j + (triple ? 3 : 1);
          break;
        } else if (!triple && (text[j] === '\n' || text[j] === '\r')) return;
      }
      if (to === undefined) return;
      masked.fill(1, from, to);
      k = to;
    } else k++;
  }
}

describe('CodeMask agrees with a reading one character at a time', () => {
  const piece = fc.constantFrom(
    ...[
      '"',
      "'",
      '"""',
      "'''",
      '#',
      '\\',
      '\n',
      '\r',
      ' ',
      'x',
      'rb',
      'f',
      'U',
      'é',
      '=',
      '(',
      ')',
      ',',
      'a_1',
      '\\\n',
    ],
  );
  it('on generated text, at every offset of every logical line', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const text = pieces.join('');
        const lines = logicalLines(text);
        if (!lines) return;
        const table = lineTable(lines);
        const mask = new CodeMask(text, table);
        const want = new Uint8Array(text.length);
        for (const [i, line] of lines.entries()) {
          maskedByLoop(text, line.start, line.end, want);
          for (let at = line.start; at < line.end; at++)
            expect([i, at, mask.inCode(i, at)]).toEqual([i, at, !want[at]]);
        }
      }),
      { numRuns: differentialRuns(3000) },
    );
  });
});

describe('the snippet leaves prose out', () => {
  // scikit-learn's and torch's modules: large, mostly docstrings that show loader calls and assignments in examples.
  const doc = (i: number) =>
    `def f${i}(x):\n    """Compute things.\n\n    >>> from transformers import AutoModel\n    >>> rank = AutoModel.from_pretrained("org/doc")\n    >>> x, rank = rank, x\n    Parameters: rank : int\n    """\n    rank = x + ${i}  # rank = other\n    return rank\n`;
  const text =
    'from transformers import AutoModel\nNAME = "org/" + "real"\n' +
    Array.from({ length: 120 }, (_, i) => doc(i)).join('') +
    'def load(rank):\n    return AutoModel.from_pretrained(NAME, revision=rank)\n';

  it('keeps the import, the loader call and what it reads, not the docstrings that show calls', () => {
    expect(text.length).toBeGreaterThan(MOST_OF_FILE_MIN);
    const kept = keptStatements(text)!;
    expect(kept).toBeDefined();
    expect(pythonSnippet(text)!.text.length).toBeLessThan(text.length / 4);
    expect(pythonSnippet(text)!.text).not.toContain('Compute things');
    expect(findPythonReferences('doc.py', text, () => false)).toEqual(
      findPythonReferencesInWholeFile('doc.py', text, () => false),
    );
  });
});
