import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Writable } from 'node:stream';
import { once } from 'node:events';
import { UsageError } from '../../core/errors.js';

/**
 * One review's git objects from ONE long-lived `git cat-file --batch-command` (git >= 2.36): revisions resolved
 * (`info <rev>^{commit}`), trees parsed here, blob sizes (`info`) and contents (`contents`), requests pipelined on its
 * stdin and answered in order. A review used to start a `rev-parse`, an `ls-tree -r -l` per revision, a `cat-file
 * --batch` and a `cat-file blob` per model file. An older git (exit 129, unknown option) is served by a `--batch-check`
 * and a `--batch` process instead, with the same answers. cat-file reads objects only: no checkout, no filters
 * (without --filters/--textconv), no hooks. Every answer is bounded: a body past its caller's cap is drained and
 * refused, never kept.
 */
export interface ObjectInfo {
  readonly oid: string;
  readonly type: string;
  readonly size: number;
}

type Kind = 'info' | 'contents';

interface Pending {
  readonly kind: Kind;
  readonly name: string;
  readonly max: number;
  readonly sink?: Writable;
  readonly resolve: (v: { info: ObjectInfo; data?: Buffer } | undefined) => void;
  readonly reject: (err: Error) => void;
}

/** A git that has no `--batch-command` (before 2.36): exit 129 before answering anything. */
class Unsupported extends Error {}

