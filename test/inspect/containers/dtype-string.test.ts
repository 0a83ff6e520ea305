import { describe, expect, it } from 'vitest';
import { parseDtypeString } from '../../../src/inspect/containers/dtype.js';

/**
 * Dtype strings as `numpy.dtype(str)` reads them (np.load's `descr_to_dtype` hands it the header's string): item
 * size and whether an object makes the array a pickle, as Debian's numpy 1.24 answers; undefined where it raises.
 */
describe('numpy dtype strings (descriptor.c _check_for_commastring, _internal._commastring)', () => {
  it.each([
    ['f', 4, false],
    ['i', 4, false],
    ['I', 4, false],
    ['c', 1, false],
    ['g', 16, false],
    ['G', 32, false],
    ['p', 8, false],
    ['O', 8, true],
    ['2O', 16, true],
    ['(2,)O', 16, true],
    ['<(2,)O', 16, true],
    ['()O', 8, true],
    ['O,', 8, true],
    ['i4,O', 12, true],
    ['i4 , O', 12, true],
    ['i4, (3,)O', 28, true],
    ['(2,3)f8,O', 56, true],
    ['i4,()O', 12, true],
    ['3i4', 12, false],
    ['i4,', 4, false],
  ] as const)('%j is %i bytes, object %s', (s, itemsize, hasObject) => {
    expect(parseDtypeString(s)).toEqual({ itemsize, hasObject });
  });

  it.each(['u', '(2)O', ' O', 'O ', 'i4,[O]'])('%j is refused', (s) => {
    expect(parseDtypeString(s)).toBeUndefined();
  });
});
