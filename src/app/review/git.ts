import { execFile, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { UsageError } from '../../core/errors.js';

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
  readonly size: number;
}

const MAX_LIST_BYTES = 256 * 1024 * 1024;

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
 * Where the scan root sits (as repoPrefix) and the commits `refs` name (as resolveCommit), from one `git rev-parse`:
 * `--verify` takes a single revision, so this runs without it and checks what came back instead — one line per
 * argument in order (cmd_rev_parse prints `--show-prefix` and each revision as it meets them), each commit a full
 * object id. A git whose rev-parse does not take `--end-of-options` outside `--verify` (2.39) prints it back as a line of
 * its own: that line is expected and skipped (the refs still cannot start with `-`: checkRef). Undefined when any
 * ref does not resolve so (a missing commit, an ambiguous name, `^x` printed as a negation) or the scan root's path
 * holds a line break (the prefix would not be one line): the caller then asks for each as before.
 */
export async function prefixAndCommits(
  dir: string,
  refs: readonly string[],
): Promise<{ prefix: string; commits: string[] } | undefined> {
  const revs = refs.map((r) => `${checkRef(r)}^{commit}`);
  if ((await realpath(dir).catch(() => '\n')).includes('\n')) return undefined;
  const out = await run(dir, ['rev-parse', '--show-prefix', '--end-of-options', ...revs]).catch(() => undefined);
  const lines = out?.toString('utf8').split('\n');
  if (lines === undefined || lines.pop() !== '') return undefined;
  if (lines.length === refs.length + 2 && lines[1] === '--end-of-options') lines.splice(1, 1);
  if (lines.length !== refs.length + 1) return undefined;
  const [prefix = '', ...commits] = lines;
  if (!commits.every((c) => /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(c))) return undefined;
  return { prefix: prefix.trim(), commits };
}

/** Where the scan root sits inside the repository (`''` at the top, else `sub/dir/`). */
export async function repoPrefix(dir: string): Promise<string> {
  return (await run(dir, ['rev-parse', '--show-prefix'])).toString('utf8').trim();
}

/**
 * Every blob of a commit under the scan root (`prefix`, from repoPrefix), with sizes; symlinks and submodules are
 * left out (never followed) — a submodule's recorded commit goes into `submodules` when given.
 */
