import picomatch from 'picomatch';
import type { Finding } from '../../core/finding.js';
import { packageArtifact } from '../../core/finding.js';
import type { Ecosystem } from '../../core/package-key.js';
import type { Policy } from '../../core/policy.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import { buildsEverywhere, SDIST, WHEEL } from '../../deps/parsers/python/checks/builds.js';
import { redactUrls } from '../../deps/checks/finding.js';
import { pythonsLabel } from '../../deps/parsers/python/checks/wheel-python.js';

/** Whether the policy lets a package run install scripts (`dependencies.allowInstallScripts`, globs as CPD012 reads them). */
export type ScriptsAllowed = (name: string) => boolean;

export function scriptsAllowedBy(policy: Policy): ScriptsAllowed {
  const patterns = policy.dependencies.allowInstallScripts;
  return patterns.length > 0 ? picomatch([...patterns]) : () => false;
}

/**
 * Whether installing the head runs `node`'s install scripts without the policy allowing them. The parsers set
 * `buildDisabled` for a build the package manager holds back — pnpm 10's default and its build settings
 * (`createAllowBuildFunction`), Bun's `trustedDependencies`, yarn's `enableScripts` / `dependenciesMeta`, npm's
 * `allowScripts` and `ignore-scripts` — and such a script runs on no install, new or not; the change that later allows
 * it is CPU026. The same two tests as the head scan's CPD012 (deps/checks/packages.ts).
 */
export function runsUnallowedScripts(node: PackageNode, allowed: ScriptsAllowed): boolean {
  return node.buildDisabled === undefined && !allowed(node.name);
}

/**
 * The name@versions whose lockfile-recorded install script some lockfile of `graphs` runs. A package new to one
 * lockfile (a tool folder's own, a copy) that another already installed with its script at the base revision brings
 * no script the project did not run: the head scan's CPD012 for the new entry says the rest.
 */
export function scriptsRunIn(graphs: readonly DependencyGraph[]): Set<string> {
  const out = new Set<string>();
  for (const g of graphs)
    for (const p of g.packages)
      if (p.hasInstallScript === true && p.buildDisabled === undefined) out.add(`${p.name}@${p.version}`);
  return out;
}

/** `lockfile\0name@version` of a package entry: how the review keys one lockfile's entry across the two scans. */
export function entryKey(lockfile: string, name: string, version: string): string {
  return `${lockfile}\0${name}@${version}`;
}

/**
 * The Python entries the head scan says the installer builds from their sdist on every platform (CPP074,
 * `buildsEverywhere`): Python's install script, already weighed against the policy's allowlist and uv's `no-build`.
 */
export function sourceBuildsIn(findings: readonly Finding[]): Set<string> {
  const out = new Set<string>();
  for (const f of findings)
    if (buildsEverywhere(f) && f.artifact?.kind === 'package')
      out.add(entryKey(f.location.path, f.artifact.name, f.artifact.version));
  return out;
}

/**
 * The Python name@versions some base lockfile may already have built: locked with no wheel among its files, which
 * includes the lockfiles that name no files at all (requirements, Pipfile.lock: pip takes a wheel when the release has
 * one, else builds — `CandidateEvaluator._sort_key` — and the lock cannot say which). A package new to one lockfile
 * that another already installed that way brings no build the project did not run.
 */
export function buildsRunIn(graphs: readonly DependencyGraph[]): Set<string> {
  const out = new Set<string>();
  for (const g of graphs)
    if (g.ecosystem === 'pypi')
      for (const p of g.packages)
        if (p.source === 'registry' && !(p.distributions ?? []).some((d) => WHEEL.test(d.filename ?? '')))
          out.add(`${p.name}@${p.version}`);
        else if (directSourceBuild(p) !== undefined) out.add(directBuildKey(p));
  return out;
}

/** How `buildsRunIn` keys a build from a direct source: the name and where it comes from, as it has no release. */
export function directBuildKey(p: PackageNode): string {
  return `${p.name}@${p.resolved ?? ''}`;
}

/**
 * A Python entry installed from a direct source that is no wheel: a version-control checkout (`git+https://…`, uv's
 * `source = { git = … }`), or a URL or a file that is an archive rather than a `.whl`. There is no wheel to take, so
 * every installer builds it and its build backend runs: pip's `make_distribution_for_install_requirement` makes a
 * `WheelDistribution` only of a link that `is_wheel`, and any other a `SourceDistribution`, whose
 * `prepare_distribution_metadata` runs the backend; uv's `Package::to_dist` builds a git or URL source
 * (`to_source_dist`) unless it locked wheels of it. A local folder is the project's own code (a workspace member, an
 * editable install), which the change shows in full: not counted. `what` and `from` (redacted) say it in a message.
 */
