/**
 * What a chat-template expression can evaluate to, as far as attribute names go. Jinja's `getitem` (jinja2
 * `Environment.getitem`) tries `obj[key]` and, when that fails and the key is a string, `getattr(obj, key)`; so a
 * subscript is an attribute lookup whenever its key is a string. A payload needs that string to be `_`-prefixed
 * (`__class__`, `__globals__`, `gi_frame` needs `_` too), and it must build it from characters the template itself
 * supplies: literals, keyword names (`dict(_=1)`), character formatting, or the text of Python objects (`<generator
 * object select_or_reject …>`). Values the caller passes (messages, tools) are the caller's; they are not judged.
 *
 * The abstract value: `built` — text assembled at render time from the template's own material; `lits` — exactly
 * one of these literals; `object` — a template-made Python object (a generator, a namespace, a function) whose
 * text, once stringified, has underscores. A value with none of the three is caller data or a number.
 * `plainStart` marks built text that begins with a literal no internal attribute's name begins with (Ansible's
 * `hostvars[host]['ansible_' ~ iface]`): whatever follows, it cannot name one.
 */
export interface Val {
  readonly built: boolean;
  readonly lits: ReadonlySet<string>;
  readonly object: boolean;
  readonly plainStart?: true;
}

export type Node = { readonly type?: string } & Record<string, unknown>;

const EMPTY: ReadonlySet<string> = new Set();
export const CLEAN: Val = { built: false, lits: EMPTY, object: false };
const BUILT: Val = { built: true, lits: EMPTY, object: false };
const OBJECT: Val = { built: false, lits: EMPTY, object: true };
const PLAIN_START: Val = { ...BUILT, plainStart: true };

/**
 * How the names of Python internals begin, as jinja2's sandbox tells them (sandbox.py `is_safe_attribute` refuses a
 * `_` prefix; `is_internal_attribute` refuses `mro` of a type, the `gi_`/`cr_`/`ag_` frames and code of generators
 * and coroutines, every attribute of a frame, code object or traceback, and Python 2's `func_`/`im_`).
 */
const INTERNAL_STARTS = ['_', 'mro', 'gi_', 'cr_', 'ag_', 'f_', 'co_', 'tb_', 'func_', 'im_'];

/** Whether a name that begins with `s` (and goes on with anything) can never be an internal attribute's. */
function plainLiteralStart(s: string): boolean {
  return s.length > 0 && !INTERNAL_STARTS.some((start) => start.startsWith(s) || s.startsWith(start));
}

/** Whether text beginning with `v` cannot name an internal attribute: plain-start text, or plain literals only. */
function startsPlain(v: Val): boolean {
  if (v.built) return v.plainStart === true;
  return !v.object && v.lits.size > 0 && [...v.lits].every(plainLiteralStart);
}

/** Jinja filters (jinja2 `filters.py`) that yield the operand's items (lazily or as a list), not new text. */
const ITEM_FILTERS = new Set(
  'select reject selectattr rejectattr map batch slice groupby items dictsort unique sort reverse list'.split(' '),
);
/** Filters that pick one item (or one character of a string). */
const PICK_FILTERS = new Set(['first', 'last', 'random', 'min', 'max']);
/** Filters whose result is a number or a boolean: no text comes out of them. */
const NUMBER_FILTERS = new Set(['length', 'count', 'int', 'float', 'abs', 'round', 'wordcount']);
/** Methods of `str` (Python) that return text; other methods (`items`, `get`, `keys`) return the receiver's items. */
const STRING_METHODS = new Set(
  'format format_map replace join split rsplit splitlines strip lstrip rstrip upper lower title capitalize swapcase casefold center ljust rjust zfill partition rpartition expandtabs translate encode decode removeprefix removesuffix'.split(
    ' ',
  ),
);
const NUMERIC_OPERATORS = new Set(['-', '/', '//', '**']);
const BOOLEAN_OPERATORS = new Set(['==', '!=', '<', '>', '<=', '>=', 'in', 'not in', 'is', 'is not']);
/**
 * Globals whose text has underscores once stringified (`<function raise_exception at …>`); transformers adds the
 * last two. `loop`, `range`, `dict` and `namespace` print without one; their calls are judged where they are made.
 */
const OBJECT_GLOBALS = new Set(['lipsum', 'cycler', 'joiner', 'self', 'raise_exception', 'strftime_now']);

/** More literal choices than this for one name is not a chat template: the value counts as built (bounded work). */
const MAX_LITS = 256;

export function join(a: Val, b: Val): Val {
  if (b.lits.size === 0 && !b.built && !b.object) return a;
  if (a.lits.size === 0 && !a.built && !a.object) return b;
  const object = a.object || b.object;
  if (a.built || b.built || a.lits.size + b.lits.size > MAX_LITS) {
    // One plain start stays plain only joined with another: a literal alone could be judged by its text.
    const plain = a.plainStart === true && b.plainStart === true;
    return { built: true, lits: EMPTY, object, ...(plain ? { plainStart: true as const } : {}) };
  }
  return { built: false, lits: new Set([...a.lits, ...b.lits]), object };
}

export function sameVal(a: Val, b: Val): boolean {
  return a.built === b.built && a.object === b.object && a.lits.size === b.lits.size && a.plainStart === b.plainStart;
}

/** New text made from these values: any template material in it makes it `built`. */
function text(...vs: Val[]): Val {
  return vs.some((v) => v.built || v.object || v.lits.size > 0) ? BUILT : CLEAN;
}