const MAX_HEADER = 4096;
const ENV = { GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' };

/** One `git cat-file` process and its queue of requests, answered in the order they were written. */
class CatFile {
  private child: ChildProcessWithoutNullStreams | undefined;
  /** Requests not answered yet, from `next` on (an index: Array#shift of 20,000 waiting requests is quadratic). */
  private queue: Pending[] = [];
  private next = 0;
  /** A header cut by the end of a chunk. */
  private head: Buffer | undefined;
  /** The body being read for the first waiting request: bytes still due (its LF included), parts kept, or drained past the cap. */
  private body: { due: number; size: number; parts: Buffer[]; info: ObjectInfo; drain: boolean } | undefined;
  private answered = false;
  private failed: Error | undefined;
  private stderr = '';

  constructor(
    private readonly dir: string,
    private readonly args: readonly string[],
    /** What each request line starts with (`info `/`contents ` for --batch-command, '' for --batch[-check]). */
    private readonly verb: (kind: Kind) => string,
    /** `--buffer` (--batch-command only): answers come at a `flush`, written once after each tick's requests. */
    private readonly buffered = false,
  ) {}

  /** Request lines of this tick, written together (and one `flush`) when it ends: few writes, few answers' reads. */
  private lines: string[] = [];

  request(
    kind: Kind,
    name: string,
    max: number,
    sink?: Writable,
  ): Promise<{ info: ObjectInfo; data?: Buffer } | undefined> {
    if (/[\n\r\0]/.test(name)) return Promise.reject(new UsageError(`not a git object name: ${JSON.stringify(name)}`));
    if (this.failed) return Promise.reject(this.failed);
    this.start();
    return new Promise((resolve, reject) => {
      this.queue.push({ kind, name, max, resolve, reject, ...(sink ? { sink } : {}) });
      if (this.lines.length === 0) setImmediate(() => this.send());
      this.lines.push(`${this.verb(kind)}${name}\n`);
    });
  }

  /** The objects `names` resolve to (as `info` each), with one promise for all: a tree's blob sizes. */
  requestInfos(names: readonly string[]): Promise<(ObjectInfo | undefined)[]> {
    if (names.some((n) => /[\n\r\0]/.test(n))) return Promise.reject(new UsageError('not a git object name'));
    if (this.failed) return Promise.reject(this.failed);
    if (names.length === 0) return Promise.resolve([]);
    this.start();
    return new Promise((resolve, reject) => {
      const out: (ObjectInfo | undefined)[] = new Array<ObjectInfo | undefined>(names.length);
      let left = names.length;
      let failed = false;
      if (this.lines.length === 0) setImmediate(() => this.send());
      names.forEach((name, i) => {
        this.queue.push({
          kind: 'info',
          name,
          max: 0,
          resolve: (v) => {
            out[i] = v?.info;
            if (--left === 0) resolve(out);
          },
          reject: (err) => {
            if (!failed) reject(err);
            failed = true;
          },
        });
        this.lines.push(`${this.verb('info')}${name}\n`);
      });
    });
  }

  /**
   * Write this tick's requests in one write, then (--buffer) one `flush`: git answers them in few large pipe writes.
   * One write and one answer per request cost 20,000 blob sizes seconds of CPU in write requests and 'data' events.
   */
  private send(): void {
    const child = this.child;
    if (this.lines.length === 0 || !child || child.stdin.writableEnded) return;
    child.stdin.write(this.lines.join('') + (this.buffered ? 'flush\n' : ''));
    this.lines = [];
  }

  async close(): Promise<void> {
    this.send();
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const closed = once(child, 'close').catch(() => undefined);
    child.stdin.end();
    await closed;
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const child = spawn('git', [...this.args], { cwd: this.dir, env: { ...process.env, ...ENV } });
    this.child = child;
    child.stdin.on('error', () => undefined); // a git that died is reported by 'close' below
    child.stderr.on('data', (d: Buffer) => {
      if (this.stderr.length < MAX_HEADER) this.stderr += d.toString('utf8');
    });
    child.stdout.on('data', (d: Buffer) => {
      try {
        this.onData(d);
      } catch (err) {
        this.fail(err as Error);
        child.kill();
      }
    });
    child.on('error', (err) => this.fail(new UsageError(`git cat-file failed in ${this.dir}: ${err.message}`)));
    child.on('close', (code) => {
      const why = this.stderr.trim().split('\n')[0] ?? '';
      this.fail(
        code === 129 && !this.answered
          ? new Unsupported(why)
          : new UsageError(`git cat-file failed in ${this.dir}: ${why || `exit ${String(code)}`}`),
      );
    });
    return child;
  }

  private fail(err: Error): void {
    this.failed ??= err;
    const waiting = this.queue.slice(this.next);
    this.queue = [];
    this.next = 0;
    for (const p of waiting) {
      p.sink?.destroy();
      p.reject(this.failed);
    }
  }

  private onData(chunk: Buffer): void {
    this.answered = true;
    // Positions in the chunk, not a subarray per answer (40,000 small answers made as many Buffer objects).
    const data = this.head !== undefined ? Buffer.concat([this.head, chunk]) : chunk;
    this.head = undefined;
    for (let pos = 0; pos < data.length;) {
      if (this.body) {
        pos = this.onBody(data, pos);
        continue;
      }
      const nl = data.indexOf(0x0a, pos);
      if (nl < 0) {
        if (data.length - pos > MAX_HEADER) throw new UsageError('git cat-file: an answer header is too long');
        this.head = Buffer.from(data.subarray(pos));
        return;
      }
      this.onHeader(data.toString('utf8', pos, nl));
      pos = nl + 1;
    }
  }

  /** "<oid> SP <type> SP <size>" (then the contents and LF), or "<name> SP missing|ambiguous" (git-cat-file(1)). */
  private onHeader(line: string): void {
    const p = this.queue[this.next];
    if (!p) throw new UsageError(`git cat-file: an answer nobody asked for: ${line.slice(0, 100)}`);
    if (line === `${p.name} missing` || line === `${p.name} ambiguous`) {
      this.answered1();
      p.sink?.destroy();
      p.resolve(undefined);
      return;
    }
    const [oid = '', type = '', size = ''] = line.split(' ');
    const n = Number(size);
    if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(oid) || !/^[a-z]{1,8}$/.test(type) || !/^[0-9]{1,16}$/.test(size))
      throw new UsageError(`git cat-file: not an answer: ${line.slice(0, 100)}`);
    const info = { oid, type, size: n };
    if (p.kind === 'info') {
      this.answered1();
      p.resolve({ info });
      return;
    }
    this.body = { due: n + 1, size: n, parts: [], info, drain: n > p.max };
  }

  /** The first waiting request is answered: move past it, dropping the answered ones now and then. */
  private answered1(): void {
    this.next++;
    if (this.next >= 1024 && this.next * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.next);
      this.next = 0;
    }
  }

  /** Stop reading git's output until the file took what it was given (or was destroyed by an error). */
  private pauseFor(sink: Writable): void {
    const stdout = this.child!.stdout;
    const resume = () => {
      sink.off('drain', resume);
      sink.off('close', resume);
      stdout.resume();
    };
    stdout.pause();
    sink.on('drain', resume);
    sink.on('close', resume);
  }

  /** Take what `data` holds of the body from `pos` on; where the body ends (or the chunk). */
  private onBody(data: Buffer, pos: number): number {
    const body = this.body!;
    const p = this.queue[this.next]!;
    const take = Math.min(body.due, data.length - pos);
    body.due -= take;
    // The last byte of a body is cat-file's LF, not content.
    const content = data.subarray(pos, pos + take - (body.due === 0 ? 1 : 0));
    if (!body.drain && content.length > 0) {
      if (p.sink) {
        if (!p.sink.destroyed && !p.sink.write(content)) this.pauseFor(p.sink);
      } else body.parts.push(content);
    }
    if (body.due === 0) {
      this.body = undefined;
      this.answered1();
      if (body.drain) {
        p.sink?.destroy();
        p.reject(new UsageError(`git object ${body.info.oid} is over ${p.max} bytes`));
      } else p.resolve({ info: body.info, ...(p.sink ? {} : { data: Buffer.concat(body.parts) }) });
    }
    return pos + take;
  }
}

