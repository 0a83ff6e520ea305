import path from 'node:path';
import type { Finding } from '../../core/finding.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import type { CheckPolicy } from './context.js';
import { packageFinding } from './finding.js';
import { afterTail, cutTail } from '../../core/linear-text.js';

/**
 * Yarn berry protocols that bring code from somewhere other than a package:
 * - CPD019: `exec:<script>` — yarn's ExecFetcher runs the script with Node at fetch time to generate the package,
 *   before and regardless of `enableScripts` (which only gates lifecycle scripts), so it is an install-time script
 *   the policy's allowlist must name.
 * - CPD017 for `patch:`: each patch file is applied to the package's code at fetch time. Paths follow plugin-patch's
 *   `visitPatchPath`: `flag!` prefixes dropped, `builtin<…>` is yarn's own, `~/` is the project root, an absolute
 *   path is taken as is, anything else is relative to the parent locator (the `locator=` param; a workspace's
 *   folder, or a path inside another package, which cannot be judged here). Paths are joined by `&`.
 */
export function checkYarnProtocols(graph: DependencyGraph, policy: CheckPolicy): Finding[] {
  if (graph.kind !== 'yarn-berry') return [];
  const out: Finding[] = [];
  const root = path.posix.dirname(graph.lockfile);
  const seen = new Set<string>();
  for (const node of graph.packages) {
    const descriptors = node.key.split(',').map((d) => d.trim().replace(/^"|"$/g, ''));
    const exec = descriptors.map(execScriptOf).find((s) => s !== undefined);
    if (exec !== undefined && !policy.installScriptsAllowed(node.name)) {
      out.push(
        packageFinding(
          'CPD019',
          node,
          `is generated at install time by running ${exec} with Node (yarn's exec: protocol), whatever enableScripts says`,
          'Commit the package as a workspace or publish it; if the generator is needed, review it and add the package to dependencies.allowInstallScripts.',
          { script: exec },
        ),
      );
    }
    for (const patch of descriptors.flatMap((d) => patchPathsOf(d))) {
      const target = outsidePatch(root, patch);
      if (target === undefined || seen.has(`${node.key}\0${target}`)) continue;
      seen.add(`${node.key}\0${target}`);
      out.push(
        packageFinding(
          'CPD017',
          node,
          `is patched at install time with ${patch.path}, a file outside the repository`,
          'Keep patches in the repository (`yarn patch-commit` writes them under .yarn/patches) and re-run yarn install: a patch from outside the tree changes the package with code nobody reviewed.',
          { patch: patch.path },
        ),
      );
    }
  }
  return out;
}

function execScriptOf(descriptor: string): string | undefined {
  const at = descriptor.indexOf('@exec:', 1);
  if (at < 0) return undefined;
  const script = cutTail(descriptor.slice(at + 6), '::');
  return script.replace(/^.*#/, '') || script;
}

interface PatchRef {
  readonly path: string;
  /** The parent locator's workspace folder (repo-relative to the lockfile), undefined when it is not a workspace. */
  readonly workspace: string | undefined;
}

/** `name@patch:<source>#<p1>&<p2>::params` → each patch path with the workspace it is relative to. */
function patchPathsOf(descriptor: string): PatchRef[] {
  const at = descriptor.indexOf('@patch:', 1);
  if (at < 0) return [];
  const range = descriptor.slice(at + 7);
  const [body = '', params = ''] = range.split('::', 2);
  const hash = body.lastIndexOf('#');
  if (hash < 0) return [];
  const workspace = workspaceOf(params);
  return body
    .slice(hash + 1)
    .split('&')
    .map((p) => safeDecode(p))
    .filter((p) => p !== '')
    .map((p) => ({ path: p, workspace }));
}

function workspaceOf(params: string): string | undefined {
  const encoded = /(?:^|&)locator=([^&]+)/.exec(params)?.[1];
  if (encoded === undefined) return '';
  const ws = afterTail(safeDecode(encoded), '@workspace:');
  return ws === undefined ? undefined : ws === '.' ? '' : ws.replace(/^\.\//, '');
}

/** The repository-relative target of a patch path that leaves the repository; undefined when inside or unknown. */
function outsidePatch(root: string, ref: PatchRef): string | undefined {
  const target = patchTarget(root, ref);
  return target !== undefined && leavesRoot(target) ? target : undefined;
}

function leavesRoot(target: string): boolean {
  return target === '..' || target.startsWith('../') || target.startsWith('/') || /^[a-z]:\//i.test(target);
}

/**
 * The patch files of a berry lockfile that yarn reads from the repository (plugin-patch `visitPatchPath`), as
 * repository-relative paths, with the entry that applies each. Paths outside the repository, yarn's builtin patches
 * and paths relative to a non-workspace package are left out.
 */
export function berryPatchFilesIn(graph: DependencyGraph): { path: string; node: PackageNode }[] {
  if (graph.kind !== 'yarn-berry') return [];
  const root = path.posix.dirname(graph.lockfile);
  const out: { path: string; node: PackageNode }[] = [];
  for (const node of graph.packages) {
    if (node.source !== 'patch') continue;
    const descriptors = node.key.split(',').map((d) => d.trim().replace(/^"|"$/g, ''));
    const seen = new Set<string>();
    for (const ref of descriptors.flatMap((d) => patchPathsOf(d))) {
      const target = patchTarget(root, ref);
      if (target === undefined || leavesRoot(target)) continue;
      if (!seen.has(target)) out.push({ path: target, node });
      seen.add(target);
    }
  }
  return out;
}

/** Where a patch path points, normalised and relative to the scan root (absolute stays absolute); undefined when
 * it is yarn's builtin or relative to a package that is no workspace. */
function patchTarget(root: string, ref: PatchRef): string | undefined {
  let p = ref.path;
  const flag = p.lastIndexOf('!');
  if (flag >= 0) p = p.slice(flag + 1);
  if (/^builtin<[^>]+>$/.test(p)) return undefined;
  p = p.replace(/\\/g, '/');
  if (p.startsWith('~/')) return path.posix.normalize(path.posix.join(root, p.slice(2)));
  if (p.startsWith('/') || /^[a-z]:\//i.test(p)) return p;
  if (ref.workspace === undefined) return undefined;
  return path.posix.normalize(path.posix.join(root, ref.workspace, p));
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
