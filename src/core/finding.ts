import type { Ecosystem } from './package-key.js';

/** Levels follow SARIF: `error` > `warning` > `note`. */
export type Level = 'error' | 'warning' | 'note';

export const LEVELS: readonly Level[] = ['error', 'warning', 'note'];

/** Higher is more severe; `none` (no level) ranks below every finding. */
export function levelRank(level: Level | 'none'): number {
  switch (level) {
    case 'error':
      return 3;
    case 'warning':
      return 2;
    case 'note':
      return 1;
    case 'none':
      return 0;
  }
}

/** A place in the scanned tree. `path` is repo-relative POSIX; lines and columns are 1-based. */
export interface Location {
  readonly path: string;
  readonly line?: number;
  readonly column?: number;
  readonly endLine?: number;
  /** A name inside an archive or container, e.g. `archive/data.pkl`. */
  readonly member?: string;
}

/**
 * What a finding is about: a package version or a file with its digest. A package names its ecosystem: npm's and
 * PyPI's `six@1.16.0` are two packages (package-key.ts `packageKey` keys them apart).
 */
export type Artifact =
  | { readonly kind: 'package'; readonly ecosystem: Ecosystem; readonly name: string; readonly version: string }
  | { readonly kind: 'model'; readonly path: string; readonly format?: string; readonly sha256?: string }
  | { readonly kind: 'file'; readonly path: string; readonly sha256?: string };

/** Facts behind a finding: expected vs actual digest, signer seen, global imported… Values are plain scalars. */
export type Evidence = Readonly<Record<string, string | number | boolean>>;

/**
 * Findings are read field by field: a finding may be a class whose message, evidence and artifact are getters that
 * format on demand (DeferredFinding), so copy the fields you need by name — never `{ ...f }`, `Object.keys(f)` or
 * `JSON.stringify(f)`, which see only own data properties.
 */
export interface Finding {
  readonly ruleId: string;
  /** Says what is wrong, where, and what to do. */
  readonly message: string;
  readonly location: Location;
  /** Overrides the rule's default level (e.g. a policy-chosen level for git dependencies). */
  readonly level?: Level;
  readonly artifact?: Artifact;
  readonly evidence?: Evidence;
  /**
   * Other places the same cause reaches, e.g. every package one unreachable registry left unchecked. Reporters
   * list them (SARIF caps them); they are not part of the fingerprint, so a count change keeps the finding's identity.
   */
  readonly related?: readonly Location[];
  /**
   * The per-item findings a grouped finding stands for (deps/checks/systemic.ts). Never reported and not part of the
   * fingerprint; `review` reads them to show the items a change adds to a group whose identity stays the same.
   */
  readonly members?: readonly Finding[];
}

/** A finding after policy: its level is decided. */
export interface ResolvedFinding extends Finding {
  readonly level: Level;
  readonly fingerprint: string;
}

/**
 * A finding that keeps the few facts its text is made from (a package node, the rule's wording) and formats its
 * message and evidence when a reporter reads them: a lockfile can yield 300k findings, and their strings and
 * evidence objects held at once were most of the scan's heap (issue 18).
 */
export interface DeferredFinding extends Finding {
  /** The same finding with its level and fingerprint decided, still formatting on demand. */
  resolve(level: Level, fingerprint: string): ResolvedFinding;
}

export function isDeferred(f: Finding): f is DeferredFinding {
  return typeof (f as Partial<DeferredFinding>).resolve === 'function';
}

/** A finding's place as messages name it, `path (member)` for an archive member: the form memberToAdd looks for. */
export function whereOf({ location }: { readonly location: Pick<Location, 'path' | 'member'> }): string {
  return location.member !== undefined ? `${location.path} (${location.member})` : location.path;
}

/**
 * The archive member a report adds after a finding's message, or undefined when there is none or the message names it
 * already: most content analysers write `model.pt (archive/data.pkl): …` themselves (inspect/content/content.ts), and
 * appending the member again gave "… (JSON at byte 2136): … (in JSON at byte 2136)" in SARIF, annotations and text.
 * Only the analysers' own form counts: a bare substring would also match a member named like part of the file's path.
 */
export function memberToAdd(f: Pick<Finding, 'message' | 'location'>): string | undefined {
  const member = f.location.member;
  return member === undefined || f.message.includes(`(${member})`) ? undefined : member;
}

/** The message with the member it concerns (memberToAdd), written by `wrap` as the reporter shows members. */
export function messageWithMember(f: Pick<Finding, 'message' | 'location'>, wrap: (member: string) => string): string {
  const member = memberToAdd(f);
  return member === undefined ? f.message : `${f.message}${wrap(member)}`;
}

/** The artifact of a finding about one package version of `ecosystem`. */
export function packageArtifact(ecosystem: Ecosystem, name: string, version: string): Artifact {
  return { kind: 'package', ecosystem, name, version };
}
