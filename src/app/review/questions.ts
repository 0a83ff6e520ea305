import type { Finding } from '../../core/finding.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import type { LockfileChanges, PackageChange, VersionMove } from './diff.js';
import { versionLabel } from './diff.js';
import { pushAll } from '../../core/push-all.js';
import { pinsByVersion, republishedDistributions } from './republished-dists.js';
import type { SriAlgorithm } from '../../core/sri.js';
import { SRI_DIGEST_BYTES, isSriAlgorithm, parseSri } from '../../core/sri.js';
import { packageArtifact } from '../../core/finding.js';
import { ecosystemOf } from '../../core/package-key.js';
import { SDIST, WHEEL } from '../../deps/parsers/python/checks/builds.js';
import type { Ecosystem } from '../../core/package-key.js';
import {
  addedBuildFinding,
  addedDirectBuildFinding,
  addedScriptFinding,
  buildsRunIn,
  directBuildKey,
  directSourceBuild,
  entryKey,
  movedBuildFinding,
  packageLabel,
  runsUnallowedScripts,
  scriptsRunIn,
  type ScriptsAllowed,
} from './new-scripts.js';
import { lockfileRecordsScripts } from '../../registry/install-scripts.js';

/**
 * The questions a reviewer asks of each change that the two lockfiles alone can answer (no network):
 * republished versions, moved sources, install scripts the lockfile records, downgrades and updates larger than
 * their label. Pure: graphs in, findings out.
 */
export function lockfileQuestions(
  changes: readonly LockfileChanges[],
  base: readonly DependencyGraph[],
  head: readonly DependencyGraph[],
  scriptsAllowed: ScriptsAllowed,
  sourceBuilds: ReadonlySet<string>,
): Finding[] {
  const out: Finding[] = [];
  const baseByPath = new Map(base.map((g) => [g.lockfile, g]));
  const elsewhere = digestsByVersion(base.filter((g) => g.ecosystem !== 'pypi'));
  const releases = pinsByVersion(base);
  const ranAtBase = scriptsRunIn(base);
  const builtAtBase = buildsRunIn(base);
  for (const g of head) {
    const before = baseByPath.get(g.lockfile);
    if (before) pushAll(out, republished(before, g));
    pushAll(out, republishedDistributions(before, g, releases));
    if (g.ecosystem !== 'pypi') pushAll(out, republishedElsewhere(g, before, elsewhere));
  }
  // The first head graph of each path, as `find` took it.
  const headByPath = new Map<string, DependencyGraph>();
  for (const g of head) if (!headByPath.has(g.lockfile)) headByPath.set(g.lockfile, g);
  for (const lf of changes) {
    const before = baseByPath.get(lf.lockfile);
    const scripts: ScriptJudge = {
      allowed: scriptsAllowed,
      ranAtBase,
      sourceBuilds,
      builtAtBase,
      baseSays: before !== undefined && lockfileRecordsScripts(before),
    };
    const after = headByPath.get(lf.lockfile);
    const kind = (after ?? before)?.kind;
    for (const c of lf.changes) pushAll(out, perChange(c, lf.ecosystem, scripts, kind === 'poetry'));
    const grown = outgrown(lf, after);
    if (grown) out.push(grown);
  }
  return out;
}

function at(node: PackageNode): Finding['location'] {
  return { path: node.lockfile, line: node.line };
}

function pkg(node: PackageNode, ecosystem: Ecosystem): NonNullable<Finding['artifact']> {
  return packageArtifact(ecosystem, node.name, node.version);
}

/** Each name@version's digests by algorithm, over some lockfiles, with the first lockfile that recorded each. */
type VersionDigests = Map<string, Map<string, Map<string, string>>>;

function digestsByVersion(graphs: readonly DependencyGraph[]): VersionDigests {
  const out: VersionDigests = new Map();
  for (const g of graphs)
    for (const p of g.packages) {
      if (p.integrity === undefined) continue;
      const key = `${p.name}@${p.version}`;
      const algs = out.get(key) ?? new Map<string, Map<string, string>>();
      out.set(key, algs);
      // SRI only: a yarn berry checksum hashes yarn's own archive, which another project's settings make differently.
      for (const [alg, digest] of sriParts(p.integrity).filter(([a]) => isSriAlgorithm(a))) {
        const digests = algs.get(alg) ?? new Map<string, string>();
        algs.set(alg, digests);
        if (!digests.has(digest)) digests.set(digest, p.lockfile);
      }
    }
  return out;
}

