import { describe, expect, it } from 'vitest';
import { matchPypiAdvisory } from '../../../src/deps/parsers/python/checks/malicious.js';
import { formatFromName as pythonFormatFromName } from '../../../src/discover/catalogue/index.js';
import { normalizeName, parseRequirement, pinnedVersion } from '../../../src/deps/parsers/python/pep508.js';
import { osvToPypiMalicious } from '../../../src/trust/registry/osv-pypi.js';
import { parseRegistryText } from '../../../src/trust/registry/load.js';

describe('PEP 503 / 508', () => {
  it.each([
    ['Foo.Bar_baz', 'foo-bar-baz'],
    ['A__B--c..D', 'a-b-c-d'],
  ])('normalizeName(%s) = %s', (raw, want) => expect(normalizeName(raw)).toBe(want));

  it.each([
    [
      'requests[socks] (>=2.0, <3) ; python_version < "3.8"',
      'requests',
      '>=2.0,<3',
      undefined,
      'python_version < "3.8"',
    ],
    ['h5py==3.13.0;', 'h5py', '==3.13.0', undefined, undefined],
    [
      'pkg @ https://x.example/p.whl;v=1 ; os_name == "nt"',
      'pkg',
      '',
      'https://x.example/p.whl;v=1',
      'os_name == "nt"',
    ],
  ])('parseRequirement(%s)', (text, name, spec, url, markers) => {
    const r = parseRequirement(text)!;
    expect([r.name, r.specifier, r.url, r.markers]).toEqual([name, spec, url, markers]);
  });

  // packaging's tokenizer: white space only around an operator and a clause, never inside a version; a version.
  it.each(['a==1.0 b', 'a===1 .0', 'a==', 'a>=1,', 'a (==1.0 b)'])('parseRequirement(%s) is no requirement', (text) =>
    expect(parseRequirement(text)).toBeUndefined(),
  );

  it.each([
    ['==1.2.3', '1.2.3'],
    ['===1.0-local', '1.0-local'],
    ['==1.*', ''],
    ['>=1,<2', ''],
    ['==1.0,!=1.1', ''],
  ])('pinnedVersion(%s) = %s', (spec, want) => expect(pinnedVersion(spec)).toBe(want));
});

describe('format names', () => {
  it.each([
    ['requirements.txt', 'pip-requirements'],
    ['build/requirements_lock_3_12.txt', 'pip-requirements'],
    ['test-requirements.txt', 'pip-requirements'],
    ['requirements/dev.txt', 'pip-requirements'],
    ['requirements.in', 'pip-requirements'],
    ['constraints.txt', 'pip-requirements'],
    ['sub/uv.lock', 'uv-lockfile'],
    ['poetry.lock', 'poetry-lockfile'],
    ['Pipfile.lock', 'pipfile-lockfile'],
    ['pylock.toml', 'pylock'],
    ['pylock.dev.toml', 'pylock'],
    ['pyproject.toml', 'pyproject-toml'],
    ['notes.txt', undefined],
    ['pylock.a.b.toml', undefined],
  ])('%s → %s', (name, want) => expect(pythonFormatFromName(name)).toBe(want));
});

describe('OSV PyPI records and PEP 440 ranges', () => {
  const rec = {
    id: 'MAL-2025-9',
    affected: [
      { package: { ecosystem: 'npm', name: 'same-name' }, versions: ['1.0.0'] },
      {
        package: { ecosystem: 'PyPI', name: 'Same_Name' },
        ranges: [
          { type: 'ECOSYSTEM' as const, events: [{ introduced: '0' }, { fixed: '1.0' }, { introduced: '2.0' }] },
        ],
        versions: ['0.5.post1'],
      },
    ],
  };

  it('keeps PyPI packages only, normalised, with event ranges', () => {
    const conv = osvToPypiMalicious(rec, 'r.json', []);
    expect(conv).toEqual({
      ok: true,
      packages: [
        {
          id: 'MAL-2025-9',
          name: 'same-name',
          ranges: [{ introduced: '0', fixed: '1.0' }, { introduced: '2.0' }],
          versions: ['0.5.post1'],
          file: 'r.json',
        },
      ],
    });
  });

  it('a version PEP 440 cannot parse is a registry error with its path', () => {
    const bad = {
      id: 'MAL-1',
      affected: [
        {
          package: { ecosystem: 'PyPI', name: 'x' },
          ranges: [{ type: 'ECOSYSTEM' as const, events: [{ introduced: 'not a version!' }] }],
        },
      ],
    };
    expect(osvToPypiMalicious(bad, 'r.json', ['malicious', 0])).toMatchObject({
      ok: false,
      path: ['malicious', 0, 'affected', 0, 'ranges', 0, 'events', 0, 'introduced'],
    });
  });

  it('the trusted-registry loader keeps npm and PyPI lists apart', () => {
    const reg = parseRegistryText(JSON.stringify(rec), 'trusted-registry/mal.json');
    expect(reg.malicious.map((m) => m.name)).toEqual(['same-name']);
    expect(reg.pypiMalicious?.map((m) => m.name)).toEqual(['same-name']);
  });

  const adv = osvToPypiMalicious(rec, 'r.json', []);
  const pkg = adv.ok ? adv.packages[0]! : undefined;
  it.each([
    ['0.9', '>=0,<1.0'],
    ['1.0rc1', '>=0,<1.0'], // a pre-release of the fixed version sorts before it (PEP 440)
    ['1.0', undefined],
    ['1.0.post1', undefined],
    ['1.5', undefined],
    ['2.0.dev1', undefined],
    ['2.0', '>=2.0'],
    ['3.1+local', '>=2.0'],
    ['0.5.post1', '0.5.post1'],
    ['', undefined],
  ])('version %s matches %s', (version, want) => expect(matchPypiAdvisory(version, pkg!)).toBe(want));
});
