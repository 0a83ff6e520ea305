export type { ModelReference } from '../core/records.js';
import type { ModelReference } from '../core/records.js';
import type { EnvRead } from './python-env.js';

/**
 * A name or revision read from a command-line option (python-argparse.ts names it as written: `--x` or `-x`), not from
 * an environment variable or a parameter.
 */
export const isFlag = (from: string | undefined): from is string => from !== undefined && from.startsWith('-');

/**
 * A name or revision read from the command line: an option (`isFlag`) or a positional argument (python-argparse.ts
 * names it `<dest>`).
 */
export const isCommandArgument = (from: string | undefined): from is string =>
  from !== undefined && (from.startsWith('-') || from.startsWith('<'));

/** Where a model is fetched from at run time. */
export type ModelHub = ModelReference['hub'];

/** How firmly a reference names its bytes: only a commit is immutable. */
export type RevisionKind = ModelReference['revisionKind'];

/**
 * A library's own weights table, downloaded from `host` when not in its cache: torchvision checks the bytes only
 * against the SHA-256 prefix in the file name (torch.hub `load_state_dict_from_url`, `check_hash=True`); Keras
 * applications against the full digest its version lists (`get_file(…, file_hash=…)`); NeMo's NGC downloads not at all.
 * FastEmbed's table names a hub repo, not a file: `branch` is that repo fetched at its default branch, unpinned
 * (CPR001, not a note), and `local` the argument that loads a reviewed copy instead.
 */
export interface TableDownload {
  readonly library: string;
  readonly host: string;
  /**
   * `index`: the URL and the MD5 the download is checked against are read from an index the library downloads at
   * run time (`index`), so whoever can change that index decides the bytes (NLTK, GPT4All, Stanza).
   */
  readonly check: 'prefix' | 'full' | 'none' | 'branch' | 'index';
  readonly local?: string;
  /** Where a run-time index is fetched from (`check: 'index'`). */
  readonly index?: string;
  /** What is downloaded, where it is not weights (NLTK's data packages). */
  readonly what?: string;
  /** A sentence on what loading the download does, where that matters more than the download (NLTK's pickles). */
  readonly loads?: string;
}

/** A load call whose model name is computed at run time: reported as a note, never silently dropped. */
export interface DynamicReference {
  readonly path: string;
  readonly line: number;
  readonly column: number;
  readonly via: string;
  readonly runsRemoteCode: boolean;
  /** `RemoteCodeAtRunTime.remoteCodeAtRunTime`: a trust_remote_code only the run decides. */
  readonly remoteCodeAtRunTime?: true;
  /** `RemoteCodeAtRunTime.remoteCodeFrom`. */
  readonly remoteCodeFrom?: EnvRead;
  /** records.ts `ModelReference.unpickledBy`. */
  readonly unpickledBy?: string;
  /**
   * `datasets.load_dataset(…, trust_remote_code=True)`: the hub dataset whose loading script runs ('' when its name
   * is chosen at run time). Not a model, so not a reference; the code it runs is the finding.
   */
  readonly dataset?: string;
  /** `pipeline(task)` with no model: the task whose default model the library picks. */
  readonly task?: string;
  /**
   * transformers.js with `env.allowRemoteModels = false`: the model id read from `env.localModelPath`, never fetched
   * ('' when chosen at run time or the task's default).
   */
  readonly localModel?: string;
  /** timm / open_clip: the model (and tag) the library resolves through its own pretrained table. */
  readonly table?: string;
  /**
   * ultralytics: the table is the assets of a GitHub release (`tableFile` the file the call names, fetched only when
   * the repository does not hold it).
   */
  readonly release?: string;
  /** @tensorflow-models: `table` is the package whose own default model the call loads (no `modelUrl`). */
  readonly packageDefault?: true;
  /** torchvision, Keras applications: where the table's weights come from and how the library checks them. */
  readonly fetched?: TableDownload;
  /** ollama: the registry name it pulls (`registry.ollama.ai/library/llama3.2:latest`), a tag the publisher moves. */
  readonly ollama?: string;
  /**
   * The environment variable or command-line argument (python-argparse.ts) the name is read from, where the file
   * gives no default.
   */
  readonly nameFrom?: string;
  /**
   * `HF_ENDPOINT` / `HF_HUB_OFFLINE` / `TRANSFORMERS_OFFLINE` (or vLLM's and LMDeploy's `…_USE_MODELSCOPE`) set for
   * the run: where hub models come from.
   */
  readonly hubSetting?: { readonly variable: string; readonly value: string };
}

