import type { DiscoveredFile } from '../../core/files.js';
import type { FileFormat } from '../../core/files.js';
import type { Finding } from '../../core/finding.js';
import type { DependencyGraph } from '../../core/records.js';
import { LOCKFILE_FORMATS, PYTHON_LOCKFILE_FORMATS } from '../../discover/catalogue/index.js';
import { dirOf, joinRel } from '../../deps/read.js';

/**
 * CPU031: the change deletes a lockfile (or moves it to where no package manager looks for it) while the manifest it
 * locked stays. A package manager reads the lockfile beside the manifest only (arborist `Shrinkwrap.load` in the
 * package's folder, pnpm/yarn/bun the same, uv/poetry/pdm beside pyproject.toml, pipenv beside the Pipfile); without
 * one, the next install resolves every version afresh, so nothing this review compared is what CI installs.
 * A requirements file is its own manifest and is left out.
 */
export function removedLockfiles(
  baseFiles: readonly DiscoveredFile[],
  headFiles: readonly DiscoveredFile[],
  baseGraphs: readonly DependencyGraph[],
  moves: ReadonlyMap<string, string>,
): Finding[] {
  // An emptied lockfile is no lockfile: arborist `Shrinkwrap.load` reads `'' || '{}'`, and the others find no entries.
  const present = headFiles.filter((f) => f.size > 0 || manifestOf(f.format) === undefined);
  const headPaths = new Set(present.map((f) => f.path));
  const lockedDirs = new Set(
    present.flatMap((f) => {
      const m = manifestOf(f.format);
      return m ? [joinRel(dirOf(f.path), m.kind)] : [];
    }),
  );
  const byManifest = new Map<string, { manifest: string; lockfiles: string[]; packages: number }>();
  for (const f of baseFiles) {
    const m = manifestOf(f.format);
    if (!m) continue;
    const manifest = headFiles.find((h) => h.format === m.format && dirOf(h.path) === dirOf(f.path))?.path;
    if (headPaths.has(f.path) || manifest === undefined || lockedDirs.has(joinRel(dirOf(f.path), m.kind))) continue;
    const g = baseGraphs.find((x) => x.lockfile === f.path);
    const at = byManifest.get(manifest) ?? { manifest, lockfiles: [], packages: 0 };
    at.lockfiles.push(f.path);
    at.packages += new Set(g?.packages.map((p) => `${p.name}@${p.version}`) ?? []).size;
    byManifest.set(manifest, at);
  }
  return [...byManifest.values()].map(({ manifest, lockfiles, packages }) => {
    const gone = lockfiles.map((p) => (moves.has(p) ? `${p} (moved to ${moves.get(p)!})` : p)).join(', ');
    return {
      ruleId: 'CPU031',
      message: `The change removes ${gone}, which locked ${packages} package version(s) for ${manifest}; the manifest stays, so the next install there resolves every version afresh and nothing this review compared is what gets installed. Restore the lockfile, or regenerate it and commit it with the change.`,
      location: { path: manifest },
      artifact: { kind: 'file', path: manifest },
      evidence: { lockfiles: lockfiles.join(' '), manifest, lockedPackages: packages },
    };
  });
}

/** The manifest a lockfile format locks, as a catalogue format; `kind` groups the formats one manifest can use. */
function manifestOf(format: FileFormat): { format: FileFormat; kind: string } | undefined {
  if (LOCKFILE_FORMATS.has(format)) return { format: 'package-json', kind: 'npm' };
  if (!PYTHON_LOCKFILE_FORMATS.has(format) || format === 'pip-requirements') return undefined;
  return format === 'pipfile-lockfile'
    ? { format: 'pipfile', kind: 'pipenv' }
    : { format: 'pyproject-toml', kind: 'pyproject' };
}
