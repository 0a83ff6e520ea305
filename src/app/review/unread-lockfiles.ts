import { lstat } from 'node:fs/promises';
import path from 'node:path';
import type { Finding } from '../../core/finding.js';
import { hashWorkingFiles } from './git.js';
import type { Snapshot } from './snapshot.js';

/**
 * Files that pin the dependencies of package managers the review does not read, by base name, with the tool that
 * installs from them. A change to one is an update like any other for that tool (Renovate and Dependabot open them
 * beside npm and PyPI ones), but nothing here compared it: a gate that passed it would vouch for what it never read.
 */
const OTHER_PINS: ReadonlyMap<string, string> = new Map([
  ['deno.lock', 'Deno'],
  ['Cargo.lock', 'Cargo'],
  ['go.sum', 'Go'],
  ['Gemfile.lock', 'Bundler'],
  ['composer.lock', 'Composer'],
  ['Package.resolved', 'SwiftPM'],
  ['pubspec.lock', 'pub'],
  ['mix.lock', 'Mix'],
  ['Podfile.lock', 'CocoaPods'],
  ['packages.lock.json', 'NuGet'],
  ['gradle.lockfile', 'Gradle'],
  ['flake.lock', 'Nix'],
  ['conda-lock.yml', 'conda-lock'],
  ['pixi.lock', 'pixi'],
  // rye writes pip requirements under a name pip and the catalogue do not take for one.
  ['requirements.lock', 'rye'],
  ['requirements-dev.lock', 'rye'],
]);

function toolOf(p: string): string | undefined {
  if (p.split('/').includes('node_modules')) return undefined;
  const base = p.slice(p.lastIndexOf('/') + 1);
  return OTHER_PINS.get(base) ?? (base.endsWith('.conda-lock.yml') ? 'conda-lock' : undefined);
}

/**
 * CPU030 (a warning): a lockfile of another package manager that the change added, edited or deleted. The `patch` and
 * `minor` gates fail on it, so an auto-merge keyed on them does not take an update nobody compared; `any` passes it.
 */
export async function unreadLockfiles(
  dir: string,
  base: Snapshot,
  head: Snapshot | undefined,
  headPaths: readonly string[],
): Promise<Finding[]> {
  const wanted = [...new Set([...base.entries.keys(), ...headPaths])].filter((p) => toolOf(p) !== undefined).sort();
  if (wanted.length === 0) return [];
  const atHead = new Set(headPaths);
  const after = head
    ? new Map([...head.entries].map(([p, e]) => [p, e.oid]))
    : await workTreeOids(
        dir,
        wanted.filter((p) => atHead.has(p)),
      );
  const out: Finding[] = [];
  for (const p of wanted) {
    const was = base.entries.get(p)?.oid;
    const now = after.get(p);
    if (was === now) continue;
    const what = was === undefined ? 'added' : now === undefined ? 'deleted' : 'changed';
    out.push({
      ruleId: 'CPU030',
      level: 'warning',
      message: `${p} (${toolOf(p)!}) is ${what} by this change, and chainproof does not read it: the dependencies it pins were not compared. Review the update by hand; the patch and minor gates do not pass what was never read.`,
      location: { path: p },
      artifact: { kind: 'file', path: p },
      evidence: { file: p, reason: `${toolOf(p)!} lockfile, not read`, change: what },
    });
  }
  return out;
}

/** The working-tree files' object ids (regular files only: a symlink is symlinked-inputs.ts's). */
async function workTreeOids(dir: string, paths: readonly string[]): Promise<Map<string, string>> {
  const files: string[] = [];
  for (const p of paths)
    if ((await lstat(path.join(dir, ...p.split('/'))).catch(() => undefined))?.isFile()) files.push(p);
  return files.length > 0 ? hashWorkingFiles(dir, files) : new Map();
}
