import type { LoaderShape, Resolved } from './calls.js';

/** 🤗 evaluate's `load`, as the package and its module export it. */
export const EVALUATE_LOADS: ReadonlySet<string> = new Set(['evaluate.load', 'evaluate.loading.load']);

/** The `via` of every evaluate load, however the file names the function (judge.ts words its CPR002 by it). */
export const EVALUATE_VIA = 'evaluate.load';

/** The kinds of module evaluate looks up a bare name among, in its order (`evaluation_module_factory`). */
const MODULE_TYPES: ReadonlySet<string> = new Set(['metric', 'comparison', 'measurement']);

/**
 * 🤗 evaluate `load(path, config_name, module_type, …, revision)` (src/evaluate/loading.py): the module is Python
 * downloaded from a Hugging Face Space and imported (`import_main_class`): hub code that runs.
 * `evaluation_module_factory`: a path ending in `.py`, or a folder that holds `<name>/<name>.py`, is a local script
 * (this repository's code); any other relative path of at most one `/` is a Space — a bare name is
 * `evaluate-<module_type>/<name>` (with no module_type, `evaluate-metric` first, then comparison and measurement),
 * `org/name` the community's — whose `<name>.py` `HubEvaluationModuleFactory.get_module` downloads at `revision`, by
 * default `HF_SCRIPTS_VERSION` or the `v<evaluate version>` tag, falling back to `main`: a name the Space's owner
 * moves, so unpinned unless a commit is passed. Anything else is a FileNotFoundError: nothing loads.
 */
export function evaluateShape(
  kw: (k: string) => Resolved | undefined,
  pos: (i: number) => Resolved | undefined,
): LoaderShape | undefined {
  const path = kw('path') ?? pos(0);
  const via = EVALUATE_VIA;
  const v = path?.value;
  if (v === undefined) return path === undefined ? undefined : { via, name: path, runsRemoteCode: true };
  const parts = v.split('/').filter((p) => p !== '');
  const name = parts[parts.length - 1];
  if (name === undefined || v.endsWith('.py') || v.startsWith('.') || v.startsWith('/') || parts.length > 2)
    return undefined;
  const type = (kw('module_type') ?? pos(2))?.value ?? 'metric';
  if (parts.length === 1 && !MODULE_TYPES.has(type)) return undefined;
  const space = parts.length === 1 ? `evaluate-${type}/${name}` : v;
  return {
    via,
    name: { value: space, isString: true },
    repoType: 'spaces/',
    revision: kw('revision') ?? pos(10),
    file: { value: `${name}.py`, isString: true },
    runsRemoteCode: true,
    localFile: `${v}/${name}.py`,
  };
}
