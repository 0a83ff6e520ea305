import { describe, expect, it } from 'vitest';
import { releaseOfFile } from '../../../src/deps/parsers/python/checks/file-names.js';

describe('releaseOfFile: the project and version a distribution file name gives', () => {
  it.each([
    ['typing_extensions-4.12.0-py3-none-any.whl', { name: 'typing-extensions', version: '4.12.0' }],
    ['torch-2.5.1+cpu-cp312-cp312-linux_x86_64.whl', { name: 'torch', version: '2.5.1+cpu' }],
    ['pkg-1.0-1build-py3-none-any.whl', { name: 'pkg', version: '1.0' }],
    ['backports.zoneinfo-0.2.1.tar.gz', { name: 'backports-zoneinfo', version: '0.2.1' }],
    ['python-dateutil-2.8.2.tar.gz', { name: 'python-dateutil', version: '2.8.2' }],
    ['PyYAML-6.0.zip', { name: 'pyyaml', version: '6.0' }],
  ])('%s', (file, want) => {
    expect(releaseOfFile(file)).toEqual(want);
  });

  it.each(['not-a-wheel.whl', 'README.md', 'noversion.tar.gz'])('%s names no release', (file) => {
    expect(releaseOfFile(file)).toBeUndefined();
  });
});
