import type { ModelAnalyser } from '../analyser.js';
import type { Findings } from './report.js';
import { analyseWith } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { FormatError } from './source.js';
import { centralDirectorySteps } from './zip-member.js';
import { listedWithMore } from '../../core/plural.js';

/**
 * A llamafile (Mozilla-Ocho/llamafile) is not weights a loader reads but a program: llama.cpp and its server built as
 * a Cosmopolitan Actually Portable Executable, with the GGUF weights appended as a member of a zip whose central
 * directory ends the file (llamafile/zipalign.c). It is used by running it (`./model.llamafile`, or `sh` on it
 * where binfmt does not take it), so whatever machine code it holds runs with the user's rights; nothing in the file
 * says that code is the published llamafile build. The weights inside are named for the reviewer; reading them the
 * way llama.cpp does changes nothing to that.
 */
export function* llamafileSteps(src: RandomAccess, out: Findings): ParseSteps<void> {
  let weights: string[] = [];
  try {
    weights = (yield* centralDirectorySteps(src)).map((e) => e.name).filter((n) => n.toLowerCase().endsWith('.gguf'));
  } catch (err) {
    // No zip at its end: a program all the same (a llamafile built with the weights given at run time).
    if (!(err instanceof FormatError)) throw err;
  }
  const inside =
    weights.length === 0
      ? 'no GGUF weights inside (it loads them from a path or URL given when it runs)'
      : `the weights ${listedWithMore(
          weights.map((w) => JSON.stringify(w)),
          3,
        )} inside`;
  out.add(
    'CPI130',
    `the file is a program, not only weights: a llamafile (a Cosmopolitan Actually Portable Executable of llama.cpp) with ${inside}. Running it runs its machine code with your rights, and nothing in it shows that code is llamafile's published build.`,
    { weights: weights.slice(0, 20).join(', '), count: weights.length },
  );
}

export const llamafileAnalyser: ModelAnalyser = {
  name: 'ape',
  formats: ['llamafile'],
  analyze: (file, ctx) => analyseWith(file, 'the llamafile', (src, out) => llamafileSteps(src, out), ctx.files),
};
