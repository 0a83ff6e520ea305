import { lstat } from 'node:fs/promises';
import { closeSync, readlinkSync, readSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { MODEL_FORMATS, type DiscoveredFile, type FsPath, type SkippedFile } from '../core/files.js';
import type { Finding } from '../core/finding.js';
import { errorMessage } from '../core/errors.js';
import { detectFormat, formatFromName, SNIFF_BYTES } from './detect.js';
import { entryOf, formatsReadBy, ZIP_FROM_TAIL, type FileFormat } from './catalogue/index.js';
import { hasSigstoreBundleHead } from './catalogue/sniffers.js';
import { leadingPickle, openDataLine, sniffAfterLine, type PickleSniff } from './formats/pickle-head.js';
import {
  MAX_TEMPLATE_FILE,
  mayBeTemplateFile,
  showsPythonTagSign,
  showsTemplateSign,
  templateFileKind,
  TEMPLATE_NEEDLE_OVERLAP,
} from './formats/chat-template-head.js';
import { jsonChunkSign, opensJsonObject, opensKerasJsonText, showsKerasKey } from './formats/keras-json-head.js';
import { classifyZip, readZipNames } from './formats/zip-names.js';
import { NotRegularFileError, openRegularFileSync } from '../io/open-regular.js';
import { readFullyAt } from '../io/read-fully.js';
import { byteKey, listDirectory } from '../io/raw-names.js';
import { EMPTY_MODEL_NAME, emptyModelsFinding, isEmptyModel, unreachable } from './walk-findings.js';
import { directoryKey } from '../io/dir-identity.js';
import { resolveLinkFrom } from '../io/resolve-link.js';
import { leavesBase } from '../core/relative-path.js';

export interface WalkOptions {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  /** Folder names skipped anywhere unless an include glob names them. */
  readonly skipDirs: readonly string[];
  /** Files whose whole bytes the caller will read anyway (the refs stage's source files): see `ContentFilter`. */
  readonly content?: ContentFilter;
  /** Bytes kept in all (default KEEP_BUDGET); past it files are read again by whoever needs them. */
  readonly keepBudget?: number;
}

/**
 * The files the walk reads whole for its caller (the refs stage's source files): the walk, which opens every file to
 * sniff its head, keeps them when small (`DiscoveredFile.content`) so they are not opened twice. Three calls per
 * file, none of them allocating for a file declined: they run for thousands of files.
 */
export interface ContentFilter {
  /** By path, before the read: 0 not to read the file whole, else the caller's kind of file, given back to `keep`. */
  kind(rel: string): number;
  /**
   * The first `n` bytes of `read` (the whole file) of a file of `kind`, copied out (core/files.ts `copyOf`) when the
   * caller keeps them; undefined when it declines them: they are dropped and the file marked `contentDeclined`, so
   * it is not read again either. The copy is the filter's: one in the walk's own function, first reached after V8
   * had compiled it (the first kept file comes after hundreds declined), cost that function a recompile.
   */
  keep(kind: number, read: Buffer, n: number): Buffer | undefined;
  /**
   * Where to read such a file: at least `size` bytes, valid until the next call (the caller's own memory, where its
   * test reads them without a copy). The walk's own buffer when absent.
   */
  buffer?(size: number): Buffer;
}

/**
 * A file read whole is at most this large, and all kept files together at most KEEP_BUDGET: memory stays bounded.
 * Large enough for nearly all hand-written source (the walk reads one file at a time, and bytes the caller declines
 * are dropped at once), so the refs stage seldom opens a source file a second time.
 */
export const KEEP_FILE_MAX = 256 * 1024;
export const KEEP_BUDGET = 16 * 1024 * 1024;

export const DEFAULT_SKIP_DIRS: readonly string[] = ['.git', 'node_modules'];

export interface WalkResult {
  readonly files: DiscoveredFile[];
  readonly skipped: SkippedFile[];
  readonly findings: Finding[];
  /** The folders of `skipDirs` the walk did not enter (repo-relative), in walk order. */
  readonly pruned: string[];
}

/**
 * Walk the scan root. `.gitignore` is deliberately not honoured: weights fetched during a build sit in ignored
 * folders and they are what loads. Symlinks are resolved and followed only while they stay inside the root.
 *
 * The file system calls are synchronous. The walk goes one entry at a time (output order is the sorted tree), so
 * through fs/promises every open, fstat, read and close was a thread-pool round trip and a FileHandle: about 0.1 ms
 * of CPU per call, 1.1-1.8 s for a 5,000-file repository where the same calls made directly take 50-80 ms. Nothing
 * here can block on file contents: opens are O_NONBLOCK and only regular files are read (openRegularFileSync), at
 * most KEEP_FILE_MAX bytes and a zip's bounded central directory. The event loop gets turns as it goes (`turn`).
 */
export async function walkTree(root: string, opts: WalkOptions): Promise<WalkResult> {
  const realRoot = realpathSync(root);
  const { include, exclude, skipsDir } = selection(opts);
  const out: WalkResult = { files: [], skipped: [], findings: [], pruned: [] };
  /** Model files of 0 bytes: one cause however many (a checkout that did not fetch them), one CPX023. */
  const emptyModels: string[] = [];
  const visitedDirs = new Set<string>();
  // The real paths (byte strings) of the folders walked: a link's target is resolved from them (resolveLinkFrom).
  const realDirs = new Set<string>();
  const realRootKey = byteKey(Buffer.from(realRoot));
  let keepLeft = opts.keepBudget ?? KEEP_BUDGET;
  // One read buffer for the whole walk (it reads one file at a time): a file's bytes are copied out only when kept,
  // so the thousands of source files the caller declines allocate nothing (bench `refs`: 23 MB of source).
  const scratch = new ScratchBuffer();
  // The caller's kind of file when it is to be read whole, else 0.
  const { content: filter } = opts;
  const wholeKind = (rel: string, size: number): number =>
    filter !== undefined && size <= KEEP_FILE_MAX && size <= keepLeft ? filter.kind(rel) : 0;

  const skip = (
    rel: string,
    reason: SkippedFile['reason'],
    detail: string,
    ruleId: string,
    message: string,
    level?: Finding['level'],
  ) => {
    out.skipped.push({ path: rel, reason, detail });
    out.findings.push({ ruleId, message, ...(level ? { level } : {}), location: { path: rel }, evidence: { reason } });
  };

  // `links`: the symbolic links (repo-relative) the way down to this folder went through, outermost first.
  async function visitDir(absDir: FsPath, relDir: string, realDir: string, links: readonly string[]): Promise<void> {
    await turn();
    let entries;
    try {
      // By device and inode, not real path: see directoryKey.
      const key = directoryKey(absDir);
      if (visitedDirs.has(key)) return;
      visitedDirs.add(key);
      realDirs.add(realDir);
      entries = listDirectory(absDir);
    } catch (err) {
      const rel = relDir || '.';
      // The root itself must be readable (the caller checked); below it, a failure is a finding, never an abort.
      if (relDir === '') throw err;
      const u = unreachable(rel, 'Directory', codeOf(err), 'nothing inside it was checked');
      skip(rel, u.reason, u.detail, u.ruleId, u.message);
      return;
    }
    for (const [i, { dirent: entry, name, abs }] of entries.entries()) {
      if (i > 0 && i % TURN_EVERY === 0) await turn();
      const rel = relDir ? `${relDir}/${name}` : name;
      if (exclude?.(rel)) continue;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      // The entry's real path, for a folder or a link only (a file's is never asked: thousands a walk).
      let realPath: string | undefined;
      if (entry.isSymbolicLink()) {
        const target = resolveInside(childKey(realDir, abs), realDir, realRootKey, realDirs);
        if (target.kind === 'outside') {
          skip(
            rel,
            'symlink-outside-root',
            target.detail,
            'CPX002',
            `Symbolic link ${rel} points outside the scan root and was not followed. A build that follows it loads a file review never saw; replace the link with the file or scan the target separately.`,
          );
          continue;
        }
        if (target.kind === 'broken') {
          if (target.detail === 'ENAMETOOLONG') {
            const u = unreachable(rel, 'Symbolic link', target.detail, 'it was not checked');
            skip(rel, u.reason, u.detail, u.ruleId, u.message);
          } else
            skip(
              rel,
              'symlink-broken',
              target.detail,
              'CPX001',
              `Symbolic link ${rel} could not be resolved (${target.detail}); it was not checked.`,
            );
          continue;
        }
        isDir = target.isDir;
        isFile = target.isFile;
        realPath = target.real;
      }
      const via = entry.isSymbolicLink() ? [...links, rel] : links;
      if (isDir) {
        if (skipsDir(name, rel)) {
          out.pruned.push(rel);
          continue;
        }
        await visitDir(abs, rel, realPath ?? childKey(realDir, abs), via);
      } else if (isFile) {
        if (include && !include(rel)) continue;
        const file = describeFile(abs, rel, !entry.isSymbolicLink(), wholeKind, filter, scratch, via);
        if ('reason' in file) {
          const u = unreachable(rel, 'File', file.detail, 'it was not checked');
          // A model nobody could read is not known to be safe: as serious as a model inspection cut short (CPI012).
          const level = u.ruleId === 'CPX001' && isModelName(rel) ? 'error' : undefined;
          skip(rel, u.reason, u.detail, u.ruleId, u.message, level);
        } else {
          if (file.content) keepLeft -= file.content.length;
          out.files.push(file);
          if (isEmptyModel(file)) emptyModels.push(rel);
        }
      } else if (!(include && !include(rel))) {
        const u = unreachable(rel, 'Path', specialKind(abs), 'it was not read');
        skip(rel, u.reason, u.detail, u.ruleId, u.message);
      }
    }
  }

  await visitDir(realRoot, '', realRootKey, []);
  const empty = emptyModelsFinding(emptyModels);
  if (empty) out.findings.push(empty);
  return out;
}

/**
 * `ScanContext.leftOut` for a walk with these options: an exclude glob on the path or a folder above it (the walk
 * prunes excluded folders), a folder of `skipDirs` on its way that no include glob names, or an include glob the
 * file does not match — the tests `walkTree` applies, asked of one path.
 */
export function leftOutBy(opts: Pick<WalkOptions, 'include' | 'exclude' | 'skipDirs'>): (rel: string) => boolean {
  const { include, exclude, skipsDir } = selection(opts);
  return (rel) => {
    const parts = rel.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      if (exclude?.(prefix)) return true;
      if (i < parts.length && skipsDir(parts[i - 1]!, prefix)) return true;
    }
    return include !== undefined && !include(rel);
  };
}