/**
 * CPU001 across lockfiles: a name@version the head lockfile did not lock at the base revision (a new lockfile, a
 * workspace's own lockfile, a package new to this one) with a digest that disagrees, under one algorithm, with every
 * digest another lockfile of the base revision records for that version. An npm version is immutable, so one
 * name@version has one tarball: comparing only a lockfile with its own base self let a copy added beside the reviewed
 * one (`tools/package-lock.json`) lock a republished version unasked.
 */
function republishedElsewhere(
  head: DependencyGraph,
  before: DependencyGraph | undefined,
  elsewhere: VersionDigests,
): Finding[] {
  const own = new Set(before?.packages.map((p) => `${p.name}@${p.version}`) ?? []);
  const out: Finding[] = [];
  const reported = new Set<string>();
  for (const p of head.packages) {
    const key = `${p.name}@${p.version}`;
    const known = elsewhere.get(key);
    if (p.integrity === undefined || own.has(key) || !known || reported.has(key)) continue;
    for (const [alg, digest] of sriParts(p.integrity)) {
      const old = known.get(alg);
      if (!old || old.has(digest)) continue;
      reported.add(key);
      const [where] = [...old.values()];
      out.push({
        ruleId: 'CPU001',
        message: `${key} is locked with a different ${alg} integrity than ${where} records for the same version at the base revision: one npm version has one tarball, so this entry names other bytes. Regenerate the entry from the registry and find where the new bytes come from.`,
        location: at(p),
        artifact: pkg(p, ecosystemOf(head)),
        evidence: { algorithm: alg, before: [...old.keys()].sort().join(' '), after: digest, lockfile: where ?? '' },
      });
      break;
    }
  }
  return out;
}

/** CPU001: a name@version present at both revisions whose digest under one algorithm changed. */
function republished(base: DependencyGraph, head: DependencyGraph): Finding[] {
  const seen = new Map<string, Map<string, Set<string>>>();
  for (const p of base.packages) {
    if (p.integrity === undefined) continue;
    const key = `${p.name}@${p.version}`;
    const algs = seen.get(key) ?? new Map<string, Set<string>>();
    for (const [alg, digest] of sriParts(p.integrity)) algs.set(alg, (algs.get(alg) ?? new Set()).add(digest));
    seen.set(key, algs);
  }
  const out: Finding[] = [];
  const reported = new Set<string>();
  for (const p of head.packages) {
    const key = `${p.name}@${p.version}`;
    const before = seen.get(key);
    if (p.integrity === undefined || !before || reported.has(key)) continue;
    for (const [alg, digest] of sriParts(p.integrity)) {
      const old = before.get(alg);
      // Only the same algorithm can disagree: npm legitimately upgrades a sha1 entry to sha512 when it re-resolves.
      if (!old || old.has(digest)) continue;
      reported.add(key);
      out.push({
        ruleId: 'CPU001',
        message: `${key} is locked with a different ${alg} integrity than at the base revision: the same version now names other bytes. Restore the entry from the base revision and find where the new bytes come from.`,
        location: at(p),
        artifact: pkg(p, ecosystemOf(head)),
        evidence: { algorithm: alg, before: [...old].sort().join(' '), after: digest },
      });
      break;
    }
    if (!reported.has(key)) {
      const moved = checkedHashMoved(before, p.integrity);
      if (moved) {
        reported.add(key);
        out.push({
          ruleId: 'CPU001',
          message: `${key} is now checked against a ${moved.checked} integrity the base revision did not record (it pinned ${moved.pinned}): npm verifies only the strongest hash, so the same version may now name other bytes. Restore the entry from the base revision and find where the new hash comes from.`,
          location: at(p),
          artifact: pkg(p, ecosystemOf(head)),
          evidence: { algorithm: moved.checked, before: moved.pinned, after: p.integrity.slice(0, 200) },
        });
      }
    }
  }
  return out;
}

