import type { Finding } from '../../core/finding.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import { packageArtifact } from '../../core/finding.js';
import { ecosystemOf, releaseId } from '../../core/package-key.js';

/**
 * CPU001 for Python lockfiles, which pin distribution files by hash rather than one integrity per version. PyPI never
 * accepts a file name twice (warehouse `file_upload`: "File already exists", even after deletion), so the same
 * file of the same release with another hash is bytes nobody published there. pip accepts a download that matches
 * ANY hash listed for the requirement (pip `Hashes.check_against_chunks`), and a uv.lock file the hashes recorded for
 * it (uv PR #17157: before it, the union of the version's), so a hash the head adds lets those bytes in. An added
 * hash beside every old one is a file the maintainer may have uploaded to the release later (new wheels); an added
 * hash while an old one is gone is a replacement: the release now admits bytes the base revision never accepted, and
 * drops some it did. A pin that keeps none of its hashes accepts only other bytes.
 *
 * A name==version the head lockfile did not lock at the base revision (a new lockfile, a migration from requirements
 * to uv.lock, a copy beside the reviewed one) is compared with every Python lockfile of the base revision: one
 * release is one set of files whichever tool locks it, and whichever spelling of its version (`releaseId`: `1.16` and
 * `1.16.0` are one release to pip, so re-spelling the pin in the same change cannot hide new hashes).
 */
export function republishedDistributions(
  base: DependencyGraph | undefined,
  head: DependencyGraph,
  elsewhere: ReadonlyMap<string, Pins>,
): Finding[] {
  if (head.ecosystem !== 'pypi') return [];
  const own = pinsByVersion(base ? [base] : []);
  const now = new Map<string, { node: PackageNode; pins: Pins; entries: { node: PackageNode; pins: Pins }[] }>();
  for (const p of head.packages) {
    if (p.version === '') continue;
    // Keyed with the index as the base pins are (pinsByVersion): nanochat's uv.lock locks torch 2.9.1 from PyPI and
    // from download.pytorch.org, one file name with other bytes on each, and merged here they disagreed with the
    // PyPI entry's base pins at any edit of the lockfile.
    const key = `${releaseId('pypi', p.name, p.version)}${indexOf(p)}`;
    const pins = pinsOf(p);
    if (pins.all.size === 0) continue;
    const seen = now.get(key);
    // The release's pins start as a copy: `merge` adds to its first argument, and each entry keeps its own.
    if (seen) {
      seen.entries.push({ node: p, pins });
      merge(seen.pins, pins);
    } else now.set(key, { node: p, pins: pinsOf(p), entries: [{ node: p, pins }] });
  }
  const out: Finding[] = [];
  for (const [key, release] of now) {
    const mine = own.get(key);
    const old = mine ?? elsewhere.get(key);
    const found = old && disagreeingEntry(old, release);
    if (!old || !found) continue;
    const { node, why } = found;
    out.push({
      ruleId: 'CPU001',
      message: `${node.name}@${node.version} now pins ${describe(why, old, mine !== undefined)}: the same release now names other bytes, pip and uv accept a download that matches any hash listed, and PyPI never takes a file name twice. Restore the entry from the base revision and find where the new bytes come from.`,
      location: { path: node.lockfile, line: node.line },
      artifact: packageArtifact(ecosystemOf(head), node.name, node.version),
      evidence: {
        ...(why.kind === 'file' ? { file: why.file } : {}),
        ...(mine ? {} : { lockfile: old.lockfile }),
        before: [...why.was].sort().join(' ').slice(0, 400),
        after: [...why.is].sort().join(' ').slice(0, 400),
      },
    });
  }
  return out;
}

/**
 * The entry of a release whose pins disagree with the base ones: the release's pins over all its entries, else each
 * entry's own. One lockfile may lock a release twice, each entry installed with its own hashes: Pipfile.lock's
 * `default` and `develop` (pipenv `do_install_dependencies` installs each category from its own section, `develop`
 * only with `--dev`), a requirements pin repeated under other markers. A hash swapped in one while the other keeps
 * the old ones is still other bytes for the installs that read it.
 */
function disagreeingEntry(
  old: Pins,
  release: { node: PackageNode; pins: Pins; entries: readonly { node: PackageNode; pins: Pins }[] },
): { node: PackageNode; why: Disagreement } | undefined {
  const merged = disagreement(old, release.pins);
  if (merged) return { node: release.node, why: merged };
  if (release.entries.length < 2) return undefined;
  for (const e of release.entries) {
    const why = disagreement(old, e.pins);
    if (why) return { node: e.node, why };
  }
  return undefined;
}

/** How a head pin set disagrees with the base one, if it does; the digests shown are those that explain it. */
type Disagreement =
  | { kind: 'file'; file: string; was: ReadonlySet<string>; is: ReadonlySet<string> }
  | { kind: 'none-kept' | 'replaced'; was: ReadonlySet<string>; is: ReadonlySet<string> };

