import type { Finding } from '../../core/finding.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';

/**
 * CPU001 for Python lockfiles, which pin distribution files by hash rather than one integrity per version. PyPI never
 * accepts a file name twice (warehouse `file_upload`: "File already exists", even after deletion), so the same
 * file of the same release with another hash is bytes nobody published there. Files named in neither revision are
 * new wheels a maintainer may add to a release later; but a requirements / Pipfile pin that names no files and keeps
 * none of its hashes accepts only other bytes (pip `Hashes.check_against_chunks` passes any listed hash).
 */
export function republishedDistributions(base: DependencyGraph, head: DependencyGraph): Finding[] {
  if (head.ecosystem !== 'pypi') return [];
  const before = new Map<string, Pins>();
  for (const p of base.packages) {
    const pins = pinsOf(p);
    if (pins.all.size > 0) before.set(`${p.name}@${p.version}`, merge(before.get(`${p.name}@${p.version}`), pins));
  }
  const out: Finding[] = [];
  const reported = new Set<string>();
  for (const p of head.packages) {
    const key = `${p.name}@${p.version}`;
    const old = before.get(key);
    if (!old || reported.has(key) || p.version === '') continue;
    const now = pinsOf(p);
    const file = [...now.byFile].find(([f, ds]) => old.byFile.has(f) && !overlaps(ds, old.byFile.get(f)!));
    const unnamed = now.byFile.size === 0 && old.byFile.size === 0 && now.all.size > 0 && !overlaps(now.all, old.all);
    if (!file && !unnamed) continue;
    reported.add(key);
    const [was, is] = file ? [old.byFile.get(file[0])!, file[1]] : [old.all, now.all];
    out.push({
      ruleId: 'CPU001',
      message: `${key} now pins ${file ? `${file[0]} to another hash than at the base revision` : 'none of the hashes it had at the base revision'}: the same release now names other bytes, and PyPI never takes a file name twice. Restore the entry from the base revision and find where the new bytes come from.`,
      location: { path: p.lockfile, line: p.line },
      artifact: { kind: 'package', name: p.name, version: p.version },
      evidence: {
        ...(file ? { file: file[0] } : {}),
        before: [...was].sort().join(' ').slice(0, 400),
        after: [...is].sort().join(' ').slice(0, 400),
      },
    });
  }
  return out;
}

interface Pins {
  /** File name → `alg:digest` of each hash recorded for it. */
  readonly byFile: Map<string, Set<string>>;
  readonly all: Set<string>;
}

function pinsOf(p: PackageNode): Pins {
  const byFile = new Map<string, Set<string>>();
  const all = new Set<string>();
  for (const d of p.distributions ?? []) {
    const digests = Object.entries(d.hashes).map(([alg, h]) => `${alg.toLowerCase()}:${h.toLowerCase()}`);
    for (const x of digests) all.add(x);
    if (d.filename !== undefined && digests.length > 0)
      byFile.set(d.filename, new Set([...(byFile.get(d.filename) ?? []), ...digests]));
  }
  return { byFile, all };
}

function merge(a: Pins | undefined, b: Pins): Pins {
  if (!a) return b;
  for (const [f, ds] of b.byFile) a.byFile.set(f, new Set([...(a.byFile.get(f) ?? []), ...ds]));
  for (const x of b.all) a.all.add(x);
  return a;
}

/** Two hash sets agree when they share a digest under one algorithm; different algorithms cannot be compared. */
function overlaps(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  const algs = new Set([...b].map((x) => x.slice(0, x.indexOf(':'))));
  const comparable = [...a].filter((x) => algs.has(x.slice(0, x.indexOf(':'))));
  return comparable.length === 0 || comparable.some((x) => b.has(x));
}