/** The walk's choices by path, for `walkTree` and `leftOutBy` alike. */
function selection(opts: Pick<WalkOptions, 'include' | 'exclude' | 'skipDirs'>) {
  const include = opts.include.length > 0 ? picomatch([...opts.include], { dot: true }) : undefined;
  const exclude = opts.exclude.length > 0 ? picomatch([...opts.exclude], { dot: true }) : undefined;
  return {
    include,
    exclude,
    /** A folder named in `skipDirs` (at `rel`) that no include glob reaches into. */
    skipsDir: (name: string, rel: string) => opts.skipDirs.includes(name) && !include?.(`${rel}/x`),
  };
}

/**
 * A turn for the event loop (timers, signals, the progress line): before each directory and every TURN_EVERY entries
 * of a large one, so a folder of 100,000 files does not hold it for seconds.
 */
const turn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));
const TURN_EVERY = 512;

/** Whether the name alone says the file is model weights (the catalogue's names, or a Hugging Face `.bin`). */
function isModelName(rel: string): boolean {
  const claimed = formatFromName(rel);
  return (claimed !== undefined && MODEL_FORMATS.has(claimed)) || EMPTY_MODEL_NAME.test(rel);
}

type Resolved =
  | { kind: 'inside'; isDir: boolean; isFile: boolean; real: string }
  | { kind: 'outside'; detail: string }
  | { kind: 'broken'; detail: string };

