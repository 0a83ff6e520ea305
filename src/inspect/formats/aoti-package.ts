import type { ModelAnalyser } from '../analyser.js';
import type { Findings } from './report.js';
import { analyseWith } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { FormatError } from './source.js';
import { centralDirectorySteps } from './zip-member.js';

/**
 * Members torch/csrc/inductor/aoti_package/model_package_loader.cpp `AOTIModelPackageLoader` (what
 * `torch._inductor.aoti_load_package` builds) extracts from `data/aotinductor/<model_name>/` — at the top of the
 * zip or under the one folder torch's zip writer puts every record in — and then runs: a `.so` it dlopens
 * (`AOTIModelContainerRunner`), else the `.cpp` it compiles and links with the host's compiler (`compile_so`)
 * before dlopening the result. Windows builds load `.dll`/`.pyd` the same way.
 */
const NATIVE = /^(?:[^/]+\/)?data\/aotinductor\/[^/]+\/.*\.(?:so|cpp|dll|pyd|dylib)$/;

/** Judge a zip laid out as an AOTInductor (.pt2) package; any other zip is left alone. */
export function* aotiPackageSteps(src: RandomAccess, out: Findings): ParseSteps<void> {
  let names: string[];
  try {
    names = (yield* centralDirectorySteps(src)).map((e) => e.name);
  } catch (err) {
    if (err instanceof FormatError) return; // a broken zip is the zip analyser's finding
    throw err;
  }
  const native = [...new Set(names.filter((n) => NATIVE.test(n)))].sort();
  if (native.length === 0) return;
  out.add(
    'CPI127',
    `the archive is an AOTInductor package: torch._inductor.aoti_load_package extracts ${native.length === 1 ? JSON.stringify(native[0]) : `${native.length} native files (first ${JSON.stringify(native[0])})`} and ${native.some((n) => n.endsWith('.cpp')) && !native.some((n) => !n.endsWith('.cpp')) ? 'compiles and loads' : 'loads'} it as machine code in the loading process, with no opt-in. Load it only if you built it or trust who did; pin its digest.`,
    { members: native.slice(0, 20).join(', '), count: native.length },
    native[0],
  );
}

export const aotiPackageAnalyser: ModelAnalyser = {
  name: 'aoti-package',
  // A .pt2 is a zip (no name of its own in the catalogue): the loader takes any path, so every zip is looked at.
  formats: ['zip'],
  analyze: (file, ctx) =>
    analyseWith(file, 'the AOTInductor package', (src, out) => aotiPackageSteps(src, out), ctx.files),
};
