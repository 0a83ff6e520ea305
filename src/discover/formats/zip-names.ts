import type { FileHandle } from 'node:fs/promises';

/** Bounds for reading a zip's central directory during discovery (the inspect stage reads members). */
const MAX_CD_BYTES = 8 * 1024 * 1024;
const MAX_ENTRIES = 20_000;
const EOCD_SIG = 0x06054b50;
const EOCD_MIN = 22;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CDH_SIG = 0x02014b50;

export type ZipNames =
  | { readonly ok: true; readonly names: readonly string[]; readonly truncated: boolean }
  | { readonly ok: false; readonly reason: string };

/**
 * Entry names from a zip's central directory, found the way Python's `zipfile` (and so `torch.load`) finds it:
 * the last end-of-central-directory record, the directory just before it (data prepended to the archive is
 * tolerated). Local headers are not trusted: loaders never read them to list members.
 */
export async function readZipNames(fh: FileHandle, size: number): Promise<ZipNames> {
  const tailLen = Math.min(size, 0xffff + EOCD_MIN);
  const tail = Buffer.alloc(tailLen);
  await readFully(fh, tail, size - tailLen);
  let eocd = -1;
  for (let i = tailLen - EOCD_MIN; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIG && i + EOCD_MIN + tail.readUInt16LE(i + 20) <= tailLen) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return { ok: false, reason: 'no end-of-central-directory record' };
  const eocdAbs = size - tailLen + eocd;
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdEnd = eocdAbs;
  // Like Python's zipfile, a zip64 locator just before the end record is always honoured (torch.save writes one).
  const loc = eocd - 20;
  if (loc >= 0 && tail.readUInt32LE(loc) === ZIP64_LOCATOR_SIG) {
    const rec = loc - 56;
    if (rec < 0 || tail.readUInt32LE(rec) !== ZIP64_EOCD_SIG) return { ok: false, reason: 'bad zip64 end record' };
    count = Number(tail.readBigUInt64LE(rec + 32));
    cdSize = Number(tail.readBigUInt64LE(rec + 40));
    cdEnd = size - tailLen + rec;
  }
  if (cdSize > cdEnd) return { ok: false, reason: 'central directory larger than the file' };
  const readLen = Math.min(cdSize, MAX_CD_BYTES);
  const cd = Buffer.alloc(readLen);
  await readFully(fh, cd, cdEnd - cdSize);
  const names: string[] = [];
  let p = 0;
  let truncated = readLen < cdSize || count > MAX_ENTRIES;
  while (names.length < Math.min(count, MAX_ENTRIES)) {
    if (p + 46 > cd.length) {
      truncated = true;
      break;
    }
    if (cd.readUInt32LE(p) !== CDH_SIG)
      return names.length > 0
        ? { ok: true, names, truncated: true }
        : { ok: false, reason: 'bad central directory header' };
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    if (p + 46 + nameLen > cd.length) {
      truncated = true;
      break;
    }
    const flags = cd.readUInt16LE(p + 8);
    names.push(cd.subarray(p + 46, p + 46 + nameLen).toString(flags & 0x800 ? 'utf8' : 'latin1'));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return { ok: true, names, truncated };
}

async function readFully(fh: FileHandle, buf: Buffer, position: number): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const { bytesRead } = await fh.read(buf, off, buf.length - off, position + off);
    if (bytesRead === 0) throw Object.assign(new Error('unexpected end of file'), { code: 'ESHORTREAD' });
    off += bytesRead;
  }
}

/**
 * What a zip is, from its member names, the way each loader recognises its own archives:
 * TorchScript (`<root>/code/` or `constants.pkl`), torch.save (`<root>/data.pkl`), Keras v3 (`config.json` +
 * `metadata.json`/`model.weights.h5` at the top), numpy .npz (every member `.npy`), else a plain zip.
 */
export function classifyZip(names: readonly string[]): 'torchscript' | 'pytorch-zip' | 'keras' | 'numpy-npz' | 'zip' {
  const hasTop = (n: string) => names.includes(n);
  const underRoot = (re: RegExp) => names.some((n) => re.test(n));
  if (underRoot(/^[^/]+\/code\//) || underRoot(/^[^/]+\/constants\.pkl$/)) return 'torchscript';
  if (underRoot(/^([^/]+\/)?data\.pkl$/)) return 'pytorch-zip';
  if (hasTop('config.json') && (hasTop('metadata.json') || hasTop('model.weights.h5') || hasTop('model.weights.npz')))
    return 'keras';
  if (names.length > 0 && names.every((n) => n.endsWith('.npy'))) return 'numpy-npz';
  return 'zip';
}
