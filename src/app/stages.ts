import type { DiscoveredFile } from '../core/files.js';
import type { Stage, StageInput } from '../core/stage.js';
import { CATALOGUE, LOCKFILE_FORMATS, MODEL_FORMATS, type FileFormat } from '../discover/catalogue/index.js';
import { parseHfCachePath } from '../discover/hf-cache.js';
import { extensionMismatch } from '../models/mismatch.js';
import { mayBeAttestation } from '../verify/provenance/names.js';
import { signaturesApply } from '../verify/stage/applies.js';
import { lazyStage } from './lazy-stage.js';
import { isAdapterConfig } from '../refs/sources.js';
import { configFileOf } from '../deps/credential-files.js';
import { isPythonDepsInput } from '../deps/python-inputs.js';

/**
 * The model analysers by name (src/inspect/analysers.ts lists the analysers themselves; a test keeps the two equal),
 * so the pipeline knows which files the inspect stage reads without loading any analyser.
 */
export const ANALYSER_NAMES: readonly string[] = [
  'pickle',
  'leading-pickle',
  'safetensors',
  'gguf',
  'keras',
  'skops',
  'torchserve',
  'aoti-package',
  'zipapp',
  'torch-package',
  'ape',
  'keras-h5',
  'onnx',
  'savedmodel',
  'tflite',
  'torch-mobile',
  'tfjs',
  'chat-template',
  'repo-code',
];

const INSPECTED: ReadonlySet<FileFormat> = new Set(
  CATALOGUE.filter((e) => e.readBy?.some((r) => ANALYSER_NAMES.includes(r)) === true).map((e) => e.id),
);

/** The inspect stage's own test for archives it cannot open (src/inspect/stage.ts), which it reports. */
const UNREADABLE_ARCHIVE = /\.(7z|rar)$/i;
/** The inspect stage's own test for model formats nothing reads (src/inspect/stage.ts), which it reports. */
const UNREAD_MODEL = /(\.(pte|pdmodel|pdiparams|mlmodel|caffemodel)|(^|\/)flax_model(-\d+-of-\d+)?\.msgpack)$/i;

const either = (f: DiscoveredFile, set: ReadonlySet<FileFormat>) =>
  set.has(f.format) || (f.claimed !== undefined && set.has(f.claimed));

const hasPackages = (input: StageInput, ecosystem?: string) =>
  input.graphs.some((g) => g.packages.length > 0 && (ecosystem === undefined || g.ecosystem === ecosystem));

/** Files the models stage hashes or judges: model formats, LFS pointers, tfjs manifests, HF blobs, disguised files. */
const isModelStageFile = (f: DiscoveredFile) =>
  MODEL_FORMATS.has(f.format) ||
  f.format === 'lfs-pointer' ||
  f.format === 'tfjs-manifest' ||
  parseHfCachePath(f.path)?.kind === 'blob' ||
  extensionMismatch(f) !== undefined;

/**
 * The pipeline, in order. Adding a stage is one entry here: its name, when it has work, and its module.
 * deps → registry verification → models (hash, trusted registry) → model provenance → inspect → signatures.
 * Python dependencies run after the npm registry stage, so npm verification never sees `pypi` graphs.
 * Each stage's module is imported only when it has work (src/app/lazy-stage.ts).
 */
export const STAGES: readonly Stage[] = [
  lazyStage({
    name: 'deps',
    // A package-manager config alone is work too: credentials written into it (CPD168) and a file padded past the
    // size it is read to (CPD169) need no lockfile; so is a package.json, whose git and URL specs no lockfile may pin.
    hasWork: (input) =>
      input.files.some(
        (f) => either(f, LOCKFILE_FORMATS) || configFileOf(f.path) !== undefined || /(^|\/)package\.json$/.test(f.path),
      ),
    load: async () => (await import('../deps/stage.js')).depsStage,
  }),
  lazyStage({
    name: 'registry',
    hasWork: (input) => hasPackages(input),
    load: async () => (await import('../registry/stage.js')).registryStage,
    readsSigstore: true,
  }),
  lazyStage({
    name: 'python-deps',
    // Index settings and install commands are work without a lockfile too (pip.conf, a Dockerfile's pip install).
    hasWork: (input) => input.files.some(isPythonDepsInput),
    load: async () => (await import('../deps/parsers/python/stage.js')).pythonDepsStage,
  }),
  lazyStage({
    name: 'pypi',
    hasWork: (input) => hasPackages(input, 'pypi'),
    load: async () => (await import('../registry/pypi/stage.js')).pypiStage,
    readsSigstore: true,
  }),
  lazyStage({
    name: 'models',
    // Missing files are judged against the trusted registry's model entries even in an empty tree.
    hasWork: (input, ctx) => ctx.registry.models.length > 0 || input.files.some(isModelStageFile),
    load: async () => (await import('../models/stage.js')).modelsStage,
  }),
  lazyStage({
    name: 'provenance',
    // verify/provenance/stage.ts's own filter: attestations beside or above a model, a policy requirement, or a
    // registry entry that records the source commit.
    hasWork: (input, ctx) =>
      input.models.length > 0 &&
      ((ctx.policy.models.requireProvenance?.length ?? 0) > 0 ||
        ctx.registry.models.some((m) => m.sourceCommit !== undefined) ||
        input.files.some((f) => mayBeAttestation(f.path))),
    load: async () => (await import('../verify/provenance/stage.js')).provenanceStage,
    readsSigstore: true,
  }),
  lazyStage({
    name: 'refs',
    // Source and config files are `other` to the catalogue (and a PEFT adapter_config.json, a model manifest that names
    // its base model); the stage picks the languages it parses.
    hasWork: (input, ctx) =>
      ctx.options.references !== false && input.files.some((f) => f.format === 'other' || isAdapterConfig(f)),
    load: async () => (await import('../refs/stage.js')).refsStage,
  }),
  lazyStage({
    name: 'inspect',
    hasWork: (input) =>
      input.files.some(
        (f) =>
          INSPECTED.has(f.format) ||
          (f.format === 'other' &&
            (f.claimed !== undefined
              ? INSPECTED.has(f.claimed)
              : UNREADABLE_ARCHIVE.test(f.path) || UNREAD_MODEL.test(f.path))),
      ),
    load: async () => (await import('../inspect/stage.js')).inspectStage,
  }),
  lazyStage({
    name: 'signatures',
    hasWork: (input, ctx) => signaturesApply(input, ctx.policy, ctx.trust.registrySigners),
    load: async () => (await import('../verify/stage.js')).signaturesStage,
    readsSigstore: true,
  }),
];