/** The byte-string path of the entry `abs` names in the real folder `realDir`. */
function childKey(realDir: string, abs: FsPath): string {
  const bytes = typeof abs === 'string' ? Buffer.from(abs) : abs;
  const name = byteKey(bytes.subarray(bytes.lastIndexOf(0x2f) + 1));
  return realDir === '/' ? `/${name}` : `${realDir}/${name}`;
}

/**
 * Where the link at `linkKey` in the real folder `realDir` leads. Paths are compared as byte strings (latin1): a
 * target whose name is not UTF-8 is still the file it names, and '/' and '.' are the same bytes either way.
 */
function resolveInside(linkKey: string, realDir: string, realRoot: string, realDirs: ReadonlySet<string>): Resolved {
  const resolved = resolveLinkFrom(realDir, path.posix.basename(linkKey), realDirs);
  if (resolved.kind === 'error') {
    // An unresolvable link whose own target already leaves the root (`/dev/stdin` → a pipe) is "outside".
    const literal = readlinkOrUndefined(Buffer.from(linkKey, 'latin1'));
    const first = literal !== undefined ? path.relative(realRoot, path.resolve(realDir, byteKey(literal))) : '';
    if (leavesBase(first)) return { kind: 'outside', detail: 'target outside root' };
    return { kind: 'broken', detail: resolved.code };
  }
  const relToRoot = path.relative(realRoot, resolved.path);
  if (leavesBase(relToRoot)) return { kind: 'outside', detail: 'target outside root' };
  const st = statSync(Buffer.from(resolved.path, 'latin1'));
  return { kind: 'inside', isDir: st.isDirectory(), isFile: st.isFile(), real: resolved.path };
}