/**
 * npm verifies a download against one hash only: the strongest algorithm of the entry (ssri `pickAlgorithm`, used by
 * `checkData` / `integrityStream`). When the head entry's strongest algorithm is one the base entry did not record,
 * no digest ever reviewed is compared; only a sha1-only base moving to a stronger hash is the upgrade npm makes itself.
 */
function checkedHashMoved(
  before: ReadonlyMap<string, ReadonlySet<string>>,
  integrity: string,
): { checked: SriAlgorithm; pinned: SriAlgorithm } | undefined {
  const checked = strongest(parseSri(integrity, 'lenient').hashes.map((h) => h.algorithm));
  const pinned = strongest([...before.keys()]);
  if (checked === undefined || pinned === undefined || before.has(checked)) return undefined;
  return SRI_DIGEST_BYTES[pinned] > SRI_DIGEST_BYTES.sha1 ? { checked, pinned } : undefined;
}

function strongest(algorithms: readonly string[]): SriAlgorithm | undefined {
  let best: SriAlgorithm | undefined;
  for (const a of algorithms) {
    if (isSriAlgorithm(a) && (best === undefined || SRI_DIGEST_BYTES[a] > SRI_DIGEST_BYTES[best])) best = a;
  }
  return best;
}

/**
 * `sha512-abc sha1-def` → [['sha512','abc'],['sha1','def']] (core/sri.ts, lenient, as npm reads a lockfile); berry
 * checksums (`10c0/abc`) are one algorithm, and any other token is compared as written, so no change goes unseen.
 */
function sriParts(integrity: string): [string, string][] {
  const out: [string, string][] = [];
  const { hashes, rejected } = parseSri(integrity, 'lenient');
  for (const h of hashes) out.push([h.algorithm, h.digest]);
  for (const tok of rejected) {
    const slash = tok.indexOf('/');
    out.push(slash > 0 ? [`berry-${tok.slice(0, slash)}`, tok.slice(slash + 1)] : ['raw', tok]);
  }
  return out;
}

function hostOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    // `file:vendor/x` and `github:owner/x` parse with an empty host: none to name.
    return new URL(url).host.toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}

/** What CPU003 weighs: the policy's allowlist, and the install scripts the base revision already ran. */
interface ScriptJudge {
  readonly allowed: ScriptsAllowed;
  readonly ranAtBase: ReadonlySet<string>;
  /** The head's Python entries built from their sdist on every platform (`sourceBuildsIn`, by `entryKey`). */
  readonly sourceBuilds: ReadonlySet<string>;
  /** The Python name@versions a base lockfile may already have built (`buildsRunIn`). */
  readonly builtAtBase: ReadonlySet<string>;
  /**
   * Whether the lockfile's base records install scripts: one relocked from npm v1 or migrated from yarn cannot say
   * the version before ran none — the head scan's CPD012 says what the head records.
   */
  readonly baseSays: boolean;
}

/**
 * `unnamedIsDefault`: the lockfile writes no index for an entry from its default one, so an entry gaining or losing
 * one moved (poetry.lock, see `indexMoved`).
 */
