import { sniffPickleStream } from '../../discover/formats/pickle-head.js';
import type { PickleRun } from './result.js';
import type { ByteSource } from './source.js';
import type { Steps } from './drive.js';
import { need } from './drive.js';
import { streamSteps } from './stream.js';
import type { Value } from './values.js';
import type { VmOptions } from './vm.js';
import { pickleSteps } from './vm.js';
import { takeStopFrame } from './vm/framing.js';
import { elementSize } from './torch-legacy.js';
import { pushAll } from '../../core/push-all.js';

/** torch's legacy MAGIC_NUMBER (0x1950a86a20f9469cfc6c) as the VM's numbers hold it, whatever protocol pickled it. */
const LEGACY_MAGIC = Number(0x1950a86a20f9469cfc6cn);

/** Whether the value the first pickle returned is the legacy magic number (`_legacy_load` compares it). */
export function isLegacyMagic(v: Value | undefined): boolean {
  return v?.k === 'scalar' && v.v === LEGACY_MAGIC;
}

/**
 * `torch.save(model)` in the legacy format pickles each `nn.Module` class as the persistent id
 * `('module', <class>, <source file>, <source>)`; `serialization._legacy_load`'s `persistent_load` returns the class
 * itself (`data[0]`, after `_check_container_source` compares sources, which only warns), and NEWOBJ instantiates
 * it. So the value is the global the id names, judged as that global, not a value computed at load time.
 */
function legacyModuleClass(pid: Value): Value | undefined {
  if (pid.k !== 'tuple' || pid.items.length < 2) return undefined;
  // A Python 2 file's tag is a py2 str, which torch unpickles as text (`encoding='utf-8'`).
  const tag = pid.items[0]!;
  return tag.k === 'str' && tag.s === 'module' ? pid.items[1] : undefined;
}

/**
 * A pickle whose STOP sits inside a FRAME that declares more bytes: `_legacy_load` reads on from wherever
 * `pickle.load` left the file, and the C unpickler takes a frame with `peek()` (skipping only what it ran) or with
 * `read()` (consuming the whole frame) by the file object and what its buffer holds (`_pickle.c`
 * `_Unpickler_ReadFromFile`). No pickler ends a frame past STOP; what torch reads next was not checked (CPI004).
 */
function endsInFrame(run: PickleRun): boolean {
  const rest = takeStopFrame(run);
  if (rest === undefined) return false;
  run.problems.push({
    kind: 'budget',
    message: `a legacy torch pickle's STOP sits inside a FRAME that declares ${rest} more byte(s): torch reads the next record after the STOP or after the frame, by how its file is read, so the rest was not checked`,
    offset: run.end - 1,
  });
  return true;
}

/**
 * The rest of a legacy (non-zip) `torch.save` file after its magic-number pickle, as torch `serialization._legacy_load`
 * reads it: protocol, sys_info, the model pickle (whose persistent ids name each storage's type), the storage
 * keys; then, per key in that order, an int64 element count and the raw bytes (`_set_from_file`). Anything after the
 * last storage is read as more pickles, so a payload appended after the storages is still analysed.
 */
export function* legacyTorchRestSteps(src: ByteSource, first: PickleRun, opts: VmOptions): Steps<PickleRun[]> {
  const runs: PickleRun[] = [first];
  const storageType = new Map<string, number>();
  const onPersistent = (pid: Value): void => {
    if (pid.k !== 'tuple' || pid.items.length < 3) return;
    const [kind, type, key] = pid.items;
    if (kind?.k !== 'str' || kind.s !== 'storage' || key?.k !== 'str' || key.s === undefined || !type) return;
    const size = elementSize(type);
    if (size !== undefined) storageType.set(key.s, size);
  };
  if (endsInFrame(first)) return runs;
  for (let i = 0; i < 4; i++) {
    const run = yield* pickleSteps(
      src,
      i === 2 ? { ...opts, onPersistent, resolvePersistent: legacyModuleClass } : opts,
    );
    runs.push(run);
    if (!run.stopped || endsInFrame(run)) return runs;
  }
  const keysRun = runs[runs.length - 1]!;
  const keys = keysRun.result?.k === 'list' ? keysRun.result.items : [];
  // `_legacy_load` iterates what the keys pickle returned: a value that is no list of the model's keys stops it there.
  let fromResult = true;
  try {
    if (keysRun.result?.k !== 'list' || keysRun.result.count !== keys.length)
      throw new Error('storage keys are not a list chainproof can read');
    for (const k of keys) {
      const size = k.k === 'str' && k.s !== undefined ? storageType.get(k.s) : undefined;
      if (size === undefined) throw new Error('a storage key names no storage of the model pickle');
      fromResult = false;
      yield* need(src, 8);
      const numel = src.u64();
      src.skipData(numel * size);
    }
  } catch (err) {
    // A short file (TruncatedError) or a layout torch itself would refuse: the rest is not known to be safe.
    keysRun.problems.push({
      kind: 'malformed',
      message: `legacy storages could not be walked (${(err as Error).message})`,
      offset: src.pos,
      ...(fromResult ? { fromResult } : {}),
    });
    return runs;
  }
  if (src.atEnd()) return runs;
  // torch stops reading here; bytes after the storages are no part of a real checkpoint. A pickle there is analysed.
  yield* need(src, 4096);
  const tail = src.peekBytes(4096);
  if (sniffPickleStream(tail, tail.length >= src.remaining) === 'pickle') pushAll(runs, yield* streamSteps(src, opts));
  else
    keysRun.problems.push({
      kind: 'leftover',
      message: `${src.remaining} bytes follow the last storage`,
      offset: src.pos,
    });
  return runs;
}