/** A zip's member names, or undefined when its directory cannot be read (the file stays a plain `zip`). */
function zipNamesOrUndefined(fd: number, size: number): ReturnType<typeof readZipNames> | undefined {
  try {
    return readZipNames(fd, size);
  } catch {
    return undefined;
  }
}

function readlinkOrUndefined(abs: FsPath): Buffer | undefined {
  try {
    return readlinkSync(abs, { encoding: 'buffer' });
  } catch {
    return undefined;
  }
}

function describeFile(
  abs: FsPath,
  rel: string,
  noFollow: boolean,
  wholeKind: (rel: string, size: number) => number,
  filter: ContentFilter | undefined,
  scratch: ScratchBuffer,
  links: readonly string[],
): DiscoveredFile | { reason: 'unreadable'; detail: string } {
  try {
    // Non-blocking and re-checked on the descriptor: the entry may have become a FIFO or a symlink since readdir.
    const { fd, stats: st } = openRegularFileSync(abs, { noFollow });
    let detected: ReturnType<typeof detectFormat>;
    let content: Buffer | undefined;
    let declined = false;
    let pickleFreeHead = false;
    let sigstoreHead = false;
    let zipBehind = false;
    try {
      const kind = wholeKind(rel, st.size);
      const want = kind !== 0 ? st.size : Math.min(SNIFF_BYTES, st.size);
      // Only the bytes read are ever looked at: the buffer's tail holds an earlier file's.
      const buf = kind !== 0 && filter?.buffer ? filter.buffer(want) : scratch.get(want);
      // One read call for the sniff and the whole file alike (a second call site in a loop of its own cost V8 a
      // compile of readSync's internals, bench `refs`); a regular file reads short only when it shrank.
      const first = readSync(fd, buf, 0, want, 0);
      const bytesRead =
        kind !== 0 && first > 0 && first < want ? first + readFullyAt(fd, buf, first, want - first, first) : first;
      const head = buf.subarray(0, Math.min(bytesRead, SNIFF_BYTES));
      detected = detectFormat(head, rel, st.size, PROBED);
      if (PROBED.probe.pickleUndecided) detected = sniffFurther(fd, rel, st.size);
      // A candidate only: the signatures stage parses the whole file before it takes it for a model signature.
      sigstoreHead = detected.format === 'other' && detected.claimed === undefined && hasSigstoreBundleHead(head);
      if (detected.format === 'other' && detected.claimed === undefined)
        detected = searchedClaim(fd, rel, buf, bytesRead, st.size) ?? detected;
      // Kept only when read whole and nothing else claims it (the refs stage reads only `other` files).
      if (kind !== 0 && bytesRead === st.size && detected.format === 'other') {
        content = filter!.keep(kind, buf, bytesRead);
        declined = content === undefined;
      }
      // A zip is told apart (torch.save, TorchScript, .keras, .npz) by its central directory, as loaders do.
      if (detected.format === 'zip') {
        const zip = zipNamesOrUndefined(fd, st.size);
        if (zip?.ok) detected = detectFormat(head, rel, st.size, { zipNames: zip.names });
      } else if (detected.claimed !== undefined && ZIP_FROM_TAIL.has(detected.claimed)) {
        // A name whose loader finds the archive by its end record, behind leading bytes (catalogue `zipFromTail`).
        const behind = zipBehindHeadOf(fd, st.size, detected.format, detected.claimed);
        zipBehind = behind !== undefined;
        if (behind !== undefined && detected.format === 'other')
          detected = { format: behind, claimed: detected.claimed };
      }
      // A format whose first bytes may also be a pickle (inspect/content/leading-pickle.ts): the sniff's bytes
      // decide most files here, so that reader does not open them again.
      pickleFreeHead =
        LEADING_PICKLE_FORMATS.includes(detected.format) && leadingPickle(head, head.length >= st.size) === 'no';
    } finally {
      closeSync(fd);
    }
    const { format, claimed } = detected;
    return {
      path: rel,
      abs,
      size: st.size,
      dev: st.dev,
      ino: st.ino,
      mtimeMs: st.mtimeMs,
      ctimeMs: st.ctimeMs,
      format,
      ...(claimed !== undefined ? { claimed } : {}),
      ...(content !== undefined ? { content } : {}),
      ...(declined ? { contentDeclined: true as const } : {}),
      ...(pickleFreeHead ? { pickleFreeHead: true as const } : {}),
      ...(sigstoreHead ? { sigstoreHead: true as const } : {}),
      ...(zipBehind ? { zipBehindHead: true as const } : {}),
      ...(links.length > 0 ? { links } : {}),
    };
  } catch (err) {
    return { reason: 'unreadable', detail: err instanceof NotRegularFileError ? err.kind : codeOf(err) };
  }
}

