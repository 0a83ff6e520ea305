import type { Finding } from '../../core/finding.js';
import { loadLzmaDecoder } from '../containers/lzma.js';
import type { PickleRun } from './result.js';
import type { GlobalRef, Value } from './values.js';
import { dictGet, originGlobal, strOf } from './values.js';

/**
 * A pickled Keras 3 model. `KerasSaveable.__reduce__` (keras/src/saving/keras_saveable.py) returns
 * `(self._unpickle_model, args)`; the bound classmethod pickles as `builtins.getattr(<model class>,
 * '_unpickle_model')`, and unpickling calls it, which hands the archive to `saving_lib._load_model_from_fileobj(...,
 * safe_mode=False)`. The argument has had three shapes across Keras 3 releases: `(BytesIO,)`, `(BytesIO,
 * custom_objects_BytesIO)` and `({'model_buf': BytesIO, 'custom_objects_buf'?: BytesIO},)`. The custom objects are a
 * separate `pickle.load` of their own; their bytes are a nested pickle (nested.ts, CPI101).
 */
export interface KerasUnpickle {
  /**
   * `unpickle-model`: Keras 3's `getattr(<model class>, '_unpickle_model')`. `bytecode`: Keras 2 / tf_keras
   * `pickle_utils.deserialize_model_from_bytecode` (see `noteKeras2Unpickle`).
   */
  readonly via: 'unpickle-model' | 'bytecode';
  /** The model class `_unpickle_model` is taken from; for `bytecode`, the loader function itself. */
  readonly owner: GlobalRef;
  /** Keras 2.7–2.10 passed a numpy array holding a tar of a SavedModel folder, which is not opened (fail closed). */
  readonly savedModelTar?: true;
  /** Offset of the REDUCE that calls it. */
  readonly offset: number;
  /** Where the `.keras` archive's bytes are in the source; undefined when the VM did not keep them (fail closed). */
  readonly archive: ArchiveBytes | undefined;
  /** The archive's findings, filled in by the analyser once the bytes were re-read (`judgeKerasArchives`). */
  verdict?: KerasArchiveVerdict;
}

/**
 * Where the archive is: raw bytes, or (protocol 0–2, which have no bytes opcodes) the UTF-8 text of the str that
 * `_codecs.encode(text, 'latin1')` turns back into the bytes (pickle.py `save_bytes`).
 */
export interface ArchiveBytes {
  readonly at: number;
  readonly len: number;
  readonly latin1Text?: true;
}

export type KerasArchiveVerdict =
  | { readonly kind: 'checked'; readonly findings: readonly Finding[] }
  | { readonly kind: 'too-large' | 'too-deep' | 'unreadable' | 'no-analyser' };

/**
 * An archive's npz weights may hold another pickled model, and so on: each level is a strict sub-range of the one
 * above, but a crafted file could nest thousands deep. Past this depth the archive is not opened (CPI112).
 */
const MAX_DEPTH = 4;
let depth = 0;

/** Archives larger than this are not re-read into memory: fail closed (CPI004). */
export const MAX_KERAS_ARCHIVE = 256 << 20;

/** Keras 3 and the packages whose models subclass its `Model` (and so inherit `_unpickle_model`). */
const KERAS3_ROOT = /^(keras|keras_hub|keras_nlp|keras_cv)(\.|$)/;

function isGetattr(v: Value): boolean {
  if (v.k !== 'global') return false;
  return v.ref.name === 'getattr' && (v.ref.module === 'builtins' || v.ref.module === '__builtin__');
}

/** The bytes an `io.BytesIO` value holds: its BUILD state `(value, pos, dict)` (bytesio.c `__setstate__`) or its argument. */
function bytesIoPayload(v: Value | undefined): Value | undefined {
  if (v?.k !== 'obj') return undefined;
  const g = originGlobal(v);
  if (g?.name !== 'BytesIO' || (g.module !== '_io' && g.module !== 'io')) return undefined;
  const st = v.state;
  const value = st?.k === 'tuple' ? st.items[0] : v.args?.k === 'tuple' ? v.args.items[0] : undefined;
  return value ?? { k: 'scalar' }; // a BytesIO whose content the VM cannot name: recognised, archive unknown
}

/** The bytes value's location, directly or through protocol 2's `_codecs.encode(<str>, 'latin1')`. */
export function archiveOf(payload: Value): ArchiveBytes | undefined {
  if (payload.k === 'bytes') return payload.at !== undefined ? { at: payload.at, len: payload.len } : undefined;
  if (payload.k !== 'obj' || payload.callee.k !== 'global') return undefined;
  const { module, name } = payload.callee.ref;
  if (module !== '_codecs' || name !== 'encode' || payload.args?.k !== 'tuple') return undefined;
  const [text, codec] = payload.args.items;
  if (text?.k !== 'str' || text.at === undefined || strOf(codec) !== 'latin1') return undefined;
  return { at: text.at, len: text.len, latin1Text: true };
}

/** The model BytesIO of one of the three argument shapes, or undefined when the call is not Keras's. */
function modelBuffer(args: Value | undefined): Value | undefined {
  if (args?.k !== 'tuple' || args.count < 1 || args.count > 2) return undefined;
  const first = args.items[0];
  if (first?.k === 'dict') return args.count === 1 ? bytesIoPayload(dictGet(first, 'model_buf')) : undefined;
  return bytesIoPayload(first);
}

