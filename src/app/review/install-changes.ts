import type { Finding } from '../../core/finding.js';
import type { Policy } from '../../core/policy.js';
import { dependencyPatchFindings } from './dependency-patches.js';
import { hiddenDiffFindings } from './hidden-diffs.js';
import { changedInstallFiles } from './install-files.js';
import { installSettingFindings, unreadableConfig } from './install-settings.js';
import { namedCodeFindings } from './named-code.js';
import { pnpRuntimeFindings } from './pnp-runtime.js';
import { isRequirementsName } from './named-inputs.js';
import { manifestFindings } from './manifest-changes.js';
import { projectManifests } from './project-manifests.js';
import { pythonStartupFindings } from './python-startup.js';
import { symlinkedInputs } from './symlinked-inputs.js';
import { unreadLockfiles } from './unread-lockfiles.js';
import type { Snapshot } from './snapshot.js';
import { workflowGateFindings } from './workflow-gates.js';
import { workflowInstallFindings } from './workflow-installs.js';
import { workflowRegistryFindings } from './workflow-registries.js';

/**
 * What the change makes the next install on CI do besides the lockfile: package-manager configuration (CPU025,
 * CPU026), the project's own install scripts and overrides (CPU027, CPU028), Python start-up code (`.pth` import lines,
 * sitecustomize: CPU027), workflows that stop installing from the
 * lockfile (CPU029) or stop chainproof gating the change (CPU033), patches applied to dependencies (CPU026), attributes hiding their diffs (CPU035); an input
 * that could not be read is CPU030, one turned into a symlink CPU013 (a lockfile) or CPU030, and a lockfile of another
 * package manager, which the review does not read, CPU030 too (a warning).
 */
export async function installChangeFindings(
  dir: string,
  base: Snapshot,
  head: Snapshot | undefined,
  policy: Policy,
  /** Patch files whose added install script the head scan newly reports (CPD024): not reported again. */
  newScriptPatches: ReadonlySet<string> = new Set(),
): Promise<Finding[]> {
  const allowed = [...policy.dependencies.allowedRegistries, ...(policy.dependencies.trustedMirrors ?? [])];
  const { changes, headPaths, headText } = await changedInstallFiles(dir, base, head);
  const projects = projectManifests(headPaths, headText);
  return [
    // A requirements file is read here only for its options; too large for that, it is still the scan's lockfile
    // (read within the lockfile bound, compared package by package), not an unread input.
    ...changes.flatMap((c) =>
      c.unread !== undefined && !isRequirementsName(c.path) ? [unreadableConfig(c.path, c.unread)] : [],
    ),
    ...installSettingFindings(changes, allowed),
    ...manifestFindings(changes, projects),
    ...workflowInstallFindings(changes),
    ...workflowRegistryFindings(changes, allowed),
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