function disagreement(old: Pins, now: Pins): Disagreement | undefined {
  const file = [...now.byFile].find(([f, ds]) => old.byFile.has(f) && !overlaps(ds, old.byFile.get(f)!));
  if (file) return { kind: 'file', file: file[0], was: old.byFile.get(file[0])!, is: file[1] };
  if (now.byFile.size === 0 && old.byFile.size === 0 && now.all.size > 0 && !overlaps(now.all, old.all))
    return { kind: 'none-kept', was: old.all, is: now.all };
  const { added, dropped } = compared(old.all, now.all);
  return added.size > 0 && dropped.size > 0 ? { kind: 'replaced', was: dropped, is: added } : undefined;
}

function describe(why: Disagreement, old: Pins, own: boolean): string {
  const there = own ? 'at the base revision' : `in ${old.lockfile} at the base revision`;
  if (why.kind === 'file') return `${why.file} to another hash than ${there}`;
  if (why.kind === 'none-kept') return `none of the hashes it had ${there}`;
  return own
    ? `${count(why.is.size)} it did not have at the base revision, in place of ${count(why.was.size)} it dropped`
    : `${count(why.is.size)} that ${old.lockfile} did not record for it at the base revision, and leaves out ${count(why.was.size)} it records`;
}

const count = (n: number) => (n === 1 ? 'a hash' : `${n} hashes`);

export interface Pins {
  /** File name → `alg:digest` of each hash recorded for it. */
  readonly byFile: Map<string, Set<string>>;
  readonly all: Set<string>;
  /** The first lockfile that recorded these pins. */
  readonly lockfile: string;
}

/**
 * Each name==version's pins over some Python lockfiles, merged (one release is one set of files), keyed with the
 * index it comes from when that is not PyPI: another index (the PyTorch one) may serve other files for a version.
 */
export function pinsByVersion(graphs: readonly DependencyGraph[]): Map<string, Pins> {
  const out = new Map<string, Pins>();
  for (const g of graphs) {
    if (g.ecosystem !== 'pypi') continue;
    for (const p of g.packages) {
      const pins = pinsOf(p);
      const key = `${releaseId('pypi', p.name, p.version)}${indexOf(p)}`;
      if (pins.all.size > 0 && p.version !== '') out.set(key, merge(out.get(key), pins));
    }
  }
  return out;
}

/** ` <host>` of a package's index when a lockfile names one other than PyPI, else ''. */
function indexOf(p: PackageNode): string {
  if (p.source !== 'registry' || p.resolved === undefined) return '';
  try {
    const host = new URL(p.resolved).host.toLowerCase();
    return PYPI_HOSTS.has(host) ? '' : ` ${host}`;
  } catch {
    return ` ${p.resolved}`;
  }
}

const PYPI_HOSTS: ReadonlySet<string> = new Set(['pypi.org', 'pypi.python.org', 'files.pythonhosted.org']);

function pinsOf(p: PackageNode): Pins {
  const byFile = new Map<string, Set<string>>();
  const all = new Set<string>();
  for (const d of p.distributions ?? []) {
    const digests = Object.entries(d.hashes).map(([alg, h]) => `${alg.toLowerCase()}:${h.toLowerCase()}`);
    for (const x of digests) all.add(x);
    if (d.filename !== undefined && digests.length > 0)
      byFile.set(d.filename, new Set([...(byFile.get(d.filename) ?? []), ...digests]));
  }
  return { byFile, all, lockfile: p.lockfile };
}

function merge(a: Pins | undefined, b: Pins): Pins {
  if (!a) return b;
  for (const [f, ds] of b.byFile) a.byFile.set(f, new Set([...(a.byFile.get(f) ?? []), ...ds]));
  for (const x of b.all) a.all.add(x);
  return a;
}

const algOf = (x: string) => x.slice(0, x.indexOf(':'));

/** Two hash sets agree when they share a digest under one algorithm; different algorithms cannot be compared. */
function overlaps(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  const algs = new Set([...b].map(algOf));
  const comparable = [...a].filter((x) => algs.has(algOf(x)));
  return comparable.length === 0 || comparable.some((x) => b.has(x));
}

/**
 * The digests `now` adds and drops against `old`, under the algorithms both record (a lockfile that moves from md5 to
 * sha256 names the same files, not other ones).
 */
function compared(old: ReadonlySet<string>, now: ReadonlySet<string>): { added: Set<string>; dropped: Set<string> } {
  const both = new Set([...old].map(algOf).filter((a) => [...now].some((x) => algOf(x) === a)));
  const added = new Set([...now].filter((x) => both.has(algOf(x)) && !old.has(x)));
  const dropped = new Set([...old].filter((x) => both.has(algOf(x)) && !now.has(x)));
  return { added, dropped };
}
