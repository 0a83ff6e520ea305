import type { PickleRun } from './result.js';
import type { ByteSource } from './source.js';
import type { Value } from './values.js';
import { dictGet, originGlobal } from './values.js';
import type { NestedPickle, VmOptions } from './vm.js';
import { dtypeFromPickle } from './numpy-dtype.js';
import { pushAll } from '../../core/push-all.js';

/**
 * joblib's NumpyUnpickler: after BUILD of a NumpyArrayWrapper, the array's bytes follow in the stream — raw data
 * (after an alignment padding byte) or, for object arrays, a whole nested pickle. Returns a BUILD hook that
 * skips or analyses them exactly as joblib reads them, so the pickle after the array is still analysed.
 */
export function joblibHook(depth = 0): NonNullable<VmOptions['afterBuild']> {
  return (obj: Value, src: ByteSource, run: PickleRun): NestedPickle | undefined => {
    if (obj.k !== 'obj') return undefined;
    const g = originGlobal(obj);
    if (!g || g.name !== 'NumpyArrayWrapper' || !g.module.endsWith('numpy_pickle')) return undefined;
    const state = obj.state;
    const dtype = dtypeFromPickle(dictGet(state, 'dtype'));
    if (!dtype) throw new Error('NumpyArrayWrapper with a dtype chainproof cannot size');
    if (dtype.hasObject) {
      if (depth >= 8) throw new Error('object arrays nested too deeply');
      return {
        opts: { afterBuild: joblibHook(depth + 1) },
        done: (nested) => {
          merge(run, nested);
          if (!nested.stopped) throw new Error('the object array pickle inside the joblib stream is malformed');
        },
      };
    }
    const shape = dictGet(state, 'shape');
    if (shape?.k !== 'tuple' || shape.count > shape.items.length) throw new Error('NumpyArrayWrapper without a shape');
    let count = 1;
    for (const d of shape.items) {
      if (d.k !== 'scalar' || typeof d.v !== 'number' || d.v < 0)
        throw new Error('NumpyArrayWrapper shape is not integers');
      count *= d.v;
    }
    const align = dictGet(state, 'numpy_array_alignment_bytes');
    if (align !== undefined && !(align.k === 'scalar' && align.v === null)) src.skip(src.u8());
    const bytes = count * dtype.itemsize;
    if (!(bytes <= src.remaining)) throw new Error(`array data of ${bytes} bytes runs past the stream`);
    src.skip(bytes);
    return undefined;
  };
}

function merge(into: PickleRun, from: PickleRun): void {
  for (const [k, g] of from.globals) if (!into.globals.has(k)) into.globals.set(k, g);
  for (const [k, c] of from.calls) if (!into.calls.has(k)) into.calls.set(k, c);
  pushAll(into.problems, from.problems);
}
