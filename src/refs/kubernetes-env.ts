import { isMap, isScalar, isSeq, type Document, type YAMLMap } from 'yaml';
import type { Token } from './shell-words.js';
import { scalarText, valueStart } from './yaml-scalars.js';
import type { EnvBudget } from './compose-env-files.js';

/**
 * What a Kubernetes container's environment takes from ConfigMaps (kubelet kubelet_pods.go
 * `makeEnvironmentVariables`): each `envFrom` source in order, a later one over an earlier one, a `configMapRef`'s
 * `data` keys under its `prefix`; then `env`, whose `valueFrom.configMapKeyRef` is one key of one ConfigMap, over
 * them all. A ConfigMap of the same manifest stream is read (each value placed where the manifest writes it); one the
 * stream does not hold, and any `secretRef`, may set any variable: the run time's.
 */

/** The ConfigMaps of a manifest stream, by name: each `data` key's value, where it is written. */
export type ConfigMaps = ReadonlyMap<string, ReadonlyMap<string, Token>>;

/** The `kind: ConfigMap` documents of a stream (a ConfigMap nested in a `List` is not read). */
export function configMapsOf(docs: readonly Document[], text: string): ConfigMaps {
  const out = new Map<string, Map<string, Token>>();
  for (const doc of docs) {
    const root = doc.contents;
    if (!isMap(root) || root.get('kind') !== 'ConfigMap') continue;
    const meta = root.get('metadata', true);
    const name = isMap(meta) ? meta.get('name') : undefined;
    const data = root.get('data', true);
    if (typeof name !== 'string' || !isMap(data)) continue;
    const values = new Map<string, Token>();
    for (const item of data.items) {
      const value = isScalar(item.value) ? scalarText(item.value.value) : undefined;
      if (isScalar(item.key) && isScalar(item.value) && value !== undefined)
        values.set(String(item.key.value), { text: value, at: valueStart(item.value, text), expands: false });
    }
    out.set(name, values);
  }
  return out;
}

/**
 * The variables a container's `envFrom` sets. A source whose values the stream does not hold sets each of `unknown`
 * (the variables the caller reads) to the run time's, placed at the source; so does one past the file's budget.
 */
export function envFromOf(
  container: YAMLMap,
  configMaps: ConfigMaps,
  unknown: readonly string[],
  budget: EnvBudget,
): Map<string, Token> {
  const env = new Map<string, Token>();
  const sources = container.get('envFrom', true);
  for (const source of isSeq(sources) ? sources.items : []) {
    if (!isMap(source)) continue;
    const ref = source.get('configMapRef', true);
    const name = isMap(ref) ? ref.get('name') : undefined;
    const held = typeof name === 'string' ? configMaps.get(name) : undefined;
    const values = held !== undefined && held.size <= budget.left ? held : undefined;
    const prefix = source.get('prefix');
    if (values !== undefined) {
      budget.left -= values.size;
      for (const [key, value] of values) env.set(`${typeof prefix === 'string' ? prefix : ''}${key}`, value);
      continue;
    }
    const at = source.range?.[0] ?? 0;
    for (const variable of unknown) env.set(variable, { text: '', at, expands: true });
  }
  return env;
}

/** An `env` entry's `valueFrom.configMapKeyRef` of a ConfigMap the stream holds: that value; else none. */
export function configMapKeyValue(valueFrom: unknown, configMaps: ConfigMaps): Token | undefined {
  const ref = isMap(valueFrom) ? valueFrom.get('configMapKeyRef', true) : undefined;
  if (!isMap(ref)) return undefined;
  const name = ref.get('name');
  const key = ref.get('key');
  return typeof name === 'string' && typeof key === 'string' ? configMaps.get(name)?.get(key) : undefined;
}