export interface FileReferences {
  readonly references: ModelReference[];
  readonly dynamic: DynamicReference[];
  /**
   * JavaScript: a loader's name called as a module of the repository gives it (`import { pipeline } from './ml.js'`),
   * which imported-values.ts follows to the package that module takes it from.
   */
  readonly loaderFromRepository?: true;
}

/**
 * A file's references with more found in it by a second reader (the Python a script runs inline, the command lines
 * Python runs), in line order; `notAllRead` hears when that reader left some unread.
 */
export function withMoreReferences(
  refs: FileReferences,
  more: FileReferences & { readonly unread: number },
  notAllRead: () => void = () => {},
): FileReferences {
  if (more.unread > 0) notAllRead();
  if (more.references.length === 0 && more.dynamic.length === 0) return refs;
  const byPlace = (a: { line: number; column: number }, b: { line: number; column: number }) =>
    a.line - b.line || a.column - b.column;
  return {
    references: [...refs.references, ...more.references].sort(byPlace),
    dynamic: [...refs.dynamic, ...more.dynamic].sort(byPlace),
  };
}

/**
 * The key under which a module's values hold the package it re-exports whole (`export * from
 * '@huggingface/transformers'`, `module.exports = require('@huggingface/transformers')`): no binding can be named `*`,
 * so it stands for every name the module does not export otherwise (ECMA-262 ResolveExport reads a module's own and
 * named re-exports before its star exports).
 */
export const EVERY_NAME = '*';

/** What a name imported from a module of the repository is bound to, as far as that module decides it. */
export interface ImportedValue {
  readonly value?: string;
  readonly env?: EnvRead;
  /**
   * JavaScript: the package member the module exports under this name (`export { pipeline } from
   * '@huggingface/transformers'`: `@huggingface/transformers.pipeline`), so a call of it is that package's loader.
   */
  readonly binding?: string;
  /**
   * JavaScript, with `binding` a package a module re-exports whole (`export * from '@huggingface/transformers'`,
   * imported-values.ts `EVERY_NAME`): the names the module exports itself, which the package's do not replace.
   */
  readonly besides?: readonly string[];
  /**
   * Python: a dict constant (`SIZES = {"small": "org/s", …}`) as the module leaves it: its string items, its other
   * items (`others`: a bool it writes, else undefined: a value it leaves to run time), and whether keys it cannot name
   * may be in it too (syntax.ts `DictValue.open`).
   */
  readonly dict?: {
    readonly items: readonly (readonly [string, string])[];
    readonly others?: readonly (readonly [string, 'True' | 'False' | undefined])[];
    readonly open: boolean;
  };
}

/** Imported names (as the importing file binds them, aliases included; `ns.X` for a module's members) and their values. */
export type ImportedValues = ReadonlyMap<string, ImportedValue>;

/**
 * A model reference as the readers give it to judge.ts: `remoteCodeAtRunTime` when the call passes a
 * `trust_remote_code` only the run decides (calls.ts `remoteCodeAtRunTime`), judged as CPR002 at warning level;
 * `remoteCodeFrom` where a default decides it (calls.ts `remoteCodeFrom`).
 */
export type RemoteCodeAtRunTime = ModelReference & {
  readonly remoteCodeAtRunTime?: true;
  /** The env read, flag or parameter whose default (or, with no default, whose value) sets trust_remote_code. */
  readonly remoteCodeFrom?: EnvRead;
};
