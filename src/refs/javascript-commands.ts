import type { SyntaxNode } from '@lezer/common';
import { parser } from '@lezer/javascript';
import { CommandScript, type Piece } from './command-script.js';
import { componentScript } from './javascript-components.js';
import { unquote } from './javascript-tokens.js';
import { childrenOf, walkTree } from './syntax.js';
import type { FileReferences } from './types.js';

const TS = parser.configure({ dialect: 'ts jsx' });

/**
 * Command lines a JavaScript/TypeScript file runs through Node's child_process — `execSync("hf download org/x")`,
 * `spawn("huggingface-cli", ["download", "org/x"])` — read by the shell finder (command-script.ts), as the CLI they
 * start would download. Never run.
 *
 * What each call hands the operating system, as Node's lib/child_process.js does:
 * - `exec(command)` / `execSync(command)`: a command line for the shell (`/bin/sh -c`).
 * - `execFile(file, args)` / `execFileSync` / `spawn(command, args)` / `spawnSync`: the program and its arguments,
 *   word for word; with `{ shell: true }` (`normalizeSpawnArguments`) the program and arguments joined by spaces are
 *   the command line the shell runs. An object in place of the arguments is the options.
 * Names bound by `const` to strings, template literals of them and `+` are the file's constants; a value the file
 * does not decide stands as a word no repository holds — a download of it is a run-time note, never silence. An
 * array the file changes in place (`args.push(model)`) holds more than its literal: the rest is the run time's.
 */
export function findJavaScriptCommandReferences(
  path: string,
  source: string,
  existsLocally: (p: string) => boolean,
): FileReferences & { readonly unread: number } {
  const text = componentScript(path, source);
  const tree = TS.parse(text);
  const src = (n: SyntaxNode) => text.slice(n.from, n.to);
  // Names bound to child_process's functions (`execSync`, `run` of `{ execSync: run }`), and to the module itself.
  const functions = new Map<string, string>();
  const modules = new Set<string>();
  const constants = new Map<string, SyntaxNode>();
  const declared = new Map<string, number>();
  const calls: SyntaxNode[] = [];
  walkTree(tree, {
    ImportDeclaration: (n) => {
      const parts = childrenOf(n);
      const from = parts.find((k) => k.name === 'String');
      if (!from || !isChildProcess(unquote(src(from)))) return;
      for (const [k, part] of parts.entries()) {
        if (part.name === 'ImportGroup') for (const [name, local] of groupNames(part, src)) functions.set(local, name);
        // `import * as cp` and `import cp`: the module's namespace or its default export (the same object).
        else if (part.name === 'VariableDefinition' && parts[k + 1]?.name !== 'as') modules.add(src(part));
      }
    },
    VariableDeclaration: (n) => {
      const parts = childrenOf(n);
      const kind = src(parts[0]!);
      for (let k = 1; k < parts.length; k++) {
        const target = parts[k]!;
        const value = parts[k + 1]?.name === 'Equals' ? parts[k + 2] : undefined;
        if (target.name === 'VariableDefinition') {
          const name = src(target);
          declared.set(name, (declared.get(name) ?? 0) + 1);
          if (value && isRequire(value, src)) modules.add(name);
          else if (value && kind === 'const') constants.set(name, value);
        } else if (target.name === 'ObjectPattern' && value && isRequire(value, src))
          for (const [name, local] of patternNames(target, src)) functions.set(local, name);
      }
    },
    CallExpression: (n) => calls.push(n),
  });
  const script = new Script(text, src, constants, declared);
  let unread = 0;
  for (const call of calls) {
    const [callee, args] = childrenOf(call);
    if (!callee || args?.name !== 'ArgList') continue;
    const runner = RUNNERS.get(runnerName(callee, functions, modules, src) ?? '');
    if (runner === undefined) continue;
    if (script.full) {
      unread++;
      continue;
    }
    const values = childrenOf(args).filter((k) => !PUNCTUATION.has(k.name));
    if (!script.command(runner, values)) unread++;
  }
  return { ...script.references(path, text, existsLocally), unread };
}

/** How each runner takes its command (Node's lib/child_process.js). */
type Runner = 'shell' | 'file';
const RUNNERS: ReadonlyMap<string, Runner> = new Map([
  ['exec', 'shell'],
  ['execSync', 'shell'],
  ['execFile', 'file'],
  ['execFileSync', 'file'],
  ['spawn', 'file'],
  ['spawnSync', 'file'],
]);
const PUNCTUATION = new Set(['(', ')', ',', '[', ']', '{', '}', 'Spread']);

