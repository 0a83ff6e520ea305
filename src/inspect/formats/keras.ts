import type { ModelAnalyser } from '../analyser.js';
import type { ContentContext } from '../content/content.js';
import { registerMemberFormat } from '../content/member-formats.js';
import { DEFAULT_CONTENT_LIMITS, inspectContent } from '../content/content.js';
import { loadLzmaDecoder } from '../containers/lzma.js';
import { decodeJsonBytes } from './json.js';
import { checkKerasConfig, parseKerasConfigJson } from './keras-config.js';
import { findHdf5External } from './hdf5-external.js';
import { registerKerasArchiveJudge } from '../pickle/keras-object.js';
import { Findings, analyseWith, runParser } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { bufferSource, driveSync, FormatError } from './source.js';
import type { CentralEntry } from './zip-member.js';
import {
  centralDirectorySteps,
  entriesLoadedAs,
  entriesNamed,
  PYTHON_ZIP_NAMINGS,
  pythonZipName,
  readCentralDirectory,
  readMember,
} from './zip-member.js';

/** Largest config.json read; real ones are kilobytes to a few megabytes. */
export const MAX_KERAS_CONFIG = 64 * 1024 * 1024;

/** A Keras v3 archive, as Keras's loader recognises one: `config.json` plus its metadata or weights at the top. */
export function isKerasArchive(names: readonly string[]): boolean {
  const has = (n: string) => names.includes(n);
  return has('config.json') && (has('metadata.json') || has('model.weights.h5') || has('model.weights.npz'));
}

/**
 * What an archive judged inside another file may decompress (member-formats.ts): that file's budget left, and what
 * this archive spent of it. A file of its own has the content limits' whole budget.
 */
export interface KerasBudget {
  readonly left: number;
  used: number;
}

/**
 * Check a `.keras` archive's `config.json`. Only the central directory and that member are read. `claimAll`: the
 * file was detected as Keras; otherwise (a plain zip) it is checked only when it is laid out as a Keras archive.
 */
export function* kerasArchiveSteps(
  src: RandomAccess,
  out: Findings,
  claimAll: boolean,
  allowedGlobals: readonly string[] = [],
  budget: KerasBudget = { left: DEFAULT_CONTENT_LIMITS.maxTotalBytes, used: 0 },
): ParseSteps<void> {
  let entries: CentralEntry[];
  try {
    entries = yield* centralDirectorySteps(src);
  } catch (err) {
    if (!claimAll && err instanceof FormatError) return; // not ours: the zip/pickle analyser reports broken zips
    throw err;
  }
  if (!claimAll && !isKerasArchive(entries.flatMap(pythonNames))) return;
  // Python's zipfile resolves a duplicated name to the last entry in the directory; from 3.12 a Unicode Path extra
  // field can give another member that name, so each Python version may load a different config: judge each.
  const configs = entriesNamed(entries, 'config.json');
  const loaded = entriesLoadedAs(entries, 'config.json');
  if (loaded.length === 0) throw new FormatError('the archive has no config.json, so Keras cannot load it', 0);
  if (configs.length > 1)
    out.add(
      'CPI050',
      `config.json appears ${configs.length} times in the archive${renamedNote(configs, 'config.json')}; readers disagree on which one is loaded. Treat the file as crafted.`,
      { member: 'config.json', copies: configs.length },
      'config.json',
    );
  for (const config of loaded) {
    // `_load_model_from_fileobj` reads the member as bytes and calls `json.loads(config_json)` (detect_encoding).
    const raw = yield* readMember(src, config, MAX_KERAS_CONFIG);
    if (config.method !== 0) budget.used += raw.length;
    const member = config.unicodeName === 'config.json' ? config.name : 'config.json';
    checkKerasConfig(parseKerasConfigJson(decodeJsonBytes(raw), out, member), out, member, true);
  }
  yield* checkKerasWeights(src, entries, out, allowedGlobals, budget);
}

/** `kerasArchiveSteps` over bytes in memory. */
export function parseKerasArchive(
  src: RandomAccess,
  out: Findings,
  claimAll: boolean,
  allowedGlobals: readonly string[] = [],
): void {
  driveSync(kerasArchiveSteps(src, out, claimAll, allowedGlobals));
}

/** The names Python's zipfile gives an entry: the stored one, and from 3.12 its Unicode Path name. */
function pythonNames(e: CentralEntry): string[] {
  return e.unicodeName === undefined ? [pythonZipName(e.name)] : [pythonZipName(e.name), e.unicodeName];
}