/** A tree's entry as ls-tree gives it: mode (6 octal digits), type by the mode, object id, path under the tree. */
export interface RawEntry {
  readonly path: string;
  readonly mode: string;
  readonly type: 'blob' | 'tree' | 'commit';
  readonly oid: string;
}

/** Bytes of tree objects one review reads, at most (as `ls-tree -r` output was bounded). */
export const MAX_TREE_BYTES = 256 * 1024 * 1024;

export class GitObjects {
  private command: CatFile | undefined;
  private legacy: { info: CatFile; contents: CatFile } | undefined;
  private readonly trees = new Map<string, Promise<RawEntry[]>>();
  private readonly sized = new Map<string, number>();
  private treeBytes = 0;

  /**
   * `batchCommand: false` uses the two processes an older git needs (tests prove both give the same). `wholeTree`:
   * list each commit from its top, for a repository without a work tree (bare, or `dir` inside `.git`), where git
   * refuses `<commit>:./` ("relative path syntax can't be used outside working tree").
   */
  constructor(
    readonly dir: string,
    batchCommand = true,
    private readonly wholeTree = false,
  ) {
    if (batchCommand)
      this.command = new CatFile(dir, ['cat-file', '--batch-command', '--buffer'], (k) => `${k} `, true);
  }

  /** The object a name resolves to (any revision syntax), undefined when missing or ambiguous. */
  info(name: string): Promise<ObjectInfo | undefined> {
    return this.ask('info', name, 0).then((r) => r?.info);
  }

  /** An object's type and bytes, refused past `max`; undefined when missing. */
  contents(name: string, max: number): Promise<{ info: ObjectInfo; data: Buffer } | undefined> {
    return this.ask('contents', name, max).then((r) =>
      r ? { info: r.info, data: r.data ?? Buffer.alloc(0) } : undefined,
    );
  }

  /** A blob's bytes, refused past `max` or when git has no such blob. */
  async blob(oid: string, max: number): Promise<Buffer> {
    const got = await this.contents(checkOid(oid), max);
    if (got?.info.type !== 'blob')
      throw new UsageError(`git cat-file: cannot read blob ${oid} (${got?.info.type ?? 'missing'})`);
    return got.data;
  }

