import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pythonMinors, wheelFitsPython } from '../../../src/deps/parsers/python/checks/wheel-python.js';
import { pythonDepsStage } from '../../../src/deps/parsers/python/stage.js';
import { scanWith } from '../../helpers/scan.js';

const CASES = path.resolve(import.meta.dirname, '../../../fixtures/python/cases');

describe('CPP074 compares wheel tags with the Python versions the lock is for', () => {
  it('a package whose wheels are all for Pythons below requires-python builds from its sdist; abi3 and py310 fit', async () => {
    const r = await scanWith(path.join(CASES, 'wheel-python-versions'), [pythonDepsStage]);
    const builds = r.findings.filter((f) => f.ruleId === 'CPP074');
    expect(
      builds.map((f) => `${f.artifact && 'name' in f.artifact ? f.artifact.name : ''}@${f.location.line ?? 0}`),
    ).toEqual(['old-wheels@10']);
    expect(builds[0]?.evidence?.['otherPythonWheels']).toBe(3);
  });

  // packaging.tags.sys_tags on CPython 3.11 / 3.12.
  it.each([
    { wheel: 'x-1-cp311-cp311-linux_x86_64.whl', minors: [11], want: true },
    { wheel: 'x-1-cp311-cp311-linux_x86_64.whl', minors: [12], want: false },
    { wheel: 'x-1-cp313-cp313t-linux_x86_64.whl', minors: [13], want: false },
    { wheel: 'x-1-cp39-abi3-linux_x86_64.whl', minors: [12], want: true },
    { wheel: 'x-1-cp312-abi3-linux_x86_64.whl', minors: [11], want: false },
    { wheel: 'x-1-cp311-none-linux_x86_64.whl', minors: [11], want: true },
    { wheel: 'x-1-py2-none-any.whl', minors: [11], want: false },
    { wheel: 'x-1-py2.py3-none-any.whl', minors: [11], want: true },
    { wheel: 'x-1-py312-none-any.whl', minors: [11], want: false },
    { wheel: 'x-1-pp310-pypy310_pp73-linux_x86_64.whl', minors: [10], want: false },
  ])('$wheel on 3.$minors: $want', ({ wheel, minors, want }) => expect(wheelFitsPython(wheel, minors)).toBe(want));

  it.each([
    { spec: '>=3.11', want: [11, 12, 13, 14] },
    { spec: '>=3.10.2,<3.12', want: [10, 11] },
    { spec: '==3.9.*', want: [9] },
    // A patch release named exactly (pipenv's `python_full_version`, poetry `3.11.4`): neither 3.11.0 nor 3.11.99 is it.
    { spec: '==3.11.4', want: [11] },
    { spec: '>3.12.1,<3.12.3', want: [12] },
  ])('requires-python $spec admits 3.$want', ({ spec, want }) => expect(pythonMinors(spec)).toEqual(want));
});
