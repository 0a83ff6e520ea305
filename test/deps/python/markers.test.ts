import { describe, expect, it } from 'vitest';
import { evaluateMarker, excludedOnEveryPython } from '../../../src/deps/parsers/python/markers.js';
import { pythonDepsStage } from '../../../src/deps/parsers/python/stage.js';
import { scanWith } from '../../helpers/scan.js';
import { tempTrees } from '../../helpers/temp-tree.js';

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

/**
 * Version comparisons follow packaging's `_eval_op` (a PEP 440 `Specifier` where op and right side make one); each
 * known answer below is what packaging 21.3 (vendored by pip 23.0.1) and 23.0 give for python_version 3.8 … 3.14
 * with `extra` empty. Over 720 generated markers (45 right sides × 8 operators, both ways round) this evaluator
 * disagreed with neither where it answered.
 */
describe('python_version comparisons, as packaging makes them', () => {
  const MINORS = [8, 9, 10, 11, 12, 13, 14];
  const each = (marker: string) => MINORS.map((m) => evaluateMarker(marker, { python_version: `3.${m}`, extra: '' }));
  const all = (v: boolean) => MINORS.map(() => v);
  it.each([
    ['python_version < "3"', all(false)],
    ['"3" > python_version', all(false)],
    ['python_version < "3.11"', [true, true, true, false, false, false, false]],
    // PEP 440, not string order: 3.9 < 3.10; `3.08` is 3.8; `.*` is a prefix match.
    ['python_version == "3.08"', [true, false, false, false, false, false, false]],
    ['python_version == "3.*"', all(true)],
    ['python_version ~= "3.8"', all(true)],
    // Blanks around a version are packaging's to strip.
    ['python_version == "3.9 "', [false, true, false, false, false, false, false]],
    ['python_version not in "3.8, 3.9"', [false, false, true, true, true, true, true]],
    ["extra == 'test'", all(false)],
    ["sys_platform == 'linux'", MINORS.map(() => undefined)],
    // Pre-/post-releases (packaging 21.3 and 23 order them unlike the PEP 440 library), `===` on another text, and
    // what packaging would order as strings: unknown, never a guess that could skip what pip installs.
    ['python_version < "3.13rc1"', MINORS.map(() => undefined)],
    ['python_version < "3.8.post1"', MINORS.map(() => undefined)],
    ['python_version === "3.12"', [undefined, undefined, undefined, undefined, true, undefined, undefined]],
    ['python_version < "3,>1"', MINORS.map(() => undefined)],
    ['python_version < "3.8.*"', MINORS.map(() => undefined)],
  ])('%s', (marker, want) => {
    expect(each(marker)).toEqual(want);
  });

  it.each([
    ['python_version < "3"', true],
    ['python_version == "2.7" and sys_platform == "linux"', true],
    ['extra == "docs"', true],
    ['python_version < "3.9"', false],
    ['sys_platform == "win32"', false],
    ['python_version < "3" or sys_platform == "win32"', false],
    ['python_full_version < "3"', false],
    ['not a marker', false],
    // CPythons newer than 3.14 install these.
    ['python_version >= "3.15"', false],
    ['python_version == "3.17" or python_version == "3.*.*"', false],
    ['python_version in "3.15 3.16"', false],
    ['python_version > "3.1000"', false],
    ['python_version in "3.150"', false],
    ['python_version > "3.1234567"', false],
    ['python_version >= "4"', true],
  ])('%s is skipped on every supported Python: %s', (marker, want) => {
    expect(excludedOnEveryPython(marker, 8)).toBe(want);
  });
});

/** pip's resolver ignores a root requirement whose markers are false ("markers … don't match your environment"). */
describe('a requirements line no supported Python installs', () => {
  const tree = tempTrees('cp-markers-');
  it('is not judged; a line some Python (3.15 too) or platform installs, and an editable, still are', async () => {
    const dir = tree({
      'requirements.txt': [
        'futures>=3; python_version < "3"', // 1
        'git+https://example.com/x/y.git#egg=y ; python_version < "3"', // 2
        'docs-theme; extra == "docs"', // 3
        'tomli>=1; python_version < "3.11"', // 4
        'pywin32; sys_platform == "win32"', // 5
        '-e git+https://example.com/x/z.git#egg=z ; python_version < "3"', // 6
        'https://example.com/next-1.0.tar.gz ; python_version >= "3.15"', // 7
      ].join('\n'),
    });
    const r = await scanWith(dir, [pythonDepsStage]);
    const got = r.findings
      .filter((f) => f.ruleId !== 'CPP050')
      .map((f) => `${f.ruleId}@${f.location.line ?? 0}:${String(f.evidence?.['packages'] ?? '')}`);
    // Lines 4 and 5 are the file's only unpinned requirements: one CPP010 for the file.
    expect(got.sort()).toEqual(['CPP010@4:tomli pywin32', 'CPP014@6:', 'CPP015@7:']);
  });

  it('still turns on hash-checking mode with its --hash (pip reads options before markers)', async () => {
    const dir = tree({
      'requirements.txt': `old==1.0 ; python_version < "3" --hash=sha256:${'a'.repeat(64)}\nnew==2.0\n`,
    });
    const r = await scanWith(dir, [pythonDepsStage]);
    expect(r.findings.filter((f) => f.ruleId === 'CPP011').map((f) => f.location.line)).toEqual([2]);
  });
});
