import type { Finding } from '../../core/finding.js';
import type { FileSource } from '../../core/file-source.js';
import {
  isSparseMember,
  isTar,
  parseOctal,
  parsePax,
  pythonInt,
  tarMembers,
  tarfileReadsAsFile,
  tarHeaderProblem,
  WALKED_IMAGE_MARKS,
} from '../containers/tar.js';
import { hardLinkTargets, type LinkSteps } from '../containers/tar-links.js';
import { isNemoConfig, nemoConfigMembers, oversizedNemoConfig } from './nemo-config.js';
import type { AllowContext } from '../pickle/allowlist.js';
import { analysePickleFile, looksLikePickleStream } from '../pickle/pickles.js';
import { trimEndRun } from '../../core/linear-text.js';
import { isHdf5 } from '../../discover/catalogue/sniffers.js';
import { judgeMemberSource, memberContentClaimed, memberNameClaimed } from './member-formats.js';
import { sliceSource } from './member-stream.js';

/** Members up to this size stay in the tar image that the in-memory reader walks; larger ones are read here. */
const KEEP = 8 << 20;
/** GNU long-name and PAX records are small; a larger one is refused. */
const MAX_RECORD = 1 << 20;
/** A legacy PyTorch tar is judged from these members together (inspectTar): never taken out of the image. */
const LEGACY_TORCH = new Set(['sys_info', 'pickle', 'storages', 'tensors']);
/**
 * Type of a member whose body was read here: readTar lists it (names, links), inspectTar does not open it. A FIFO:
 * tarfile never hands one out as a file, while an unknown type such as 'V' it does (`tarfileReadsAsFile`). The walk
 * records its marks by header offset (`WALKED_IMAGE_MARKS`), so the archive's own FIFOs are still told apart and
 * reported.
 */
const READ_HERE = '6';
/** Headers readTar reads as part of the next member (GNU long names and links, PAX), not as members it counts. */
const TAR_META_TYPES = new Set(['L', 'K', 'x', 'X', 'g']);

export interface TarStreamTarget {
  readonly path: string;
  readonly allow: AllowContext;
  /** Where the tar sits (`<gzip>`); undefined for a tar file read by ranges. */
  readonly member: string | undefined;
  readonly maxImage: number;
  /** readTar's entry bound: past it the walk stops, as the in-memory reader would throw there (ContainerLimitError). */
  readonly maxEntries: number;
  /** The file's budget for following symlinks, which the in-memory reader of the image goes on spending. */
  readonly linkSteps: LinkSteps;
  /** The tar's stream again from its start, when it only reads forward (pickles.ts `PickleTarget.reopen`). */
  readonly reopen?: () => Promise<FileSource>;
}

/** A tar's bytes: a decompressed stream (whose cap shows as `limitHit`) or a plain file read by ranges. */
export type TarSource = FileSource & { readonly limitHit?: boolean };

/**
 * Walk a tar inside a decompressed stream (or a plain tar file too large to hold), in order, as `tarfile` reads it. Headers and small
 * members are copied into an image for the usual in-memory reader (readTar/inspectTar: names, links, nesting);
 * a large member is not stored: its header stays (size 0, a type inspectTar skips) and its body, when it is a
 * pickle, goes through the pickle reader by range, so a payload after a gigabyte of padding is still found.
 * Returns undefined when the walk cannot keep parity with the in-memory reader (PAX sizes on a large member, a
 * large legacy-torch record, an image past `maxImage`): the caller falls back to the capped in-memory path.
 */
