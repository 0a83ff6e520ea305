import type { Finding } from '../../core/finding.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import type { ParsedLockfile } from '../types.js';
import { label, redactUrls } from './finding.js';

/** How many entries the message and evidence name; the count and the related locations cover the rest. */
const LISTED = 5;

/**
 * What a frozen install does with a lockfile entry nothing the project declares reaches, measured with the real
 * tools on a generated lockfile whose entry (with a preinstall script) was then dropped from package.json:
 * - npm 11.19.1 `npm ci`: buildIdealTree's `loadVirtual` marks it extraneous (`#fixDepFlags`) and `#idealTreePrune`
 *   drops it; the install passes without it.
 * - yarn 1.22.22 `--frozen-lockfile`: `PackageResolver.init` resolves only the manifest's patterns and looks each up
 *   in the lockfile (`Lockfile.getLocked`); the entry is never asked for and the install passes.
 * - pnpm 10.34 `--frozen-lockfile`: headless install walks the lockfile from its importers
 *   (`filterLockfileByImportersAndEngine`); the entry is not linked, fetched or built.
 * - bun 1.4.5 `--frozen-lockfile`: the tree is hoisted from the workspaces' dependencies (`Lockfile.hoist`); the
 *   entry is not installed.
 * yarn 2+ is left out: `--immutable` fails the whole install (YN0028, the lockfile would drop the entry), and its
 * graph does not yet tie every `file:`/`patch:` descriptor to its entry, so reachability is not safe to act on.
 */
const SKIPPED_BY: Partial<Record<DependencyGraph['kind'], { readonly command: string; readonly does: string }>> = {
  npm: {
    command: '`npm ci`',
    does: 'prunes such entries as extraneous (arborist #idealTreePrune) and installs the rest',
  },
  'yarn-classic': {
    command: '`yarn install --frozen-lockfile`',
    does: 'resolves only what package.json asks for and never reads such entries',
  },
  pnpm: { command: '`pnpm install --frozen-lockfile`', does: 'installs only what the importers reach' },
  bun: { command: '`bun install --frozen-lockfile`', does: 'installs only what the workspaces reach' },
};

/**
 * The rules about what installing an entry would do (its scripts, source, integrity, advisories): moot for an entry
 * the package manager never installs. Rules about the lockfile's text (a key that escapes node_modules, credentials,
 * duplicate keys) stay: they hold whether or not the entry is installed. So does CPD013: a known-malicious name in
 * the lockfile is a sign someone put it there, installed or not (`notInstalledBy` lets its message say which).
 */
const INSTALL_RULES: ReadonlySet<string> = new Set([
  'CPD002',
  'CPD003',
  'CPD004',
  'CPD005',
  'CPD006',
  'CPD007',
  'CPD008',
  'CPD009',
  'CPD010',
  'CPD011',
  'CPD012',
  'CPD016',
  'CPD017',
  'CPD019',
  'CPD020',
  'CPD023',
  'CPD170',
]);

/**
 * The lockfile lines of entries the package manager never installs: no importer reaches them (graph.ts gives such an
 * entry a path of its own name alone). Empty where reachability cannot be trusted: importers guessed without a
 * package.json, npm v1 lockfiles, yarn 2+, yarn 1 when any spec could not be matched to its entry (yarn rewrites some, and an entry
 * that looks unreached may be one it installs), and a lockfile whose root reaches no entry.
 */
export function unreachedEntries(graph: DependencyGraph, parsed: ParsedLockfile): PackageNode[] {
  if (SKIPPED_BY[graph.kind] === undefined || parsed.importersInferred === true) return [];
  if (graph.kind === 'yarn-classic' && !everySpecMatched(parsed)) return [];
  // npm ≥ 7 rebuilds a v1 lockfile's tree (arborist's old-lockfile upgrade); our v1 edges are its `requires`, read
  // without that rebuild: not sure enough to set an entry aside.
  if (graph.kind === 'npm' && parsed.formatVersion === '1') return [];
  const unreached = graph.packages.filter(
    (p) => p.path.length < 2 && p.source !== 'link' && p.source !== 'workspace' && p.bundled !== true,
  );
  // A lockfile whose root reaches nothing at all is no tree with extras but a fragment (a hand-written one, or one
  // whose root lost its dependency lists): its entries are judged as they are rather than all set aside.
  return unreached.length < graph.packages.length ? unreached : [];
}

