import { checksumOk, looksLikeTar, parseOctal, pythonInt, tarHeaderProblem } from '../../discover/formats/tar-head.js';
import { ContainerLimitError } from './errors.js';
import { unsafeMemberName } from './names.js';
import {
  escapingLinkTarget,
  linkSteps,
  symlinksEscapingThroughOthers,
  type EscapeChain,
  type LinkSteps,
} from './tar-links.js';
import { oldGnuSparse, paxSparse, rebuildSparse, type SparseMap } from './tar-sparse.js';
import { trimEndRun } from '../../core/linear-text.js';

export interface TarEntry {
  readonly name: string;
  readonly size: number;
  /** '0' file, '5' directory, '2' symlink… */
  readonly type: string;
  /** Target of a hard ('1') or symbolic ('2') link member, as written. */
  readonly linkName?: string;
  /** Byte offset of the member's own header in the archive (after any long-name or PAX records before it). */
  readonly header: number;
  read(): Buffer;
}

/** A link member whose target leaves the archive once extracted. */
export interface UnsafeLink {
  readonly name: string;
  readonly target: string;
  readonly kind: 'symlink' | 'hardlink';
  /** For a target that reads as inside: the first links of the chain it leaves through (`symlinksEscapingThroughOthers`). */
  readonly chain?: EscapeChain;
}

export interface TarArchive {
  readonly entries: TarEntry[];
  readonly problems: string[];
  readonly unsafeNames: string[];
  readonly unsafeLinks: UnsafeLink[];
}

/**
 * Header types CPython's tarfile knows (`tarfile.SUPPORTED_TYPES`) and does not hand out as a file: links, devices,
 * directories, FIFOs, and the GNU long-name records. PAX (`x`, `g`, Solaris `X`) records are read as headers.
 */
const TARFILE_NOT_A_FILE = new Set(['1', '2', '3', '4', '5', '6', 'L', 'K', 'x', 'g', 'X']);

/**
 * Whether Python's tarfile reads a member of this type as a regular file. `TarFile.extractfile` returns a file for
 * `tarinfo.isreg() or tarinfo.type not in SUPPORTED_TYPES`, and `extract` writes an unknown type as a regular file
 * (`makeunknown`): so a member typed '9' or 'V' is a file to torch's `_legacy_load` and to anyone extracting.
 * GNU sparse ('S') is a file too, rebuilt from its sparse map (tar-sparse.ts).
 */
export function tarfileReadsAsFile(type: string): boolean {
  return !TARFILE_NOT_A_FILE.has(type);
}

/**
 * Tar images the stream walk built (content/tar-stream.ts `walkTarStream`), with the image offsets of the headers it
 * rewrote to a FIFO because it read their members' bodies itself: those are its marks, the rest of the image's FIFOs
 * are the archive's own. Keyed by the image: no header byte can say so, as a crafted tar could write the same bytes.
 * By offset, not name: the walk and `tarMembers` then agree whatever long-name or PAX records name the member.
 */
export const WALKED_IMAGE_MARKS = new WeakMap<Buffer, ReadonlySet<number>>();

/** An old-GNU sparse member ('S'): tarfile rebuilds it from a sparse map (`_proc_sparse`), holes as zeros. */
export function isSparseMember(type: string): boolean {
  return type === 'S';
}

/** Whether a buffer looks like a tar archive (ustar magic, or a v7 header whose checksum adds up). */
export function isTar(data: Buffer): boolean {
  return data.length >= 512 && looksLikeTar(data);
}

export { checksumOk, parseOctal, pythonInt, tarHeaderProblem };

/**
 * Read a tar archive from memory: ustar, GNU long names and PAX `path`/`size` records; names and links judged, the
 * symlinks followed within what is left of `steps` (one budget for every tar of a file). The tar that spends it says
 * so, for itself and the tars read after it: one cause, one problem.
 */
export function readTar(data: Buffer, maxEntries = 100_000, steps: LinkSteps = linkSteps()): TarArchive {
  const { entries, problems } = tarMembers(data, maxEntries);
  const spentBefore = steps.left < 0;
  const links = symlinksEscapingThroughOthers(entries, steps);
  if (links.exhausted && !spentBefore)
    problems.push(
      `its symlinks were not all followed (more than ${steps.total} path steps for the file): a link that leaves the extraction folder only through other links was not checked, here or in a tar read after it`,
    );
  return {
    entries,
    problems,
    unsafeNames: entries.map((e) => e.name).filter((n) => unsafeMemberName(n)),
    unsafeLinks: unsafeLinksOf(entries, links.escaping),
  };
}

/**
 * The members of a tar archive in memory and why it was not read to its end; no name or link judged. Past
 * `maxEntries` members it throws (ContainerLimitError): each caller passes its limits' bound, never a default of its
 * own, so a walk and its re-read of one image stop at the same member.
 */