export async function walkTarStream(
  s: TarSource,
  t: TarStreamTarget,
  findings: Finding[],
): Promise<Buffer | undefined> {
  const image: Buffer[] = [];
  let imageBytes = 0;
  const keep = (b: Buffer): boolean => {
    image.push(b);
    imageBytes += b.length;
    return imageBytes <= t.maxImage;
  };
  // Members too large to keep that no reader judged (name → size): a .nemo config that is, or links to, one of them
  // was not checked, and says so.
  const unread = new Map<string, number>();
  // Image offsets of the headers the image holds as READ_HERE (`WALKED_IMAGE_MARKS`).
  const marks = new Set<number>();
  const listed = (h: Buffer): boolean => {
    marks.add(imageBytes);
    return keep(listedOnly(h));
  };
  let members = 0;
  const done = (): Buffer => {
    const tar = Buffer.concat(image);
    WALKED_IMAGE_MARKS.set(tar, marks);
    // Stopped one member past the bound, the image is one readTar throws on (inspectTar's CPI012 for the whole
    // archive, its config with it): listing it again at that bound would throw here, out of the walk, losing what
    // the walk found (the analyser failing, CPX003, or a gzip stream read again whole).
    if (members <= t.maxEntries) findings.push(...unreadNemoConfigs(tar, unread, t));
    return tar;
  };
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  for (let p = 0; ;) {
    const h = await s.read(p, 512);
    if (h.length < 512 || h.every((b) => b === 0) || tarHeaderProblem(h) !== undefined) {
      keep(h); // readTar reports a bad checksum or truncation from here
      return done();
    }
    const type = String.fromCharCode(h[156] || 0x30);
    // One member past readTar's bound, listed only, is where it throws (the CPI012 it gives): walking on would only
    // grow the image, a header for each 512 bytes of a few compressed kilobytes of empty members.
    if (!TAR_META_TYPES.has(type) && ++members > t.maxEntries) {
      listed(h);
      return done();
    }
    const paxSize = pax['size'] !== undefined;
    const size = paxSize ? (pythonInt(pax['size']!, 10) ?? 0) : (parseOctal(h.subarray(124, 136)) ?? 0);
    if (size < 0) {
      keep(h); // readTar reports the negative size from here
      return done();
    }
    const start = p + 512;
    const next = start + Math.ceil(size / 512) * 512;
    // An old-GNU sparse header may be followed by extension blocks its size does not count: the in-memory reader
    // (tar-sparse.ts) walks them and rebuilds the member.
    if (isSparseMember(type)) return undefined;
    const regular = tarfileReadsAsFile(type);
    if (!regular && size > MAX_RECORD) return undefined;
    if (!regular || size <= KEEP) {
      const body = await s.read(start, next - start);
      if (!keep(h) || !keep(body)) return undefined;
      if (body.length < next - start) return done();
      if (type === 'x' || type === 'X') pax = parsePax(body.subarray(0, size));
      else if (type === 'L') longName = trimEndRun(body.toString('utf8', 0, size), '\0');
      else if (type !== 'g' && type !== 'K') {
        pax = {};
        longName = undefined;
      }
      p = next;
      continue;
    }
    const name = headerName(h, pax, longName);
    // A PAX sparse member is rebuilt from its map by the in-memory reader (tar-sparse.ts), never read raw here.
    const paxSparse = Object.keys(pax).some((k) => k.startsWith('GNU.sparse.'));
    if (paxSize || paxSparse || LEGACY_TORCH.has(name)) return undefined;
    pax = {};
    longName = undefined;
    const head = await s.read(start, Math.min(size, 1 << 16));
    const member = t.member === undefined ? name : `${t.member}!${name}`;
    // A model its own format reads by ranges (a GGUF's metadata) is judged here, not held whole (member-formats.ts).
    const judged = await judgeMemberSource(sliceSource(s, start, size), head, name, {
      path: t.path,
      member,
      allow: t.allow,
    });
    if (judged !== undefined) {
      findings.push(...judged.findings);
      if (!listed(h)) return undefined;
      if (s.limitHit === true) return done();
      p = next;
      continue;
    }
    // inspectTar: a `.pkl`/`.pickle` name is parsed whatever it holds; other members are sniffed.
    const pickle = /\.(pkl|pickle)$/i.test(name) || looksLikePickleStream(head, false);
    const recognised = !unrecognised(head, name, size);
    if (!pickle && recognised && imageBytes + 512 + (next - start) <= t.maxImage) {
      // A nested archive or .npy that fits stays whole for the in-memory reader, as before.
      const body = await s.read(start, next - start);
      if (!keep(h) || !keep(body)) return undefined;
      p = next;
      continue;
    }
    if (!listed(h)) return undefined;
    if (pickle) {
      const what = { path: t.path, allow: t.allow, what: 'pickle', member, ...(t.reopen ? { reopen: t.reopen } : {}) };
      findings.push(...(await analysePickleFile(s, what, start, start + size)));
    } else if (recognised) {
      findings.push({
        ruleId: 'CPI012',
        level: 'error',
        message: `${t.path} (${member}): a ${size}-byte archive member is too large to inspect in memory; it was not checked.`,
        location: { path: t.path, member },
        evidence: { limit: 'memory', size },
      });
    } else unread.set(name, size);
    if (s.limitHit === true) return done();
    p = next;
  }
}

