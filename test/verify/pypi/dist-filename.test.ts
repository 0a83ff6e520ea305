import { describe, expect, it } from 'vitest';
import { ultranormalizeDistFilename } from '../../../src/verify/pypi/dist-filename.js';

// Expected values are what pypi-attestations' `_ultranormalize_dist_filename` returns (packaging's
// parse_wheel_filename / parse_sdist_filename, str(Version), tag sets sorted); undefined where it raises ValueError.
describe('ultranormalizeDistFilename (pypi-attestations _ultranormalize_dist_filename)', () => {
  it.each([
    ['rfc8785-0.1.2-py3-none-any.whl', 'rfc8785-0.1.2-py3-none-any.whl'],
    [
      'numpy-2.0.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
      'numpy-2.0.0-cp312-cp312-manylinux2014_x86_64.manylinux_2_17_x86_64.whl',
    ],
    ['six-1.16.0-py3.py2-none-any.whl', 'six-1.16.0-py2.py3-none-any.whl'],
    ['Django-5.1.4-py3-none-any.whl', 'django-5.1.4-py3-none-any.whl'],
    ['foo.bar-1.0-py3-none-any.whl', 'foo_bar-1.0-py3-none-any.whl'],
    ['foo-1.0.RC1-py3-none-any.whl', 'foo-1.0rc1-py3-none-any.whl'],
    ['foo-1.0+Local.007-py3-none-any.whl', 'foo-1.0+local.7-py3-none-any.whl'],
    ['foo-1.0-007abc-py3-none-any.whl', 'foo-1.0-7abc-py3-none-any.whl'],
    ['foo-1.0-PY3-NONE-ANY.whl', 'foo-1.0-py3-none-any.whl'],
    ['Foo.Bar-1.0.tar.gz', 'foo_bar-1.0.tar.gz'],
    ['foo-bar-v1.0-1.tar.gz', 'foo_bar_v1_0-1.tar.gz'],
    ['foo-bar-1.0.post1.zip', 'foo_bar-1.0.post1.zip'],
    ['foo-1.0.0.tar.gz', 'foo-1.0.0.tar.gz'],
    ['foo__bar-1.0-py3-none-any.whl', undefined],
    ['foo-1.0-py3-none.whl', undefined],
    ['foo-1.0-x-y-py3-none-any.whl', undefined],
    ['foo-1.0-abc-py3-none-any.whl', undefined],
    ['foo-notaversion-py3-none-any.whl', undefined],
    ['foo-1.0.tar.bz2', undefined],
    ['foo-1.0.TAR.GZ', undefined],
    ['foo.tar.gz', undefined],
    ['foo-1.0.WHL', undefined],
  ])('%s → %s', (input, want) => {
    expect(ultranormalizeDistFilename(input)).toBe(want);
  });
});