/** How the copies of `name` came about, when an extra field renamed a member to it. */
function renamedNote(copies: readonly CentralEntry[], name: string): string {
  const renamed = copies.filter((e) => e.unicodeName === name).map((e) => JSON.stringify(e.name));
  return renamed.length === 0
    ? ''
    : ` (${renamed.join(', ')} ${renamed.length === 1 ? 'is' : 'are'} named ${name} by a Unicode Path extra field, 0x7075, which Python 3.12+'s zipfile reads)`;
}

/**
 * After the config, `saving_lib._load_model_from_fileobj` opens the weights: `model.weights.h5` when the archive
 * has one (HDF5, no code), else `model.weights.npz` through `NpzIOStore`, which calls `np.load(f,
 * allow_pickle=True)` and reads every path's dict back out of a pickled object array. That member is read as
 * np.load would (npz members, npy headers, object-array pickles); its findings are the archive's.
 */
function* checkKerasWeights(
  src: RandomAccess,
  entries: readonly CentralEntry[],
  out: Findings,
  allowedGlobals: readonly string[],
  budget: KerasBudget,
): ParseSteps<void> {
  // `if _VARS_FNAME_H5 in all_filenames … elif _VARS_FNAME_NPZ in …` over `zf.namelist()`: decided per Python naming.
  const seen = new Set<CentralEntry>();
  for (const nameOf of PYTHON_ZIP_NAMINGS) {
    const last = (name: string) => entries.filter((e) => nameOf(e) === name).at(-1);
    const h5 = last('model.weights.h5');
    const weights = h5 ?? last('model.weights.npz');
    if (!weights || seen.has(weights)) continue;
    seen.add(weights);
    if (h5) yield* checkH5Weights(src, h5, out, budget);
    else yield* checkNpzWeights(src, weights, out, allowedGlobals, budget);
  }
}

/** `NpzIOStore`'s `np.load(allow_pickle=True)` of the weights member, read as np.load would. */
function* checkNpzWeights(
  src: RandomAccess,
  npz: CentralEntry,
  out: Findings,
  allowedGlobals: readonly string[],
  budget: KerasBudget,
): ParseSteps<void> {
  const left = budget.left - budget.used;
  let data: Buffer;
  try {
    // Only decompression spends the budget: a stored member is a view of bytes already read.
    const cap = npz.method === 0 ? DEFAULT_CONTENT_LIMITS.maxEntrySize : Math.max(0, left);
    data = yield* readMember(src, npz, Math.min(DEFAULT_CONTENT_LIMITS.maxEntrySize, cap));
  } catch (err) {
    if (!(err instanceof FormatError)) throw err;
    out.addError(err, 'the weights', npz.name);
    return;
  }
  const ctx: ContentContext = {
    path: out.path,
    allow: { extra: allowedGlobals },
    limits: { ...DEFAULT_CONTENT_LIMITS, maxTotalBytes: Math.max(0, left) },
    findings: [],
    extracted: npz.method !== 0 ? data.length : 0,
  };
  inspectContent(data, npz.name, inArchive(out, npz.name), 1, 'claimed', ctx);
  budget.used += ctx.extracted;
  for (const f of ctx.findings)
    out.list.push({ ...f, artifact: f.artifact ?? { kind: 'model', path: out.path, format: out.format } });
}

/** A member's place in the scanned file: under the archive member the Keras archive itself is, if it is one. */
function inArchive(out: Findings, name: string): string {
  return out.within === undefined ? name : `${out.within}!${name}`;
}

/**
 * Weights read whole to look for HDF5 references to other files. Larger ones are not looked at (a known gap: a
 * finding there would land on every big genuine model; ranged reads of stored members would close it).
 */
const MAX_H5_WEIGHTS = 256 * 1024 * 1024;

/**
 * `saving_lib` reads `model.weights.h5` through `H5IOStore`, whose `h5_file[path]` lookups follow external links
 * and external storage in Keras before 3.12.1 (CVE-2026-1669): the weights file must not point outside itself.
 */
