import type { Finding } from '../../core/finding.js';
import { readZip } from '../containers/zip.js';
import type { ArchiveBytes } from './keras-object.js';
import { archiveOf } from './keras-object.js';
import type { PickleRun } from './result.js';
import type { GlobalRef, Value } from './values.js';
import { strOf } from './values.js';

/**
 * A storage pickled by plain `pickle` (not `torch.save`): `TypedStorage.__reduce__` / `UntypedStorage.__reduce__`
 * (torch/storage.py) return `(torch.storage._load_from_bytes, (<bytes of a legacy torch.save of the storage>,))`,
 * and `_load_from_bytes(b)` is `torch.load(io.BytesIO(b), weights_only=False)`: a full unpickle of the embedded
 * bytes. So the call is as safe as what those bytes hold, and the bytes are judged as torch.load reads them.
 */
export interface TorchBytesLoad {
  readonly owner: GlobalRef;
  /** Offset of the REDUCE that calls it. */
  readonly offset: number;
  /** Where the embedded bytes are; undefined when the argument is not a bytes value the VM kept (fail closed). */
  readonly blob: ArchiveBytes | undefined;
  /** Protocol 0–2 write short bytes as `_codecs.encode(<str>, 'latin1')`; the VM keeps a short str whole. */
  readonly inline?: Buffer;
  /** What the embedded file holds, filled in once its bytes were re-read (`judgeTorchBytes`). */
  verdict?: TorchBytesVerdict;
}

export type TorchBytesVerdict =
  | { readonly kind: 'checked'; readonly findings: readonly Finding[] }
  | { readonly kind: 'too-large' | 'too-deep' | 'unreadable' };

/** Embedded files larger than this are not re-read into memory: the call stays a known-dangerous import. */
export const MAX_TORCH_BYTES = 256 << 20;
/** `_load_from_bytes` inside the bytes of `_load_from_bytes`…: past this depth, not opened (fail closed). */
const MAX_DEPTH = 4;
let depth = 0;

export function isLoadFromBytes(g: { module: string; name: string }): boolean {
  return g.module === 'torch.storage' && g.name === '_load_from_bytes';
}

/** Called by the VM for every REDUCE on a global: records `_load_from_bytes(<bytes>)`, nothing else. */
export function noteTorchBytesLoad(run: PickleRun, callee: Value, args: Value | undefined, at: number): void {
  if (callee.k !== 'global' || !isLoadFromBytes(callee.ref)) return;
  const payload = args?.k === 'tuple' && args.count === 1 ? args.items[0] : undefined;
  const inline = payload ? latin1Text(payload) : undefined;
  (run.torchBytes ??= []).push({
    owner: callee.ref,
    offset: at,
    blob: inline ? { at, len: inline.length } : payload ? archiveOf(payload) : undefined,
    ...(inline ? { inline } : {}),
  });
}

/** The bytes of `_codecs.encode(<str kept whole>, 'latin1')` (pickle.py `save_bytes` below protocol 3). */
function latin1Text(v: Value): Buffer | undefined {
  if (v.k !== 'obj' || v.callee.k !== 'global' || v.args?.k !== 'tuple') return undefined;
  if (v.callee.ref.module !== '_codecs' || v.callee.ref.name !== 'encode') return undefined;
  const [text, codec] = v.args.items;
  if (text?.k !== 'str' || text.s === undefined || text.at !== undefined || strOf(codec) !== 'latin1') return undefined;
  return Buffer.from(text.s, 'latin1');
}

/** The pickles `torch.load` unpickles in an embedded file, as findings located at `member`. */
export type TorchFileJudge = (data: Buffer, member: string) => Finding[];

/**
 * torch.load (`torch/serialization.py` `load`) reads a zip file through `_load` (its `*\/data.pkl`, the storages are
 * raw) and anything else through `_legacy_load` (the magic-number pickle sequence, which `analyse` already knows).
 */