  /** Stream one blob into a new file `target` (a model may be gigabytes: never held in memory). */
  async writeBlob(oid: string, target: string): Promise<void> {
    const sink = createWriteStream(target, { mode: 0o600 });
    // Also rejects on the file's 'error' (open, a full disk): awaited below, observed from the start.
    const finished = once(sink, 'finish');
    finished.catch(() => undefined);
    try {
      const got = await this.ask('contents', checkOid(oid), Number.MAX_SAFE_INTEGER, sink);
      if (got?.info.type !== 'blob')
        throw new UsageError(`git cat-file blob ${oid} failed (${got?.info.type ?? 'missing'})`);
    } catch (err) {
      sink.destroy();
      throw err;
    }
    sink.end();
    await finished;
  }

  /** A blob's digest (hex), streamed through the hash: an archive is never held in memory. */
  async digestBlob(oid: string, algorithm: string): Promise<string> {
    const hash = createHash(algorithm);
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done();
      },
    });
    const finished = once(sink, 'finish');
    finished.catch(() => undefined);
    const got = await this.ask('contents', checkOid(oid), Number.MAX_SAFE_INTEGER, sink);
    if (got?.info.type !== 'blob') {
      sink.destroy();
      throw new UsageError(`git cat-file blob ${oid} failed (${got?.info.type ?? 'missing'})`);
    }
    sink.end();
    await finished;
    return hash.digest('hex');
  }

  /** The commit ids `revs` name, in order; undefined when any is not one commit (the caller looks each up itself). */
  async commits(revs: readonly string[]): Promise<string[] | undefined> {
    const got = await Promise.all(revs.map((r) => this.info(`${r}^{commit}`)));
    return got.every((i) => i?.type === 'commit') ? got.map((i) => i!.oid) : undefined;
  }

  /**
   * Every entry of `commit` under the scan root, recursively, in ls-tree's order (trees themselves left out, as
   * `ls-tree -r`). The root is `<commit>:./`, which git resolves against the scan root (this process's working
   * directory) as `rev-parse --show-prefix` does; a scan root the commit does not have lists nothing. Each tree is
   * parsed once per review: the trees the two revisions share are read once, only the differing ones again. The
   * listing is bounded as `ls-tree -r` output was (MAX_TREE_BYTES), a tree reached many times counted each time.
   */
  async listCommit(commit: string): Promise<RawEntry[]> {
    const top = await this.info(`${checkOid(commit)}^{tree}`);
    if (top?.type !== 'tree') throw new UsageError(`git cat-file: commit ${commit} has no tree`);
    const root = this.wholeTree ? top : await this.info(`${commit}:./`);
    const out: RawEntry[] = [];
    if (root?.type === 'tree') await this.walk(root.oid, '', out, { bytes: 0 });
    return out;
  }

  private async walk(oid: string, prefix: string, out: RawEntry[], listed: { bytes: number }): Promise<void> {
    const own = await this.tree(oid);
    for (const e of own) {
      const full = prefix + e.path;
      listed.bytes += full.length + 100; // an ls-tree -r -l line: mode, type, id, size, path
      if (listed.bytes > MAX_TREE_BYTES) throw new UsageError(`git: the tree listing is over ${MAX_TREE_BYTES} bytes`);
      if (e.type === 'tree') await this.walk(e.oid, `${full}/`, out, listed);
      else out.push({ ...e, path: full });
    }
  }

  /** Blob sizes by id (NaN when git cannot tell, as `ls-tree -l` prints BAD), each id asked once per review. */
  async sizes(oids: readonly string[]): Promise<number[]> {
    const unknown = [...new Set(oids.filter((o) => !this.sized.has(o)))];
    const infos = await this.infos(unknown);
    unknown.forEach((o, i) => this.sized.set(o, infos[i]?.size ?? NaN));
    return oids.map((o) => this.sized.get(o)!);
  }

  private async infos(names: readonly string[]): Promise<(ObjectInfo | undefined)[]> {
    if (this.command && !this.legacy) {
      try {
        return await this.command.requestInfos(names);
      } catch (err) {
        if (!(err instanceof Unsupported)) throw err;
        this.command = undefined;
      }
    }
    return this.legacyPipes().info.requestInfos(names);
  }

  async close(): Promise<void> {
    await Promise.all([this.command?.close(), this.legacy?.info.close(), this.legacy?.contents.close()]);
  }

  /** A tree's own entries, read and parsed once per review. */
  private tree(oid: string): Promise<RawEntry[]> {
    let got = this.trees.get(oid);
    if (got === undefined) {
      got = this.contents(oid, MAX_TREE_BYTES - this.treeBytes).then((t) => {
        if (t?.info.type !== 'tree')
          throw new UsageError(`git cat-file: cannot read tree ${oid} (${t?.info.type ?? 'missing'})`);
        this.treeBytes += t.data.length;
        if (this.treeBytes > MAX_TREE_BYTES) throw new UsageError(`git: trees over ${MAX_TREE_BYTES} bytes`);
        const entries = parseTree(t.data, oid.length / 2);
        // Its subtrees asked for at once: the walk finds them read (a round trip per level, not one per tree).
        for (const e of entries) if (e.type === 'tree') this.tree(e.oid).catch(() => undefined);
        return entries;
      });
      this.trees.set(oid, got);
    }
    return got;
  }

  private async ask(kind: Kind, name: string, max: number, sink?: Writable) {
    if (this.command && !this.legacy) {
      try {
        return await this.command.request(kind, name, max, sink);
      } catch (err) {
        if (!(err instanceof Unsupported)) throw err;
        this.command = undefined;
      }
    }
    return this.legacyPipes()[kind].request(kind, name, max, sink);
  }

  private legacyPipes(): { info: CatFile; contents: CatFile } {
    return (this.legacy ??= {
      info: new CatFile(this.dir, ['cat-file', '--batch-check'], () => ''),
      contents: new CatFile(this.dir, ['cat-file', '--batch'], () => ''),
    });
  }
}

