import { describe, expect, it } from 'vitest';
import { PackageModules, pythonSplitLines } from '../../../src/inspect/formats/torch-package-modules.js';

describe('pythonSplitLines', () => {
  // Each `want` is what CPython 3.11's str.splitlines() returned for the input.
  it.each([
    { text: '', want: [] },
    { text: '\n', want: [''] },
    { text: 'a\r\nevil\vb\x85c\n\nd\r', want: ['a', 'evil', 'b', 'c', '', 'd'] },
    { text: 'x\u2028y\x1cz', want: ['x', 'y', 'z'] },
  ])('$text', ({ text, want }) => {
    expect(pythonSplitLines(text)).toEqual(want);
  });
});

describe('PackageModules.importOf follows PackageImporter._gcd_import', () => {
  const modules = new PackageModules(
    ['host', 'numpy.linalg'],
    ['pkg/__init__.py', 'pkg/sub/mod.py', 'pkg/leaf.py', 'ns/deep/m.py', '.data/ts_code/x.py', 'host.py'],
  );
  const runs = (m: string) => {
    const o = modules.importOf(m);
    return o.kind === 'runs' ? o.runs.map((r) => r.record) : o.kind;
  };

  it.each([
    { module: 'pkg.sub.mod', want: ['pkg/__init__.py', 'pkg/sub/mod.py'] },
    // A folder without __init__.py is a package with no code of its own.
    { module: 'ns.deep.m', want: ['ns/deep/m.py'] },
    // A module is no package: importing under it raises once it has run.
    { module: 'pkg.leaf.x', want: ['pkg/__init__.py', 'pkg/leaf.py'] },
    // `.data/<folder>/` records are never modules; `host.py` replaced the extern `host`.
    { module: '.data.ts_code.x', want: [] },
    { module: 'host', want: ['host.py'] },
    { module: 'numpy.linalg', want: [] },
    { module: '<torch_package_12>.pkg.leaf', want: ['pkg/__init__.py', 'pkg/leaf.py'] },
    // Not the importer's mangling: an index never has leading zeros.
    { module: '<torch_package_01>.pkg.leaf', want: [] },
    { module: 'torch_package_importer', want: 'importer' },
    { module: 'torch_package_importer.pkg', want: [] },
  ])('$module', ({ module, want }) => {
    expect(runs(module)).toEqual(want);
  });
});
