import type { ModelAnalyser } from '../analyser.js';
import { isObject, parseJson } from './json.js';
import type { JsonResult, JsonValue } from './json.js';
import { checkKerasConfig, parseKerasConfigJson, unreadKerasDeep } from './keras-config.js';
import { checkLegacyConfig } from './keras-custom-objects.js';
import { isKerasDirConfig } from './keras-dir.js';
import { escapeReason } from './onnx.js';
import type { Findings } from './report.js';
import { analyseWith } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { driveSync, FormatError, readAt } from './source.js';

const MAX_MANIFEST = 64 * 1024 * 1024;

/**
 * A TensorFlow.js manifest: `model.json` ({ modelTopology, weightsManifest }) or `*weights_manifest.json` (the
 * groups array itself). Every weight path must be a plain relative path inside the model folder.
 */
export function* tfjsManifestSteps(src: RandomAccess, out: Findings, isModelJson: boolean): ParseSteps<void> {
  if (src.size > MAX_MANIFEST) throw new FormatError(`manifest of ${src.size} bytes is past the limit`, 0, 'limit');
  const text = (yield* readAt(src, 0, src.size)).toString('utf8');
  let parsed: JsonResult;
  try {
    // tfjs parses the manifest with JSON.parse (`io.http` `load` → `response.json()`), which reads any depth, and
    // fetches the paths beside a deep `modelTopology`: deeper values are skipped, the paths (a few levels down) read.
    parsed = parseJson(text.replace(/^\uFEFF/, ''), { maxDepth: 512, skipDeeper: true });
  } catch (err) {
    if (isModelJson && err instanceof FormatError) return; // any JSON named model.json: not necessarily tfjs
    throw err;
  }
  const value = parsed.value;
  const topology = isObject(value) ? kerasTopology(topologyValue(value.modelTopology, out)) : undefined;
  // A `model.json` that is the model itself: Keras's `model.to_json()`, which `keras.models.model_from_json` reads
  // back (the architecture saved beside a weights-only `.h5`), as `_deserialize_keras_model` reads a topology.
  const keras = topology ?? (isModelJson && isKerasDirConfig(value) ? value : undefined);
  if (keras !== undefined) {
    unreadKerasDeep(parsed.deep, out);
    // `model_from_json` of tf_keras builds it with `legacy_serialization`, as keras-json-file.ts judges any name.
    if (topology === undefined) checkLegacyConfig(keras, out);
    else checkKerasConfig(keras, out, 'modelTopology');
  }
  const groups = isObject(value) ? value.weightsManifest : value;
  if (groups === undefined && isModelJson) return;
  if (!Array.isArray(groups)) throw new FormatError('weightsManifest is not a list of weight groups', 0);
  groups.forEach((g, i) => {
    const paths = isObject(g) ? g.paths : undefined;
    if (!Array.isArray(paths)) throw new FormatError(`weight group ${i} has no paths list`, 0);
    for (const p of paths) {
      if (typeof p !== 'string') throw new FormatError(`weight group ${i} has a path that is not a string`, 0);
      const why = escapeReason(asUrlPath(p));
      if (why)
        out.add(
          'CPI076',
          `weight group ${i} names ${JSON.stringify(p)}, ${why}; the loader would fetch it. Keep shards next to the manifest.`,
          { group: i, path: p },
        );
    }
  });
}

/**
 * `_deserialize_keras_model` also takes the topology as JSON text (`json.loads` of a string), so a topology written
 * as a string is read as the object it holds; text json.loads refuses holds nothing the loader would build.
 */
function topologyValue(topology: JsonValue | undefined, out: Findings): JsonValue | undefined {
  if (typeof topology !== 'string') return topology;
  try {
    return parseKerasConfigJson(topology, out, 'modelTopology');
  } catch (err) {
    if (err instanceof FormatError && err.kind !== 'limit') return undefined;
    throw err;
  }
}

/**
 * The Keras model of a layers-model `model.json`. tensorflowjs's Python loader (`keras_tfjs_loader.load_keras_model`
 * → `_deserialize_keras_model`, which `tensorflowjs_converter --input_format tfjs_layers_model` also runs) hands
 * `modelTopology.model_config` — or `modelTopology` itself — to `tf.keras.models.model_from_json`, which deserializes
 * it as a legacy `.h5` config is (a Lambda's marshalled bytecode runs; no safe-mode scope is set there). A graph
 * model's topology is a GraphDef, with neither key.
 */
function kerasTopology(topology: JsonValue | undefined): JsonValue | undefined {
  if (!isObject(topology)) return undefined;
  if (isObject(topology.model_config)) return topology.model_config;
  return typeof topology.class_name === 'string' ? topology : undefined;
}

/**
 * tfjs fetches `pathPrefix + path` (`io.http` `loadWeights` → `fetch`), so the path is read as a URL would be: the
 * WHATWG URL parser drops tabs and newlines anywhere and takes `%2e` as a dot in a `..` segment (`%2e%2e/secret.bin`
 * climbs out of the model folder), and any `scheme:` prefix is a URL of its own.
 */
export function asUrlPath(p: string): string {
  const s = p.replace(/[\t\n\r]/g, '').replace(/%2e/gi, '.');
  return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(s) ? 'url://' : s;
}

/** `tfjsManifestSteps` over bytes in memory. */
export function parseTfjsManifest(src: RandomAccess, out: Findings, isModelJson: boolean): void {
  driveSync(tfjsManifestSteps(src, out, isModelJson));
}

export const tfjsAnalyser: ModelAnalyser = {
  name: 'tfjs',
  formats: ['tfjs-manifest'],
  analyze: (file, ctx) =>
    analyseWith(
      file,
      'the TensorFlow.js manifest',
      (src, out) => tfjsManifestSteps(src, out, !/weights_manifest\.json$/i.test(file.path)),
      ctx.files,
    ),
};