export async function listTree(
  dir: string,
  commit: string,
  prefix: string,
  submodules?: Map<string, string>,
): Promise<TreeEntry[]> {
  const out = await run(dir, ['ls-tree', '-r', '-z', '-l', '--full-tree', commit], MAX_LIST_BYTES);
  const entries: TreeEntry[] = [];
  for (const rec of out.toString('utf8').split('\0')) {
    // "<mode> SP <type> SP <oid> SP+ <size> TAB <path>"
    const tab = rec.indexOf('\t');
    if (tab < 0) continue;
    const [mode = '', type = '', oid = '', size = ''] = rec.slice(0, tab).split(/ +/);
    const full = rec.slice(tab + 1);
    // A gitlink (mode 160000) records the submodule's commit: compared, never entered.
    if (type === 'commit' && full.startsWith(prefix)) submodules?.set(full.slice(prefix.length), oid);
    if (type !== 'blob' || mode === '120000' || !full.startsWith(prefix)) continue;
    entries.push({ path: full.slice(prefix.length), mode, oid, size: Number(size) });
  }
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function checkOid(oid: string): string {
  if (!/^[0-9a-f]{40,64}$/.test(oid)) throw new UsageError(`not a git object id: ${oid}`);
  return oid;
}

/** A blob's bytes, refused past `max` (the tree listing gave its size; checked again on read). */
export async function readBlob(dir: string, oid: string, max: number): Promise<Buffer> {
  const out = await run(dir, ['cat-file', 'blob', checkOid(oid)], max + 1);
  if (out.length > max) throw new UsageError(`git object ${oid} is over ${max} bytes`);
  return out;
}

/**
 * Several blobs' bytes by one `git cat-file --batch` (one process, not one per file: a review read each lockfile and
 * config of both revisions with its own git process). Each entry's size comes from the tree listing and only entries
 * of at most `max` bytes may be asked for; the output is bounded by their sum and every blob is checked again.
 */
export async function readBlobs(
  dir: string,
  entries: readonly Pick<TreeEntry, 'oid' | 'size'>[],
  max: number,
): Promise<Map<string, Buffer>> {
  const sizes = new Map<string, number>();
  for (const e of entries) {
    if (e.size > max) throw new UsageError(`git object ${e.oid} is over ${max} bytes`);
    sizes.set(checkOid(e.oid), e.size);
  }
  const blobs = new Map<string, Buffer>();
  if (sizes.size === 0) return blobs;
  let bound = 0;
  for (const size of sizes.values()) bound += size + 128;
  const input = [...sizes.keys()].map((oid) => `${oid}\n`).join('');
  const out = await run(dir, ['cat-file', '--batch'], bound, input);
  // "<oid> SP <type> SP <size> LF <contents> LF" per object, or "<input> SP missing LF" (git-cat-file(1), BATCH OUTPUT)
  for (let pos = 0; pos < out.length;) {
    const nl = out.indexOf(0x0a, pos);
    if (nl < 0) throw new UsageError('git cat-file --batch: output ends inside a header');
    const [oid = '', type = '', size = ''] = out.toString('utf8', pos, nl).split(' ');
    const n = Number(size);
    if (type !== 'blob' || !sizes.has(oid) || !Number.isSafeInteger(n) || n > max || nl + 1 + n > out.length)
      throw new UsageError(`git cat-file --batch: cannot read blob ${oid} (${type || 'no type'})`);
    blobs.set(oid, out.subarray(nl + 1, nl + 1 + n));
    pos = nl + 1 + n + 1;
  }
  return blobs;
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

/**
 * Stream one blob into `target` (a model file may be gigabytes: never held in memory). The caller checked its size
 * from the tree listing; git's own exit status decides whether the copy is whole.
 */
export async function writeBlobTo(dir: string, oid: string, target: string): Promise<void> {
  const child = spawn('git', ['cat-file', 'blob', checkOid(oid)], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' },
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  await pipeline(child.stdout, createWriteStream(target, { mode: 0o600 }));
  const code = await exited;
  if (code !== 0) throw new UsageError(`git cat-file blob ${oid} failed (exit ${String(code)})`);
}

/** The submodules a commit records (path under the scan root → commit), from one `git ls-tree` without sizes. */
export async function submodulesAt(dir: string, commit: string, prefix: string): Promise<Map<string, string>> {
  const out = await run(dir, ['ls-tree', '-r', '-z', '--full-tree', commit], MAX_LIST_BYTES);
  const found = new Map<string, string>();
  for (const rec of out.toString('utf8').split('\0')) {
    const tab = rec.indexOf('\t');
    const [mode = '', type = '', oid = ''] = rec.slice(0, Math.max(0, tab)).split(' ');
    const full = rec.slice(tab + 1);
    if (tab > 0 && mode === '160000' && type === 'commit' && full.startsWith(prefix))
      found.set(full.slice(prefix.length), oid);
  }
  return found;
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

  constructor(readonly dir: string) {}

  /** As readBlobs, serving the ids already read from memory. */
  async read(entries: readonly Pick<TreeEntry, 'oid' | 'size'>[], max: number): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    const missing: Pick<TreeEntry, 'oid' | 'size'>[] = [];
    for (const e of entries) {
      if (e.size > max) throw new UsageError(`git object ${e.oid} is over ${max} bytes`);
      const hit = this.kept.get(e.oid);
      if (hit !== undefined) out.set(e.oid, hit);
      else missing.push(e);
    }
    for (const [oid, bytes] of await readBlobs(this.dir, missing, max)) {
      out.set(oid, bytes);
      this.keep(oid, bytes);
    }
    return out;
  }

  /** As readBlob, from memory when this review read the id already. */
  async one(oid: string, max: number): Promise<Buffer> {
    const hit = this.kept.get(checkOid(oid));
    if (hit === undefined) return readBlob(this.dir, oid, max);
    if (hit.length > max) throw new UsageError(`git object ${oid} is over ${max} bytes`);
    return hit;
  }

  /**
   * Read ahead what later readers will ask for, while it fits in what the cache keeps. Best effort: when the batch
   * fails (an object missing from the clone), each reader reads and reports for itself as it did before.
   */
  async prefetch(entries: readonly Pick<TreeEntry, 'oid' | 'size'>[], max: number): Promise<void> {
    const wanted = new Map<string, Pick<TreeEntry, 'oid' | 'size'>>();
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
    // A copy: the batch output the subarray points into is freed rather than pinned by one small blob.
    this.kept.set(oid, Buffer.from(bytes));
    this.bytes += bytes.length;
  }
}
