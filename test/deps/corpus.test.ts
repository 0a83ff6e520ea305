import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLockfile } from '../../src/deps/index.js';
import { repoWith, scanDeps } from './helpers.js';
import { corpusPath } from '../helpers/corpus.js';

const DIR = corpusPath('lockfiles');

/** INDEX.tsv (written by whoever collected the corpus) states each file's entry count. */
function indexCounts(): Map<string, number> {
  const out = new Map<string, number>();
  for (const row of readFileSync(path.join(DIR, 'INDEX.tsv'), 'utf8').trim().split('\n').slice(1)) {
    const [file, , , , , stats] = row.split('\t');
    const n = /\b(?:packages|entries)=(\d+)/.exec(stats ?? '');
    const v1 = /dependencies\(v1 tree\)=(\d+)/.exec(stats ?? '');
    // npm counts include the root entry "" (not a package); for v1 the INDEX counts top-level entries only.
    const count = stats?.includes('lockfileVersion=1')
      ? Number(v1?.[1])
      : stats?.startsWith('npm')
        ? Number(n?.[1]) - 1
        : Number(n?.[1]);
    out.set(file!, count);
  }
  return out;
}

function countV1(deps: unknown): number {
  if (typeof deps !== 'object' || deps === null) return 0;
  let n = 0;
  for (const d of Object.values(deps as Record<string, { dependencies?: unknown }>)) n += 1 + countV1(d.dependencies);
  return n;
}

/** A count computed from the file itself, without chainproof's parsers. */
function independentCount(file: string, text: string): number {
  if (file.endsWith('.json')) {
    const data = JSON.parse(text);
    return data.packages ? Object.keys(data.packages).filter((k) => k !== '').length : countV1(data.dependencies);
  }
  if (file.endsWith('.yaml')) {
    // pnpm: the keys of the top-level `packages:` map, each on a line of its own indented by two spaces (a second
    // YAML parse of the file here cost as much as the parser under test).
    const lines = text.split('\n');
    const from = lines.indexOf('packages:') + 1;
    const to = lines.findIndex((l, i) => i >= from && /^\S/.test(l));
    return lines.slice(from, to === -1 ? undefined : to).filter((l) => /^ {2}\S.*:$/.test(l)).length;
  }
  // yarn classic and berry: one unindented header line per entry (berry's `__metadata:` is no package). Berry's
  // file is YAML too, but parsing a 2,000-entry one with the yaml library took a second of the suite's CPU.
  return text.split('\n').filter((l) => /^[^\s#].*:$/.test(l) && l !== '__metadata:').length;
}

const LOCKFILE_NAME: Record<string, string> = {
  json: 'package-lock.json',
  lock: 'yarn.lock',
  yaml: 'pnpm-lock.yaml',
};

const cases = [...indexCounts()].map(([file, want]) => ({ file, want }));

describe('real lockfiles', () => {
  it('covers every corpus file', () => {
    expect(cases.length).toBe(11);
  });

  it.each(cases)('$file parses to $want packages', ({ file, want }) => {
    const text = readFileSync(path.join(DIR, file), 'utf8');
    const name = file.endsWith('npm-shrinkwrap.json') ? 'npm-shrinkwrap.json' : LOCKFILE_NAME[file.split('.').pop()!]!;
    const graph = parseLockfile(`corpus/${name}`, text);
    expect(graph.packages.length).toBe(independentCount(file, text));
    if (text.includes('"lockfileVersion": 1,')) {
      expect(graph.packages.filter((p) => !p.key.includes('/node_modules/')).length).toBe(want);
    } else {
      expect(graph.packages.length).toBe(want);
    }
    const lines = text.split('\n');
    // One assertion over every package (thousands of expect calls were most of this test's time), naming each
    // package whose line or path is wrong.
    const wrong: string[] = [];
    for (const p of graph.packages) {
      // The reported line names the entry: its key (or, for yarn, its first descriptor) is on it.
      const keyText = p.key.split(', ')[0]!.replace(/^\//, '');
      const named = keyText.split('/').pop()!.split('(')[0]!.split('_')[0]!;
      if (!(p.line > 0) || !(lines[p.line - 1] ?? '').includes(named) || p.path.length === 0)
        wrong.push(`${p.key} at line ${p.line}: ${JSON.stringify(lines[p.line - 1])}, path ${JSON.stringify(p.path)}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('a monorepo with every real lockfile and a broken one', () => {
  it('reports each lockfile against its own path and goes on past the broken one', async () => {
    const files: Record<string, { copy: string } | string> = {};
    for (const { file } of cases) {
      const name = file.endsWith('npm-shrinkwrap.json')
        ? 'npm-shrinkwrap.json'
        : LOCKFILE_NAME[file.split('.').pop()!]!;
      files[`apps/${file.replace(/\W+/g, '-')}/${name}`] = { copy: file };
    }
    files['broken/package-lock.json'] = '{"lockfileVersion": 3, "packages": {';
    const root = await repoWith(files);
    const r = await scanDeps(root);
    expect(r.graphs.map((g) => g.lockfile)).toEqual(
      Object.keys(files)
        .filter((p) => !p.startsWith('broken/'))
        .sort(),
    );
    const unparseable = r.findings.filter((f) => f.ruleId === 'CPD001');
    expect(unparseable.map((f) => [f.location.path, f.location.line])).toEqual([['broken/package-lock.json', 1]]);
    expect(unparseable[0]!.message).toContain('broken/package-lock.json');
    // No "missing integrity" on workspace links or folders.
    const linkLines = new Set(
      r.graphs.flatMap((g) =>
        g.packages.filter((p) => p.source === 'link' || p.source === 'workspace').map((p) => `${g.lockfile}:${p.line}`),
      ),
    );
    expect(linkLines.size).toBeGreaterThan(0);
    const missing = r.findings.filter((f) => f.ruleId === 'CPD002');
    expect(missing.filter((f) => linkLines.has(`${f.location.path}:${f.location.line}`))).toEqual([]);
    for (const f of r.findings) expect(f.location.line).toBeGreaterThan(0);
  });
});