/** Keras 2.7+ (`keras.saving`, later `keras.src.saving`) and tf_keras (`tf_keras.src.saving`). */
const KERAS2_PICKLE_UTILS = /^(keras|tf_keras)(\.src)?\.saving\.pickle_utils$/;

/** numpy's array reconstructor (`ndarray.__reduce__`), before and after numpy 2 renamed `numpy.core`. */
function isNdarray(v: Value): boolean {
  const g = originGlobal(v);
  return g?.name === '_reconstruct' && /^numpy\.(_)?core\.multiarray$/.test(g.module);
}

/**
 * A pickled Keras 2 / tf_keras model. `Model.__reduce__` (keras/engine/training.py) of a built model returns
 * `(pickle_utils.deserialize_model_from_bytecode, (serialize_model_as_bytecode(self),))`. From Keras 2.11 the
 * argument is the bytes of a `.keras` zip that `deserialize_model_from_bytecode` writes to a temporary folder and
 * loads with `saving_lib.load_model`, so it is judged like Keras 3's archive; Keras 2.7–2.10 passed
 * `numpy.asarray(<tar of a SavedModel folder>)`, loaded with `save.load_model`, which is not opened here.
 */
function noteKeras2Unpickle(run: PickleRun, callee: Value, args: Value | undefined, at: number): void {
  if (callee.k !== 'global' || callee.ref.name !== 'deserialize_model_from_bytecode') return;
  if (!KERAS2_PICKLE_UTILS.test(callee.ref.module) || args?.k !== 'tuple' || args.count !== 1) return;
  const payload = args.items[0];
  if (payload === undefined) return;
  const tar = isNdarray(payload);
  const archive = tar ? undefined : archiveOf(payload);
  (run.kerasModels ??= []).push({
    via: 'bytecode',
    owner: callee.ref,
    offset: at,
    archive,
    ...(tar ? { savedModelTar: true as const } : {}),
  });
}

/** Called by the VM for every REDUCE: records the Keras model-unpickling call shapes, nothing else. */
export function noteKerasUnpickle(run: PickleRun, callee: Value, args: Value | undefined, at: number): void {
  if (callee.k === 'global') return noteKeras2Unpickle(run, callee, args, at);
  if (callee.k !== 'obj' || !isGetattr(callee.callee)) return;
  const pair = callee.args?.k === 'tuple' && callee.args.count === 2 ? callee.args.items : undefined;
  const owner = pair?.[0];
  if (owner?.k !== 'global' || !KERAS3_ROOT.test(owner.ref.module) || strOf(pair?.[1]) !== '_unpickle_model') return;
  const payload = modelBuffer(args);
  if (payload === undefined) return;
  (run.kerasModels ??= []).push({ via: 'unpickle-model', owner: owner.ref, offset: at, archive: archiveOf(payload) });
}

/** What judges a `.keras` archive's bytes: registered by the Keras format analyser (formats → pickle, never back). */
export type KerasArchiveJudge = (data: Buffer) => Finding[];
let archiveJudge: KerasArchiveJudge | undefined;

export function registerKerasArchiveJudge(judge: KerasArchiveJudge): void {
  archiveJudge = judge;
}

function* pending(runs: readonly PickleRun[]): Generator<KerasUnpickle> {
  for (const run of runs) yield* run.kerasModels ?? [];
}

/** The verdict that needs no bytes, or undefined when the archive must be read. */
function withoutReading(k: KerasUnpickle): KerasArchiveVerdict | undefined {
  if (k.archive === undefined) return { kind: 'unreadable' };
  if (k.archive.len > MAX_KERAS_ARCHIVE) return { kind: 'too-large' };
  if (archiveJudge === undefined) return { kind: 'no-analyser' };
  if (depth >= MAX_DEPTH) return { kind: 'too-deep' };
  return undefined;
}

function judged(k: KerasUnpickle, data: Buffer | undefined): KerasArchiveVerdict {
  if (data === undefined || data.length !== k.archive?.len || archiveJudge === undefined) return { kind: 'unreadable' };
  const bytes = k.archive.latin1Text ? Buffer.from(data.toString('utf8'), 'latin1') : data;
  depth++; // the judge is synchronous: no other archive is judged in between
  try {
    return { kind: 'checked', findings: archiveJudge(bytes) };
  } finally {
    depth--;
  }
}

/**
 * Re-read each recorded archive (bounded by MAX_KERAS_ARCHIVE, one at a time) and judge it as Keras would load it.
 * Only the verdict is kept; the bytes are dropped before the next archive is read.
 */
export async function judgeKerasArchives(
  runs: readonly PickleRun[],
  read: (at: number, len: number) => Promise<Buffer | undefined>,
): Promise<void> {
  // npz weights may hold lzma members, whose decoder loads asynchronously (the archive judge is synchronous).
  if (runs.some((r) => r.kerasModels?.length)) await loadLzmaDecoder();
  for (const k of pending(runs)) k.verdict = withoutReading(k) ?? judged(k, await read(k.archive!.at, k.archive!.len));
}

/** The synchronous form, for sources already in memory. */
export function judgeKerasArchivesSync(
  runs: readonly PickleRun[],
  read: (at: number, len: number) => Buffer | undefined,
): void {
  for (const k of pending(runs)) k.verdict = withoutReading(k) ?? judged(k, read(k.archive!.at, k.archive!.len));
}
