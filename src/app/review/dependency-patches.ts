import { lstat } from 'node:fs/promises';
import path from 'node:path';
import type { Finding } from '../../core/finding.js';
import { hashWorkingFiles } from './git.js';
import type { Snapshot } from './snapshot.js';

/** A patch file an install applies to a dependency, and the configuration that names it. */
interface AppliedPatch {
  readonly path: string;
  readonly config: string;
  readonly how: string;
}

/** Patch files by their names: what pnpm, yarn, bun and patch-package write (`*.patch`; some keep `*.diff`). */
export const isPatchFile = (p: string) => /\.(patch|diff)$/i.test(p) && !p.split('/').includes('node_modules');

/**
 * CPU026: a patch the install applies to a dependency, added or rewritten. pnpm applies `patchedDependencies`
 * (package.json `pnpm`, pnpm-workspace.yaml) to the package folder (`@pnpm/patching.apply-patch` `applyPatchToDir`),
 * yarn berry's `patch:` protocol (`resolutions`, dependency specs) builds the package from the patched files, Bun
 * applies its `patchedDependencies`, and patch-package, run from a root script, applies every `patches/*.patch`. The
 * lockfile pins the package's version and integrity, which the patch leaves as they were: the code installed into
 * node_modules changed although no dependency did. One finding per patch file; a patch that adds an install script is
 * the head scan's CPD024 (`newScriptPatches`), not repeated.
 */
export async function dependencyPatchFindings(
  dir: string,
  base: Snapshot,
  head: Snapshot | undefined,
  headPaths: readonly string[],
  headText: (p: string) => string | undefined,
  newScriptPatches: ReadonlySet<string>,
): Promise<Finding[]> {
  const applied = appliedPatches(headPaths, headText).filter((a) => !newScriptPatches.has(a.path));
  if (applied.length === 0) return [];
  const headOids = head ? undefined : await workTreeOids(dir, applied);
  const out: Finding[] = [];
  const done = new Set<string>();
  for (const a of applied) {
    const before = base.entries.get(a.path)?.oid;
    const after = head ? head.entries.get(a.path)?.oid : headOids!.get(a.path);
    if (after === undefined || after === before || done.has(a.path)) continue;
    done.add(a.path);
    out.push({
      ruleId: 'CPU026',
      message: `${a.path} ${before === undefined ? 'is new' : 'changed'}: ${a.config} has ${a.how} apply it to a dependency at install, so the code installed into node_modules changes although the lockfile pins the same version and integrity. Read the patch before merging; land it in a pull request of its own.`,
      location: { path: a.path, line: 1 },
      artifact: { kind: 'file', path: a.path },
      evidence: { config: a.config, appliedBy: a.how, before: before ?? '(absent)', after },
    });
  }
  return out.sort((a, b) => (a.location.path < b.location.path ? -1 : 1));
}

/**
 * The patch files a head manifest or pnpm-workspace.yaml applies: one whose path, relative to that file's folder,
 * the file names (pnpm and Bun `patchedDependencies` values, yarn's `patch:…#~/.yarn/patches/x.patch` or
 * `#./patches/x.patch`), or, for a package.json whose scripts run patch-package, one in its default `patches/`.
 */
function appliedPatches(headPaths: readonly string[], headText: (p: string) => string | undefined): AppliedPatch[] {
  const patches = headPaths.filter(isPatchFile);
  if (patches.length === 0) return [];
  const out: AppliedPatch[] = [];
  for (const config of headPaths) {
    const name = config.slice(config.lastIndexOf('/') + 1);
    if ((name !== 'package.json' && name !== 'pnpm-workspace.yaml') || config.split('/').includes('node_modules'))
      continue;
    const text = headText(config);
    if (text === undefined) continue;
    const folder = config.includes('/') ? config.slice(0, config.lastIndexOf('/') + 1) : '';
    const runsPatchPackage = name === 'package.json' && /\bpatch-package\b/.test(scriptsOf(text));
    for (const p of patches) {
      if (!p.startsWith(folder)) continue;
      const rel = p.slice(folder.length);
      if (text.includes(rel)) out.push({ path: p, config, how: 'the package manager' });
      else if (runsPatchPackage && path.posix.dirname(rel) === 'patches')
        out.push({ path: p, config, how: 'patch-package (from its scripts)' });
    }
  }
  return out;
}

/** The `scripts` of a package.json as one string; empty when it does not parse. */
function scriptsOf(text: string): string {
  try {
    const v: unknown = JSON.parse(text);
    const s = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)['scripts'] : undefined;
    return s !== null && typeof s === 'object'
      ? Object.values(s)
          .filter((x) => typeof x === 'string')
          .join('\n')
      : '';
  } catch {
    return '';
  }
}

/** The working-tree patch files' object ids (regular files only: a symlink is never followed). */
async function workTreeOids(dir: string, applied: readonly AppliedPatch[]): Promise<Map<string, string>> {
  const files: string[] = [];
  for (const p of new Set(applied.map((a) => a.path)))
    if ((await lstat(path.join(dir, ...p.split('/'))).catch(() => undefined))?.isFile()) files.push(p);
  return files.length > 0 ? hashWorkingFiles(dir, files) : new Map();
}
