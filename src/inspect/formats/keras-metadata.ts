import type { Finding } from '../../core/finding.js';
import { checkKerasConfig, parseKerasConfigJson } from './keras-config.js';
import { asMessage, isNeed, pbFields, pbString } from './protobuf.js';
import { Findings } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';

/** Largest metadata JSON read, as for a `.keras` config.json (formats/keras.ts MAX_KERAS_CONFIG). */
export const MAX_KERAS_CONFIG = 64 * 1024 * 1024;

/**
 * A Keras 2 SavedModel's `keras_metadata.pb` (tf_keras/protobuf/saved_metadata.proto: SavedMetadata → nodes (1) →
 * SavedObject.metadata (5), a JSON string per layer and model). `tf.keras.models.load_model(dir)`
 * (saving/legacy/saved_model/load.py `load` → `KerasObjectLoader._revive_layer_or_model_from_config`) rebuilds each
 * object from that JSON's `class_name` and `config` with `deserialize_keras_object` — a Lambda's marshalled
 * bytecode included, with no safe mode on this path — so each node's JSON is judged like a `.keras` config. The
 * model's node repeats its layers' configs: a cause found in several nodes is reported once.
 */
export function* kerasMetadataSteps(src: RandomAccess, out: Findings): ParseSteps<void> {
  const seen = new Set<string>();
  let node = 0;
  for (const f of pbFields(src, 0, src.size)) {
    if (isNeed(f)) yield f;
    if (isNeed(f) || f.field !== 1) continue;
    const at = node++;
    for (const g of pbFields(src, asMessage(f).start, f.end)) {
      if (isNeed(g)) yield g;
      if (isNeed(g) || g.field !== 5) continue;
      checkKerasNodeMetadata(yield* pbString(src, g, MAX_KERAS_CONFIG), `nodes[${at}].metadata`, seen, out);
    }
  }
}

/**
 * One Keras object's metadata JSON (`{"class_name": …, "config": …}`), judged like a `.keras` config; a cause already
 * in `seen` (the model's node repeats its layers' configs) is not reported again.
 */
export function checkKerasNodeMetadata(json: string, member: string, seen: Set<string>, out: Findings): void {
  const one = new Findings(out.path, out.format);
  checkKerasConfig(parseKerasConfigJson(json, one, member), one, member);
  if (one.incomplete) out.incomplete = true;
  for (const x of one.list) {
    const key = causeKey(x);
    if (!seen.has(key)) {
      seen.add(key);
      out.list.push(x);
    }
  }
}

/** The rule and evidence of a finding without where in the JSON it was seen. */
function causeKey(f: Finding): string {
  const { path: _path, ...rest } = f.evidence ?? {};
  return `${f.ruleId} ${JSON.stringify(rest)}`;
}
