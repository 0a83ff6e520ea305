import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// containers/ lists members and hands bytes out; pickle/ analyses pickles; content/ walks a file's content and calls
// both. Arrows go one way: content → pickle → containers. A module cycle would let them drift back into one tangle.

const SRC = resolve(__dirname, '../../src');
const INSPECT = join(SRC, 'inspect');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Relative imports of a module resolved to .ts paths; `runtime` leaves out `import type` (erased when compiled). */
function importsOf(file: string, runtime: boolean): string[] {
  const text = readFileSync(file, 'utf8');
  const re = runtime
    ? /(?:(?:import|export)(?!\s+type\b)[^;]*?from|import)\s*\(?\s*'(\.[^']+)'/g
    : /(?:from|import)\s*\(?\s*'(\.[^']+)'/g;
  const specs = [...text.matchAll(re)].map((m) => m[1]!);
  return specs.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts'))).filter((t) => t.startsWith(INSPECT));
}

const files = tsFiles(INSPECT);
/** Every import, type-only ones too: folders are a design boundary whatever the compiler erases. */
const graph = new Map(files.map((f) => [f, importsOf(f, false)]));
/** What runs: a cycle here changes module evaluation order. */
const runtimeGraph = new Map(files.map((f) => [f, importsOf(f, true)]));
const folderOf = (f: string): string => relative(INSPECT, dirname(f)).split('/')[0] || '.';

/** The first cycle found by depth-first search, as a list of nodes, or undefined. */
function findCycle(edges: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'open') return [...path.slice(path.indexOf(n)), n];
    state.set(n, 'open');
    path.push(n);
    for (const m of edges.get(n) ?? []) {
      const c = visit(m);
      if (c) return c;
    }
    path.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of edges.keys()) {
    const c = visit(n);
    if (c) return c;
  }
  return undefined;
}

describe('src/inspect has no import cycles', () => {
  it('between modules at run time', () => {
    const edges = new Map([...runtimeGraph].map(([f, ts]) => [f, new Set(ts)]));
    expect(findCycle(edges)?.map((f) => relative(SRC, f))).toBeUndefined();
  });

  it('between folders (containers ↔ pickle included)', () => {
    // src/inspect itself holds the analyser interface and the list of analysers: every folder may use it.
    const edges = new Map<string, Set<string>>();
    for (const [f, ts] of graph) {
      const from = folderOf(f);
      if (from === '.') continue;
      for (const t of ts)
        if (folderOf(t) !== from) (edges.get(from) ?? edges.set(from, new Set()).get(from)!).add(folderOf(t));
    }
    expect(findCycle(edges)).toBeUndefined();
  });

  it.each([
    ['containers', ['pickle', 'content']],
    ['pickle', ['content']],
  ])('%s/ imports nothing from %j', (folder, banned) => {
    const bad = [...graph].flatMap(([f, ts]) =>
      folderOf(f) === folder
        ? ts.filter((t) => banned.includes(folderOf(t))).map((t) => `${relative(SRC, f)} → ${relative(SRC, t)}`)
        : [],
    );
    expect(bad).toEqual([]);
  });
});