/**
 * The class of the zip behind a head, for a name whose loader finds the archive by its end record; undefined when
 * there is none, or when nothing more is to be read from it. Behind a head no format claims, the file is that zip.
 * Behind a head a format claims (a pickle, HDF5, GGUF…) the file is both: the head's reader judges what its loader
 * reads by content (`pickle.load`, `torch.load` via `_is_zipfile` reading byte 0), the zip's what `zipfile` opens. A
 * name whose loader goes by the name (`loadedByName`: `.keras`, `.skops`) already gets its zip reader whatever the
 * head (inspect/stage.ts `analysersFor`), so its tail is not read again here.
 */
function zipBehindHeadOf(fd: number, size: number, head: FileFormat, claimed: FileFormat): FileFormat | undefined {
  if (head !== 'other' && entryOf(claimed).loadedByName === true) return undefined;
  return zipInTail(fd, size);
}

/**
 * What a zip found by its end record in the tail is (`classifyZip`), for a name whose loader opens it behind leading
 * bytes (catalogue `zipFromTail`); undefined when the tail holds no directory `zipfile` reads (`_EndRecData` finds
 * none, or the directory it points at does not parse). Only the tail and the directory are read.
 */
function zipInTail(fd: number, size: number): FileFormat | undefined {
  const zip = zipNamesOrUndefined(fd, size);
  if (zip?.ok !== true) return undefined;
  // torch.save's, TorchScript's, torch.package's and .npz archives are opened at byte 0 only: here a plain zip.
  const kind = classifyZip(zip.names);
  return ZIP_FROM_TAIL.has(kind) ? kind : 'zip';
}

/** The formats inspect/content/leading-pickle.ts reads for a pickle at byte 0. */
const LEADING_PICKLE_FORMATS = formatsReadBy('leading-pickle');

/** The walk reads one file at a time: one probe for all (detect.ts `SniffProbe`), no object a file. */
const PROBED = { probe: { pickleUndecided: false } };

/** How far `sniffFurther` reads. */
export const SNIFF_FURTHER_BYTES = 1024 * 1024;

/**
 * A file whose head is a well-formed pickle stream cut off before it can be told from other bytes (a STRING or
 * BINUNICODE longer than the head first: `pickle.load` reads any length, and a malicious pickle padded so was no model
 * file at all). Its first SNIFF_FURTHER_BYTES decide; a stream still undecided past them is taken for a pickle, so the
 * pickle inspector reads it whole and reports what it is — never a silent pass.
 */
function sniffFurther(fd: number, rel: string, size: number): ReturnType<typeof detectFormat> {
  const more = Buffer.allocUnsafe(Math.min(size, SNIFF_FURTHER_BYTES));
  const n = readFullyAt(fd, more, 0, more.length, 0);
  // The probe says again whether the stream is still undecided (never, once these bytes are all of the file).
  const head = more.subarray(0, n);
  const again = detectFormat(head, rel, size, PROBED);
  if (!PROBED.probe.pickleUndecided) return again;
  return sniffPastDataLine(fd, head, size) === 'not-pickle' ? again : { ...again, format: 'pickle' };
}

/** How far past the bytes `sniffFurther` read the newline of a long data line is looked for. */
const MAX_LINE_SEARCH = 64 * 1024 * 1024;

