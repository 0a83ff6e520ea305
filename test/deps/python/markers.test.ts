import { describe, expect, it } from 'vitest';
import { evaluateMarker } from '../../../src/deps/parsers/python/markers.js';

const LINUX = { sys_platform: 'linux', platform_system: 'Linux', os_name: 'posix', platform_machine: 'x86_64' };

describe('PEP 508 markers in three values (a platform known, the rest unknown)', () => {
  it.each([
    ["sys_platform == 'win32'", false],
    ['os_name == "nt"', false],
    ["sys_platform != 'win32'", true],
    ["platform_machine == 'aarch64' and sys_platform == 'linux'", false],
    ["extra == 'gpu'", undefined],
    ["sys_platform == 'darwin' and extra == 'cpu'", false],
    ["sys_platform == 'linux' and extra == 'cpu'", undefined],
    ["(sys_platform == 'darwin' and extra == 'cpu') or (extra == 'cpu' and extra == 'gpu')", undefined],
    ["(sys_platform == 'darwin' and extra == 'cpu') or sys_platform == 'win32'", false],
    ["python_version >= '3.11' or sys_platform == 'linux'", true],
    ["'linux' in sys_platform", true],
    ["'x86' not in platform_machine", false],
    ["sys_platform == 'linux' and (", undefined],
    ['not a marker', undefined],
  ])('%s → %s', (marker, want) => {
    expect(evaluateMarker(marker, LINUX)).toBe(want);
  });

  it('deep nesting is bounded, not a stack overflow', () => {
    expect(evaluateMarker(`${'('.repeat(5000)}sys_platform == 'linux'${')'.repeat(5000)}`, LINUX)).toBeUndefined();
  });
});
