import { describe, expect, it } from 'vitest';
import { importedNames } from '../../../src/inspect/formats/torch-package-imports.js';

describe('importedNames: what a shipped source hands PackageImporter.__import__', () => {
  it.each([
    { text: 'import a.b, c as d  # e', module: 'm', pkg: false, want: ['a.b', 'c'] },
    { text: '    from x.y import (z,\n', module: 'm', pkg: false, want: ['x.y', 'x.y.z'] },
    // `_calc___package__`: a module's package is its parent, a package's itself; one level up per extra dot.
    { text: 'from . import helper', module: 'pkg.model', pkg: false, want: ['pkg', 'pkg.helper'] },
    { text: 'from .sub import f', module: 'pkg', pkg: true, want: ['pkg.sub', 'pkg.sub.f'] },
    { text: 'from ..up import g', module: 'pkg.sub.m', pkg: false, want: ['pkg.up', 'pkg.up.g'] },
    // Relative imports with no parent package, or past the top, raise: nothing is imported.
    { text: 'from . import x\nfrom ... import y', module: 'top', pkg: false, want: [] },
    { text: 'from os import *\nx = "import later"', module: 'm', pkg: false, want: ['os'] },
  ])('$text in $module', ({ text, module, pkg, want }) => {
    expect(importedNames(text, module, pkg)).toEqual(want);
  });
});
