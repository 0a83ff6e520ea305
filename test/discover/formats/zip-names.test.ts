import { describe, expect, it } from 'vitest';
import { classifyZip } from '../../../src/discover/formats/zip-names.js';

// What Debian's torch 1.13 did with each layout: `PackageImporter(io.BytesIO(zip))` opened it, or raised.
describe('classifyZip: torch.package archives as PackageImporter opens them', () => {
  it.each([
    { names: ['m/res/net.pkl', 'm/pkg/model.py', 'm/.data/extern_modules', 'm/.data/version'], want: 'torch-package' },
    // PyTorchStreamReader falls back to `<root>/version`, and miniz finds records whatever their case.
    { names: ['m/version', 'm/.data/extern_modules'], want: 'torch-package' },
    { names: ['m/.DATA/VERSION', 'm/.DATA/EXTERN_MODULES'], want: 'torch-package' },
    // Beside a torch.save pickle: PackageImporter still runs the archive's modules for its other pickles.
    { names: ['m/data.pkl', 'm/.data/version', 'm/.data/extern_modules'], want: 'torch-package' },
    // "PytorchStreamReader failed locating file .data/extern_modules": the importer refuses it.
    { names: ['m/.data/version', 'm/pkg/model.py'], want: 'zip' },
    // "file in archive is not in a subdirectory": every record must sit under the first entry's folder.
    { names: ['m/.data/version', 'm/.data/extern_modules', 'other/evil.py'], want: 'zip' },
    { names: ['.data/version', '.data/extern_modules', 'evil.py'], want: 'zip' },
    // The root is one folder deep: `a/b/.data/version` is the record `b/.data/version`.
    { names: ['a/b/.data/version', 'a/b/.data/extern_modules'], want: 'zip' },
  ])('$names → $want', ({ names, want }) => {
    expect(classifyZip(names)).toBe(want);
  });
});