function perChange(c: PackageChange, ecosystem: Ecosystem, scripts: ScriptJudge, unnamedIsDefault: boolean): Finding[] {
  if (c.kind === 'added') return addedScript(c.head, ecosystem, scripts);
  if (c.kind === 'removed') return [];
  const out: Finding[] = [];
  const label = `${c.name} ${versionLabel(c.base)} → ${versionLabel(c.head)}`;
  const fromHost = hostOf(c.base.resolved);
  const toHost = hostOf(c.head.resolved);
  if (
    c.base.source !== c.head.source ||
    (fromHost !== undefined && toHost !== undefined && fromHost !== toHost) ||
    (unnamedIsDefault && indexMoved(c.base, c.head))
  ) {
    out.push({
      ruleId: 'CPU002',
      message: `${label} moved from ${describeSource(c.base)} to ${describeSource(c.head)}. Updates keep their source; check the resolved URL before merging.`,
      location: at(c.head),
      artifact: pkg(c.head, ecosystem),
      evidence: { fromSource: describeSource(c.base), toSource: describeSource(c.head) },
    });
  }
  if (
    c.head.hasInstallScript === true &&
    c.base.hasInstallScript !== true &&
    scripts.baseSays &&
    runsUnallowedScripts(c.head, scripts.allowed)
  ) {
    out.push({
      ruleId: 'CPU003',
      message: `${label}: the new version runs an install script and ${c.base.version} did not (the lockfile says so). Read the script before merging.`,
      location: at(c.head),
      artifact: pkg(c.head, ecosystem),
      evidence: { from: c.base.version, to: c.head.version, source: 'lockfile' },
    });
  }
  const sdist = builtNow(c.head, scripts) ? newSourceBuild(c.base, c.head) : undefined;
  if (sdist !== undefined) out.push(movedBuildFinding(c.base, c.head, sdist, 'lockfile'));
  const weaker = weakerIntegrity(c.base.integrity, c.head.integrity);
  if (weaker)
    out.push({
      ruleId: 'CPU034',
      message: `${label}: the lockfile now checks the download against ${weaker.now} where ${c.base.version} had ${weaker.was}: the package manager verifies only the strongest hash an entry records, so a ${weaker.now} match is all it asks. Regenerate the entry so it records sha512.`,
      location: at(c.head),
      artifact: pkg(c.head, ecosystem),
      evidence: { from: c.base.version, to: c.head.version, before: weaker.was, after: weaker.now },
    });
  if (c.kind === 'downgraded') {
    out.push({
      ruleId: 'CPU014',
      message: `${label} is a downgrade (${c.type}). Check why the version went down.`,
      location: at(c.head),
      artifact: pkg(c.head, ecosystem),
      evidence: { from: c.base.version, to: c.head.version, type: c.type },
    });
  }
  return out;
}

/**
 * CPU003 for a package new to the lockfile whose recorded install script runs, or (Python) that is built from its
 * sdist, unless the base already ran it.
 */
function addedScript(node: PackageNode, ecosystem: Ecosystem, scripts: ScriptJudge): Finding[] {
  if (ecosystem === 'pypi') return addedBuild(node, scripts);
  if (node.hasInstallScript !== true || !runsUnallowedScripts(node, scripts.allowed)) return [];
  if (scripts.ranAtBase.has(`${node.name}@${node.version}`)) return [];
  return [addedScriptFinding(node, ecosystem, { source: 'lockfile' })];
}

function addedBuild(node: PackageNode, scripts: ScriptJudge): Finding[] {
  const direct = directSourceBuild(node);
  if (direct !== undefined)
    return runsUnallowedScripts(node, scripts.allowed) && !scripts.builtAtBase.has(directBuildKey(node))
      ? [addedDirectBuildFinding(node, direct)]
      : [];
  const sdist = (node.distributions ?? []).map((d) => d.filename ?? '').find((f) => SDIST.test(f));
  if (sdist === undefined || !builtNow(node, scripts) || scripts.builtAtBase.has(`${node.name}@${node.version}`))
    return [];
  return [addedBuildFinding(node, sdist)];
}

/** Whether the head scan's CPP074 says the installer builds this entry on every platform (see `sourceBuildsIn`). */
function builtNow(node: PackageNode, scripts: ScriptJudge): boolean {
  return scripts.sourceBuilds.has(entryKey(node.lockfile, node.name, node.version));
}

/**
 * Python's install script, introduced: the base entry locked a wheel and the head entry locks none, only an sdist.
 * Every installer takes a compatible wheel when the lock has one and otherwise builds the sdist, running the package's
 * build backend (uv-resolver `lock::Package::to_dist`: best wheel, else `to_source_dist`; Poetry's `Chooser`, wheels
 * first). Only lockfiles that name their files (uv.lock, poetry.lock, pdm.lock, pylock.toml) can say; the sdist's
 * file name, or undefined.
 */
function newSourceBuild(base: PackageNode, head: PackageNode): string | undefined {
  const names = (n: PackageNode) => (n.distributions ?? []).map((d) => d.filename ?? '').filter((f) => f !== '');
  const [before, after] = [names(base), names(head)];
  if (!before.some((f) => WHEEL.test(f)) || after.some((f) => WHEEL.test(f))) return undefined;
  return after.find((f) => SDIST.test(f));
}

/**
 * CPU034: the strongest algorithm of the head entry is weaker than the base entry's — what ssri's `pickAlgorithm`
 * (used by `checkData` / `integrityStream`) verifies. No integrity at all is CPD002's, an unknown token not compared.
 */
