import type { PickleRun } from './result.js';
import type { ByteSource } from './source.js';
import type { Value } from './values.js';
import { dictGet, originGlobal } from './values.js';
import type { NestedPickle, VmOptions } from './vm.js';
import { takeStopFrame } from './vm/framing.js';
import { Stop } from './vm/state.js';
import { dtypeFromPickle } from './numpy-dtype.js';
import { parseTypestr } from '../containers/dtype.js';
import { checkExecState } from './exec-state.js';
import { pushAll } from '../../core/push-all.js';

/**
 * An array joblib keeps in a file next to the pickle (joblib < 0.10). `npy`: `NDArrayWrapper`, which
 * `numpy_pickle_compat.NDArrayWrapper.read` loads with `np.load(os.path.join(dirname, filename),
 * allow_pickle=True)`; `zfile`: `ZNDArrayWrapper`, read by `read_zfile` (raw array bytes, never unpickled).
 * `filename` is undefined when the pickle does not carry it as a literal string.
 */
export interface SidecarRef {
  readonly kind: 'npy' | 'zfile';
  readonly filename: string | undefined;
}

/** Where joblib has defined the wrapper classes (old pickles name `joblib.numpy_pickle`, new ones `_compat`). */
const WRAPPER_MODULE = /^(sklearn\.externals\.)?joblib\.numpy_pickle(_compat)?$/;
const MAX_SIDECARS = 100_000;
/** Bytes kept from where a plain `pickle.load` would read the first array's data as opcodes. */
const ARRAY_OPCODES_PEEK = 64 * 1024;

/**
 * The BUILD hook of a plain `pickle.load`: only state that a `__setstate__` executes is checked. A
 * NumpyArrayWrapper built here is an ordinary object, and the bytes after it are read as opcodes.
 */
export const plainBuild: NonNullable<VmOptions['afterBuild']> = (obj, src, run) => {
  checkExecState(obj, run, src.pos);
  return undefined;
};

/**
 * joblib's NumpyUnpickler: after BUILD of a NumpyArrayWrapper, the array's bytes follow in the stream — raw data
 * (after an alignment padding byte) or, for object arrays, a whole nested pickle. Returns a BUILD hook that
 * skips or analyses them exactly as joblib reads them, so the pickle after the array is still analysed.
 */
export function joblibHook(onSidecar?: (ref: SidecarRef) => void): NonNullable<VmOptions['afterBuild']> {
  let sidecars = 0;
  return (obj: Value, src: ByteSource, run: PickleRun, frameRest: number): NestedPickle | undefined => {
    if (obj.k !== 'obj') return undefined;
    // Every BUILD passes here (the VM's one BUILD hook): state that a __setstate__ executes is checked first.
    checkExecState(obj, run, src.pos);
    const g = originGlobal(obj);
    if (!g) return undefined;
    // `NumpyUnpickler.load_build`: after BUILD of an (Z)NDArrayWrapper, joblib calls its `read`, which opens the
    // file the wrapper names, joined to the pickle's folder.
    if ((g.name === 'NDArrayWrapper' || g.name === 'ZNDArrayWrapper') && WRAPPER_MODULE.test(g.module)) {
      if (++sidecars > MAX_SIDECARS) throw new Error(`more than ${MAX_SIDECARS} joblib sidecar files`);
      const name = dictGet(obj.state, 'filename');
      onSidecar?.({
        kind: g.name === 'NDArrayWrapper' ? 'npy' : 'zfile',
        filename: name?.k === 'str' ? name.s : undefined,
      });
      return undefined;
    }
    if (g.name !== 'NumpyArrayWrapper' || !g.module.endsWith('numpy_pickle')) return undefined;
    if (frameRest > 0) throw unframedData(frameRest);
    const state = readableState(obj.state);
    // `NumpyArrayWrapper.read`: with joblib.load(…, mmap_mode=…) and `allow_mmap` set, `read_mmap` maps the data with
    // np.memmap(dtype=self.dtype, shape=self.shape), which also takes a dtype string and an int shape that
    // `read_array` refuses — the reading in which the stream goes on is the one to follow.
    const allow = dictGet(state, 'allow_mmap');
    const mmap = !(allow === undefined || (allow.k === 'scalar' && !allow.v));
    const spelled = dictGet(state, 'dtype');
    const dtype =
      dtypeFromPickle(spelled) ??
      (mmap && spelled?.k === 'str' && spelled.s !== undefined ? parseTypestr(spelled.s) : undefined);
    // joblib reads `count * dtype.itemsize` bytes as data and runs what follows: a size chainproof cannot work out
    // leaves the rest of the stream unchecked, which is never a pass (CPI004, as for state it cannot read).
    if (!dtype) throw unsized('a dtype chainproof cannot size');
    if (dtype.hasObject) {
      // `NumpyArrayWrapper.read_array` reads an object array with a plain `pickle.load(unpickler.file_handle)`,
      // not with NumpyUnpickler: a wrapper inside that pickle is just an object, and the bytes after it are
      // opcodes that pickle.load runs, never array data to skip.
      return {
        opts: { afterBuild: plainBuild },
        done: (nested) => {
          // A frame past STOP is said once, as what it leaves unchecked (below), not also as a frame problem.
          const rest = takeStopFrame(nested);
          merge(run, nested);
          if (!nested.stopped) throw new Error('the object array pickle inside the joblib stream is malformed');
          if (rest !== undefined) throw frameAfterStop(rest);
        },
      };
    }
    const count = elementCount(dictGet(state, 'shape'), mmap);
    // Already buffered (the driver keeps LOOKAHEAD bytes ahead): no read of its own.
    run.arrayData ??= { at: src.pos, bytes: src.peekBytes(ARRAY_OPCODES_PEEK) };
    const align = dictGet(state, 'numpy_array_alignment_bytes');
    if (align !== undefined && !(align.k === 'scalar' && align.v === null)) src.skip(src.u8());
    const bytes = count * dtype.itemsize;
    if (!(bytes <= src.remaining)) throw new Error(`array data of ${bytes} bytes runs past the stream`);
    // read_array copies these bytes into np.empty(count): data, never parsed.
    src.skipData(bytes);
    return undefined;
  };
}