const isChildProcess = (module: string | undefined) => module === 'child_process' || module === 'node:child_process';

/** `require('child_process')` (or `node:child_process`). */
function isRequire(n: SyntaxNode, src: (n: SyntaxNode) => string): boolean {
  if (n.name !== 'CallExpression') return false;
  const [callee, args] = childrenOf(n);
  const arg = args && childrenOf(args).filter((k) => !PUNCTUATION.has(k.name));
  return (
    callee?.name === 'VariableName' &&
    src(callee) === 'require' &&
    arg?.length === 1 &&
    arg[0]!.name === 'String' &&
    isChildProcess(unquote(src(arg[0]!)))
  );
}

/** `{ a, b as c }` of an import: [exported, local] pairs. */
function groupNames(group: SyntaxNode, src: (n: SyntaxNode) => string): [string, string][] {
  const out: [string, string][] = [];
  const parts = childrenOf(group);
  for (let k = 0; k < parts.length; k++) {
    if (parts[k]!.name !== 'VariableName' && parts[k]!.name !== 'VariableDefinition') continue;
    const name = src(parts[k]!);
    if (parts[k + 1]?.name === 'as' && parts[k + 2]) out.push([name, src(parts[(k += 2)]!)]);
    else out.push([name, name]);
  }
  return out;
}

/** `{ a, b: c }` of a destructuring `require`: [property, local] pairs. */
function patternNames(pattern: SyntaxNode, src: (n: SyntaxNode) => string): [string, string][] {
  const out: [string, string][] = [];
  for (const p of childrenOf(pattern)) {
    if (p.name !== 'PatternProperty') continue;
    const parts = childrenOf(p);
    const local = parts.find((k) => k.name === 'VariableDefinition');
    const key = parts.find((k) => k.name === 'PropertyName') ?? local;
    if (local && key) out.push([src(key), src(local)]);
  }
  return out;
}

/** The child_process function a callee names: `execSync`, `cp.spawn`, `require('child_process').exec`. */
function runnerName(
  callee: SyntaxNode,
  functions: ReadonlyMap<string, string>,
  modules: ReadonlySet<string>,
  src: (n: SyntaxNode) => string,
): string | undefined {
  if (callee.name === 'VariableName') return functions.get(src(callee));
  if (callee.name !== 'MemberExpression') return undefined;
  const [object, dot, property] = childrenOf(callee);
  if (dot?.name !== '.' || property?.name !== 'PropertyName' || !object) return undefined;
  const isModule = object.name === 'VariableName' ? modules.has(src(object)) : isRequire(object, src);
  return isModule ? src(property) : undefined;
}

/** How deep a value is followed through names and `+` (a chain of constants, never a loop). */
const MAX_DEPTH = 16;

/** The script the shell finder reads, from the file's child_process calls. */
class Script extends CommandScript {
  constructor(
    private readonly file: string,
    private readonly src: (n: SyntaxNode) => string,
    private readonly constants: ReadonlyMap<string, SyntaxNode>,
    private readonly declared: ReadonlyMap<string, number>,
  ) {
    super();
  }

  /** Adds the command a runner's call makes; false when it is too long to read. */
  command(runner: Runner, args: readonly SyntaxNode[]): boolean {
    const [first, second, third] = args;
    if (!first) return true;
    if (runner === 'shell') return this.add(this.string(first));
    // An object in place of the arguments is the options (`spawn(cmd, { shell: true })`).
    const [list, options] = second?.name === 'ObjectExpression' ? [undefined, second] : [second, third];
    const items = list ? this.array(list) : { items: [], open: false };
    const words = [first, ...(items?.items ?? [])];
    const open = items === undefined || items.open;
    if (options && this.shellOption(options)) {
      // normalizeSpawnArguments: `[file, ...args].join(' ')` is the command line.
      const line: Piece[] = [];
      for (const w of words) {
        if (line.length > 0) line.push({ text: ' ', from: w.from, exact: false });
        line.push(...this.string(w));
      }
      if (open) line.push({ text: ' ', from: first.from, exact: false }, this.unknown(first.from));
      return this.add(line);
    }
    return this.add(
      this.words(
        words,
        (w) => this.string(w),
        (w) => w.from,
        open,
      ),
    );
  }

