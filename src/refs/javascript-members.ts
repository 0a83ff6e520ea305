import type { SyntaxNode } from '@lezer/common';
import { childrenOf } from './syntax.js';

/**
 * Model names kept one step inside an object, as transformers.js apps keep them (javascript.ts):
 * - an object literal bound to a constant, `const MODELS = { asr: 'org/x' }` (`as const` too), read as `MODELS.asr`;
 * - a class field, `static model = 'org/x'`, read as `this.model` in a method of the class (static fields in static
 *   methods, instance fields in instance methods: what `this` is there) or as `Class.model` — the singleton shape of
 *   the transformers.js guides (`pipeline(this.task, this.model, …)`).
 * A member assigned anywhere in the file (`MODELS.asr = …`, `MODELS[k] = …`, `this.model = …`), a class that extends
 * another or that another class in the file extends (a subclass can override the field), and a field written twice
 * are chosen at run time.
 */

type Evaluate = (n: SyntaxNode) => string | undefined;
type Source = (n: SyntaxNode) => string;

/** `{…}`, `{…} as const` or `{…} satisfies T`: the object literal itself. */
export function objectLiteral(n: SyntaxNode): SyntaxNode | undefined {
  return displayOf(n, 'ObjectExpression');
}

/** A display of the kind, as it is or under TypeScript's `as const` / `as T` / `satisfies T` (`typeAsserted`). */
export function displayOf(n: SyntaxNode, kind: 'ObjectExpression' | 'ArrayExpression'): SyntaxNode | undefined {
  const inner = typeAsserted(n);
  return inner.name === kind ? inner : undefined;
}

/**
 * The expression under TypeScript's assertions, which the compiler erases and so change no value at run time:
 * `x as T`, `x satisfies T`, `<T>x` (lezer's PrefixCast, in a `.ts` file), the non-null `x!`, and parentheses around
 * any of them. Anything else is itself.
 */
export function typeAsserted(n: SyntaxNode): SyntaxNode {
  for (let at = n; ;) {
    const kids = childrenOf(at);
    let inner: SyntaxNode | undefined;
    if (at.name === 'BinaryExpression' && (kids[1]?.name === 'as' || kids[1]?.name === 'satisfies')) inner = kids[0];
    else if (at.name === 'PrefixCast') inner = kids[kids.length - 1];
    else if (at.name === 'PostfixExpression' && kids.length === 2 && kids[1]!.name === 'LogicOp') inner = kids[0];
    else if (at.name === 'ParenthesizedExpression') {
      const within = kids.filter((c) => c.name !== '(' && c.name !== ')');
      inner = within.length === 1 ? within[0] : undefined;
    }
    if (!inner) return at;
    at = inner;
  }
}

/** Every `prefix.key` of an object literal (nested objects as `prefix.a.b`) with its value; computed keys are none. */
export function objectMembers(
  obj: SyntaxNode,
  prefix: string,
  src: Source,
  evaluate: Evaluate,
): [string, string | undefined][] {
  const out: [string, string | undefined][] = [];
  for (const p of childrenOf(obj).filter((c) => c.name === 'Property')) {
    const [key, colon, value] = childrenOf(p);
    if (key?.name !== 'PropertyDefinition' || colon?.name !== ':' || !value) continue;
    const name = `${prefix}.${src(key)}`;
    const nested = objectLiteral(value);
    if (nested) out.push(...objectMembers(nested, name, src, evaluate));
    else out.push([name, evaluate(value)]);
  }
  return out;
}

/** The dotted target of an assignment to a member (`A.b`, `this.b`, `A[k]` as `A[]`), or undefined. */
export function assignedMember(target: SyntaxNode, src: Source): string | undefined {
  if (target.name !== 'MemberExpression') return undefined;
  const kids = childrenOf(target);
  const obj = kids[0];
  const last = kids[kids.length - 1];
  const left = obj?.name === 'this' ? 'this' : obj?.name === 'VariableName' ? src(obj) : assignedMember(obj!, src);
  if (left === undefined) return undefined;
  return last?.name === 'PropertyName' ? `${left}.${src(last)}` : `${left}[]`;
}

interface ClassFields {
  readonly name: string | undefined;
  readonly fields: Map<string, string | undefined>;
  readonly extended: boolean;
}