export function directSourceBuild(p: PackageNode): { readonly what: string; readonly from: string } | undefined {
  if (p.resolved === undefined || (p.distributions ?? []).some((d) => WHEEL.test(d.filename ?? ''))) return undefined;
  const path = p.resolved.split(/[?#]/, 1)[0]!;
  const from = redactUrls(p.resolved);
  if (p.source === 'git') return { what: 'a version-control checkout', from };
  if (p.source === 'tarball' && !WHEEL.test(path)) return { what: 'a URL that is no wheel', from };
  if (p.source === 'file' && SDIST.test(path)) return { what: 'a source archive', from };
  return undefined;
}

/**
 * CPU003 for a Python package new to its lockfile that the installer builds from its sdist: pip
 * (`SourceDistribution.prepare_distribution_metadata`, even to read the metadata), uv (`Package::to_dist` →
 * `to_source_dist`) and Poetry (`Executor._prepare_archive`) run its `setup.py` / PEP 517 backend at install, with
 * the rights of the developer or the CI job — the npm `postinstall` of a new dependency, so the same rule and level.
 * `index`: the lock names no files and the index lists no wheel CPython 3.8–3.14 installs (ask-index.ts).
 */
export function addedBuildFinding(
  node: PackageNode,
  sdist: string,
  source: 'lockfile' | 'index' = 'lockfile',
): Finding {
  return {
    ruleId: 'CPU003',
    message: `${node.name}@${node.version} is new to ${node.lockfile} and is installed by building its source distribution (${sdist}${source === 'index' ? `, the index lists no wheel for ${pythonsLabel(node.requiresPython)}` : ''}): that runs the package's build backend (setup.py / PEP 517), with the rights of the developer or the CI job. Read what its build runs before merging, or add it to dependencies.allowInstallScripts once reviewed.`,
    location: { path: node.lockfile, line: node.line },
    artifact: packageArtifact('pypi', node.name, node.version),
    evidence: { to: node.version, source, added: true, sdist },
  };
}

/**
 * A package as a message names it: name@version, or the name alone for an entry that pins no version (a requirements
 * line `name @ <url>`), where `name@` reads as a truncated word. CPU003, CPU006 and CPU016 say it alike.
 */
export function packageLabel(node: { readonly name: string; readonly version: string }): string {
  return node.version !== '' ? `${node.name}@${node.version}` : node.name;
}

/**
 * CPU003 for a Python package new to its lockfile that comes from a direct source the installer builds
 * (`directSourceBuild`): as with an sdist, the build backend it brings runs at install — and nothing but the
 * source's owner decides what it is.
 */
export function addedDirectBuildFinding(
  node: PackageNode,
  direct: { readonly what: string; readonly from: string },
): Finding {
  return {
    ruleId: 'CPU003',
    message: `${packageLabel(node)} is new to ${node.lockfile} and comes from ${direct.what} (${direct.from}), which the installer builds from source: that runs the package's build backend (setup.py / PEP 517), with the rights of the developer or the CI job. Read what its build runs before merging, or add it to dependencies.allowInstallScripts once reviewed.`,
    location: { path: node.lockfile, line: node.line },
    artifact: packageArtifact('pypi', node.name, node.version),
    evidence: { to: node.version, source: 'lockfile', added: true, from: direct.from },
  };
}

/**
 * CPU003 for a Python update whose new release the installer builds from its sdist where the base release had a
 * wheel to take: the build backend of the new version runs at install, as for a package new to the lock. `lockfile`:
 * the lock names the files (questions.ts `newSourceBuild`); `index`: it names none and the index was asked
 * (ask-index.ts).
 */
export function movedBuildFinding(
  base: PackageNode,
  head: PackageNode,
  sdist: string,
  source: 'lockfile' | 'index',
): Finding {
  const where =
    source === 'index'
      ? `the index lists no wheel of the new version that pip may take for ${pythonsLabel(head.requiresPython)}, only its source distribution (${sdist}),`
      : `the new version is locked with only a source distribution (${sdist})`;
  return {
    ruleId: 'CPU003',
    message: `${head.name} ${base.version} → ${head.version}: ${where} where ${base.version} had a wheel, so installing it now runs the package's build backend (setup.py / PEP 517). Read what its build runs before merging.`,
    location: { path: head.lockfile, line: head.line },
    artifact: packageArtifact('pypi', head.name, head.version),
    evidence: { from: base.version, to: head.version, source, sdist },
  };
}

/**
 * CPU003 for a package new to its lockfile whose install script the package manager runs: the same code at the same
 * moment (`npm ci`, `yarn install`, in CI with its secrets) as an update that gains one, so the same rule and level —
 * a dependency that appears with a `postinstall` is as much the shape of an attack as a release that gains one.
 */
export function addedScriptFinding(
  node: PackageNode,
  ecosystem: Ecosystem,
  from: { readonly source: 'lockfile' | 'registry'; readonly scripts?: readonly string[] },
): Finding {
  const what = from.scripts?.join(', ') ?? 'an install script';
  return {
    ruleId: 'CPU003',
    message: `${node.name}@${node.version} is new to ${node.lockfile} and runs ${what} (the ${from.source} says so): the package manager runs it on install, with the rights of the developer or the CI job. Read the script before merging.`,
    location: { path: node.lockfile, line: node.line },
    artifact: packageArtifact(ecosystem, node.name, node.version),
    evidence: {
      to: node.version,
      source: from.source,
      added: true,
      ...(from.scripts !== undefined ? { scripts: from.scripts.join(' ') } : {}),
    },
  };
}
