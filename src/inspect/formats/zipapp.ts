import type { ModelAnalyser } from '../analyser.js';
import type { Findings } from './report.js';
import { analyseWith } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { FormatError } from './source.js';
import { centralDirectorySteps } from './zip-member.js';

/**
 * The members `python <archive>` runs. CPython puts the archive first on `sys.path` and calls
 * `runpy._run_module_as_main('__main__')`; `_get_main_module_details` finds `__main__` through `zipimport`, whose
 * search order (`_zip_searchorder`) takes a package `__main__/__init__` first — which runpy refuses ("Cannot use
 * package as __main__ module") — then `__main__.pyc`, then `__main__.py`, at the top of the archive only. zipimport
 * finds the archive by its end record, so a shebang line or any other bytes before it change nothing
 * (`python -m zipapp -p`).
 */
const ENTRY_POINTS = ['__main__.pyc', '__main__.py'] as const;

/** Judge a zip that Python runs as a program (a zipapp); any other zip is left alone. */
export function* zipappSteps(src: RandomAccess, out: Findings): ParseSteps<void> {
  let names: Set<string>;
  try {
    names = new Set((yield* centralDirectorySteps(src)).map((e) => e.name));
  } catch (err) {
    if (err instanceof FormatError) return; // a broken zip is the zip analyser's finding
    throw err;
  }
  const entry = ENTRY_POINTS.find((n) => names.has(n));
  if (entry === undefined) return;
  out.add(
    'CPI130',
    `the archive is a Python program (a zipapp): running it with Python runs its top-level ${JSON.stringify(entry)} with your rights (runpy imports it from the archive through zipimport). It is code, not data: review it, run it only if you trust who built it, and pin its digest.`,
    { member: entry, kind: 'python-zipapp' },
    entry,
  );
}

export const zipappAnalyser: ModelAnalyser = {
  name: 'zipapp',
  // Python runs any zip it is given as a program when `__main__.py` sits at its top, whatever the file is called
  // (`.pyz`, `.pyzw`, `.zip`, or no suffix behind a shebang).
  formats: ['zip'],
  analyze: (file, ctx) => analyseWith(file, 'the Python zipapp', (src, out) => zipappSteps(src, out), ctx.files),
};
