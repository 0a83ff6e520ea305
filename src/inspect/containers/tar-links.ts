/**
 * Whether a tar link member would point outside the extraction folder. Python's `tarfile` `data_filter`
 * (3.12+, `_get_filtered_attrs`) refuses the same cases: an absolute target, and a target that leaves the
 * destination once resolved — relative to the link's own folder for a symlink, to the archive root for a hard
 * link (`tarfile.TarFile._find_link_target` looks hard links up by member name).
 */
export function escapingLinkTarget(name: string, target: string, kind: 'symlink' | 'hardlink'): boolean {
  if (target === '') return false;
  if (target.includes('\\') || target.startsWith('/') || /^[A-Za-z]:/.test(target)) return true;
  const base = kind === 'symlink' ? folderSegments(name) : [];
  return climbsOut(base, target.split('/'));
}

function folderSegments(name: string): string[] {
  const segs = name.split('/').filter((s) => s !== '' && s !== '.');
  segs.pop();
  return segs;
}

/** Walk the segments from `base`; leaving the root at any point escapes (`a/../../x` does). */
function climbsOut(base: readonly string[], segs: readonly string[]): boolean {
  let depth = base.length;
  for (const seg of segs) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      depth--;
      if (depth < 0) return true;
    } else depth++;
  }
  return false;
}

/** `os.path.normpath` for POSIX names: no empty or `.` segments, `..` folded where it can be (kept at the start). */
export function normPath(p: string): string {
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (seg !== '..' || !p.startsWith('/')) out.push(seg);
  }
  const body = out.join('/');
  return p.startsWith('/') ? `/${body}` : body || '.';
}

/**
 * The member each hard link (type '1') stands for, as `tarfile.TarFile._find_link_target` finds it: the last member
 * before the link whose normalised name is the link's normalised target (`_getmember(linkname, tarinfo=link,
 * normalize=True)`). `extract` writes that member's bytes in the link's place when the target was not extracted.
 * One pass over the members, so a tar of many links costs no more than one of many files.
 */
export function hardLinkTargets<T extends { readonly name: string; readonly type: string; readonly linkName?: string }>(
  entries: readonly T[],
): Map<T, T> {
  const lastNamed = new Map<string, T>();
  const out = new Map<T, T>();
  for (const e of entries) {
    const target = e.type === '1' && e.linkName !== undefined ? lastNamed.get(normPath(e.linkName)) : undefined;
    if (target) out.set(e, target);
    lastNamed.set(normPath(e.name), e);
  }
  return out;
}

/** Linux's PATH_MAX, in bytes (UTF-16 units here, at most as many). */
const PATH_MAX = 4096;

/** Symlinks followed at most in one path: Linux's MAXSYMLINKS, past which the OS fails with ELOOP. */
const MAX_LINK_HOPS = 40;

/**
 * Path components walked at most per archive while following its symlinks. Each link's target is walked once (its
 * landing is kept), so an archive needs about as many steps as its symlink names and targets have components; a
 * hostile one past this is reported as not resolved (`LinkResolution.exhausted`), never passed.
 */
export const LINK_STEP_BUDGET = 2_000_000;

/**
 * Path steps left for following symlinks, shared by every tar of one file (nested ones, and a streamed tar's own look
 * at its image): a file of thirty nested tars costs one budget, not thirty.
 */
export interface LinkSteps {
  left: number;
  readonly total: number;
  /** The file's budget for finding which member a NeMo `model_config.yaml` link reads (nemo-config.ts `configSteps`). */
  configLookup?: LinkSteps;
}

export const linkSteps = (total = LINK_STEP_BUDGET): LinkSteps => ({ left: total, total });

/** A folder of the extraction tree that symlink members are made in (or are): one per normalised member path. */
interface TreeNode {
  readonly children: Map<string, TreeNode>;
  /** The target of the symlink member made at this path (the last one written there), if any. */
  target?: string;
  /** That symlink member's name, as written: what a message names. */
  member?: string;
}

/** Links of one escaping chain named at most: enough to see why a target that reads as inside is not. */
export const CHAIN_NAMED = 3;

/** The first links a walk followed (at most CHAIN_NAMED) and how many it followed. */
interface Followed {
  readonly first: TreeNode[];
  count: number;
}

const followedNone = (): Followed => ({ first: [], count: 0 });

/** The first links (member name and target) of the chain a link escapes through, and whether it goes on past them. */
export interface EscapeChain {
  readonly via: readonly { readonly name: string; readonly target: string }[];
  readonly more: boolean;
}

/**
 * Where a walk is: a persistent stack of components, so `..` is a step up and landing where a link resolved is a
 * pointer copy, not a copy of the path. `node` is the tree node of this path, undefined once no symlink is under it.
 */
interface Place {
  readonly name: string;
  readonly node: TreeNode | undefined;
  readonly up: Place | undefined;
}

