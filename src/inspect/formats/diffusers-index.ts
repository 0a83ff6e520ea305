import path from 'node:path';
import type { ScanContext } from '../../core/context.js';
import type { DiscoveredFile } from '../../core/files.js';
import { locateInRoot } from '../../io/open-regular.js';
import { folderOf } from '../../io/raw-names.js';
import type { AnalysisReport } from '../analyser.js';
import { configOf, lineOfKey } from './config-json.js';
import type { JsonValue } from './json.js';
import { isObject } from './json.js';
import { analyseWith, Findings } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { FormatError, readAt } from './source.js';

/** A model_index.json is a few KiB; past this it is a limit finding. */
const MAX_FILE = 4 * 1024 * 1024;
/** Python files looked up per index, at most (a pipeline has a handful of components). */
const MAX_LOOKUPS = 256;

/** One Python file diffusers imports for this pipeline when it is there. */
interface CodeFile {
  /** `_class_name` (the pipeline) or the component's key (`unet`, `scheduler`…). */
  readonly key: string;
  /** The class diffusers takes from that file. */
  readonly className: string;
  /** The file, relative to the folder of model_index.json, joined as `os.path.join` does. */
  readonly file: string;
}

/**
 * The Python files `DiffusionPipeline.from_pretrained` (diffusers/pipelines/pipeline_utils.py) imports for a
 * pipeline folder:
 * - `_resolve_custom_pipeline_and_cls`: a `_class_name` written as `[module, Class]` loads `<folder>/<module>.py`
 *   when that file exists, through `get_class_from_dynamic_module`;
 * - `get_class_obj_and_candidates` (pipeline_loading_utils.py): a component `"<name>": [library, Class]` whose
 *   `<folder>/<name>/<library>.py` exists is a custom component, loaded the same way (a diffusers pipeline module
 *   name as `library` is taken from diffusers first; no genuine folder ships such a file).
 */
function codeFilesOf(index: JsonValue | undefined): CodeFile[] {
  const out: CodeFile[] = [];
  if (!isObject(index)) return out;
  const pair = (v: JsonValue | undefined): [string, string] | undefined =>
    Array.isArray(v) && typeof v[0] === 'string' && v[0] !== ''
      ? [v[0], typeof v[1] === 'string' ? v[1] : '']
      : undefined;
  const pipeline = pair(index._class_name);
  if (pipeline) out.push({ key: '_class_name', className: pipeline[1], file: `${pipeline[0]}.py` });
  for (const [key, v] of Object.entries(index)) {
    const p = key === '_class_name' ? undefined : pair(v);
    if (p) out.push({ key, className: p[1], file: path.posix.join(key, `${p[0]}.py`) });
  }
  return out.slice(0, MAX_LOOKUPS);
}

function* indexSteps(src: RandomAccess, found: { files: CodeFile[]; text: string }): ParseSteps<void> {
  if (src.size > MAX_FILE) throw new FormatError(`file of ${src.size} bytes is past the limit`, 0, 'limit');
  found.text = (yield* readAt(src, 0, src.size)).toString('utf8').replace(/^\uFEFF/, '');
  found.files = codeFilesOf(configOf(found.text)?.value);
}

/**
 * Whether `os.path.isfile` is true for the file: a regular file, or a link to one (a Hugging Face cache snapshot
 * links every file to a blob, possibly outside the scan root; only where it resolves is looked up).
 */
async function isFile(root: string, abs: string): Promise<boolean> {
  const located = await locateInRoot(root, abs);
  return located.kind === 'file' || located.kind === 'symlink-outside-root';
}

/**
 * A diffusers `model_index.json`: the pipeline class and custom components it makes diffusers import from Python
 * files. A local folder loads them with no opt-in (`from_pretrained` on a directory never reaches `download`, where
 * the Hub path asks for `trust_remote_code=True`): an error when the file is in the folder. A `[module, Class]`
 * pipeline whose file is absent is fetched from the Hub repository with `trust_remote_code=True`: a warning.
 */
export async function analyseDiffusersIndex(file: DiscoveredFile, ctx: ScanContext): Promise<AnalysisReport> {
  const found: { files: CodeFile[]; text: string } = { files: [], text: '' };
  const report = await analyseWith(file, 'the diffusers pipeline index', (src) => indexSteps(src, found), ctx.files);
  if (found.files.length === 0) return report;
  const dir = folderOf(file.abs);
  const present: CodeFile[] = [];
  for (const f of found.files) if (await isFile(ctx.root, path.resolve(dir, f.file))) present.push(f);
  const remotePipeline = found.files.find((f) => f.key === '_class_name' && !present.includes(f));
  if (present.length === 0 && remotePipeline === undefined) return report;
  const out = new Findings(file.path, file.format);
  const listed = present.map((f) => `${f.key} → ${f.file}${f.className ? ` (${f.className})` : ''}`);
  if (present.length > 0)
    out.add(
      'CPI125',
      `the pipeline index names Python code in the folder (${listed.slice(0, 3).join(', ')}${listed.length > 3 ? ` and ${listed.length - 3} more` : ''}): DiffusionPipeline.from_pretrained on this folder imports and runs it, with no trust_remote_code needed for a local folder. Review that code before loading, or use pipeline and component classes diffusers implements.`,
      { files: present.map((f) => f.file).join(', '), references: listed.join('; ') },
      undefined,
      'error',
      lineOfKey(found.text, present[0]!.key),
    );
  else
    out.add(
      'CPI125',
      `the pipeline index names its pipeline class as [${JSON.stringify(remotePipeline!.file.slice(0, -3))}, ${JSON.stringify(remotePipeline!.className)}]: DiffusionPipeline.from_pretrained fetches ${remotePipeline!.file} from the model's Hub repository and runs it when trust_remote_code=True is passed (the file is not in this folder, so it was not reviewed). Review that file and pin the revision, or use a pipeline class diffusers implements.`,
      { files: remotePipeline!.file },
      undefined,
      undefined,
      lineOfKey(found.text, '_class_name'),
    );
  return { status: report.status, findings: [...report.findings, ...out.list] };
}