/**
 * A wrapper built with opcodes of its FRAME still to come. `pickle._Unframer.load_frame` (joblib unpickles with
 * `pickle._Unpickler`) has read the whole frame, so `NumpyArrayWrapper.read_array` reads the array data — or the
 * object array's pickle — from the file after the frame, and the unpickler then runs the rest of the frame and goes
 * on after the data: not the order of the bytes. `NumpyPickler.save` commits the frame before writing the data, so
 * only a crafted stream does this; what joblib runs from there was not checked (CPI004).
 */
const unframedData = (frameRest: number) =>
  new Stop(
    'budget',
    `NumpyArrayWrapper built with ${frameRest} byte(s) of its FRAME after it: joblib reads the array data from after the frame and then runs the rest of the frame, so the array data joblib reads, and what follows it, were not checked`,
  );

/**
 * An object array's pickle whose STOP sits inside a FRAME that declares more bytes. The C unpickler `read_array`
 * calls takes a frame with `peek()` and skips only what it ran when the file has peek() and the frame is under 8 KiB
 * (`_pickle.c` `_Unpickler_ReadFromFile`, PREFETCH), else with `read()`, which consumes the whole frame: joblib goes
 * on after STOP or after the frame, by the file object (a compressed joblib file has no peek()). No pickler ends a
 * frame past STOP; what joblib runs next was not checked (CPI004).
 */
const frameAfterStop = (rest: number) =>
  new Stop(
    'budget',
    `the object array pickle's STOP sits inside a FRAME that declares ${rest} more byte(s): joblib goes on after the STOP or after the frame, by how its file is read, so what it runs next was not checked`,
  );

/** The wrapper's data cannot be sized: what joblib reads past it was not checked (CPI004). */
const unsized = (what: string) =>
  new Stop(
    'budget',
    `NumpyArrayWrapper with ${what}: the array data joblib reads, and what follows it, were not checked`,
  );

/**
 * The element count `NumpyArrayWrapper.read_array` computes: `np.multiply.reduce([np.int64(x) for x in
 * self.shape])` over any sequence — a tuple, or the list a crafted pickle puts there — or, mapped (`read_mmap`), the
 * product np.memmap takes of a shape or an int. What numpy refuses (no shape, a str, a bool, a float, a negative size:
 * `np.int64`, `np.empty` or np.memmap raises) stops joblib.load there, so an Error (the pickle is malformed) is
 * enough; a value the VM does not hold as a literal (a numpy integer scalar, anything a call returned) may be any
 * size joblib then reads, so the rest is not checked (CPI004).
 */
function elementCount(shape: Value | undefined, mmap: boolean): number {
  // np.memmap reads an int shape as (shape,); a bool raises there too ("an integer is required").
  if (mmap && shape?.k === 'scalar' && typeof shape.v === 'number' && Number.isInteger(shape.v) && shape.v >= 0)
    return shape.v;
  if (shape === undefined || shape.k === 'scalar' || shape.k === 'str' || shape.k === 'bytes')
    throw new Error('NumpyArrayWrapper without a shape');
  if ((shape.k !== 'tuple' && shape.k !== 'list') || shape.count > shape.items.length)
    throw unsized('a shape chainproof cannot read');
  let count = 1;
  for (const d of shape.items) {
    if (d.k !== 'scalar' && d.k !== 'str' && d.k !== 'bytes') throw unsized('a shape chainproof cannot read');
    if (d.k !== 'scalar' || typeof d.v !== 'number' || !Number.isInteger(d.v) || d.v < 0)
      throw new Error('NumpyArrayWrapper shape is not integers');
    count *= d.v;
  }
  return count;
}

/**
 * The wrapper's attributes as `pickle._Unpickler.load_build` sets them on an object without `__setstate__`: a dict,
 * or a `(dict or None, slot dict)` pair whose second dict wins. State the VM cannot read as literal keys (a key a
 * call made, `builtins.str('shape')`; anything else) stops the analysis as not checked: joblib may read any number
 * of bytes as array data and run what follows.
 */
function readableState(state: Value | undefined): Value {
  const parts = state?.k === 'tuple' && state.count === 2 && state.items.length === 2 ? state.items : [state];
  const entries: [Value, Value][] = [];
  // dictGet reads a key's first entry: the slot dict, applied last, goes first.
  for (const d of [...parts].reverse()) {
    if (d === undefined || (d.k === 'scalar' && d.v === null)) continue;
    if (d.k !== 'dict' || d.opaqueKeys || d.count !== d.entries.length)
      throw new Stop(
        'budget',
        'NumpyArrayWrapper state chainproof cannot read: the array data joblib reads was not checked',
      );
    entries.push(...d.entries);
  }
  return { k: 'dict', entries, count: entries.length, expanded: 1 };
}

/** The nested pickle's imports, calls and problems. */
function merge(into: PickleRun, from: PickleRun): void {
  for (const [k, g] of from.globals) if (!into.globals.has(k)) into.globals.set(k, g);
  for (const [k, c] of from.calls) if (!into.calls.has(k)) into.calls.set(k, c);
  pushAll(into.problems, from.problems);
}