export function tarMembers(data: Buffer, maxEntries: number): { entries: TarEntry[]; problems: string[] } {
  const entries: TarEntry[] = [];
  const problems: string[] = [];
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax: Record<string, string> = {};
  for (let p = 0; p + 512 <= data.length;) {
    const header = p;
    const h = data.subarray(p, p + 512);
    if (h.every((b) => b === 0)) break;
    // Where `TarInfo.frombuf` raises, `TarFile.next` ends the archive: stop there too, and say so.
    const bad = tarHeaderProblem(h);
    if (bad !== undefined) {
      problems.push(`tar header at byte ${p} ${bad}`);
      break;
    }
    const type = String.fromCharCode(h[156] || 0x30);
    let size = parseOctal(h.subarray(124, 136)) ?? 0;
    // `_proc_pax` → `_apply_pax_info`: a PAX `size` is `int(value)`, and 0 where that raises.
    if (pax.size !== undefined) size = pythonInt(pax.size, 10) ?? 0;
    if (size < 0) {
      problems.push(`tar header at byte ${p} declares a negative size`);
      break;
    }
    // An old-GNU sparse header is followed by its extension blocks, then the data (tarfile `_proc_sparse`).
    let sparse: SparseMap | Error | undefined;
    let start = p + 512;
    if (isSparseMember(type)) {
      try {
        const s = oldGnuSparse(data, p);
        sparse = s.map;
        start += 512 * s.extBlocks;
      } catch (err) {
        sparse = err as Error;
      }
    }
    if (start + size > data.length) problems.push(`tar member at byte ${p} is truncated`);
    const end = Math.min(data.length, start + size);
    const body = data.subarray(start, end);
    p = start + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = trimEndRun(body.toString('utf8'), '\0');
      continue;
    }
    if (type === 'K') {
      longLink = trimEndRun(body.toString('utf8'), '\0');
      continue;
    }
    // tarfile reads a Solaris 'X' header as PAX too (`_proc_member`: XHDTYPE, XGLTYPE, SOLARIS_XHDTYPE).
    if (type === 'x' || type === 'X') {
      pax = parsePax(body);
      continue;
    }
    if (type === 'g') continue;
    const prefix = h.toString('latin1', 345, 500).replace(/\0.*$/s, '');
    const base = h.toString('utf8', 0, 100).replace(/\0.*$/s, '');
    let name = pax.path ?? longName ?? (prefix ? `${prefix}/${base}` : base);
    let stored = body;
    if (sparse === undefined && tarfileReadsAsFile(type)) {
      try {
        const px = paxSparse(pax, body);
        if (px) {
          sparse = px.map;
          stored = body.subarray(px.dataStart);
          name = pax['GNU.sparse.name'] ?? name;
        }
      } catch (err) {
        sparse = err as Error;
      }
    }
    // GNU tar and Python's tarfile take the link target from PAX `linkpath`, then a GNU 'K' record, then the header.
    const linkName = pax.linkpath ?? longLink ?? h.toString('utf8', 157, 257).replace(/\0.*$/s, '');
    longName = undefined;
    longLink = undefined;
    pax = {};
    if (entries.length >= maxEntries) throw new ContainerLimitError(`tar has more than ${maxEntries} entries`);
    // A sparse member is the file tarfile rebuilds (chunks at their offsets, zeros between), not its stored bytes.
    const read =
      sparse === undefined
        ? () => body
        : () => {
            if (sparse instanceof Error) throw sparse;
            return rebuildSparse(sparse, stored);
          };
    const fullSize = sparse === undefined || sparse instanceof Error ? size : sparse.realSize;
    entries.push({ name, size: fullSize, type, ...(type === '1' || type === '2' ? { linkName } : {}), header, read });
  }
  return { entries, problems };
}

function unsafeLinksOf(
  entries: readonly TarEntry[],
  escapingThroughSymlinks: ReadonlyMap<TarEntry, EscapeChain>,
): UnsafeLink[] {
  const out: UnsafeLink[] = [];
  for (const e of entries) {
    if (e.linkName === undefined) continue;
    const kind = e.type === '2' ? 'symlink' : 'hardlink';
    const chain = escapingThroughSymlinks.get(e);
    if (escapingLinkTarget(e.name, e.linkName, kind)) out.push({ name: e.name, target: e.linkName, kind });
    else if (chain !== undefined) out.push({ name: e.name, target: e.linkName, kind, chain });
  }
  return out;
}

export function parsePax(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  const s = body.toString('utf8');
  for (let i = 0; i < s.length;) {
    const sp = s.indexOf(' ', i);
    if (sp < 0) break;
    const len = Number(s.slice(i, sp));
    if (!(len > 0)) break;
    const rec = s.slice(sp + 1, i + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}