/**
 * A tree object's entries: "<octal mode> SP <name> NUL <id>" each, the id `hashBytes` raw bytes (20 for SHA-1, 32
 * for SHA-256) — decode_tree_entry in git's tree-walk.c, which canonicalises the mode (canon_mode: a regular file is
 * 100644 or 100755 by its owner-execute bit, a symlink 120000, a folder 040000, anything else a gitlink 160000); the
 * type follows from the mode (object_type). Modes print as ls-tree prints them (`%06o`), names decode as UTF-8 as
 * ls-tree's output was decoded here.
 */
export function parseTree(data: Buffer, hashBytes: number): RawEntry[] {
  const out: RawEntry[] = [];
  for (let pos = 0; pos < data.length;) {
    const sp = data.indexOf(0x20, pos);
    const nul = sp < 0 ? -1 : data.indexOf(0, sp + 1);
    const modeText = sp < 0 ? '' : data.toString('latin1', pos, sp);
    if (nul < 0 || nul === sp + 1 || nul + 1 + hashBytes > data.length || !/^[0-7]{1,7}$/.test(modeText))
      throw new UsageError('git: a corrupt tree object');
    const mode = canonMode(parseInt(modeText, 8));
    out.push({
      path: data.toString('utf8', sp + 1, nul),
      mode: mode.toString(8).padStart(6, '0'),
      type: mode === 0o040000 ? 'tree' : mode === 0o160000 ? 'commit' : 'blob',
      oid: data.toString('hex', nul + 1, nul + 1 + hashBytes),
    });
    pos = nul + 1 + hashBytes;
  }
  return out;
}

function canonMode(mode: number): number {
  const kind = mode & 0o170000;
  if (kind === 0o100000) return mode & 0o100 ? 0o100755 : 0o100644;
  if (kind === 0o120000 || kind === 0o040000) return kind;
  return 0o160000;
}

export function checkOid(oid: string): string {
  if (!/^[0-9a-f]{40,64}$/.test(oid)) throw new UsageError(`not a git object id: ${oid}`);
  return oid;
}