function everySpecMatched(parsed: ParsedLockfile): boolean {
  const matched = (edges: readonly { readonly target?: number | undefined }[]) =>
    edges.every((e) => e.target !== undefined);
  return parsed.importers.every((i) => matched(i.edges)) && parsed.nodes.every((n) => matched(n.edges));
}

/** What `unreachedFold` gives the checks: a filter for each rule's findings, then the one finding that counts them. */
export interface UnreachedFold {
  /** `findings` without the install rules' ones on entries never installed (counted for the summary). */
  readonly keep: (findings: Finding[]) => Finding[];
  /** CPD171 for the lockfile, when it holds such entries. */
  readonly summary: () => Finding[];
  /** The install command that leaves `node` out (for a message), or undefined when it installs it. */
  readonly notInstalledBy: (node: PackageNode) => string | undefined;
}

/** "`npm ci` prunes such entries …": what the frozen install of `kind` does with an entry nothing reaches. */
function installsNot(kind: DependencyGraph['kind']): string {
  const by = SKIPPED_BY[kind]!;
  return `${by.command} ${by.does}`;
}

/**
 * Drop the install rules' findings on entries never installed and say once, with the counts, that the lockfile holds
 * them and what was left out (CPD171): one cause (entries added by hand or left behind), not a finding per entry for what the package
 * manager will not do. Applied before the systemic collapse, so its counts are of installed entries. Findings on
 * installed entries keep their text and fingerprints.
 */
export function unreachedFold(graph: DependencyGraph, parsed: ParsedLockfile): UnreachedFold {
  const unreached = unreachedEntries(graph, parsed);
  if (unreached.length === 0)
    return { keep: (findings) => findings, summary: () => [], notInstalledBy: () => undefined };
  const lines = new Set(unreached.map((p) => p.line));
  const command = SKIPPED_BY[graph.kind]!.command;
  const notInstalledBy = (node: PackageNode) =>
    node.lockfile === graph.lockfile && lines.has(node.line) ? command : undefined;
  const moot = (f: Finding) =>
    INSTALL_RULES.has(f.ruleId) &&
    f.artifact?.kind === 'package' &&
    f.location.path === graph.lockfile &&
    f.location.line !== undefined &&
    lines.has(f.location.line);
  let dropped = 0;
  const hit = new Set<number>();
  const keep = (findings: Finding[]) => {
    const kept = findings.filter((f) => {
      if (!moot(f)) return true;
      dropped++;
      hit.add(f.location.line!);
      return false;
    });
    return kept;
  };
  const summary = (): Finding[] => {
    // Entries nothing was found on need no word: they do not install, and a real lockfile may keep some (npm's
    // `extraneous`, 107 of them in the salesforce CLI's shrinkwrap).
    if (dropped === 0) return [];
    const n = unreached.length;
    // The entries something was found on first: they are the ones a reviewer wants named.
    const listed = [...unreached.filter((p) => hit.has(p.line)), ...unreached.filter((p) => !hit.has(p.line))];
    const first = listed[0]!;
    const named = listed.slice(0, LISTED).map(label).join(', ');
    const more = n > LISTED ? ` and ${n - LISTED} more` : '';
    const them = n === 1 ? 'it' : 'them';
    const left = `${dropped} finding${dropped === 1 ? '' : 's'} on ${them} (install scripts, sources, integrity) ${dropped === 1 ? 'is' : 'are'} left out, as ${n === 1 ? 'it does' : 'they do'} not install`;
    return [
      {
        ruleId: 'CPD171',
        message: redactUrls(
          `${n === 1 ? 'An entry' : `${n} entries`} of ${graph.lockfile} (${named}${more}) ${n === 1 ? 'is' : 'are'} reached by nothing the project declares: ${installsNot(graph.kind)}. ${left}. Regenerate the lockfile to drop ${them}, and find out who added ${them} if nobody expects ${them}.`,
        ),
        location: { path: graph.lockfile, line: first.line },
        artifact: { kind: 'file', path: graph.lockfile },
        evidence: {
          count: n,
          entries: redactUrls(
            listed
              .slice(0, LISTED)
              .map((p) => p.key)
              .join('; '),
          ),
          leftOut: dropped,
        },
        ...(n > 1 ? { related: listed.slice(1).map((p) => ({ path: graph.lockfile, line: p.line })) } : {}),
      },
    ];
  };
  return { keep, summary, notInstalledBy };
}