/** Where a path lands once extracted, and the symlinks followed to get there (Linux counts them per lookup). */
type Walked = { readonly at: Place; readonly hops: number } | 'outside' | 'loop';

class LinkBudgetSpent extends Error {}

/**
 * What following the symlinks of an archive found: the links that escape, each with the first links of the chain it
 * leaves through, and whether every one was resolved.
 */
export interface LinkResolution<T> {
  readonly escaping: ReadonlyMap<T, EscapeChain>;
  /** The step budget ran out: links not yet resolved may escape through others and were not checked. */
  readonly exhausted: boolean;
}

/**
 * Resolves paths against the symlinks of one archive as the OS does (realpath): each component that is a symlink is
 * replaced by its target, read from the symlink's own folder, and `..` climbs from where the path really is — so
 * `e -> d/..` with `d -> ../..` climbs out though `e/x` reads as inside. Every symlink's landing is kept once
 * resolved: a chain of links, or many links through one, costs each link's target once.
 */
class LinkResolver {
  readonly root: Place = { name: '', node: { children: new Map() }, up: undefined };
  private readonly landings = new Map<TreeNode, Walked | 'resolving'>();
  /** For each link resolved: the links its own target's walk followed (the next links of a chain through it). */
  private readonly hopsOf = new Map<TreeNode, Followed>();
  /** A landing worked out since this was cleared was cut short by the nesting limit. */
  private cut = false;

  constructor(private readonly budget: LinkSteps) {}

  /** Record a symlink made at `segments` (normalised, under the root). */
  addSymlink(segments: readonly string[], target: string, member?: string): void {
    let node = this.root.node!;
    for (const seg of segments) {
      let child = node.children.get(seg);
      if (child === undefined) node.children.set(seg, (child = { children: new Map() }));
      node = child;
    }
    node.target = target;
    if (member !== undefined) node.member = member;
  }

  /**
   * `segs` walked from `from`. The last component is followed only when `followLast`: extraction replaces a symlink
   * member, it writes through anything else. The links followed are counted in `followed`, the first few kept.
   */
  walk(from: Place, segs: readonly string[], followLast: boolean, nested = 0, followed?: Followed): Walked {
    let last = segs.length - 1;
    while (last >= 0 && (segs[last] === '' || segs[last] === '.')) last--;
    let at = from;
    let hops = 0;
    for (let i = 0; i <= last; i++) {
      if (--this.budget.left < 0) throw new LinkBudgetSpent();
      const part = segs[i]!;
      if (part === '' || part === '.') continue;
      if (part === '..') {
        if (at.up === undefined) return 'outside';
        at = at.up;
        continue;
      }
      const node = at.node?.children.get(part);
      const here: Place = { name: part, node, up: at };
      if (node?.target === undefined || (!followLast && i === last)) {
        at = here;
        continue;
      }
      if (followed !== undefined) {
        if (followed.first.length < CHAIN_NAMED) followed.first.push(node);
        followed.count++;
      }
      const landing = this.landingOf(node, at, nested);
      if (typeof landing === 'string') return landing;
      hops += 1 + landing.hops;
      if (hops > MAX_LINK_HOPS) return 'loop';
      at = landing.at;
    }
    return { at, hops };
  }

  /**
   * Where following the symlink at `node` (in the folder `folder`) lands, worked out once. `nested` links are being
   * followed around it: past MAX_LINK_HOPS the path is ELOOP whatever this link does, so the walk stops there (no
   * deep recursion on a long chain) and what was cut short is not kept as this link's own landing.
   */
  private landingOf(node: TreeNode, folder: Place, nested: number): Walked {
    const known = this.landings.get(node);
    // A link met again while its own target is being resolved never resolves: the OS gives up with ELOOP.
    if (known === 'resolving') return 'loop';
    if (known !== undefined) return known;
    if (nested >= MAX_LINK_HOPS) {
      this.cut = true;
      return 'loop';
    }
    const target = node.target!;
    const cutAround = this.cut;
    this.cut = false;
    this.landings.set(node, 'resolving');
    const followed = followedNone();
    const landing =
      target.startsWith('/') || target.includes('\\') || /^[A-Za-z]:/.test(target)
        ? 'outside'
        : this.walk(folder, target.split('/'), true, nested + 1, followed);
    if (this.cut) this.landings.delete(node);
    else this.landings.set(node, landing);
    if (followed.count > 0) this.hopsOf.set(node, followed);
    this.cut ||= cutAround;
    return landing;
  }

