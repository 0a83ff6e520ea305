import path from 'node:path';
import type { Finding } from '../../core/finding.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import type { ParsedLockfile } from '../types.js';
import { splitDescriptor } from '../types.js';
import type { CheckPolicy } from './context.js';
import { redactUrls } from './finding.js';
import { berryPatchFilesIn } from './yarn-protocols.js';

/**
 * The lifecycle scripts yarn berry and pnpm run for a dependency when they build it, set on an added line: as the
 * line's first key, or after a `{` or `,` on it (`"scripts": { "postinstall": "…" }` on one line is the same
 * package.json to `JSON.parse`).
 */
const INSTALL_SCRIPT = /^\+(?:.*[{,])?\s*"(preinstall|install|postinstall)"\s*:/;

/** What a patch changes about whether the patched package runs code at install. */
export interface InstallChanges {
  /** Lifecycle scripts the patch adds (or rewrites) in the package's own package.json. */
  readonly scripts: readonly string[];
  /** The patch creates a binding.gyp, which both build with `node-gyp rebuild` when no install script is set. */
  readonly bindingGyp: boolean;
  /** 1-based line of the patch's first such change. */
  readonly line: number | undefined;
}

/**
 * Read a unified diff as `yarn patch-commit` and `pnpm patch-commit` write it (paths `a/…` → `b/…` from the package
 * root): added lines of the package's own `package.json` that set an install script, and a new `binding.gyp`.
 * Hunk lines may themselves start with `+++`; a file header is a `+++` line right after a `---` line.
 */
export function installChangesOf(patch: string): InstallChanges {
  const scripts = new Set<string>();
  let bindingGyp = false;
  let first: number | undefined;
  let file = '';
  let previous = '';
  patch.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.startsWith('+++ ') && previous.startsWith('--- ')) {
      file = headerPath(line.slice(4));
      if (file === 'binding.gyp' && headerPath(previous.slice(4)) === '/dev/null') {
        bindingGyp = true;
        first ??= i + 1;
      }
    } else if (file === 'package.json') {
      const m = INSTALL_SCRIPT.exec(line);
      if (m) {
        scripts.add(m[1]!);
        first ??= i + 1;
      }
    }
    previous = line;
  });
  return { scripts: [...scripts].sort(), bindingGyp, line: first };
}

/** `b/package.json\t2024-…` / `"b/package.json"` → `package.json`; `/dev/null` stays. */
function headerPath(text: string): string {
  const p = text
    .split('\t')[0]!
    .trim()
    .replace(/^"(.*)"$/, '$1');
  return p === '/dev/null' ? p : p.replace(/^[ab]\//, '');
}

/** A patch file the package manager applies, from the repository, and the packages it applies to. */
export interface PatchUse {
  /** Repository-relative path of the patch file. */
  readonly path: string;
  /** `name@version` (or the name) the lockfile patches. */
  readonly target: string;
  readonly line: number;
  /** The lockfile's packages the patch applies to. */
  readonly nodes: readonly PackageNode[];
  /** pnpm: the hash the lockfile records for the file. */
  readonly hash?: string;
}

/** The patch files inside the repository that a yarn berry, pnpm or bun lockfile applies at install. */
export function patchUsesOf(graph: DependencyGraph, parsed: ParsedLockfile): PatchUse[] {
  if (graph.kind === 'yarn-berry') {
    return berryPatchFilesIn(graph).map(({ path: p, node }) => ({
      path: p,
      target: `${node.name}@${node.version}`,
      line: node.line,
      nodes: [node],
    }));
  }
  if (graph.kind !== 'pnpm' && graph.kind !== 'bun') return [];
  const root = path.posix.dirname(graph.lockfile);
  const out: PatchUse[] = [];
  for (const ref of parsed.localRefs ?? []) {
    if (ref.kind !== 'patch') continue;
    const p = path.posix.normalize(path.posix.join(root, ref.path.replace(/\\/g, '/')));
    if (p === '..' || p.startsWith('../') || path.posix.isAbsolute(ref.path)) continue;
    // pnpm keys `patchedDependencies` by `name@version` or, since pnpm 9.?, by name (every version); bun by
    // `name@version`.
    const [name, version] = splitDescriptor(ref.name);
    const nodes = graph.packages.filter((n) => n.name === name && (version === '' || n.version === version));
    out.push({
      path: p,
      target: ref.name,
      line: ref.line,
      nodes,
      ...(ref.hash !== undefined ? { hash: ref.hash } : {}),
    });
  }
  return out;
}

/**
 * CPD024: a patch file in the repository gives the patched package an install script (or a binding.gyp). Yarn berry
 * builds a package from the manifest it reads out of the fetched, already patched package (the linkers'
 * `extractBuildRequest`); pnpm's `buildModules` applies the patch (`applyPatchToDir`) and then runs the lifecycle
 * scripts of the package folder; bun installs a trusted package from its patched cache copy (patch_install.zig
 * `PatchTask.apply`) and reads the scripts it runs from the installed copy's package.json
 * (`PackageInstaller.enqueueLifecycleScripts` → `Package.Scripts.getList`: bun.lock records no scripts). So the
 * script runs although neither the registry nor the lockfile shows one, and the registry's install-script check
 * (CPD136) cannot see it. Not reported where the package manager will not build the package (berry `enableScripts:
 * false` or `built: false`, pnpm's build allowlists, Bun's `trustedDependencies`) or the policy allows it.
 */
export function checkPatchScripts(
  graph: DependencyGraph,
  uses: readonly PatchUse[],
  texts: ReadonlyMap<string, string>,
  policy: CheckPolicy,
): Finding[] {
  const out: Finding[] = [];
  for (const use of uses) {
    const text = texts.get(use.path);
    if (text === undefined) continue;
    const changes = installChangesOf(text);
    const what = [...changes.scripts, ...(changes.bindingGyp ? ['binding.gyp (node-gyp rebuild)'] : [])];
    if (what.length === 0) continue;
    const built = use.nodes.filter((n) => n.buildDisabled === undefined && !policy.installScriptsAllowed(n.name));
    if (use.nodes.length > 0 && built.length === 0) continue;
    const manager = graph.kind === 'pnpm' || graph.kind === 'bun' ? graph.kind : 'yarn';
    out.push({
      ruleId: 'CPD024',
      message: redactUrls(
        `${use.path}${changes.line !== undefined ? `:${changes.line}` : ''} patches ${use.target} (applied at ${graph.lockfile}:${use.line}) and adds ${what.join(', ')} to it, which ${manager} runs when it installs the patched package; neither the registry nor the lockfile shows that script. Review the patch: if the script is needed, add the package to dependencies.allowInstallScripts; otherwise remove it from the patch.`,
      ),
      location: { path: use.path, ...(changes.line !== undefined ? { line: changes.line } : {}) },
      artifact: { kind: 'file', path: use.path },
      evidence: { patch: use.path, target: use.target.slice(0, 200), adds: what.join(', '), lockfile: graph.lockfile },
      related: [{ path: graph.lockfile, line: use.line }],
    });
  }
  return out;
}
