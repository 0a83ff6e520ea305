import { defineRules } from '../rule.js';

const LOADERS = ['security', 'models', 'loader'];

/** CPI080–CPI099: where a file is read differently by the real loader than a naive reader would read it. */
export const INSPECT_LOADER_RULES = defineRules([
  {
    id: 'CPI080',
    name: 'NpyDuplicateHeaderKey',
    short: 'A .npy header repeats a key; numpy keeps the last value, other readers may keep the first.',
    full: "numpy reads a .npy header with `ast.literal_eval`, so a key written twice (`'descr'` twice) takes its last value. Real writers never repeat keys; a crafted file can show one dtype to a reader that keeps the first value and make numpy unpickle an object array. chainproof judges the file by the last value, as numpy does.",
    help: 'Treat the file as crafted. Re-save the array with `numpy.save` from data you trust.',
    level: 'warning',
    severity: '5.3',
    tags: [...LOADERS, 'numpy'],
  },
]);
