import * as jinja from '@huggingface/jinja';
import { pushAll } from '../../core/push-all.js';

/** The package's .d.ts files use extensionless imports that NodeNext cannot follow: type the two calls here. */
const { parse, tokenize } = jinja as unknown as {
  parse: (tokens: unknown) => Node;
  tokenize: (source: string, options: { lstrip_blocks: boolean; trim_blocks: boolean }) => unknown;
};

/**
 * Syntax-tree checks of a chat template, parsed (never rendered) by `@huggingface/jinja` — the Jinja
 * implementation transformers.js renders chat templates with. Jinja turns `a[b]` and `a.b` into `getattr`, so a
 * payload needs an attribute whose name is built at render time or starts with `_`; real templates only use literal
 * keys, integer indices and public methods.
 */
export interface AstHit {
  readonly indicator: string;
}

type Node = { readonly type?: string } & Record<string, unknown>;

/** Filters and methods that turn text into other text: ways to spell `__class__` without writing it. */
const STRING_BUILDERS = new Set([
  'join',
  'reverse',
  'format',
  'replace',
  'string',
  'lower',
  'upper',
  'title',
  'capitalize',
  'center',
  'list',
  'first',
  'last',
  'batch',
  'slice',
  'sum',
  'map',
  'attr',
]);
/** Jinja globals whose `__globals__` reach Python's builtins; chat templates never name them. */
const GADGET_GLOBALS = new Set([
  'lipsum',
  'cycler',
  'joiner',
  'self',
  'config',
  'request',
  'url_for',
  'get_flashed_messages',
  'range.__class__',
]);
const RAW_BLOCK = /\{%-?\s*raw\s*-?%\}[\s\S]*?\{%-?\s*endraw\s*-?%\}/g;
/** Walk bound: a template with more nodes than this is not a chat template. */
const MAX_NODES = 200_000;

function children(n: Node): Node[] {
  const out: Node[] = [];
  for (const v of Object.values(n)) {
    if (Array.isArray(v)) for (const x of v) if (x && typeof x === 'object') out.push(x as Node);
    if (v instanceof Map) for (const [k, x] of v) out.push(k as Node, x as Node);
    else if (v && typeof v === 'object' && typeof (v as Node).type === 'string') out.push(v as Node);
  }
  return out;
}

function* walk(root: Node): Generator<Node> {
  const stack: Node[] = [root];
  let seen = 0;
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (++seen > MAX_NODES) throw new Error('template too large');
    yield n;
    pushAll(stack, children(n));
  }
}

const containsString = (e: Node): boolean => {
  for (const n of walk(e)) if (n.type === 'StringLiteral') return true;
  return false;
};

/**
 * Whether an expression can evaluate to a string built at render time (and so to a `_`-prefixed name): a filter,
 * `~`, `+` with a string, a string method, an underscore literal, or a variable set to such a value. A plain
 * literal (or a choice between literals, `'content' if x else 'text'`) is a fixed name, not a built one.
 */
function isStringy(e: Node, stringyNames: ReadonlySet<string>): boolean {
  for (const n of walk(e)) {
    if (n.type === 'StringLiteral' && (n.value as string).startsWith('_')) return true;
    if (n.type === 'Identifier' && stringyNames.has(n.value as string)) return true;
    if (n.type === 'FilterExpression') return true;
    const op = (n.operator as { value?: string } | undefined)?.value;
    if (n.type === 'BinaryExpression' && op === '~') return true;
    if (
      n.type === 'BinaryExpression' &&
      op === '+' &&
      (containsString(n.left as Node) || containsString(n.right as Node))
    )
      return true;
    if (n.type === 'MemberExpression' && !n.computed && STRING_BUILDERS.has((n.property as Node).value as string))
      return true;
  }
  return false;
}

const isLiteralKey = (k: Node): boolean =>
  k.type === 'StringLiteral' ||
  k.type === 'IntegerLiteral' ||
  (k.type === 'UnaryExpression' && (k.argument as Node).type === 'IntegerLiteral') ||
  k.type === 'SliceExpression';

/** AST indicators of template injection; `undefined` when the template does not parse. */
export function checkTemplateAst(template: string): AstHit[] | undefined {
  let program: Node;
  try {
    // `{% raw %}` blocks are literal text (no code); the parser does not know the tag.
    const code = template.replace(RAW_BLOCK, '');
    program = parse(tokenize(code, { lstrip_blocks: true, trim_blocks: true }));
  } catch {
    return undefined;
  }
  const hits = new Set<string>();
  const stringyNames = new Set<string>();
  // Names `set` to a string built at render time (`{% set u = '_' ~ '_' %}`), to a fixpoint over the template.
  for (let changed = true; changed;) {
    changed = false;
    for (const n of walk(program)) {
      const a = n.assignee as Node | undefined;
      if (n.type === 'Set' && a?.type === 'Identifier' && n.value && !stringyNames.has(a.value as string)) {
        if (isStringy(n.value as Node, stringyNames)) {
          stringyNames.add(a.value as string);
          changed = true;
        }
      }
    }
  }
  for (const n of walk(program)) {
    if (n.type === 'MemberExpression') {
      const key = n.property as Node;
      if (n.computed && !isLiteralKey(key) && isStringy(key, stringyNames))
        hits.add('attribute name built at render time');
      if (n.computed && key.type === 'StringLiteral' && (key.value as string).startsWith('_'))
        hits.add('private attribute');
      if (!n.computed && key.type === 'Identifier' && (key.value as string).startsWith('_'))
        hits.add('private attribute');
      if ((n.object as Node).type === 'Identifier' && (n.object as Node).value === 'namespace')
        hits.add('namespace used as a gadget');
    } else if (n.type === 'Identifier' && GADGET_GLOBALS.has(n.value as string)) {
      hits.add(`${n.value as string} global`);
    } else if (n.type === 'StringLiteral' && /^_+$|^__/.test(n.value as string)) {
      hits.add('underscore string');
    } else if (n.type === 'CallExpression') {
      const callee = n.callee as Node;
      const recv = callee.object as Node | undefined;
      if (
        callee.type === 'MemberExpression' &&
        (callee.property as Node).value === 'format' &&
        recv?.type === 'StringLiteral' &&
        /\{[^}]*:c\}|%c/.test(recv.value as string)
      )
        hits.add('character formatting');
    } else if (n.type === 'FilterExpression') {
      const f = n.filter as Node;
      const name = (f.type === 'CallExpression' ? (f.callee as Node).value : f.value) as string;
      if (name === 'attr') hits.add('attr filter');
    }
  }
  return [...hits].sort().map((indicator) => ({ indicator }));
}
