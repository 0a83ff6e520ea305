import type { ModelAnalyser } from '../analyser.js';
import { loadLzmaDecoder } from '../containers/lzma.js';
import type { JsonValue } from './json.js';
import { isObject, parseJson } from './json.js';
import type { Findings } from './report.js';
import { analyseWith } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { FormatError } from './source.js';
import { extractedPath } from '../content/member-path.js';
import type { CentralEntry } from './zip-member.js';
import { centralDirectorySteps, readMember } from './zip-member.js';

/** A MANIFEST.json is a few hundred bytes; past this it is a limit finding. */
const MAX_MANIFEST = 1024 * 1024;
const MANIFEST = 'MAR-INF/MANIFEST.json';

/**
 * The handlers TorchServe ships (`ts/torch_handler/*.py`): `TsModelLoader._load_default_handler` imports them from
 * `ts.torch_handler` when no module of that name is importable from the model folder.
 */
const BUILT_IN_HANDLERS: ReadonlySet<string> = new Set([
  'base_handler',
  'image_classifier',
  'image_segmenter',
  'object_detector',
  'text_classifier',
  'densenet_handler',
  'vision_handler',
  'text_handler',
]);

/** A module of the archive that TorchServe imports, and the manifest field that names it. */
interface ImportedModule {
  readonly field: string;
  readonly module: string;
  readonly member: string;
}

/**
 * The archive's Python modules TorchServe imports while loading the model. `TsModelLoader.load`
 * (ts/model_loader.py) puts the extracted folder on `sys.path` and calls `_load_handler_file`: `handler` split at
 * `:`, `.py` dropped, `importlib.import_module(name)` — so a module of that name in the archive wins over a
 * built-in handler of the same name. The base handler's `_load_pickled_model` then imports `modelFile` the same
 * way (eager-mode models).
 */
function importedModules(model: Record<string, JsonValue>, members: ReadonlySet<string>): ImportedModule[] {
  const out: ImportedModule[] = [];
  for (const field of ['handler', 'modelFile']) {
    const value = model[field];
    if (typeof value !== 'string' || value.length === 0) continue;
    const module = value.split(':', 1)[0]!.replace(/\.py$/, '');
    const path = module.replace(/\./g, '/');
    const member = [`${path}.py`, `${path}/__init__.py`].find((m) => members.has(m));
    if (member !== undefined) out.push({ field, module, member });
  }
  return out;
}

/** Judge a zip laid out as a TorchServe model archive (MAR-INF/MANIFEST.json); any other zip is left alone. */
export function* torchServeArchiveSteps(src: RandomAccess, out: Findings): ParseSteps<void> {
  let entries: CentralEntry[];
  try {
    entries = yield* centralDirectorySteps(src);
  } catch (err) {
    if (err instanceof FormatError) return; // a broken zip is the zip analyser's finding
    throw err;
  }
  const manifest = entries.filter((e) => extractedPath(e.name) === MANIFEST).at(-1);
  if (!manifest) return;
  const text = (yield* readMember(src, manifest, MAX_MANIFEST)).toString('utf8');
  // The frontend (Gson) and `ts.model_loader` (json.load) read deeper nesting than this and then import `model.*`
  // beside it: deeper values are skipped, not a failure that leaves the handler unchecked.
  const { value } = parseJson(text, { maxDepth: 64, skipDeeper: true });
  const model = isObject(value) ? value.model : undefined;
  if (!isObject(model)) throw new FormatError(`${MANIFEST} has no "model" object, so TorchServe cannot load it`, 0);
  const names = new Set(entries.map((e) => extractedPath(e.name)));
  const requirements = typeof model.requirementsFile === 'string' ? model.requirementsFile : undefined;
  for (const m of importedModules(model, names)) {
    const shadows = m.field === 'handler' && BUILT_IN_HANDLERS.has(m.module);
    out.add(
      'CPI121',
      `TorchServe imports \`${m.member}\` from the archive (MANIFEST model.${m.field} = ${JSON.stringify(model[m.field])})${shadows ? ', shadowing its built-in handler of that name' : ''} when it loads the model: that Python code runs on the serving host with no opt-in. Review it before serving this archive, or use a built-in handler.`,
      {
        field: m.field,
        module: m.module,
        ...(shadows ? { shadowsBuiltIn: true } : {}),
        ...(requirements !== undefined ? { requirementsFile: requirements } : {}),
      },
      m.member,
      shadows ? 'error' : undefined,
    );
  }
}

export const torchServeAnalyser: ModelAnalyser = {
  name: 'torchserve',
  // A .mar is a zip: TorchServe's ModelArchive unzips it whatever it is called, so every zip is looked at.
  formats: ['zip'],
  async analyze(file, ctx) {
    await loadLzmaDecoder(); // MANIFEST.json may be an lzma member (zip method 14), which zipfile reads
    return analyseWith(file, 'the TorchServe archive', (src, out) => torchServeArchiveSteps(src, out), ctx.files);
  },
};
