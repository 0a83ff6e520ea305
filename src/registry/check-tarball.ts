import { unverifiable, type CheckState } from './state.js';
import { packageFinding, spec, where } from './findings.js';
import type { Packument, VersionMeta } from './packument.js';
import type { Finding } from '../core/finding.js';
import type { Policy } from '../core/policy.js';
import { installScriptFinding } from './install-scripts.js';
import type { RegistrySources } from './sources.js';
import { compareSri, parseSri, strongestAlgorithm, type Sri } from '../verify/npm/sri.js';

/**
 * Download the registry's tarball for the version, hash it while streaming against the lockfile integrity, and
 * confirm its package.json: same name and version, and no install script the lockfile did not declare.
 */
export async function checkTarball(
  state: CheckState,
  meta: VersionMeta,
  packument: Packument,
  expected: Sri,
  published: Sri,
  sources: RegistrySources,
  policy: Policy,
): Promise<void> {
  const { pkg, registry } = state;
  const algorithm = strongestAlgorithm(expected);
  if (meta.tarball === undefined || algorithm === undefined) {
    unverifiable(state, `${spec(pkg)} (${where(pkg)}): no tarball URL or integrity to check the download against.`, {
      reason: 'no tarball or integrity',
    });
    return;
  }
  const out = await sources.tarball(meta.tarball, registry, algorithm);
  if (out.kind !== 'ok') {
    const reason = out.kind === 'not-found' ? `HTTP ${out.status}` : out.reason;
    unverifiable(
      state,
      `the tarball of ${spec(pkg)} (${where(pkg)}) could not be downloaded from ${meta.tarball} (${reason}).`,
      { url: meta.tarball, reason },
      out.kind === 'unavailable' ? { kind: out.cause, what: 'tarball', reason } : undefined,
    );
    return;
  }
  const facts = out.value;
  if (facts.integrity !== undefined) {
    const actual = parseSri(facts.integrity);
    const cmp = compareSri(expected, actual);
    // When the lockfile already disagrees with the registry (CPD100), a tarball that matches what the registry
    // published is that same problem, not a second one.
    const lockfilePoisoned = state.findings.some((f) => f.ruleId === 'CPD100');
    const matchesRegistry = compareSri(published, actual).kind === 'match';
    if (cmp.kind === 'mismatch' && !(lockfilePoisoned && matchesRegistry))
      state.findings.push(
        packageFinding(
          pkg,
          'CPD103',
          `The tarball served for ${spec(pkg)} (${where(pkg)}) at ${meta.tarball} hashes to ${cmp.actual.slice(0, 30)}…, not the locked ${cmp.expected.slice(0, 30)}…. The registry serves other bytes than were locked: do not install it.`,
          { expected: cmp.expected, actual: cmp.actual, url: meta.tarball, bytes: facts.bytes },
        ),
      );
  }
  if (facts.problems.length > 0)
    state.findings.push(
      packageFinding(
        pkg,
        'CPD106',
        `The tarball of ${spec(pkg)} (${where(pkg)}) was not fully inspected: ${facts.problems.join('; ')}.`,
        {
          problems: facts.problems.join('; ').slice(0, 1000),
          entries: facts.entries,
          bytes: facts.bytes,
        },
      ),
    );
  const m = facts.manifest;
  if (m && (m.name !== pkg.name || m.version !== pkg.version))
    state.findings.push(
      packageFinding(
        pkg,
        'CPD104',
        `The tarball of ${spec(pkg)} (${where(pkg)}) holds a package.json for ${String(m.name)}@${String(m.version)}. Another package was substituted under this name: do not install it.`,
        {
          expected: spec(pkg),
          actual: `${String(m.name)}@${String(m.version)}`,
        },
      ),
    );
  const undeclared = await undeclaredScripts(state, meta, packument, facts.installScripts, sources, policy);
  if (undeclared !== undefined) state.findings.push(undeclared);
  if (facts.problems.length === 0) state.notes.push('tarball verified');
}

/**
 * The tarball runs install scripts nothing declared (CPD105). An npm lockfile v2+ declares them (`hasInstallScript`);
 * for every other lockfile the registry's metadata is what said whether scripts run (CPD136, `installScriptFinding`),
 * so a tarball whose package.json runs scripts the version document does not list is a manifest that differs from
 * the package (npm's registry takes the manifest from the publish request, not from the tarball): what the metadata
 * was trusted for is wrong. The scripts are then named from package.json only: a `binding.gyp` alone is left out, as
 * publishing clients other than npm may not add its `node-gyp rebuild` to the manifest. Before saying the registry
 * lists none, its full document is asked too: where only the abbreviated one left out `hasInstallScript`, the scripts
 * are the install-script policy's (CPD136), which that omission had kept from judging them.
 */
async function undeclaredScripts(
  state: CheckState,
  meta: VersionMeta,
  packument: Packument,
  scripts: readonly string[],
  sources: RegistrySources,
  policy: Policy,
): Promise<Finding | undefined> {
  const { pkg } = state;
  if (installScriptsDeclaredKnown(state)) {
    if (scripts.length === 0 || pkg.hasInstallScript === true) return undefined;
    return packageFinding(
      pkg,
      'CPD105',
      `${spec(pkg)} (${where(pkg)}) runs ${scripts.join(', ')} on install, but its lockfile entry does not declare hasInstallScript. Regenerate the lockfile and decide whether it may run scripts.`,
      { scripts: scripts.join(', ') },
    );
  }
  const named = scripts.filter((s) => s !== 'binding.gyp');
  // A build the package manager will not run (yarn `built: false`) runs nothing, whatever the tarball holds.
  if (named.length === 0 || meta.installScripts.length > 0 || pkg.buildDisabled !== undefined) return undefined;
  // The document in hand is already the full one when it has publish times (a registry that ignores the Accept).
  const full = await sources.completePackument(state.registry, pkg.name, packument);
  const listed = full.kind === 'ok' ? full.value.version(pkg.version) : undefined;
  // The abbreviated document left out a flag the full one backs: the install-script policy is judged on that.
  if (listed !== undefined && listed.installScripts.length > 0)
    return installScriptFinding(pkg, state.graph, listed, policy);
  return packageFinding(
    pkg,
    'CPD105',
    `${spec(pkg)} (${where(pkg)}) runs ${named.join(', ')} on install according to the package.json in its tarball, but ${state.registry} lists no install script for this version and ${state.graph.lockfile} records none: the registry's metadata is not the package's manifest, so whatever trusted it (the install-script policy, a review) missed this. Do not install it until explained; decide whether it may run scripts.`,
    { scripts: named.join(', '), source: 'tarball' },
  );
}

/** Only npm lockfiles v2+ record `hasInstallScript`; elsewhere its absence says nothing. */
function installScriptsDeclaredKnown(state: CheckState): boolean {
  if (state.pkg.hasInstallScript !== undefined) return true;
  return state.graph.kind === 'npm' && Number(state.graph.formatVersion) >= 2;
}