/**
 * A head still undecided because it ends inside a long UNICODE or STRING line, with nothing imported or called before
 * (pickle-head.ts `openDataLine`): `pickle.load` reads that line to its newline and goes on at the next opcode, so
 * the bytes after the newline decide, as they would have in a shorter file. A line that runs to the end of the file
 * is "pickle data was truncated" with nothing run. `more` (taken for a pickle) when no newline is found within
 * MAX_LINE_SEARCH of a file that goes on.
 */
function sniffPastDataLine(fd: number, head: Buffer, size: number): PickleSniff {
  const lineAt = openDataLine(head);
  if (lineAt === undefined) return 'more';
  const searchEnd = Math.min(size, head.length + MAX_LINE_SEARCH);
  const nl = findNewline(fd, head.length, searchEnd);
  if (nl === undefined) return searchEnd >= size ? 'not-pickle' : 'more';
  const length = nl - lineAt;
  const edges =
    length >= 2 ? Buffer.concat([readAt(fd, lineAt, 1), readAt(fd, nl - 1, 1)]) : readAt(fd, lineAt, length);
  const rest = readAt(fd, nl + 1, Math.min(SNIFF_FURTHER_BYTES, size - nl - 1));
  const whole = nl + 1 + rest.length >= size;
  return sniffAfterLine(head.subarray(0, lineAt), edges, rest, whole, size - length + edges.length);
}

/** The offset of the first newline in the file's bytes `[from, to)`, read a bounded chunk at a time. */
function findNewline(fd: number, from: number, to: number): number | undefined {
  const chunk = Buffer.allocUnsafe(Math.min(SNIFF_FURTHER_BYTES, Math.max(0, to - from)));
  for (let pos = from; pos < to;) {
    const n = readSync(fd, chunk, 0, Math.min(chunk.length, to - pos), pos);
    if (n === 0) return undefined;
    const i = chunk.subarray(0, n).indexOf(0x0a);
    if (i >= 0) return pos + i;
    pos += n;
  }
  return undefined;
}

/** Up to `length` bytes of the file at `pos` (fewer at its end). */
function readAt(fd: number, pos: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  return buf.subarray(0, readFullyAt(fd, buf, 0, length, pos));
}

/**
 * A chat template under another name (discover/formats/chat-template-head.ts) is still `other`, so the readers of
 * source and config keep it; what the bytes showed is its claim, which routes it to the chat-template inspector.
 */
const CHAT_TEMPLATE_FILE = { format: 'other', claimed: 'chat-template-file' } as const;

/** The search reads this much at a time, into one buffer for the whole walk. */
export const TEMPLATE_CHUNK = 256 * 1024;
let templateChunk: Buffer | undefined;

/**
 * A Keras model JSON under another name (discover/formats/keras-json-head.ts) is still `other`, like a chat template
 * file; its claim routes it to the Keras config check.
 */
const KERAS_JSON_FILE = { format: 'other', claimed: 'keras-json-file' } as const;

/** A YAML file showing PyYAML's python tags is still `other`; its claim routes it to the python-tag check. */
const YAML_PYTHON_TAGS = { format: 'other', claimed: 'yaml-python-tags' } as const;

/**
 * Whether a file is a chat template or a Keras model JSON under another name, or a YAML file with python tags, in one
 * pass over its bytes. The whole
 * file, not its first MAX_TEMPLATE_FILE: json.load and PyYAML read a config of any size, so a key padded past that
 * bound is still a template a runtime renders (or a model `model_from_json` builds); found there, the inspector
 * reports the file as past its limit (CPI051), not a pass. A JSON file that shows both is a chat template
 * candidate, which the Keras check reads too.
 */
