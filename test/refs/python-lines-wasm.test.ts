import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logicalLines } from '../../src/refs/python-lines.js';
import {
  HIT,
  assignedIn,
  namedAt,
  jsBlocks,
  lineBlocks,
  lineTable,
  nativeLineIndex,
  nativeLines,
  nativeShape,
} from '../../src/refs/python-lines-native.js';
import { generatedByLines, lineIndex, looksGenerated, nestingDepth } from '../../src/refs/text.js';
import { assignmentHits } from '../../src/refs/python-snippet.js';
import { CORPORA_ROOT } from '../helpers/corpus.js';
import { REPO } from '../helpers/cli.js';

/**
 * python-lines.wat reads the common shapes of Python in WebAssembly; python-lines.ts and python-snippet.ts
 * `assignmentHits` decide every shape. Wherever the module answers, its answer must be theirs, line for line and hit
 * for hit; where it gives up, the JavaScript reads the file.
 */
/** Lines as the table `nativeLines` gives, and each assignment hit as `line:start:name`. */
function javascript(text: string): { lines: number[]; hits: string[] } | undefined {
  const lines = logicalLines(text);
  if (!lines) return undefined;
  const table = lineTable(lines);
  const hits: string[] = [];
  assignmentHits(text, table, (line, name) => hits.push(`${line}:${name}`));
  return { lines: [...table], hits };
}

function native(text: string): { lines: number[]; hits: string[] } | undefined {
  const got = nativeLines(text);
  if (!got) return undefined;
  const hits: string[] = [];
  for (let k = 0; k < got.hits.length; k += HIT)
    hits.push(`${got.hits[k]}:${text.slice(got.hits[k + 1], got.hits[k + 2])}`);
  return { lines: [...got.lines], hits };
}

/** Whether the module answered; where it did, its answer is the JavaScript's. */
const agrees = (text: string) => {
  const got = native(text);
  if (got !== undefined) expect(got).toEqual(javascript(text));
  return got !== undefined;
};

