import { execFile } from 'node:child_process';
import { UsageError } from '../../core/errors.js';
import { checkOid, type GitObjects } from './objects.js';

/**
 * Reading a revision from git objects — never by checking it out (a checkout runs filters and hooks and writes
 * the tree). Every call is `git` with an argument vector, never a shell; refs are validated first so a ref such
 * as `--output=/etc/x` cannot become an option (argument injection).
 */
export interface TreeEntry {
  /** Path relative to the scan root, POSIX. */
  readonly path: string;
  readonly mode: string;
  readonly oid: string;
}

/** A tree entry with its blob's size: asked of git only for the blobs a review reads (`BlobCache.sized`). */
export interface SizedEntry extends TreeEntry {
  readonly size: number;
}

export function run(
  cwd: string,
  args: readonly string[],
  maxBuffer = 64 * 1024 * 1024,
  input?: string,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      [...args],
      {
        cwd,
        encoding: 'buffer',
        maxBuffer,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' },
      },
      (err, stdout, stderr) => {
        if (err) {
          const why = stderr.toString('utf8').trim().split('\n')[0] ?? '';
          reject(new UsageError(`git ${args[0] ?? ''} failed in ${cwd}: ${why || err.message}`, { cause: err }));
        } else resolve(stdout);
      },
    );
    // git stops reading when it fails; the error is reported by the callback above, not as EPIPE here.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
  });
}

/** Refuse anything git could read as an option or a revision range; allow names, SHAs, `HEAD~1`, `origin/main`. */
export function checkRef(ref: string): string {
  if (ref.startsWith('-') || ref.includes('..') || !/^[A-Za-z0-9_./~^@{}+-]{1,256}$/.test(ref))
    throw new UsageError(`not a usable git revision: ${JSON.stringify(ref)}`);
  return ref;
}

/** The commit a ref names, as a full SHA. */
export async function resolveCommit(dir: string, ref: string): Promise<string> {
  const out = await run(dir, ['rev-parse', '--verify', '--end-of-options', `${checkRef(ref)}^{commit}`]);
  return out.toString('utf8').trim();
}

/**
 * Every blob of a commit under the scan root (as `ls-tree -r`, by the review's one cat-file: objects.ts), without
 * sizes: a 20,000-file tree's sizes cost a third of a second of CPU, and a review reads a handful of its blobs
 * (`BlobCache.sized` asks for those). Symlinks and submodules are left out (never followed) — a submodule's recorded
 * commit goes into `submodules`, a symlink's blob (its target) into `symlinks`, when given.
 */
export async function listTree(
  git: GitObjects,
  commit: string,
  submodules?: Map<string, string>,
  symlinks?: Map<string, string>,
): Promise<TreeEntry[]> {
  const all = await git.listCommit(commit);
  // A gitlink (mode 160000) records the submodule's commit: compared, never entered; a symlink's blob is its target.
  for (const e of all) {
    if (e.type === 'commit') submodules?.set(e.path, e.oid);
    else if (e.mode === '120000') symlinks?.set(e.path, e.oid);
  }
  const entries = all
    .filter((e) => e.type === 'blob' && e.mode !== '120000')
    .map((e) => ({ path: e.path, mode: e.mode, oid: e.oid }));
  return entries.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}

/** The submodules a revision records (path under the scan root → commit); a revision that is no commit fails. */
export async function submodulesAt(git: GitObjects, rev: string): Promise<Map<string, string>> {
  const [commit] = (await git.commits([checkRef(rev)])) ?? [];
  if (commit === undefined) throw new UsageError(`git: ${rev} is not a commit in ${git.dir}`);
  const found = new Map<string, string>();
  for (const e of await git.listCommit(commit)) if (e.type === 'commit') found.set(e.path, e.oid);
  return found;
}

/** Object ids the working-tree files would have if added now (with the repository's clean filters, e.g. LFS). */
export async function hashWorkingFiles(dir: string, paths: readonly string[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (let i = 0; i < paths.length; i += 500) {
    const batch = paths.slice(i, i + 500);
    const out = await run(dir, ['hash-object', '--', ...batch]);
    const lines = out.toString('utf8').trim().split('\n');
    batch.forEach((p, j) => {
      const id = lines[j];
      if (id) ids.set(p, id);
    });
  }
  return ids;
}

/** Bytes one review keeps of the blobs it has read, to serve a later reader without another `git` process. */
const CACHE_BYTES = 64 * 1024 * 1024;

/**
 * The blobs one review has read, by object id (an id names its content: a hit is the same bytes). Readers ask it
 * first and only what is missing goes to one `git cat-file --batch`; what is kept is bounded by CACHE_BYTES (a blob
 * past it is returned, not kept) and every size cap of the reader still applies to a hit.
 */
export class BlobCache {
  private readonly kept = new Map<string, Buffer>();
  private bytes = 0;

  constructor(readonly git: GitObjects) {}

  /** These entries with their blob sizes (NaN when git cannot tell), each id asked of git once per review. */
  async sized(entries: readonly TreeEntry[]): Promise<SizedEntry[]> {
    const sizes = await this.git.sizes(entries.map((e) => e.oid));
    return entries.map((e, i) => ({ ...e, size: sizes[i]! }));
  }

  /**
   * Several blobs' bytes, each entry's size from the tree listing: only entries of at most `max` bytes may be asked
   * for, every blob is checked again as it is read, the ids already read served from memory.
   */
  async read(entries: readonly Pick<SizedEntry, 'oid' | 'size'>[], max: number): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    const missing: Pick<SizedEntry, 'oid' | 'size'>[] = [];
    for (const e of entries) {
      if (e.size > max) throw new UsageError(`git object ${e.oid} is over ${max} bytes`);
      const hit = this.kept.get(e.oid);
      if (hit !== undefined) out.set(e.oid, hit);
      else missing.push(e);
    }
    const read = await Promise.all(missing.map((e) => this.git.blob(e.oid, max)));
    missing.forEach((e, i) => {
      out.set(e.oid, read[i]!);
      this.keep(e.oid, read[i]!);
    });
    return out;
  }

  /** As readBlob, from memory when this review read the id already. */
  async one(oid: string, max: number): Promise<Buffer> {
    const hit = this.kept.get(checkOid(oid));
    if (hit === undefined) return this.git.blob(oid, max);
    if (hit.length > max) throw new UsageError(`git object ${oid} is over ${max} bytes`);
    return hit;
  }

  /**
   * Read ahead what later readers will ask for, while it fits in what the cache keeps (pipelined in the one cat-file).
   * Best effort: when a read fails (an object missing from the clone), each reader reads and reports for itself.
   */
  async prefetch(entries: readonly Pick<SizedEntry, 'oid' | 'size'>[], max: number): Promise<void> {
    const wanted = new Map<string, Pick<SizedEntry, 'oid' | 'size'>>();
    let room = CACHE_BYTES - this.bytes;
    for (const e of entries) {
      if (e.size > max || e.size > room || this.kept.has(e.oid) || wanted.has(e.oid)) continue;
      wanted.set(e.oid, e);
      room -= e.size;
    }
    await this.read([...wanted.values()], max).catch(() => undefined);
  }

  private keep(oid: string, bytes: Buffer): void {
    if (this.kept.has(oid) || this.bytes + bytes.length > CACHE_BYTES) return;
    this.kept.set(oid, bytes);
    this.bytes += bytes.length;
  }
}