/** Class fields `this.x` / `Class.x` read through, built from the file's class declarations and expressions. */
export class ClassMembers {
  private readonly classes = new Map<number, ClassFields>();
  private readonly extendedNames = new Set<string>();
  /** Members assigned somewhere in the file (`assignedMember`); `this.x` as `<class body offset>:x`. */
  private readonly assigned = new Set<string>();

  constructor(
    private readonly src: Source,
    private readonly evaluate: Evaluate,
  ) {}

  /** A ClassDeclaration or ClassExpression. */
  addClass(n: SyntaxNode): void {
    const kids = childrenOf(n);
    const name = kids.find((k) => k.name === 'VariableDefinition');
    const ext = kids.findIndex((k) => k.name === 'extends');
    if (ext >= 0 && kids[ext + 1]?.name === 'VariableName') this.extendedNames.add(this.src(kids[ext + 1]!));
    const body = kids.find((k) => k.name === 'ClassBody');
    if (!body) return;
    const fields = new Map<string, string | undefined>();
    for (const d of childrenOf(body).filter((c) => c.name === 'PropertyDeclaration')) {
      const parts = childrenOf(d);
      const isStatic = parts[0]?.name === 'static';
      const key = parts.find((p) => p.name === 'PropertyDefinition');
      const eq = parts.findIndex((p) => p.name === 'Equals');
      if (!key) continue;
      const k = `${isStatic ? 'static' : 'instance'}:${this.src(key)}`;
      const value = eq >= 0 && parts[eq + 1] ? this.evaluate(parts[eq + 1]!) : undefined;
      // Declared twice: which one holds depends on order and overrides, not decided here.
      fields.set(k, fields.has(k) ? undefined : value);
    }
    this.classes.set(body.from, { name: name && this.src(name), fields, extended: ext >= 0 });
  }

  /** An assignment's target: a member written at run time is no constant. */
  addAssignment(target: SyntaxNode, inside: SyntaxNode): void {
    const dotted = assignedMember(target, this.src);
    if (dotted === undefined) return;
    if (dotted.startsWith('this.')) {
      const body = enclosingClass(inside);
      if (body) this.assigned.add(`${body.from}:${dotted.slice('this.'.length)}`);
    } else this.assigned.add(dotted);
  }

  /** Whether `A.b` (or a member under `A`) is written somewhere: `A.b = …` or `A[k] = …`. */
  isAssigned(dotted: string): boolean {
    const root = dotted.slice(0, dotted.indexOf('.'));
    return this.assigned.has(dotted) || this.assigned.has(`${root}[]`);
  }

  /** `this.x` or `Class.x`: the field's value, when the file alone decides it. */
  value(member: SyntaxNode): string | undefined {
    const [obj, dot, prop] = childrenOf(member);
    if (dot?.name !== '.' || prop?.name !== 'PropertyName') return undefined;
    const field = this.src(prop);
    if (obj?.name === 'VariableName') {
      const name = this.src(obj);
      for (const [from, c] of this.classes) if (c.name === name) return this.fieldOf(from, c, `static:${field}`);
      return undefined;
    }
    if (obj?.name !== 'this') return undefined;
    const method = enclosingMethod(member);
    const body = method?.parent;
    const c = body && this.classes.get(body.from);
    if (!method || !c) return undefined;
    const isStatic = childrenOf(method)[0]?.name === 'static';
    return this.fieldOf(body.from, c, `${isStatic ? 'static' : 'instance'}:${field}`);
  }

  private fieldOf(from: number, c: ClassFields, key: string): string | undefined {
    if (c.extended || (c.name !== undefined && this.extendedNames.has(c.name))) return undefined;
    const field = key.slice(key.indexOf(':') + 1);
    if (this.assigned.has(`${from}:${field}`) || (c.name !== undefined && this.isAssigned(`${c.name}.${field}`)))
      return undefined;
    return c.fields.get(key);
  }
}

const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression']);

/** The method `this` belongs to: the nearest MethodDeclaration, through arrow functions but no `function`. */
function enclosingMethod(n: SyntaxNode): SyntaxNode | undefined {
  for (let p = n.parent; p; p = p.parent) {
    if (FUNCTIONS.has(p.name)) return undefined;
    if (p.name === 'MethodDeclaration') return p.parent?.name === 'ClassBody' ? p : undefined;
    if (p.name === 'ClassBody') return undefined;
  }
  return undefined;
}

/** The class body whose `this` a node sees (through methods and arrows), or undefined. */
function enclosingClass(n: SyntaxNode): SyntaxNode | undefined {
  return enclosingMethod(n)?.parent ?? undefined;
}