/** The items of a value: its literals survive unless one holds `_` (a character of it may be picked out). */
export function itemsOf(v: Val): Val {
  const underscore = [...v.lits].some((s) => s.includes('_'));
  if (v.built || underscore) return BUILT;
  return v.lits.size > 0 ? { built: false, lits: v.lits, object: false } : CLEAN;
}

export const filterName = (f: Node): string =>
  ((f.type === 'CallExpression' ? (f.callee as Node).value : f.value) as string | undefined) ?? '';

export const filterArgs = (f: Node): Node[] => (f.type === 'CallExpression' ? (f.args as Node[]) : []);

/** Names bound by the template (`set`, `for`, macro parameters, namespace attributes as `ns.x`). */
export type Env = ReadonlyMap<string, Val>;

/** The `ns.x` path of a non-computed member chain on a name, or undefined. */
export function pathOf(e: Node): string | undefined {
  if (e.type === 'Identifier') return e.value as string;
  if (e.type === 'MemberExpression' && !e.computed) {
    const base = pathOf(e.object as Node);
    return base === undefined ? undefined : `${base}.${(e.property as Node).value as string}`;
  }
  return undefined;
}

export function valueOf(e: Node | undefined | null, env: Env, macros: ReadonlySet<string>, depth = 0): Val {
  if (!e || depth > 200) return e ? BUILT : CLEAN;
  const v = (x: unknown) => valueOf(x as Node, env, macros, depth + 1);
  switch (e.type ?? '') {
    case 'StringLiteral':
      return { built: false, lits: new Set([e.value as string]), object: false };
    case 'IntegerLiteral':
    case 'FloatLiteral':
    case 'TestExpression':
      return CLEAN;
    case 'Identifier': {
      const name = e.value as string;
      return env.get(name) ?? (OBJECT_GLOBALS.has(name) ? OBJECT : CLEAN);
    }
    case 'ArrayLiteral':
    case 'TupleLiteral':
      return (e.value as Node[]).map(v).reduce(join, CLEAN);
    case 'ObjectLiteral': {
      let out = CLEAN;
      for (const [k, x] of e.value as Map<Node, Node>) out = join(out, join(v(k), v(x)));
      return out;
    }
    case 'KeywordArgumentExpression':
      return join(v(e.key), v(e.value));
    case 'SpreadExpression':
    case 'KeywordSpreadExpression':
      return v(e.argument);
    case 'SelectExpression':
      return v(e.lhs);
    case 'Ternary':
      return join(v(e.trueExpr), v(e.falseExpr));
    case 'UnaryExpression':
      return (e.operator as { value?: string }).value === 'not' ? CLEAN : { ...CLEAN, built: v(e.argument).built };
    case 'BinaryExpression': {
      const op = (e.operator as { value?: string }).value ?? '';
      const [l, r] = [v(e.left), v(e.right)];
      if (BOOLEAN_OPERATORS.has(op)) return CLEAN;
      if (op === 'and' || op === 'or') return join(l, r); // Python returns one of the operands
      if (NUMERIC_OPERATORS.has(op)) return l.built || r.built ? BUILT : CLEAN;
      // `~` and `+` keep the left side's start (a list on the left makes a list, or text starting with `[`).
      if ((op === '~' || op === '+') && startsPlain(l)) return PLAIN_START;
      return text(l, r); // ~ + * % build text
    }
    case 'MemberExpression': {
      const obj = v(e.object);
      if (e.computed) {
        const key = e.property as Node;
        if (key.type === 'SliceExpression') return itemsOf(obj);
        return v(key).built ? BUILT : itemsOf(obj);
      }
      const path = pathOf(e);
      const bound = path === undefined ? undefined : env.get(path);
      if (bound) return bound;
      // An attribute of caller data is caller data; of a literal or a template object it is a method or object.
      if (obj.built) return BUILT;
      return obj.object || obj.lits.size > 0 ? OBJECT : CLEAN;
    }
    case 'FilterExpression': {
      const f = e.filter as Node;
      const name = filterName(f);
      const operand = v(e.operand);
      const args = filterArgs(f).map(v);
      if (NUMBER_FILTERS.has(name)) return CLEAN;
      if (ITEM_FILTERS.has(name))
        return { ...itemsOf({ ...operand, built: operand.built || args.some((a) => a.built) }), object: true };
      if (PICK_FILTERS.has(name)) return itemsOf({ ...operand, built: operand.built || args.some((a) => a.built) });
      return text(operand, ...args);
    }
    case 'CallExpression': {
      const callee = e.callee as Node;
      const args = (e.args as Node[]).map(v);
      if (callee.type === 'Identifier') {
        const name = callee.value as string;
        if (macros.has(name)) return BUILT; // a macro renders text
        if (name === 'range') return args.some((a) => a.built) ? BUILT : CLEAN;
        if (name === 'namespace' || name === 'dict') return { ...args.reduce(join, CLEAN), object: true };
        return text(...args);
      }
      if (callee.type === 'MemberExpression' && !callee.computed) {
        const recv = v(callee.object);
        const method = (callee.property as Node).value as string;
        if (STRING_METHODS.has(method)) return text(recv, ...args);
        return { ...itemsOf({ ...recv, built: recv.built || args.some((a) => a.built) }), object: true };
      }
      return BUILT;
    }
    default:
      return BUILT;
  }
}