/**
 * A NeMo config (`model_config.yaml`, or the member it links to: `nemoConfigMembers`) among the members too large to
 * keep: what `restore_from` would instantiate was not read, which is said (CPI015), never passed silently.
 */
function unreadNemoConfigs(tar: Buffer, unread: ReadonlyMap<string, number>, t: TarStreamTarget): Finding[] {
  if (unread.size === 0) return [];
  // readTar's bound (inspectTar), the one the walk stopped at: never a member the in-memory reader would not list.
  const { entries } = tarMembers(tar, t.maxEntries);
  const configs = nemoConfigMembers(entries, hardLinkTargets(entries), t.linkSteps).members;
  const out: Finding[] = [];
  for (const e of configs) {
    const size = e.type === READ_HERE ? unread.get(e.name) : undefined;
    if (size === undefined) continue;
    const link = entries.find((l) => isNemoConfig(l.name) && l !== e);
    const member = t.member === undefined ? e.name : `${t.member}!${e.name}`;
    out.push(oversizedNemoConfig(size, t.path, member, isNemoConfig(e.name) ? undefined : link?.name));
  }
  return out;
}

/** A member's name as tarfile reads it: a PAX `path`, else a GNU long name, else the ustar prefix and name. */
function headerName(h: Buffer, pax: Readonly<Record<string, string>>, longName: string | undefined): string {
  const prefix = h.toString('latin1', 345, 500).replace(/\0.*$/s, '');
  const base = h.toString('utf8', 0, 100).replace(/\0.*$/s, '');
  return pax['path'] ?? longName ?? (prefix ? `${prefix}/${base}` : base);
}

/** The header of a member read here: size 0 and a type inspectTar does not open, checksum redone. */
function listedOnly(h: Buffer): Buffer {
  const listed = Buffer.from(h);
  listed.write('00000000000\0', 124, 'latin1');
  listed.write(READ_HERE, 156, 'latin1');
  listed.write('        ', 148, 'latin1');
  let sum = 0;
  for (const b of listed) sum += b;
  listed.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return listed;
}

/**
 * Bytes that no reader here would open: not a zip, compressed stream, tar, .npy, 7z, RAR or HDF5 file, nor a member
 * a model format claims by its name (a SavedModel's `saved_model.pb`) or by its content (a PyTorch Mobile
 * flatbuffer under any name): content/member-formats.ts judges those.
 */
function unrecognised(h: Buffer, name: string, size: number): boolean {
  if (memberNameClaimed(name) || isHdf5({ head: h, size: h.length, claimed: undefined })) return false;
  if (memberContentClaimed(h, size)) return false;
  if (h.length >= 4 && (h.readUInt32LE(0) === 0x04034b50 || h.readUInt32LE(0) === 0x06054b50)) return false;
  if (h.toString('latin1', 0, 6) === '\x93NUMPY') return false;
  if (isTar(h)) return false;
  if (h[0] === 0x1f && h[1] === 0x8b) return false;
  if (h.toString('latin1', 0, 3) === 'BZh' || h.toString('latin1', 1, 5) === '7zXZ') return false;
  if (h.toString('latin1', 0, 2) === '7z' || h.toString('latin1', 0, 4) === 'Rar!') return false;
  return true;
}
