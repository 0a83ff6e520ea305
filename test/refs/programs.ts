import fc from 'fast-check';

/**
 * Generated Python programs for differential tests: statements drawn from `statements`, each at top level or
 * indented under a `def`, `if` or `class` head.
 */
export function pythonPrograms(statements: readonly string[], maxLength: number): fc.Arbitrary<string> {
  const block = fc.tuple(fc.constantFrom(...statements), fc.constantFrom('', 'def f():\n', 'if c:\n', 'class K:\n'));
  return fc
    .array(block, { minLength: 1, maxLength })
    .map((blocks) =>
      blocks.map(([s, head]) => (head === '' ? `${s}\n` : `${head}${s.replace(/^/gm, '    ')}\n`)).join(''),
    );
}

/**
 * Generated JavaScript/TypeScript programs for differential tests: statements drawn from `statements`, each at top
 * level or inside a function body, an `if` block, an arrow function's body or a class method.
 */
export function javaScriptPrograms(statements: readonly string[], maxLength: number): fc.Arbitrary<string> {
  const heads = [
    ['', ''],
    ['async function f(a, b = 1) {\n', '\n}'],
    ['if (ok) {\n', '\n} else {\n  x = 1;\n}'],
    ['export const g = async () => {\n', '\n};'],
    ['class K extends Base {\n  async m(x) {\n', '\n  }\n}'],
    ["switch (kind) {\n  case 'a':\n", '\n    break;\n  default:\n}'],
    ['for await (const chunk of stream) {\n', '\n}'],
    // Private names (javascript-tokens.ts reads `#name` as a name), in the body and around it.
    [
      'class P {\n  #cache = new Map();\n  static #count = 0;\n  async #load(x) {\n',
      '\n  }\n  has(k) { return #cache in this && this.#cache.has(k); }\n}',
    ],
  ] as const;
  const block = fc.tuple(fc.constantFrom(...statements), fc.constantFrom(...heads), fc.constantFrom(';', '', ' // c'));
  return fc
    .array(block, { minLength: 1, maxLength })
    .map((blocks) => blocks.map(([s, [open, close], end]) => `${open}${s}${end}${close}\n`).join(''));
}

/**
 * Statements that bind MODEL, NAME, BASE or REV otherwise than `name = value` (python.ts `reboundNames`): annotated,
 * chained, tuple and list targets, `for`, `as`, `+=`, `:=`, a subscript target. Both Python differential pools hold them.
 */
export const BINDING_STATEMENTS: readonly string[] = [
  'MODEL: str = "org/annotated-2"',
  'MODEL, REV = pick()',
  '@dataclass\nclass Args:\n    MODEL: str = "org/field"\n    REV: str = field(default="main")',
  'for MODEL in ["org/loop-a", "org/loop-b"]:\n    m = M.from_pretrained(MODEL)',
  'for NAME in ("org/t1", BASE):\n    pass',
  'for REV in "main", "dev":\n    pass',
  'for MODEL in []:\n    pass',
  'MODEL, REV = "org/pair", "0123456789abcdef0123456789abcdef01234567"',
  'BASE, = "org/one",',
  'NAME, REV = REV, NAME',
  'NAME, (REV, *rest) = "org/t", ("main", 1)',
  'for MODEL in NAMES:\n    m = M.from_pretrained(MODEL)',
  'NAME, \\\n    REV = pick()',
  '(\n    BASE,\n    NAME\n) = pair()',
  'NAMES = ["org/list-a", "org/list-b"]',
  'NAMES = ("org/list-t", BASE)',
  'NAMES.append("org/list-c")',
  'NAMES[0] = "org/list-d"',
  'if MODEL in NAMES:\n    pass',
  'for REV in NAMES:\n    pass',
  'for i, (BASE, REV) in enumerate(pairs()):\n    pass',
  'with open(p) as NAME:\n    pass',
  'try:\n    pass\nexcept ValueError as MODEL:\n    pass',
  'REV += "-x"',
  'MODEL = NAME = "org/chain-2"',
  'MODEL = self.x = "org/chain-3"',
  'BASE = "org/a", "org/b"',
  'cfg[MODEL] = 1',
  'if (MODEL := os.getenv("M")):\n    pass',
];
