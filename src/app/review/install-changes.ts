import type { Finding } from '../../core/finding.js';
import type { Policy } from '../../core/policy.js';
import type { DependencyGraph } from '../../core/records.js';
import { parseYarnrcV1 } from '../../deps/yarnrc-v1.js';
import { allowedPythonIndexes } from '../../deps/parsers/python/checks/context.js';
import { declaredSourceFindings } from './declared-sources.js';
import { dependencyPatchFindings } from './dependency-patches.js';
import { hiddenDiffFindings } from './hidden-diffs.js';
import { changedInstallFiles } from './install-files.js';
import { installSettingFindings, unreadableConfig } from './install-settings.js';
import { namedCodeFindings } from './named-code.js';
import { pnpRuntimeFindings } from './pnp-runtime.js';
import { isRequirementsName } from './named-inputs.js';
import { manifestFindings } from './manifest-changes.js';
import { linkedManifests, projectManifests, type LinkedManifest } from './project-manifests.js';
import { pythonStartupFindings } from './python-startup.js';
import { symlinkedInputs } from './symlinked-inputs.js';
import { unreadLockfiles } from './unread-lockfiles.js';
import type { Snapshot } from './snapshot.js';
import { workflowGateFindings } from './workflow-gates.js';
import { workflowInstallFindings } from './workflow-installs.js';
import { workflowGuardFindings, workflowRegistryFindings } from './workflow-registries.js';

/**
 * What the change makes the next install on CI do besides the lockfile: package-manager configuration (CPU025,
 * CPU026), the project's own install scripts and overrides (CPU027, CPU028), dependencies it declares off the
 * registry that no lockfile locks (CPU002), Python start-up code (`.pth` import lines, sitecustomize: CPU027),
 * workflows that stop installing from the lockfile (CPU029), turn a safeguard off through the environment (CPU026) or
 * stop chainproof gating the change (CPU033), patches applied to dependencies (CPU026), attributes hiding their diffs
 * (CPU035); an input that could not be read is CPU030, one turned into a symlink CPU013 (a lockfile) or CPU030, and a
 * lockfile of another package manager, which the review does not read, CPU030 too (a warning).
 */
export async function installChangeFindings(
  dir: string,
  base: Snapshot,
  head: Snapshot | undefined,
  policy: Policy,
  /** The head's lockfiles: a dependency declared off the registry that none of them locks is said here. */
  headGraphs: readonly DependencyGraph[],
  /** Patch files whose added install script the head scan newly reports (CPD024): not reported again. */
  newScriptPatches: ReadonlySet<string>,
  /** The environment, whose pip / uv index variables the CI's installs (and the scan's CPP070) accept. */
  env: Readonly<Record<string, string | undefined>>,
): Promise<Finding[]> {
  const allowed = [...policy.dependencies.allowedRegistries, ...(policy.dependencies.trustedMirrors ?? [])];
  const { changes, headPaths, headText } = await changedInstallFiles(dir, base, head);
  const projects = projectManifests(headPaths, headText);
  // A folder pnpm or yarn 2+ installs unbuilt (its settings hold it back) runs none of its scripts: said apart.
  const unbuilt = new Map<string, NonNullable<LinkedManifest['unbuilt']>>();
  for (const l of linkedManifests(headGraphs)) {
    if (projects.has(l.manifest)) continue;
    if (l.unbuilt === undefined) projects.set(l.manifest, l.role);
    else unbuilt.set(l.manifest, l.unbuilt);
  }
  return [
    // A requirements file is read here only for its options; too large for that, it is still the scan's lockfile
    // (read within the lockfile bound, compared package by package), not an unread input.
    ...changes.flatMap((c) =>
      c.unread !== undefined && !isRequirementsName(c.path) ? [unreadableConfig(c.path, c.unread)] : [],
    ),
    ...installSettingFindings(changes, allowed, allowedPythonIndexes(policy, env)),
    ...manifestFindings(changes, projects, unbuilt),
    ...declaredSourceFindings(changes, projects, headGraphs),
    ...workflowInstallFindings(changes, yarnClassicUnfrozen(headGraphs, headPaths, headText)),
    ...workflowRegistryFindings(changes, allowed),
    ...workflowGuardFindings(changes),
    ...workflowGateFindings(changes),
    ...hiddenDiffFindings(changes, headPaths),
    ...(await symlinkedInputs(dir, base, head, headPaths)),
    ...(await namedCodeFindings(dir, base, head, headPaths, headText)),
    ...(await pythonStartupFindings(dir, base, head, headPaths)),
    ...(await dependencyPatchFindings(dir, base, head, headPaths, headText, newScriptPatches)),
    ...(await unreadLockfiles(dir, base, head, headPaths)),
    ...(await pnpRuntimeFindings({ dir, base, head, headPaths, headText, changes })),
  ];
}

/**
 * Whether the head installs with yarn 1 (a yarn 1 lockfile and no yarn 2+ one) and no `.yarnrc` freezes every
 * install (`--install.frozen-lockfile true` or `--*.frozen-lockfile true`, which rc.js `getRcArgs` adds to the
 * command line): a `yarn install` without `--frozen-lockfile` then rewrites the lockfile instead of failing.
 */
function yarnClassicUnfrozen(
  graphs: readonly DependencyGraph[],
  paths: readonly string[],
  read: (p: string) => string | undefined,
): boolean {
  if (!graphs.some((g) => g.kind === 'yarn-classic') || graphs.some((g) => g.kind === 'yarn-berry')) return false;
  return !paths
    .filter((p) => p === '.yarnrc' || p.endsWith('/.yarnrc'))
    .some((p) => {
      const text = read(p);
      if (text === undefined) return false;
      return [...parseYarnrcV1(text)].some(
        ([k, v]) => /^(--(\*|install)\.)?frozen-lockfile$/.test(k) && /^(true|1|yes|on)?$/i.test(v.trim()),
      );
    });
}