function searchedClaim(
  fd: number,
  rel: string,
  buf: Buffer,
  read: number,
  size: number,
): typeof CHAT_TEMPLATE_FILE | typeof KERAS_JSON_FILE | typeof YAML_PYTHON_TAGS | undefined {
  const kind = templateFileKind(rel);
  const head = buf.subarray(0, Math.min(read, SNIFF_BYTES));
  if (kind === undefined) return kerasJsonUnderAnyName(fd, buf, read, size, head);
  if (!mayBeTemplateFile(kind, head)) return undefined;
  // `model_from_json` reads text whatever the name: a `.json` file's (an object, as mayBeTemplateFile saw), and a
  // YAML or template file's whose head opens a JSON object (`config.yaml` holding `model.to_json()`), bounded as a
  // file of any other name is (kerasJsonUnderAnyName).
  const json = opensKerasJsonText(kind, head, size);
  let keras = false;
  let pythonTags = false;
  // The template needles' overlap covers the Keras and python-tag signs too: `class_name` (10 bytes), `python/`.
  const template = searchFile(fd, buf, read, size, TEMPLATE_NEEDLE_OVERLAP, (bytes) => {
    if (kind !== 'json') {
      keras ||= json && showsKerasKey(bytes);
      pythonTags ||= kind === 'yaml' && showsPythonTagSign(bytes);
      return showsTemplateSign(kind, bytes);
    }
    const sign = jsonChunkSign(bytes);
    keras ||= sign === 'class-name';
    return sign === 'template-key';
  });
  // A chat template candidate is judged as a Keras model too when it is JSON text, and for python tags when it is
  // YAML (hf-chat-template.ts).
  return template ? CHAT_TEMPLATE_FILE : keras ? KERAS_JSON_FILE : pythonTags ? YAML_PYTHON_TAGS : undefined;
}

/**
 * A file of a name no reader takes that may be `model.to_json()`'s text: `model_from_json(open(path).read())` reads
 * any name (`model.cfg`, `arch.txt`). Its head must open a JSON object, so other files cost one look at a byte or
 * two; a candidate's `class_name` is searched for in the whole file, as for a `.json` file.
 */
function kerasJsonUnderAnyName(
  fd: number,
  buf: Buffer,
  read: number,
  size: number,
  head: Buffer,
): typeof KERAS_JSON_FILE | undefined {
  if (!opensJsonObject(head)) return undefined;
  // The inspector reads such a file only up to MAX_TEMPLATE_FILE and reports a larger one as past its limit: under a
  // name of any kind that is a dataset (a `.jsonl` of COCO-style `class_name` labels), not `model.to_json()`'s text.
  if (size > MAX_TEMPLATE_FILE) return undefined;
  return searchFile(fd, buf, read, size, TEMPLATE_NEEDLE_OVERLAP, showsKerasKey) ? KERAS_JSON_FILE : undefined;
}

/**
 * Whether `shows` finds its sign in a file: the `read` bytes decide (the head, or the whole file when the caller
 * wanted it whole), else the rest of it, a chunk at a time.
 */
function searchFile(
  fd: number,
  buf: Buffer,
  read: number,
  size: number,
  overlap: number,
  shows: (bytes: Buffer) => boolean,
): boolean {
  if (shows(buf.subarray(0, read))) return true;
  if (read >= size) return false;
  // Made on the first file that needs it: a buffer made for every walk started a major GC early (bench `refs`).
  const chunk = (templateChunk ??= Buffer.allocUnsafe(TEMPLATE_CHUNK));
  // Each read starts a little before the last one ended, so a key cut in two by the boundary is still seen whole.
  for (let at = Math.max(0, read - overlap); at + overlap < size;) {
    const n = readSync(fd, chunk, 0, Math.min(TEMPLATE_CHUNK, size - at), at);
    // A file that shrank since fstat reads short: what is left is not searched further.
    if (n <= overlap) return false;
    if (shows(chunk.subarray(0, n))) return true;
    at += n - overlap;
  }
  return false;
}

/** A buffer reused for every read of one walk, grown to the largest read (at most KEEP_FILE_MAX). */
class ScratchBuffer {
  private buf = Buffer.allocUnsafe(SNIFF_BYTES);
  /** A view of exactly `size` bytes; valid until the next call. */
  get(size: number): Buffer {
    if (size > this.buf.length)
      this.buf = Buffer.allocUnsafe(Math.max(size, Math.min(2 * this.buf.length, KEEP_FILE_MAX)));
    return this.buf.subarray(0, size);
  }
}

/** What a non-regular, non-directory entry is, for the finding (lstat never blocks, even on a FIFO). */
function specialKind(abs: FsPath): string {
  try {
    const st = statSync(abs);
    return st.isFIFO()
      ? 'FIFO'
      : st.isSocket()
        ? 'socket'
        : st.isCharacterDevice() || st.isBlockDevice()
          ? 'device'
          : 'special file';
  } catch (err) {
    return codeOf(err);
  }
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : errorMessage(err);
}

/** For tests and tools that need the entry type without following it. */
export async function isSymlink(p: string): Promise<boolean> {
  return (await lstat(p)).isSymbolicLink();
}