  /** `{ shell: true }` or a shell's path (`shell: '/bin/bash'`): any truthy value the file shows. */
  private shellOption(options: SyntaxNode): boolean {
    for (const p of childrenOf(options)) {
      if (p.name !== 'Property') continue;
      const [key, , value] = childrenOf(p);
      if (!key || this.src(key) !== 'shell' || !value) continue;
      if (value.name === 'BooleanLiteral') return this.src(value) === 'true';
      if (value.name === 'String') return (unquote(this.src(value)) ?? 'x') !== '';
      // A value chosen at run time may turn it on: read as the shell would.
      return true;
    }
    return false;
  }

  /** An array literal's items (through a `const`); undefined for anything else. `open`: more come at run time. */
  private array(n: SyntaxNode, depth = 0): { items: SyntaxNode[]; open: boolean } | undefined {
    if (depth > MAX_DEPTH) return undefined;
    if (n.name === 'ParenthesizedExpression') {
      const inner = childrenOf(n).find((k) => !PUNCTUATION.has(k.name));
      return inner && this.array(inner, depth + 1);
    }
    if (n.name === 'VariableName') {
      const name = this.src(n);
      const bound = this.once(name);
      const seq = bound && this.array(bound, depth + 1);
      return seq && { ...seq, open: seq.open || this.changedInPlace(name) };
    }
    if (n.name !== 'ArrayExpression') return undefined;
    const parts = childrenOf(n);
    return { items: parts.filter((k) => !PUNCTUATION.has(k.name)), open: parts.some((k) => k.name === 'Spread') };
  }

  /** A `const` declared once in the file (names are read file-wide: a second declaration is a run-time choice). */
  private once(name: string): SyntaxNode | undefined {
    return this.declared.get(name) === 1 ? this.constants.get(name) : undefined;
  }

  /** Whether the file changes the array `name` in place: a mutating method, or an item assigned. */
  private changedInPlace(name: string): boolean {
    const id = name.replace(/\$/g, '\\$');
    return new RegExp(
      String.raw`(?<![\w.$])${id}\s*(?:\.\s*(?:push|unshift|splice|fill|reverse|sort|copyWithin)\s*\(|\[[^\]\n]*\]\s*=(?!=))`,
    ).test(this.file);
  }

  /** A value's text as pieces; what the file does not decide stands as a run-time word. */
  private string(n: SyntaxNode, depth = 0): Piece[] {
    const unknown = (): Piece[] => [this.unknown(n.from)];
    if (depth > MAX_DEPTH) return unknown();
    const raw = this.src(n);
    if (n.name === 'String') {
      const value = unquote(raw);
      if (value === undefined) return unknown();
      const exact = raw.slice(1, -1) === value;
      return [{ text: value, from: exact ? n.from + 1 : n.from, exact }];
    }
    if (n.name === 'TemplateString') return this.template(n, depth);
    if (n.name === 'ParenthesizedExpression') {
      const inner = childrenOf(n).find((k) => !PUNCTUATION.has(k.name));
      return inner ? this.string(inner, depth + 1) : unknown();
    }
    if (n.name === 'BinaryExpression') {
      const [left, op, right] = childrenOf(n);
      if (!left || !right || op === undefined || this.src(op) !== '+') return unknown();
      return [...this.string(left, depth + 1), ...this.string(right, depth + 1)];
    }
    if (n.name !== 'VariableName') return unknown();
    const bound = this.once(raw);
    return bound ? this.string(bound, depth + 1).map((p) => ({ ...p, from: n.from, exact: false })) : unknown();
  }

  /** A template literal: its text (no escapes: raw text with a backslash is the run time's), each `${name}` field. */
  private template(n: SyntaxNode, depth: number): Piece[] {
    const out: Piece[] = [];
    let at = n.from + 1;
    const literal = (to: number) => {
      const text = this.file.slice(at, to);
      if (text.includes('\\')) out.push(this.unknown(at));
      else if (text !== '') out.push({ text, from: at, exact: true });
    };
    for (const part of childrenOf(n)) {
      if (part.name !== 'Interpolation') continue;
      literal(part.from);
      const inner = childrenOf(part).filter((k) => k.name !== 'InterpolationStart' && k.name !== 'InterpolationEnd');
      out.push(
        ...(inner.length === 1 ? this.string(inner[0]!, depth + 1) : [this.unknown(part.from)]).map((p) => ({
          ...p,
          from: part.from,
          exact: false,
        })),
      );
      at = part.to;
    }
    literal(n.to - 1);
    return out;
  }
}
