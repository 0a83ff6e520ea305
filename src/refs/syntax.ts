import type { SyntaxNode, Tree } from '@lezer/common';

/**
 * What both language front ends share over a lezer tree: one iterative walk (no recursion over attacker-controlled
 * nesting), the children of a node without comments, a file's string constants, callee resolution through imports,
 * and `+` / parentheses over values already known.
 */
export function walkTree(tree: Tree, visit: Readonly<Record<string, (n: SyntaxNode) => void>>): void {
  const cursor = tree.cursor();
  // `cursor.node` allocates a SyntaxNode: only for the few node types a visitor wants, not for every token.
  do {
    const fn = visit[cursor.name];
    if (fn) fn(cursor.node);
  } while (cursor.next());
}

const COMMENTS = new Set(['Comment', 'LineComment', 'BlockComment']);

export function childrenOf(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling) if (!COMMENTS.has(c.name)) out.push(c);
  return out;
}

/** String constants assigned in a file; a name assigned two different values is a run-time choice (undefined). */
export class Constants {
  private readonly values = new Map<string, string | null>();

  set(name: string, value: string | undefined): void {
    const old = this.values.get(name);
    this.values.set(name, old === undefined || old === value ? (value ?? null) : null);
  }

  get(name: string): string | undefined {
    return this.values.get(name) ?? undefined;
  }
}

/** `M.from_pretrained` with `M` imported as `transformers.AutoModel` → `transformers.AutoModel.from_pretrained`. */
export function resolveCallee(imports: ReadonlyMap<string, string>, written: string): string {
  const head = written.split('.')[0]!;
  const target = imports.get(head);
  return target !== undefined ? target + written.slice(head.length) : written;
}

/** `a + b` over two known strings, and `( x )`; anything else is unknown. */
export function evaluateShared(
  n: SyntaxNode,
  src: (n: SyntaxNode) => string,
  evaluate: (n: SyntaxNode) => string | undefined,
): string | undefined {
  if (n.name === 'BinaryExpression') {
    const [a, op, b] = childrenOf(n);
    if (!a || !b || !op || src(op) !== '+') return undefined;
    const l = evaluate(a);
    const r = evaluate(b);
    return l !== undefined && r !== undefined ? l + r : undefined;
  }
  if (n.name === 'ParenthesizedExpression') {
    const inner = childrenOf(n).filter((c) => c.name !== '(' && c.name !== ')');
    return inner.length === 1 ? evaluate(inner[0]!) : undefined;
  }
  return undefined;
}
