import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EntryCollector, Entry } from '../../../src/deps/parsers/yarn-classic-entries.js';
import {
  readYarnV1,
  YarnSyntaxError,
  type YarnScalar,
  type YarnV1Sink,
} from '../../../src/deps/parsers/yarn-v1-syntax.js';
import { forEachStr, isRecord, str } from '../../../src/deps/types.js';

type Tree = { [key: string]: YarnScalar | Tree };

/** What yarn 1's `Parser.parse` builds: plain objects filled with `obj[key] = value`, in file order. */
class TreeSink implements YarnV1Sink {
  readonly root: Tree = Object.create(null) as Tree;
  private readonly open_: Tree[] = [this.root];
  value(depth: number, keys: readonly string[], value: YarnScalar): void {
    for (const k of keys) this.open_[depth]![k] = value;
  }
  open(depth: number, keys: readonly string[]): void {
    const obj = Object.create(null) as Tree;
    for (const k of keys) this.open_[depth]![k] = obj;
    this.open_[depth + 1] = obj;
  }
}

/** The collector's view of a file, and the same facts read off the tree: they must be equal. */
function fromCollector(text: string) {
  const c = new EntryCollector();
  readYarnV1(text, c);
  return [...c.ordered()].map(([key, v]) =>
    v instanceof Entry
      ? {
          key,
          version: str(v.version),
          resolved: str(v.resolved),
          integrity: str(v.integrity),
          deps: pairs((each) => v.dependencies?.forEach(each)),
          optional: pairs((each) => v.optionalDependencies?.forEach(each)),
        }
      : { key, plain: true },
  );
}

function fromTree(text: string) {
  const t = new TreeSink();
  readYarnV1(text, t);
  return Object.entries(t.root).map(([key, v]) =>
    isRecord(v)
      ? {
          key,
          version: str(v['version']),
          resolved: str(v['resolved']),
          integrity: str(v['integrity']),
          deps: pairs((each) => forEachStr(v['dependencies'], each)),
          optional: pairs((each) => forEachStr(v['optionalDependencies'], each)),
        }
      : { key, plain: true },
  );
}

function pairs(walk: (each: (k: string, v: string) => void) => void): string[][] {
  const out: string[][] = [];
  walk((k, v) => out.push([k, v]));
  return out;
}

const parseBoth = (text: string) => {
  let tree: unknown, collected: unknown;
  try {
    tree = fromTree(text);
  } catch (e) {
    tree = e instanceof YarnSyntaxError ? e.line : e;
  }
  try {
    collected = fromCollector(text);
  } catch (e) {
    collected = e instanceof YarnSyntaxError ? e.line : e;
  }
  return { tree, collected };
};

// Keys chosen to hit what a tree does silently: repeats, array-index keys ordered first, prototype names.
const KEY = fc.constantFrom(
  'a@^1',
  'a@^2',
  '"@s/b@npm:c@^3"',
  '"0"',
  '"12"',
  '"007"',
  '__proto__',
  'constructor',
  '"x,y"',
);
const FIELD = fc.constantFrom('version', 'resolved', 'integrity', 'uid', 'dependencies', 'optionalDependencies');
const VALUE = fc.constantFrom('"1.0.0"', '1', 'true', '"^1"', '"\\u0041"', '""', 'abc');
const DEP = fc.tuple(KEY, fc.oneof(VALUE, fc.constant(':\n      deep "x"')));
const BODY = fc.array(
  fc.oneof(
    fc.tuple(FIELD, VALUE).map(([f, v]) => `  ${f} ${v}`),
    fc
      .tuple(
        fc.constantFrom('dependencies', 'optionalDependencies', 'dependencies, optionalDependencies'),
        fc.array(DEP, { maxLength: 5 }),
      )
      .map(([f, deps]) =>
        [`  ${f}:`, ...deps.map(([k, v]) => `    ${k}${v.startsWith(':') ? v : ` ${v}`}`)].join('\n'),
      ),
  ),
  { maxLength: 5 },
);
const ENTRY = fc.oneof(
  {
    weight: 9,
    arbitrary: fc
      .tuple(fc.array(KEY, { minLength: 1, maxLength: 3 }), BODY)
      .map(([ks, body]) => [`${ks.join(', ')}:`, ...body].join('\n')),
  },
  { weight: 1, arbitrary: fc.tuple(KEY, VALUE).map(([k, v]) => `${k} ${v}`) },
);

describe('EntryCollector reads what the object tree holds', () => {
  it('any sequence of entries, repeats and odd keys included', () => {
    fc.assert(
      fc.property(fc.array(ENTRY, { maxLength: 8 }), (entries) => {
        const { tree, collected } = parseBoth(`# yarn lockfile v1\n\n${entries.join('\n\n')}\n`);
        expect(collected).toEqual(tree);
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    {
      name: 'a repeated dependency keeps its first place and last spec',
      text: 'a@^1:\n  dependencies:\n    b "1"\n    c "2"\n    b "3"\n',
    },
    {
      name: 'array-index names come first, ascending',
      text: 'a@^1:\n  dependencies:\n    z "1"\n    "10" "2"\n    "9" "3"\n',
    },
    {
      name: 'a boolean or object replaces a spec',
      text: 'a@^1:\n  dependencies:\n    b "1"\n    b true\n    c "1"\n    c:\n      d "x"\n',
    },
    {
      name: 'a re-declared descriptor names the later entry',
      text: 'a@^1:\n  version "1"\n\na@^1, a@^2:\n  version "2"\n',
    },
  ])('$name', ({ text }) => {
    const { tree, collected } = parseBoth(text);
    expect(collected).toEqual(tree);
  });
});