  /**
   * The first CHAIN_NAMED links of an escape whose own walk `followed` these, in the order the OS meets them: each
   * link, then the links its own target followed (depth first) — a few steps whatever the chain's length.
   */
  chainOf(followed: Followed): EscapeChain {
    const via: { name: string; target: string }[] = [];
    const seen = new Set<TreeNode>();
    // Links still to name, next last; a walk that followed more than it kept has more links than these.
    const pending = [...followed.first].reverse();
    let more = followed.count > followed.first.length;
    for (let n = pending.pop(); n !== undefined; n = pending.pop()) {
      if (seen.has(n)) continue;
      if (via.length === CHAIN_NAMED) return { via, more: true };
      seen.add(n);
      via.push({ name: n.member ?? '', target: n.target ?? '' });
      const hops = this.hopsOf.get(n);
      if (hops === undefined) continue;
      more ||= hops.count > hops.first.length;
      for (const h of [...hops.first].reverse()) pending.push(h);
    }
    return { via, more };
  }

  /** The place of a folder given by its components, read as written (no link followed). */
  placeOf(segments: readonly string[]): Place {
    let at = this.root;
    for (const name of segments) at = { name, node: at.node?.children.get(name), up: at };
    return at;
  }
}

/** The components of a place under the root. */
function segmentsOf(at: Place): string[] {
  const out: string[] = [];
  for (let p: Place | undefined = at; p?.up !== undefined; p = p.up) out.push(p.name);
  return out.reverse();
}

/** Where a path lands once extracted: its folders (segments under the root), outside the root, or a symlink loop. */
export type Landing = readonly string[] | 'outside' | 'loop';

/**
 * A lookup of paths in one extracted archive whose symlinks are `symlinks` (normalised path → target): `landing` walks
 * `rest` from the folder `from` as the OS resolves a path, following the last component only when `followLast`.
 * Each link is resolved once for all lookups; undefined when the archive's step budget is spent.
 */
export function symlinkLandings(
  symlinks: Iterable<readonly [string, string]>,
  budget: LinkSteps = linkSteps(),
): (from: readonly string[], rest: readonly string[], followLast: boolean) => Landing | undefined {
  const resolver = new LinkResolver(budget);
  for (const [path, target] of symlinks) resolver.addSymlink(path.split('/'), target);
  return (from, rest, followLast) => {
    try {
      const w = resolver.walk(resolver.placeOf(from), rest, followLast);
      return typeof w === 'string' ? w : segmentsOf(w.at);
    } catch (err) {
      if (err instanceof LinkBudgetSpent) return undefined;
      throw err;
    }
  };
}

/** The components of a member name under the root, `..` folded; undefined when it climbs out (`os.path.normpath`). */
function writtenAt(name: string): string[] | undefined {
  const out: string[] = [];
  for (const seg of name.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg !== '..') out.push(seg);
    else if (out.pop() === undefined) return undefined;
  }
  return out;
}

/**
 * Symlinks whose target leaves the extraction folder only once the other symlinks `tarfile.extractall` makes (no
 * filter: Python before 3.14) are followed, as the OS follows them whenever the path is used — whichever was made
 * first: what a check of the target as written misses. A member written through such a link lands outside; one
 * finding for the link says so. A link whose target leaves the folder as written is `escapingLinkTarget`'s, and
 * nothing is followed through it (what is written through it is that cause, not another).
 */
export function symlinksEscapingThroughOthers<
  T extends { readonly name: string; readonly type: string; readonly linkName?: string },
>(entries: readonly T[], budget: LinkSteps = linkSteps()): LinkResolution<T> {
  // Linux refuses a path or a symlink target past PATH_MAX (ENAMETOOLONG): no such link is made.
  const candidates = entries.filter(
    (e): e is T & { readonly linkName: string } =>
      e.type === '2' &&
      e.linkName !== undefined &&
      e.name.length <= PATH_MAX &&
      e.linkName.length <= PATH_MAX &&
      !escapingLinkTarget(e.name, e.linkName, 'symlink'),
  );
  const out = new Map<T, EscapeChain>();
  if (candidates.length < 2) return { escaping: out, exhausted: false };
  const resolver = new LinkResolver(budget);
  // Where each is made, its folders read as written (they are resolved below, when it is followed).
  for (const e of candidates) {
    const at = writtenAt(e.name);
    if (at !== undefined) resolver.addSymlink(at, e.linkName, e.name);
  }
  try {
    for (const e of candidates) {
      // Extraction replaces a symlink member: only its folders are followed to find where it is made.
      const made = resolver.walk(resolver.root, e.name.split('/'), false);
      if (typeof made === 'string') continue;
      const folder = made.at.up ?? resolver.root;
      const followed = followedNone();
      if (resolver.walk(folder, e.linkName.split('/'), true, 0, followed) === 'outside')
        out.set(e, resolver.chainOf(followed));
    }
  } catch (err) {
    if (err instanceof LinkBudgetSpent) return { escaping: out, exhausted: true };
    throw err;
  }
  return { escaping: out, exhausted: false };
}