function judgeEmbedded(data: Buffer, member: string, analyse: TorchFileJudge): Finding[] {
  if (data.length < 4 || data.readUInt32LE(0) !== 0x04034b50) return analyse(data, member);
  const zip = readZip(data, { maxEntrySize: MAX_TORCH_BYTES });
  // Any case, as miniz finds it (zip-names.ts TORCH_DATA_PKL).
  const pickles = zip.entries.filter((e) => /(^|\/)data\.pkl$/i.test(e.name));
  if (pickles.length === 0 || zip.problems.length > 0) throw new Error('no readable data.pkl');
  return pickles.flatMap((e) => analyse(e.read(MAX_TORCH_BYTES), `${member}!${e.name}`));
}

function judged(
  t: TorchBytesLoad,
  data: Buffer | undefined,
  member: string,
  analyse: TorchFileJudge,
): TorchBytesVerdict {
  if (t.blob === undefined) return { kind: 'unreadable' };
  if (t.blob.len > MAX_TORCH_BYTES) return { kind: 'too-large' };
  if (depth >= MAX_DEPTH) return { kind: 'too-deep' };
  if (data === undefined || data.length !== t.blob.len) return { kind: 'unreadable' };
  const bytes = t.inline ?? (t.blob.latin1Text ? Buffer.from(data.toString('utf8'), 'latin1') : data);
  depth++; // the judge is synchronous: no other embedded file is judged in between
  try {
    return { kind: 'checked', findings: judgeEmbedded(bytes, member, analyse) };
  } catch {
    return { kind: 'unreadable' };
  } finally {
    depth--;
  }
}

const readable = (t: TorchBytesLoad): boolean => t.blob !== undefined && t.blob.len <= MAX_TORCH_BYTES;

const memberOf = (outer: string | undefined, t: TorchBytesLoad): string =>
  `${outer !== undefined ? `${outer}!` : ''}<torch.storage._load_from_bytes@${t.offset}>`;

/** Re-read each recorded embedded file (bounded, one at a time) and judge it; only the verdict is kept. */
export async function judgeTorchBytes(
  runs: readonly PickleRun[],
  outer: string | undefined,
  read: (at: number, len: number) => Promise<Buffer | undefined>,
  analyse: TorchFileJudge,
): Promise<void> {
  for (const run of runs)
    for (const t of run.torchBytes ?? []) {
      const data = t.inline ?? (readable(t) ? await read(t.blob!.at, t.blob!.len) : undefined);
      t.verdict = judged(t, data, memberOf(outer, t), analyse);
    }
}

/** The synchronous form, for sources already in memory. */
export function judgeTorchBytesSync(
  runs: readonly PickleRun[],
  outer: string | undefined,
  read: (at: number, len: number) => Buffer | undefined,
  analyse: TorchFileJudge,
): void {
  for (const run of runs)
    for (const t of run.torchBytes ?? []) {
      const data = t.inline ?? (readable(t) ? read(t.blob!.at, t.blob!.len) : undefined);
      t.verdict = judged(t, data, memberOf(outer, t), analyse);
    }
}

/**
 * Whether every call of `_load_from_bytes` in the run is a recognised one whose embedded file was checked: then
 * the import is judged by what the embedded file holds (its findings), not as a loader gadget. Any other call
 * shape, or an embedded file that could not be read, leaves it a known-dangerous import (CPI001).
 */
export function torchBytesExplained(run: PickleRun): boolean {
  const all = run.torchBytes ?? [];
  if (all.length === 0 || all.some((t) => t.verdict?.kind !== 'checked')) return false;
  let calls = 0;
  // Other opcodes on the function itself (CPI005) or on what it returned (CPI006) are judged as any call.
  for (const c of run.calls.values())
    if (c.target !== undefined && isLoadFromBytes(c.target) && c.kind === 'REDUCE' && c.onGlobal) calls += c.count;
  return calls === all.length;
}

/** The embedded files' own findings (each at its `<torch.storage._load_from_bytes@offset>` member). */
export function torchBytesFindings(run: PickleRun): Finding[] {
  return (run.torchBytes ?? []).flatMap((t) => (t.verdict?.kind === 'checked' ? t.verdict.findings : []));
}

/** Whether a nested-pickle blob found at `offset` is the argument of a recognised call (judged here, not twice). */
export function isTorchBytesPayload(run: PickleRun, offset: number): boolean {
  return (run.torchBytes ?? []).some((t) => t.blob !== undefined && t.blob.at > offset && t.blob.at - offset <= 9);
}