function weakerIntegrity(
  before: string | undefined,
  after: string | undefined,
): { was: SriAlgorithm; now: SriAlgorithm } | undefined {
  const best = (i: string | undefined) =>
    i === undefined ? undefined : strongest(parseSri(i, 'lenient').hashes.map((h) => h.algorithm));
  const [was, now] = [best(before), best(after)];
  return was !== undefined && now !== undefined && SRI_DIGEST_BYTES[now] < SRI_DIGEST_BYTES[was]
    ? { was, now }
    : undefined;
}

/**
 * poetry.lock names an entry's index only when it is not the default one: Poetry's `Locker` writes `[package.source]`
 * only for a package with a `source_type`, and `Chooser._get_links` fetches one without it from PyPI (or the pool's
 * first repository). An update that gains such a table leaves PyPI for another index, one that loses it now takes the
 * name from PyPI, where anyone may publish it (dependency confusion): both move the package as a host change does.
 */
function indexMoved(base: PackageNode, head: PackageNode): boolean {
  return (
    base.source === 'registry' &&
    head.source === 'registry' &&
    (base.resolved === undefined) !== (head.resolved === undefined)
  );
}

function describeSource(n: PackageNode): string {
  const host = hostOf(n.resolved);
  return host !== undefined ? `${n.source} (${host})` : n.source;
}

const RANK = { patch: 1, minor: 2, prerelease: 3, major: 4, other: 4 } as const;

/**
 * CPU006: the update is labelled by its largest direct-dependency move (what Dependabot and Renovate name in the
 * pull request); a patch or minor label that brings new packages, moves the count by more than a few, or hides a
 * major move further down is larger than it says.
 */
function outgrown(lf: LockfileChanges, head: DependencyGraph | undefined): Finding | undefined {
  const moves = lf.changes.filter(isMove);
  if (moves.length === 0 || lf.status !== 'changed') return undefined;
  const direct = new Set(Object.values(head?.importers ?? {}).flatMap((deps) => Object.keys(deps)));
  const labelled = moves.filter((c) => direct.has(c.name));
  // With direct dependencies moved, the label is the largest of their moves (the bot's title); with none known,
  // the smallest move is what the update claims to be and anything larger rides along.
  const label =
    labelled.length > 0
      ? labelled.reduce((worst, c) => (RANK[c.type] > RANK[worst] ? c.type : worst), 'patch' as keyof typeof RANK)
      : moves.reduce((least, c) => (RANK[c.type] < RANK[least] ? c.type : least), 'other' as keyof typeof RANK);
  if (label !== 'patch' && label !== 'minor') return undefined;
  const added = lf.changes.filter((c) => c.kind === 'added');
  const delta = lf.headPackages - lf.basePackages;
  const major = moves.find((c) => c.type === 'major');
  const big = Math.abs(delta) > Math.max(5, Math.ceil(lf.basePackages * 0.05));
  if (added.length === 0 && !big && !major) return undefined;
  const firstAdded = added[0];
  const first = firstAdded?.kind === 'added' ? firstAdded.head : (major ?? moves[0]!).head;
  const why = [
    added.length > 0 ? `adds ${added.length} package(s) (${added.slice(0, 5).map(name).join(', ')})` : '',
    big ? `changes the package count by ${delta}` : '',
    major ? `moves ${major.name} across a major version` : '',
  ].filter((s) => s !== '');
  return {
    ruleId: 'CPU006',
    message: `This ${label} update of ${lf.lockfile} ${why.join(', ')}: more than a ${label} update. Review the new packages by hand.`,
    location: { path: lf.lockfile, line: first.line },
    evidence: {
      label,
      added: added.length,
      countDelta: delta,
      addedPackages: added.map(name).join(' '),
      ...(major ? { majorMove: major.name } : {}),
    },
  };
}

/** A change's package as CPU006 lists it (`packageLabel`). */
function name(c: PackageChange): string {
  const version = c.kind === 'added' ? c.head.version : c.kind === 'removed' ? c.base.version : '';
  return packageLabel({ name: c.name, version });
}

function isMove(c: PackageChange): c is VersionMove {
  return c.kind === 'upgraded' || c.kind === 'downgraded';
}
