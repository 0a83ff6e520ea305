import path from 'node:path';
import type { ScanContext } from '../../core/context.js';
import type { DiscoveredFile } from '../../core/files.js';
import { locateInRoot } from '../../io/open-regular.js';
import { folderOf } from '../../io/raw-names.js';
import type { AnalysisReport } from '../analyser.js';
import { configOf } from './config-json.js';
import type { JsonValue } from './json.js';
import { isObject } from './json.js';
import { isKerasDirConfig } from './keras-dir.js';
import { checkKerasConfig, unreadKerasDeep } from './keras-config.js';
import { analyseWith } from './report.js';
import type { Findings } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { FormatError, readAt } from './source.js';

/** A preset object is KiB (a tokenizer's vocabulary sits in assets/); past this it is a limit finding, unread. */
const MAX_FILE = 32 * 1024 * 1024;

/**
 * Python's `key in value` on whatever `json.load` returned: a dict's keys, a list's items, a substring of a string.
 * The loaders test membership before they index, so any of these passes their test.
 */
function pythonIn(key: string, value: JsonValue | undefined): boolean {
  if (typeof value === 'string') return value.includes(key);
  if (Array.isArray(value)) return value.includes(key);
  return isObject(value) && Object.hasOwn(value, key);
}

type Sibling = { readonly kind: 'absent' } | { readonly kind: 'unread' } | { readonly kind: 'json'; value: JsonValue };

/** A JSON file beside `file`, read the way `preset_utils.load_json` does (`json.load`), if it is there to read. */
async function sibling(file: DiscoveredFile, ctx: ScanContext, name: string): Promise<Sibling> {
  const abs = path.resolve(folderOf(file.abs), name);
  const located = await locateInRoot(ctx.root, abs);
  if (located.kind === 'missing') return { kind: 'absent' };
  // A link out of the root or a special file is still what the loader opens: not knowing, the preset is assumed.
  if (located.kind !== 'file' || located.stats.size > MAX_FILE) return { kind: 'unread' };
  const rel = path.relative(ctx.root, abs).split(path.sep).join('/');
  const source = await ctx.files.open(located.real, rel, located.stats);
  try {
    const text = (await source.read(0, source.size)).toString('utf8').replace(/^\uFEFF/, '');
    const value = configOf(text)?.value;
    return value === undefined ? { kind: 'absent' } : { kind: 'json', value };
  } catch (err) {
    if (err instanceof FormatError) return { kind: 'unread' };
    throw err;
  } finally {
    await source.close();
  }
}

/**
 * Whether the folder is one KerasHub loads as serialized Keras objects. Current keras-hub
 * (`preset_utils.get_preset_loader`) picks `KerasPresetLoader` when config.json has `registered_name`; keras_nlp
 * before it (`preset_utils.check_format`) took any folder whose metadata.json has `keras_version`. Either is enough.
 * A Hugging Face folder has neither (its config.json has `model_type`), and its tokenizer.json is then never opened.
 */
function isKerasHubPreset(file: DiscoveredFile, ctx: ScanContext): Promise<boolean> {
  // Asked once a folder a scan: a preset holds up to five of these files, each asking of the same two siblings.
  let folders = presetFolders.get(ctx);
  if (!folders) presetFolders.set(ctx, (folders = new Map<string, Promise<boolean>>()));
  const folder = path.posix.dirname(file.path);
  let answer = folders.get(folder);
  if (!answer) folders.set(folder, (answer = readsAsPreset(file, ctx)));
  return answer;
}

const presetFolders = new WeakMap<ScanContext, Map<string, Promise<boolean>>>();

async function readsAsPreset(file: DiscoveredFile, ctx: ScanContext): Promise<boolean> {
  const config = await sibling(file, ctx, 'config.json');
  if (config.kind === 'unread' || (config.kind === 'json' && pythonIn('registered_name', config.value))) return true;
  const metadata = await sibling(file, ctx, 'metadata.json');
  return metadata.kind === 'unread' || (metadata.kind === 'json' && pythonIn('keras_version', metadata.value));
}

/**
 * A JSON object Keras deserializes whole: a preset object here, and a Keras 3 folder's config.json inside an archive
 * (keras-json-member.ts), which `saving_lib._load_model_from_dir` hands to `deserialize_keras_object` alike. Other
 * JSON is no Keras object: nothing to judge.
 */
export function* kerasDirConfigSteps(src: RandomAccess, out: Findings): ParseSteps<void> {
  if (src.size > MAX_FILE) throw new FormatError(`file of ${src.size} bytes is past the limit`, 0, 'limit');
  const text = (yield* readAt(src, 0, src.size)).toString('utf8').replace(/^\uFEFF/, '');
  const parsed = configOf(text);
  // `load_serialized_object` merges into `config["config"]` and hands the whole to `deserialize_keras_object`;
  // anything without that shape raises first.
  const config = parsed?.value;
  if (!isKerasDirConfig(config)) return;
  unreadKerasDeep(parsed?.deep, out);
  checkKerasConfig(config, out, undefined, true);
}

/**
 * A KerasHub preset's tokenizer.json, task.json, preprocessor.json, image_converter.json or audio_converter.json:
 * `KerasPresetLoader.load_tokenizer` / `load_task` / `load_preprocessor` / `load_image_converter` /
 * `load_audio_converter` each end in `load_serialized_object` → `keras.saving.deserialize_keras_object`, so a Lambda
 * or a function reference there runs on `from_preset`, exactly as in the backbone's config.json.
 */
export async function analyseKerasHubPreset(file: DiscoveredFile, ctx: ScanContext): Promise<AnalysisReport> {
  if (!(await isKerasHubPreset(file, ctx))) return { status: 'ok', findings: [] };
  return analyseWith(file, 'the KerasHub preset object', kerasDirConfigSteps, ctx.files);
}
