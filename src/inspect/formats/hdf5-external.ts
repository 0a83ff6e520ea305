/**
 * HDF5 references to other files, which h5py follows on a plain `group[name]` and Keras's weight loaders read
 * (`legacy_h5_format.load_weights_from_hdf5_group`, `saving_lib` before `safe_get_h5_group`/`safe_get_h5_dataset`,
 * CVE-2026-1669): an external link (link message, type 6, link type 64) and external raw storage (External Data
 * Files message, type 7). A weights file has no reason to hold either.
 *
 * HEURISTIC, like the config scan beside it: the messages are recognised by their byte layout (HDF5 file format
 * spec, "Link Message" and "External Data Files Message") wherever they sit, not by walking the object headers.
 */
export interface Hdf5External {
  readonly kind: 'external-link' | 'external-storage';
  /** Offset of the message body in the buffer. */
  readonly at: number;
  /** `file` and `object path` of an external link. */
  readonly target?: string;
}

const LINK_VERSION = 0x01;
const LINK_TYPE_PRESENT = 0x08;
const LINK_EXTERNAL = 64;

/** External links and external storage whose message body starts before `limit` in `buf`. */
export function findHdf5External(buf: Buffer, limit = buf.length): Hdf5External[] {
  const out: Hdf5External[] = [];
  for (let i = buf.indexOf(LINK_EXTERNAL, 2); i >= 0 && i - 2 < limit; i = buf.indexOf(LINK_EXTERNAL, i + 1)) {
    const target = externalLinkAt(buf, i - 2);
    if (target !== undefined) out.push({ kind: 'external-link', at: i - 2, target });
  }
  for (let i = buf.indexOf(0x07); i >= 0 && i < limit; i = buf.indexOf(0x07, i + 1)) {
    if (isExternalStorageAt(buf, i)) out.push({ kind: 'external-storage', at: i });
  }
  return out;
}

/**
 * A link message body: version 1, flags (bit 3: link type present), type 64, optional creation order (bit 2) and
 * charset (bit 4), the name length in 1/2/4/8 bytes (bits 0–1), the name, then a u16 length and the external
 * link value: one flags byte and two NUL-terminated strings, the file and the object path.
 */
function externalLinkAt(buf: Buffer, at: number): string | undefined {
  const flags = buf[at + 1]!;
  if (buf[at] !== LINK_VERSION || !(flags & LINK_TYPE_PRESENT) || flags > 0x1f) return undefined;
  let p = at + 3 + (flags & 0x04 ? 8 : 0) + (flags & 0x10 ? 1 : 0);
  const width = 1 << (flags & 3);
  if (p + width > buf.length || width > 4) return undefined;
  const nameLen = buf.readUIntLE(p, width);
  p += width + nameLen;
  if (nameLen === 0 || p + 2 > buf.length) return undefined;
  const valueLen = buf.readUInt16LE(p);
  p += 2;
  if (valueLen < 4 || p + valueLen > buf.length || buf[p] !== 0) return undefined;
  const value = buf.subarray(p + 1, p + valueLen);
  const nul = value.indexOf(0);
  if (nul <= 0 || value[value.length - 1] !== 0 || value.indexOf(0, nul + 1) !== value.length - 1) return undefined;
  const text = value.toString('latin1', 0, value.length - 1);
  return /^[\x20-\x7e]+\0[\x20-\x7e]*$/.test(text) ? text.replace('\0', ':') : undefined;
}

/**
 * An External Data Files message with its object-header message prefix: v1 headers (type u16, size u16, flags,
 * 3 reserved) or v2 (type u8, size u16, flags); the body is version 1, 3 reserved zero bytes, allocated and used
 * slot counts (u16, used ≥ 1, ≤ allocated).
 */
function isExternalStorageAt(buf: Buffer, i: number): boolean {
  for (const body of [i + 8, i + 4, i + 6]) {
    if (body === i + 8 && (buf[i + 1] !== 0 || buf[i + 5] !== 0 || buf[i + 6] !== 0 || buf[i + 7] !== 0)) continue;
    if (body + 8 > buf.length) continue;
    if (buf[body] !== 1 || buf[body + 1] !== 0 || buf[body + 2] !== 0 || buf[body + 3] !== 0) continue;
    const allocated = buf.readUInt16LE(body + 4);
    const used = buf.readUInt16LE(body + 6);
    const size = buf.readUInt16LE(body === i + 8 ? i + 2 : i + 1);
    if (used >= 1 && used <= allocated && size >= 8 + 8 + 24 * used && size <= 8 + 8 + 24 * allocated + 8) return true;
  }
  return false;
}
