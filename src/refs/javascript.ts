import type { SyntaxNode } from '@lezer/common';
import { parser } from '@lezer/javascript';
import type { FileReferences } from './types.js';
import { lineIndex } from './text.js';
import { collectReference, type CallFacts, type Resolved } from './calls.js';

const TS = parser.configure({ dialect: 'ts jsx' });

/**
 * Model references in JavaScript/TypeScript, from @lezer/javascript's syntax tree. ES imports, `require`
 * destructuring and `const` string constants (template literals over constants, `+`) are resolved in the file.
 */
export function findJavaScriptReferences(
  path: string,
  text: string,
  existsLocally: (p: string) => boolean,
): FileReferences {
  const tree = TS.parse(text);
  const at = lineIndex(text);
  const src = (n: SyntaxNode) => text.slice(n.from, n.to);
  const constants = new Map<string, string | null>();
  const imports = new Map<string, string>();
  const calls: SyntaxNode[] = [];

  const cursor = tree.cursor();
  do {
    const n = cursor.node;
    if (n.name === 'ImportDeclaration') recordImport(n);
    else if (n.name === 'VariableDeclaration') recordDeclaration(n);
    else if (n.name === 'CallExpression') calls.push(n);
  } while (cursor.next());

  function recordImport(n: SyntaxNode): void {
    const kids = children(n);
    const modNode = kids.find((k) => k.name === 'String');
    const mod = modNode ? unquote(src(modNode)) : undefined;
    if (mod === undefined) return;
    for (let i = 0; i < kids.length; i++) {
      const k = kids[i]!;
      if (k.name === 'VariableDefinition') imports.set(src(k), mod); // default or `* as x`
      if (k.name === 'ImportGroup') {
        const g = children(k);
        for (let j = 0; j < g.length; j++) {
          const e = g[j]!;
          if (e.name !== 'VariableName' && e.name !== 'VariableDefinition') continue;
          const alias = g[j + 1]?.name === 'as' ? g[j + 2] : undefined;
          imports.set(alias ? src(alias) : src(e), `${mod}.${src(e)}`);
          if (alias) j += 2;
        }
      }
    }
  }

  function recordDeclaration(n: SyntaxNode): void {
    const kids = children(n);
    for (let i = 0; i < kids.length; i++) {
      const target = kids[i]!;
      if (kids[i + 1]?.name !== 'Equals') continue;
      const value = kids[i + 2];
      if (!value) continue;
      const required = requiredModule(value);
      if (target.name === 'VariableDefinition') {
        if (required !== undefined) imports.set(src(target), required);
        else {
          const name = src(target);
          const v = evaluate(value);
          const old = constants.get(name);
          constants.set(name, old === undefined || old === v ? (v ?? null) : null);
        }
      } else if (target.name === 'ObjectPattern' && required !== undefined) {
        for (const p of children(target).filter((c) => c.name === 'PatternProperty')) {
          const defs = children(p).filter((c) => c.name === 'VariableDefinition' || c.name === 'PropertyName');
          const local = defs[defs.length - 1];
          const imported = defs[0];
          if (local && imported) imports.set(src(local), `${required}.${src(imported)}`);
        }
      }
      i += 2;
    }
  }

  /** `require('mod')` and `await import('mod')`. */
  function requiredModule(n: SyntaxNode): string | undefined {
    const call = n.name === 'AwaitExpression' ? children(n)[1] : n;
    if (call?.name !== 'CallExpression') return undefined;
    const [callee, args] = children(call);
    if (!callee || !args || !['require', 'import'].includes(src(callee))) return undefined;
    const arg = children(args).find((c) => c.name === 'String');
    return arg ? unquote(src(arg)) : undefined;
  }

  function evaluate(n: SyntaxNode): string | undefined {
    switch (n.name) {
      case 'String':
        return unquote(src(n));
      case 'TemplateString': {
        let out = '';
        let pos = n.from + 1;
        for (const part of children(n).filter((c) => c.name === 'Interpolation')) {
          out += text.slice(pos, part.from);
          const inner = children(part).filter((c) => c.name !== 'InterpolationStart' && c.name !== 'InterpolationEnd');
          const v = inner.length === 1 ? evaluate(inner[0]!) : undefined;
          if (v === undefined) return undefined;
          out += v;
          pos = part.to;
        }
        return out + text.slice(pos, n.to - 1);
      }
      case 'VariableName': {
        const v = constants.get(src(n));
        return v === null ? undefined : v;
      }
      case 'BooleanLiteral':
        return src(n);
      case 'BinaryExpression': {
        const [a, op, b] = children(n);
        if (!a || !b || !op || src(op) !== '+') return undefined;
        const l = evaluate(a);
        const r = evaluate(b);
        return l !== undefined && r !== undefined ? l + r : undefined;
      }
      case 'ParenthesizedExpression': {
        const inner = children(n).filter((c) => c.name !== '(' && c.name !== ')');
        return inner.length === 1 ? evaluate(inner[0]!) : undefined;
      }
      default:
        return undefined;
    }
  }

  function calleeName(n: SyntaxNode): string | undefined {
    if (n.name === 'VariableName') return src(n);
    if (n.name !== 'MemberExpression') return undefined;
    const kids = children(n);
    const obj = kids[0];
    const prop = kids[kids.length - 1];
    if (!obj || !prop || prop.name !== 'PropertyName') return undefined;
    const left = calleeName(obj);
    return left === undefined ? undefined : `${left}.${src(prop)}`;
  }

  /** Properties of an options object, `repo: { name }` flattened to `repo.name`; shorthand reads the constant. */
  function objectProps(obj: SyntaxNode, prefix: string, into: Map<string, Resolved>): void {
    for (const p of children(obj).filter((c) => c.name === 'Property')) {
      const parts = children(p);
      const key = parts[0];
      if (!key || key.name !== 'PropertyDefinition') continue;
      const name = prefix + src(key);
      const value = parts[2];
      if (!value) {
        const v = constants.get(src(key));
        into.set(name, { value: v === null ? undefined : v, isString: true });
      } else if (value.name === 'ObjectExpression') objectProps(value, `${name}.`, into);
      else
        into.set(name, {
          value: evaluate(value),
          isString: value.name === 'String' || value.name === 'TemplateString',
        });
    }
  }

  const out: FileReferences = { references: [], dynamic: [] };
  for (const call of calls) {
    const [callee, args] = children(call);
    if (!callee || !args || args.name !== 'ArgList') continue;
    const written = calleeName(callee);
    if (written === undefined) continue;
    const head = written.split('.')[0]!;
    const resolved = imports.has(head) ? imports.get(head)! + written.slice(head.length) : written;
    const positional: Resolved[] = [];
    const keywords = new Map<string, Resolved>();
    let splat = false;
    for (const a of children(args).filter((c) => !['(', ')', ','].includes(c.name))) {
      if (a.name === 'Spread') splat = true;
      else if (a.name === 'ObjectExpression') objectProps(a, '', keywords);
      positional.push({ value: evaluate(a), isString: a.name === 'String' || a.name === 'TemplateString' });
    }
    const { line, column } = at(call.from);
    const facts: CallFacts = { written, resolved, positional, keywords, splat, line, column, lang: 'javascript' };
    collectReference(path, facts, existsLocally, out);
  }
  return out;
}

function children(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling)
    if (c.name !== 'LineComment' && c.name !== 'BlockComment') out.push(c);
  return out;
}

function unquote(lit: string): string | undefined {
  const q = lit[0];
  if ((q !== '"' && q !== "'") || lit[lit.length - 1] !== q) return undefined;
  return lit.slice(1, -1).replace(/\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/gs, (_, e: string) => {
    if (e.startsWith('u{')) return String.fromCodePoint(parseInt(e.slice(2, -1), 16));
    if (e[0] === 'u' || e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ n: '\n', t: '\t', r: '\r', '0': '\0' } as Record<string, string>)[e] ?? e;
  });
}
