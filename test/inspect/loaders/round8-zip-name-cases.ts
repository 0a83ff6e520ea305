import { zip } from '../formats/build.js';
import type { UnseenCase } from './unseen-runner.js';

const LOADER =
  'CPython zipfile.ZipInfo.__init__ cuts a stored name at its first NUL; ZipFile.open/extractall use that name';

/**
 * Members looked up by their stored name, where the loader reads another: Python's zipfile cuts "name\0x" to "name",
 * and TorchServe's Java extraction resolves "./name" to "name".
 */
export const ROUND8_ZIP_NAME_CASES: readonly UnseenCase[] = [
  {
    name: 'TorchServe .mar whose manifest and handler are stored as "./MAR-INF/MANIFEST.json" and "./my_handler.py"',
    loader:
      'TorchServe frontend ZipUtils.unzip: new File(dest, entry.getName()) — "./" resolves away; TsModelLoader.load then imports the handler',
    files: {
      'm.mar': zip([
        { name: './MAR-INF/MANIFEST.json', data: JSON.stringify({ model: { handler: 'my_handler.py' } }) },
        { name: './my_handler.py', data: 'import os\n' },
      ]),
    },
    want: ['CPI121:warning'],
  },
  {
    name: 'skops file whose schema is stored as "schema.json\\0" and names os.system',
    loader: `${LOADER}; skops.io.load reads zip_file.read("schema.json")`,
    files: {
      'm.skops': zip([
        {
          name: 'schema.json\0',
          data: JSON.stringify({
            __class__: 'system',
            __module__: 'os',
            __loader__: 'FunctionNode',
            protocol: 2,
            _skops_version: '0.10.0',
          }),
        },
      ]),
    },
    want: ['CPI117:error'],
  },
];