describe('nativeLines', () => {
  it.each([
    ['simple', 'a = 1\nb = 2\n'],
    ['brackets-join', 'f(\n  1,\n)\nx\n'],
    ['backslash-join', 'a = 1 + \\\n  2\n'],
    ['comment-and-blank-skipped', '# x = (\n\n  \ny = 1  # (\n'],
    ['header', 'if a:  # note\n    b()\n'],
    ['long-string', 's = """\nx = (\n"""\nt\n'],
    ['escaped-quote', "s = 'a\\'b('\nt\n"],
    ['raw-escaped-quote', 's = r"\\"("\nt\n'],
    ['raw-backslash-at-end', 's = r"\\'],
    ['prefixes', 'a = rb"x(" + BR\'y[\' + u"z{" + Rf"{a}(" + fR"{b!r:>9}"\n'],
    ['fstring-doubled-brace', 'f"{{("\nt\n'],
    ['fstring-field-with-call', 'x = f"{a.b(c)[0]} {d!s:>10} {e[1:2]}"\n'],
    ['fstring-spec', 'x = f"{n:>9.2f}( {{ }}"\nt\n'],
    ['not-a-prefix', 'xf"{("\nt\n'],
    ['unterminated-short-string-ends-at-newline', "s = '(\nt\n"],
    ['unterminated-short-string-at-end', "s = '("],
    ['header-inside-unterminated-string', "s = 'a:\nt\n"],
    ['no-final-newline', 'a\nb'],
    ['keyword-arguments', 'f(x=1,\n  y = 2)\nz == 3\n'],
    ['assignment-continued', 'a \\\n  = 1\n'],
    ['number-before-word', '1if=2\n'],
    ['equals-in-string', 's = "a=b"\n'],
    ['equals-in-comment', '# a = b\nc = 1\n'],
    ['equals-at-end', 'a ='],
    ['empty', ''],
    ['only-comment', '# x'],
    ['nul-byte', 'a = 1\0\n'],
  ])('answers as the JavaScript: %s', (_name, text) => {
    expect(agrees(text)).toBe(true);
  });

  it.each([
    ['non-ascii', 'n = "\u00e9t\u00e9"\n'],
    ['non-ascii-name', '\u00e9t\u00e9 = 1\n'],
    ['astral', 's = "\ud83d\ude00"\n'],
    ['crlf', 'a = 1\r\nb = 2\r\n'],
    ['lone-carriage-return', 'a = 1\rb = 2\n'],
    ['number-then-fstring', '1f"{x}("\nt\n'],
    ['named-escape', 's = "\\N{DASH}("\n'],
    ['fstring-nested-quotes', 'f"{d["k"]:>{w}}("\nt\n'],
    ['fstring-spec-nested-field', 'f"{x:>{w}}"\n'],
    ['fstring-comment', 'f"""{x # c\n}"""\n'],
    ['fstring-backslash', 'f"{x}\\n{y\\n}"\n'],
    ['fstring-newline-in-field', 'f"""{x\n}"""\n'],
    ['lambda-in-fstring', 'f"{lambda x: 1}"\n'],
    ['word-holding-lambda-in-fstring', 'f"{xlambda}"\n'],
    ['unclosed-bracket', 'f(\n'],
    ['stray-closing-bracket', 'x)\n'],
    ['unclosed-long-string', 's = """\n'],
    ['backslash-continuing-nothing', 'a \\ b\n'],
    ['backslash-at-end', 'a \\'],
  ])('leaves %s to the JavaScript', (_name, text) => {
    expect(nativeLines(text)).toBeUndefined();
  });

  it('answers as the JavaScript on text made of Python pieces (fast-check)', () => {
    const piece = fc.constantFrom(
      ...['a', 'b1', '_', '9', '1.5e3', ' ', '\t', '\f', '\n', '\\\n', '\\', '#', '=', '==', '(', ')', '[', ']'],
      ...['{', '}', '{{', '}}', ':', '!r', "'", '"', "'''", '"""', 'f', 'r', 'b', 'u', 'rb', 'F', 'fr', 'lambda'],
      ...['\\N{X}', '\\"', 'x = ', 'def g():', '\r', '\u00e9'],
    );
    let answered = 0;
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        if (agrees(pieces.join(''))) answered++;
      }),
      { numRuns: 5000 },
    );
    // The comparison means something only where the module answers: most such texts have no CR or non-ASCII byte.
    expect(answered).toBeGreaterThan(1000);
  });

  /** Real Python: the project's own fixtures and the corpora's. */
  const pythonFiles = (root: string) =>
    readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.py'))
      .sort()
      .map((f) => path.join(root, f));
  it('answers as the JavaScript on every Python file of fixtures/ and the corpora', () => {
    const files = [...pythonFiles(path.join(REPO, 'fixtures')), ...pythonFiles(CORPORA_ROOT)];
    let answered = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      if (agrees(text)) answered++;
    }
    expect(files.length).toBeGreaterThan(20);
    expect(answered).toBeGreaterThan(files.length / 2);
  });

  it('gives the JavaScript files too large for its memory budget', () => {
    expect(nativeLines(`a = 1\n${'#'.repeat(1024 * 1024)}\n`)).toBeUndefined();
  });

  it('answers the same with no WebAssembly: not at all', () => {
    expect(nativeLines('a = 1\n', null)).toBeUndefined();
  });
});

describe('lineBlocks', () => {
  /** Each line's indentation and parent by their definition: a walk back over the lines above, per line. */
  const byDefinition = (text: string) => {
    const lines = logicalLines(text);
    if (!lines) return undefined;
    const indents = lines.map((l) => l.start - (text.lastIndexOf('\n', l.start - 1) + 1));
    const parents = indents.map((own, i) => {
      // The nearest line above with less indentation that no line between closed (indented as much or less).
      let floor = own;
      for (let j = i - 1; j >= 0; j--) {
        if (indents[j]! < floor) {
          if (indents[j]! < own) return j;
          floor = indents[j]!;
        }
      }
      return -1;
    });
    return { lines: [...lineTable(lines)], indents, parents };
  };
  const plain = (b: ReturnType<typeof lineBlocks>) =>
    b && { lines: [...b.lines], indents: [...b.indents], parents: [...b.parents] };
  const agree = (text: string) => {
    const want = byDefinition(text);
    expect(plain(jsBlocks(text))).toEqual(want);
    const native = nativeLines(text) && plain(lineBlocks(`${text}`));
    if (native) expect(native).toEqual(want);
    return native !== undefined;
  };

  it.each([
    ['flat', 'a = 1\nb = 2\n'],
    ['nested', 'class A:\n    def f(self):\n        x = 1\n        if x:\n            y()\n    z = 2\nw = 3\n'],
    ['closed-then-reopened', 'def f():\n    a\nb\nif c:\n    d\n'],
    ['comment-at-margin-inside-a-body', 'def f():\n    a = 1\n# note\n    b = 2\n'],
    ['continued-lines', 'def f(\n  a,\n):\n    return (\n1)\n'],
    ['tabs', 'if a:\n\tb\n\tif c:\n\t\td\n'],
    ['first-line-indented', '  a\nb\n'],
    ['empty', ''],
  ])('gives each line its indentation and open block: %s', (_name, text) => {
    expect(agree(text)).toBe(true);
  });

  it('answers by the definition on text made of Python lines (fast-check)', () => {
    const line = fc.tuple(
      fc.constantFrom('', ' ', '  ', '    ', '\t', '        '),
      fc.constantFrom('a', 'if b:', 'def f():', '# c', '', 'g(\n1)'),
    );
    let answered = 0;
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
        if (agree(lines.map(([indent, code]) => indent + code).join('\n'))) answered++;
      }),
      { numRuns: 2000 },
    );
    expect(answered).toBeGreaterThan(1000);
  });
});