function* checkH5Weights(src: RandomAccess, h5: CentralEntry, out: Findings, budget: KerasBudget): ParseSteps<void> {
  if (h5.size > MAX_H5_WEIGHTS || (h5.method !== 0 && h5.size > budget.left - budget.used)) return;
  let data: Buffer;
  try {
    data = yield* readMember(src, h5, MAX_H5_WEIGHTS);
    if (h5.method !== 0) budget.used += data.length;
  } catch (err) {
    if (!(err instanceof FormatError)) throw err;
    out.addError(err, 'the weights', h5.name);
    return;
  }
  for (const e of findHdf5External(data).slice(0, 20))
    out.add(
      'CPI114',
      e.kind === 'external-link'
        ? `an HDF5 external link at byte ${e.at} points to ${JSON.stringify(e.target)}; h5py follows it when Keras reads the weights, so loading reads another file on the host. Do not load it.`
        : `a dataset at byte ${e.at} keeps its data in external files; loading the weights reads files outside the model. Do not load it.`,
      { offset: e.at, kind: e.kind, ...(e.target !== undefined ? { target: e.target } : {}) },
      h5.name,
    );
}

/**
 * The archive a pickled Keras model carries (`KerasSaveable._unpickle_model` → `saving_lib._load_model_from_fileobj`
 * with safe_mode=False) is judged exactly like a `.keras` file: config first, then the weights. Registered here
 * because the pickle VM may not import this module (formats → content → pickle).
 */
registerKerasArchiveJudge((data) => {
  const out = new Findings('', 'keras');
  runParser(bufferSource(data), out, 'the embedded Keras archive', (src, o) => parseKerasArchive(src, o, true));
  return out.list;
});

/**
 * A file named `.keras` that content detection took for something else. `saving_api.load_model` sends a `.keras`
 * path to `saving_lib` whenever `zipfile.is_zipfile` says yes, and zipfile finds the end record behind any leading
 * bytes (a pickle, HDF5 or GGUF head); `_load_model_from_fileobj` then deserializes `config.json` before it looks for
 * weights. Judged as a Keras archive when it is a zip with a config.json; otherwise the detected format's analyser speaks.
 */
function* namedKerasSteps(src: RandomAccess, out: Findings, allowedGlobals: readonly string[]): ParseSteps<void> {
  let entries: CentralEntry[];
  try {
    entries = yield* centralDirectorySteps(src);
  } catch (err) {
    if (err instanceof FormatError) return;
    throw err;
  }
  if (entriesLoadedAs(entries, 'config.json').length === 0) return;
  yield* kerasArchiveSteps(src, out, true, allowedGlobals);
}

export const kerasAnalyser: ModelAnalyser = {
  name: 'keras',
  // Discovery may report a .keras as a plain zip (or, with leading bytes, as another format): Keras goes by the name.
  // Other zips are claimed only when laid out as a Keras archive.
  formats: ['keras', 'zip'],
  async analyze(file, ctx) {
    // The npz weights may hold lzma members; that decoder loads asynchronously, the reader below is synchronous.
    await loadLzmaDecoder();
    const allowed = ctx.policy.models.allowedGlobals;
    return analyseWith(
      file,
      'the Keras archive',
      (src, out) =>
        file.format === 'keras'
          ? kerasArchiveSteps(src, out, true, allowed)
          : file.claimed === 'keras'
            ? namedKerasSteps(src, out, allowed)
            : kerasArchiveSteps(src, out, false, allowed),
      ctx.files,
    );
  },
};

/**
 * A Keras archive inside another archive (a model bundle `model.zip` holding `model.keras`, a release `.tar.gz`):
 * extracted and handed to `keras.saving.load_model`, it is loaded as a `.keras` file is, so it is judged as one — a
 * member named `.keras` when it is a zip with a config.json (`namedKerasSteps`), any other zip member when it is laid
 * out as a Keras archive (as discovery claims a top-level zip). Anything else is left to the container reader.
 */
registerMemberFormat({
  format: 'keras',
  claimsName: (name) => /\.keras$/i.test(name),
  judge(data, name, where) {
    const src = bufferSource(data);
    const named = /\.keras$/i.test(name);
    let entries: CentralEntry[];
    try {
      entries = readCentralDirectory(src);
    } catch (err) {
      if (err instanceof FormatError) return undefined;
      throw err;
    }
    const keras = named
      ? entriesLoadedAs(entries, 'config.json').length > 0
      : isKerasArchive(entries.flatMap(pythonNames));
    if (!keras) return undefined;
    const out = new Findings(where.path, 'keras', where.member);
    const budget: KerasBudget = { left: where.budget, used: 0 };
    runParser(src, out, 'the Keras archive', (s, o) =>
      driveSync(kerasArchiveSteps(s, o, true, where.allow.extra ?? [], budget)),
    );
    // With the zip at its start, the container reader would only read the same weights again.
    const zipFirst = data.length >= 4 && [0x04034b50, 0x06054b50].includes(data.readUInt32LE(0));
    return { findings: out.list, decompressed: budget.used, readsAllOfIt: zipFirst };
  },
});