describe('nativeShape', () => {
  /** Where the module reads the text, its screen is text.ts's: the same depth, the same generated verdict. */
  const sameScreen = (text: string) => {
    const shape = nativeShape(text);
    if (shape === undefined) return false;
    expect(shape.depth).toBe(nestingDepth(text));
    expect(generatedByLines(text.length, shape.long, shape.lines)).toBe(looksGenerated(text));
    const lines = text.split('\n', 2000);
    expect([shape.long, shape.lines]).toEqual([lines.filter((l) => l.length > 1000).length, lines.length]);
    return true;
  };

  it.each([
    ['empty', ''],
    ['nested', 'f(a[b{c}])\n)))(('],
    ['closers-first', ')]} x = ([{'],
    ['long-lines', `${'x'.repeat(1001)}\n${'y'.repeat(1000)}\n${'z'.repeat(2000)}`],
    ['generated', `${'a'.repeat(1500)}\n`.repeat(30)],
    ['many-lines', `${'b'.repeat(1200)}\n${'c\n'.repeat(2100)}${'d'.repeat(5000)}`],
    ['exactly-2000-pieces', `${'e\n'.repeat(1999)}${'f'.repeat(1001)}`],
    ['brackets-in-strings', 's = "((((" + \'[[\' # {{{\n'],
  ])('screens as text.ts: %s', (_name, text) => {
    expect(sameScreen(text)).toBe(true);
  });

  it('leaves text with a character over U+007F to text.ts', () => {
    expect(nativeShape('x = "\u00e9"\n')).toBeUndefined();
  });

  it('screens as text.ts on text made of brackets, line feeds and long runs (fast-check)', () => {
    const piece = fc.constantFrom('(', ')', '[', ']', '{', '}', '\n', 'a', 'x'.repeat(400), 'y'.repeat(1001), '\r');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), (pieces) => {
        expect(sameScreen(pieces.join(''))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps the text for the nativeLines that follows, and reads a new text anew', () => {
    const a = 'a = 1\nb = (\n 2)\n';
    const b = 'c = 3\n';
    nativeShape(a);
    expect(native(a)).toEqual(javascript(a));
    nativeShape(b);
    expect(native(a)).toEqual(javascript(a));
    expect(native(b)).toEqual(javascript(b));
  });
});

describe('nativeLineIndex', () => {
  it('answers as text.ts lineIndex at every offset, in any order, and after another text was read', () => {
    const texts = ['\nfirst\n\nthird line\n' + 'x'.repeat(40) + '\n' + 'y\n'.repeat(30) + 'end', 'a', '', '\n\n'];
    for (const text of texts) {
      nativeShape(text);
      const at = nativeLineIndex(text)!;
      const want = lineIndex(text);
      const offsets = [...Array(text.length + 3).keys()];
      for (const o of [...offsets, ...offsets.reverse()]) expect(at(o)).toEqual(want(o));
      nativeShape('other = 1\n');
      for (const o of offsets) expect(at(o)).toEqual(want(o));
    }
  });

  it('has no answer for a text the module does not hold', () => {
    nativeShape('held = 1\n');
    expect(nativeLineIndex('not held\n')).toBeUndefined();
  });
});

describe('assignedIn', () => {
  /** python-snippet's assigners from `assignmentHits`: each name's lines, each once, in file order. */
  const byJavaScript = (text: string) => {
    const map = new Map<string, number[]>();
    assignmentHits(text, lineTable(logicalLines(text)!), (line, name) => {
      const list = map.get(name) ?? [];
      if (list[list.length - 1] !== line) list.push(line);
      map.set(name, list);
    });
    return map;
  };

  it('gives each name the lines the JavaScript gives it, and none to a name never assigned (fast-check)', () => {
    const name = fc.constantFrom('a', 'b', 'ab', 'x1', '_', 'model', 'M', 'revision', 'torch');
    const statement = fc.oneof(
      fc.tuple(name, name).map(([l, r]) => `${l} = ${r}`),
      fc.tuple(name, name, name).map(([f, k, v]) => `${f}(${k}=${v}, ${k} =1)`),
      fc.tuple(name, name).map(([l, r]) => `${l} = ${r} = "s"`),
      fc.tuple(name, name).map(([l, r]) => `if ${l} == ${r}:\n    ${l} += 1`),
    );
    let answered = 0;
    fc.assert(
      fc.property(fc.array(statement, { maxLength: 12 }), (statements) => {
        const text = `${statements.join('\n')}\n`;
        const native = nativeLines(text);
        if (!native) return;
        answered++;
        const want = byJavaScript(text);
        for (const n of ['a', 'b', 'ab', 'x1', '_', 'model', 'M', 'revision', 'torch', 'never'])
          expect(assignedIn(native, text, n)).toEqual(want.get(n) ?? []);
      }),
      { numRuns: 500 },
    );
    expect(answered).toBe(500);
  });

  it('stops at its step budget, leaving the rest to the caller', () => {
    const text = 'a = 1\nb = 2\na = 3\n';
    const native = nativeLines(text)!;
    expect(assignedIn(native, text, 'a', { steps: 10 })).toEqual([0, 2]);
    const budget = { steps: 1 };
    expect(assignedIn(native, text, 'a', budget)).toBeUndefined();
    expect(budget.steps).toBeLessThan(0);
  });

  it('keeps names whose hashes collide apart (4,096 chains, 10,000 names)', () => {
    const text = Array.from({ length: 10_000 }, (_, i) => `n${i} = ${i}`).join('\n');
    const native = nativeLines(text)!;
    for (const i of [0, 1, 4095, 4096, 9999]) expect(assignedIn(native, text, `n${i}`)).toEqual([i]);
    expect(assignedIn(native, text, 'n10000')).toEqual([]);
  });
});

describe('namedAt', () => {
  /** python-snippet.ts `lineHits` of the pattern its finders use for one name: each match's start and line. */
  const byPattern = (text: string, table: Int32Array, name: string) => {
    const out: number[] = [];
    const re = new RegExp(`(?<![A-Za-z_\\u00a1-\\uffff])${name}(?![\\w\\u00a1-\\uffff])`, 'g');
    for (let m = re.exec(text); m; m = re.exec(text)) {
      let i = 0;
      while (i < table.length / 2 && (table[2 * i + 1]! & 0x7fffffff) < m.index) i++;
      if (i < table.length / 2 && table[2 * i]! <= m.index) out.push(m.index, i);
    }
    return out;
  };
  const NAMES = ['a', 'ab', 'torch', 'x1', 'if', '_', 'import', 'from_pretrained', 'averyveryverylongname_over_16'];

  it('finds each name where the pattern does, line for line (fast-check)', () => {
    const piece = fc.oneof(
      fc.constantFrom(...NAMES, '1torch', 'a1torch', 'torch2', '_torch', 'torch_', 'x1a', '9', '1if'),
      fc.constantFrom(' ', '.', '(', ')', ', ', ' = ', '\n', '\n    ', '# a torch\n', '"a torch"', "'x1'", '\\\n'),
      fc.stringMatching(/^[a-z_0-9]{1,40}$/),
    );
    let answered = 0;
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), (pieces) => {
        const text = pieces.join('');
        const native = nativeLines(text);
        if (!native) return;
        answered++;
        for (const name of NAMES) expect(namedAt(native, text, name)).toEqual(byPattern(text, native.lines, name));
      }),
      { numRuns: 1000 },
    );
    expect(answered).toBeGreaterThan(500);
  });

  it('ends a name at the end of the text and at a block of sixteen bytes (`$wordBytes`)', () => {
    for (const text of [
      'torch',
      'x = torch',
      `${'a'.repeat(15)} torch`,
      `${'b'.repeat(16)}torch torch`,
      'a'.repeat(40),
    ]) {
      const native = nativeLines(text)!;
      for (const name of ['torch', 'a'.repeat(40)])
        expect(namedAt(native, text, name)).toEqual(byPattern(text, native.lines, name));
    }
  });

  it('stops at its step budget, leaving the rest to the caller', () => {
    const text = 'a = a\nb = a\n';
    const native = nativeLines(text)!;
    expect(namedAt(native, text, 'a')).toEqual([0, 0, 4, 0, 10, 1]);
    const budget = { steps: 2 };
    expect(namedAt(native, text, 'a', budget)).toBeUndefined();
  });
});
