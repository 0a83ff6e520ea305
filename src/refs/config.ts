import { parseTree, type Node as JsonNode } from 'jsonc-parser';
import {
  Document,
  LineCounter,
  Pair,
  Scalar,
  YAMLMap,
  YAMLSeq,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
} from 'yaml';
import {
  RAY_MODEL_LOADING,
  findConfigReferencesFast,
  isMergekitConfig,
  mappingReferences,
  parsePythonJson,
  rayModelLoading,
  trustsRemoteCode,
} from './config-fast.js';
import { MODEL_KEYS } from './prefilter.js';
import { sourceExtension } from './sources.js';
import { readPodContainers } from './servers.js';
import { configMapsOf, type ConfigMaps } from './kubernetes-env.js';
import { MAX_ENV_VALUES, type EnvBudget } from './compose-env-files.js';
import { readContainerScript, scriptSearches } from './shell-commands.js';
import { lineIndex } from './text.js';
import { vllmConfigReferences, type ConfigNode } from './vllm-options.js';
import { lmEvalConfigReferences } from './toolkit-clis.js';
import type { FileReferences } from './types.js';
import { MAX_YAML_DEPTH, yamlTooDeepAt } from '../core/yaml-depth.js';

/** A config deeper or larger than this is not a hand-written config: stop walking (bounded, never recursive). */
const MAX_NODES = 200_000;

export { mentionsModelKey } from './prefilter.js';

/**
 * Model ids named in a YAML or JSON config (JSON is read as YAML 1.2, which it is), with their lines: plain block
 * YAML without the `yaml` library (config-fast.ts), the rest with it.
 */
export function findConfigReferences(
  path: string,
  text: string,
  existsLocally: (p: string) => boolean,
): FileReferences {
  return findConfigReferencesFast(path, text, existsLocally) ?? findConfigReferencesWithYaml(path, text, existsLocally);
}

/** The same search over `yaml`'s document (the scan's stage tries config-fast.ts first, without loading `yaml`). */
export function findConfigReferencesWithYaml(
  path: string,
  text: string,
  existsLocally: (p: string) => boolean,
): FileReferences {
  const out: FileReferences = { references: [], dynamic: [] };
  const { docs, position } = sourceExtension(path) === 'json' ? jsonDocuments(text) : yamlDocuments(path, text);
  let budget = MAX_NODES;
  // The file's containers' scripts share one budget of line searches (shell-commands.ts `readContainerScript`).
  const searches = scriptSearches();
  // vLLM's and lm_eval's config files (vllm-options.ts, toolkit-clis.ts): `yaml.safe_load`, which refuses a stream of
  // several documents. vLLM reads only a .yaml or .yml; lm_eval any file, JSON being YAML.
  if (docs.length === 1) {
    const root = configNode(docs[0]!.contents, 2);
    if (sourceExtension(path) !== 'json') vllmConfigReferences(out, path, root, existsLocally, position);
    lmEvalConfigReferences(out, path, root, existsLocally, position);
  }
  // The ConfigMaps its pods' containers take variables from (kubernetes-env.ts), read once a stream holds a pod.
  let configMaps: ConfigMaps | undefined;
  const envBudget: EnvBudget = { left: MAX_ENV_VALUES };
  for (const doc of docs) budget = walkDocument(doc, budget);
  return out;

  /** One document's mappings, as the stack walk below reads them; what is left of the node budget. */
  function walkDocument(doc: Document, budget: number): number {
    const stack: unknown[] = [doc.contents];
    const topKeys = isMap(doc.contents)
      ? doc.contents.items.flatMap((i) => (isPair(i) && isScalar(i.key) ? [String(i.key.value)] : []))
      : [];
    const mergekit = isMergekitConfig(topKeys);
    while (stack.length > 0 && budget-- > 0) {
      const node = stack.pop();
      if (isMap(node)) {
        const scalars = new Map<string, { value: string; at: number }>();
        // trust_remote_code: the mapping's own value, else the first merged mapping's (a bool, never in `scalars`).
        let trust: boolean | undefined;
        for (const item of node.items) {
          if (!isPair(item) || !isScalar(item.key)) continue;
          const key = String(item.key.value);
          if (key === 'trust_remote_code' && isScalar(item.value))
            trust = trustsRemoteCode(item.value.value, item.value.type === 'PLAIN');
          if (isScalar(item.value) && typeof item.value.value === 'string')
            scalars.set(key, { value: item.value.value, at: item.value.range?.[0] ?? 0 });
          // Ray Serve LLM's model_loading_config is read with its engine_kwargs (config-fast.ts `rayModelLoading`).
          else if (key === RAY_MODEL_LOADING && isMap(item.value)) {
            const engine = node.get('engine_kwargs', true);
            rayModelLoading(
              out,
              path,
              stringsOf(item.value),
              isMap(item.value.get('model_source', true)),
              isMap(engine) ? { scalars: stringsOf(engine), trust: trustOf(engine) } : undefined,
              existsLocally,
              position,
            );
          } else if (key !== '<<') stack.push(item.value);
        }
        // PyYAML's SafeLoader (`flatten_mapping`), which training code and OmegaConf load configs with, merges `<<:
        // *anchor` (or a list of them) into the mapping: its own keys win, then the merged mappings in order. A merged
        // value is placed at the `<<` key, where this mapping's combination of model and revision is made.
        // A mapping that sets nothing of its own that matters (model, revision, remote code) loads what the mapping
        // it merges does, reported there.
        const own = [...scalars.keys()].some((k) => MODEL_KEYS.has(k) || k.endsWith('revision')) || trust !== undefined;
        for (const item of own ? node.items : []) {
          if (!isPair(item) || !isScalar(item.key) || item.key.value !== '<<') continue;
          const at = item.key.range?.[0] ?? 0;
          for (const m of mergedMaps(doc, item.value).flatMap((merged) => merged.items)) {
            if (!isPair(m) || !isScalar(m.key) || !isScalar(m.value)) continue;
            const key = String(m.key.value);
            if (key === 'trust_remote_code' && trust === undefined)
              trust = trustsRemoteCode(m.value.value, m.value.type === 'PLAIN');
            if (typeof m.value.value === 'string' && !scalars.has(key)) scalars.set(key, { value: m.value.value, at });
          }
        }
        mappingReferences(
          out,
          path,
          scalars,
          trust === true,
          existsLocally,
          position,
          mergekit,
          () => {
            const list = node.get('args', true);
            if (!isSeq(list)) return undefined;
            return list.items.flatMap((i) => (isScalar(i) && typeof i.value === 'string' ? [i.value] : []));
          },
          // config-fast.ts `interpolatedValue`: the string at a path from the document's root.
          (keys) => {
            const got: unknown = doc.getIn(keys, false);
            return typeof got === 'string' ? got : undefined;
          },
        );
        // A Kubernetes pod spec's containers: the model servers they start (servers.ts).
        if (node.has('containers') || node.has('initContainers'))
          readPodContainers(
            node,
            text,
            {
              path,
              at: position,
              existsLocally,
              out,
              configMaps: (configMaps ??= configMapsOf(docs, text)),
              // `sh -c` scripts the containers run (shell-commands.ts).
              script: (script, env) =>
                readContainerScript(script, env, { path, text, at: position, existsLocally, out, searches }),
            },
            envBudget,
          );
      } else if (node && typeof node === 'object' && 'items' in node) {
        for (const item of (node as { items: unknown[] }).items) stack.push(isPair(item) ? item.value : item);
      }
    }
    return budget;
  }
}

/** A config's documents as `yaml` reads them, and where an offset of the text is. */
function yamlDocuments(path: string, text: string): { docs: Document[]; position: Position } {
  // Nesting past what the parser copes with (compact `- - -` too, which search.ts's bracket count does not see).
  if (yamlTooDeepAt(text) !== undefined)
    throw new SyntaxError(`${path}: YAML nests deeper than ${MAX_YAML_DEPTH} levels`);
  const lines = new LineCounter();
  // A stream of documents (`---` between Kubernetes manifests, Helm's output) is read document by document, as
  // PyYAML's `safe_load_all` and kubectl read it.
  const parsed = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
  // A config that names a model key (search.ts screened it) but is not YAML or JSON — JSON with comments, a template
  // — could not be checked: search.ts `runFinder` counts it as not searched (CPR011), never a silent pass.
  if (!Array.isArray(parsed) || parsed.some((d) => d.errors.length > 0))
    throw new SyntaxError(`${path}: not YAML or JSON`);
  const position = (at: number) => {
    const pos = lines.linePos(at);
    return { line: pos.line, column: pos.col };
  };
  return { docs: parsed, position };
}

type Position = (offset: number) => { line: number; column: number };

/**
 * A `.json` config as the one document `yaml` would read from it (JSON is YAML 1.2): its nodes built from
 * jsonc-parser's tree, each with the range and quoting yaml gives it, so the walk reads it unchanged. yaml's own
 * parser reads JSON at about a second of CPU for 200 KB (flow collections, one token at a time); jsonc-parser's
 * scanner is a hundred times faster, and a large JSON file that names a model key (a lock of an evaluation's
 * results, a package cache) costs the scan no more than its size. A `.json` that Python's json.load (JSON.parse,
 * with its NaN and Infinity) refuses — comments, a template — is not read at all: YAML takes `// note\n"model_name_or_path"` for one
 * long key, and jsonc-parser allows comments. Counted as not searched (CPR011).
 */
function jsonDocuments(text: string): { docs: Document[]; position: Position } {
  // Python's json also reads NaN and ±Infinity (config-fast.ts `parsePythonJson`): the same text with those as numbers.
  const { json } = parsePythonJson(text);
  const tree = parseTree(json, [], { disallowComments: true, allowTrailingComma: false });
  const doc = new Document();
  doc.contents = tree ? (yamlNodeOf(tree) as typeof doc.contents) : null;
  return { docs: [doc], position: lineIndex(text) };
}

/** A jsonc-parser node as the yaml node its text parses to (iterative: JSON.parse took any depth). */
function yamlNodeOf(root: JsonNode): unknown {
  const build = (n: JsonNode): Scalar | YAMLMap | YAMLSeq => {
    const end = n.offset + n.length;
    if (n.type === 'object') {
      const map = new YAMLMap();
      map.range = [n.offset, end, end];
      return map;
    }
    if (n.type === 'array') {
      const seq = new YAMLSeq();
      seq.range = [n.offset, end, end];
      return seq;
    }
    const scalar = new Scalar(n.value);
    scalar.type = n.type === 'string' ? Scalar.QUOTE_DOUBLE : Scalar.PLAIN;
    scalar.range = [n.offset, end, end];
    return scalar;
  };
  const top = build(root);
  const work: [JsonNode, Scalar | YAMLMap | YAMLSeq][] = [[root, top]];
  for (let next = work.pop(); next !== undefined; next = work.pop()) {
    const [n, node] = next;
    for (const child of n.children ?? []) {
      if (node instanceof YAMLMap) {
        const [k, v] = child.children ?? [];
        if (!k) continue;
        const value = v ? build(v) : null;
        node.items.push(new Pair(build(k), value));
        if (v && value) work.push([v, value]);
      } else if (node instanceof YAMLSeq) {
        const value = build(child);
        node.items.push(value);
        work.push([child, value]);
      }
    }
  }
  return top;
}

/** A mapping's string values by key (the last of a key wins), as the walk above reads them. */
function stringsOf(map: YAMLMap): Map<string, { value: string; at: number }> {
  const scalars = new Map<string, { value: string; at: number }>();
  for (const item of map.items)
    if (isPair(item) && isScalar(item.key) && isScalar(item.value) && typeof item.value.value === 'string')
      scalars.set(String(item.key.value), { value: item.value.value, at: item.value.range?.[0] ?? 0 });
  return scalars;
}

/** The walk's `trust_remote_code`: the mapping's last scalar of the key. */
function trustOf(map: YAMLMap): boolean {
  let trust = false;
  for (const item of map.items)
    if (isPair(item) && isScalar(item.key) && item.key.value === 'trust_remote_code' && isScalar(item.value))
      trust = trustsRemoteCode(item.value.value, item.value.type === 'PLAIN');
  return trust;
}

/** The mappings a `<<` value merges: an alias to a mapping, or a list of such aliases (PyYAML `flatten_mapping`). */
function mergedMaps(doc: Document, value: unknown): YAMLMap[] {
  const one = (v: unknown): YAMLMap | undefined => {
    const node = isAlias(v) ? v.resolve(doc) : v;
    return isMap(node) ? node : undefined;
  };
  const list = isSeq(value) ? value.items : [value];
  return list.map(one).filter((m): m is YAMLMap => m !== undefined);
}

/**
 * A yaml node as config-fast.ts's block values are, `depth` levels down (vllm-options.ts reads a config's top-level
 * keys and what one level under them holds): an alias, a tag's value or anything deeper names nothing.
 */
function configNode(node: unknown, depth: number): ConfigNode {
  if (isScalar(node))
    return { kind: 'scalar', value: node.value, at: node.range?.[0] ?? 0, plain: node.type === 'PLAIN' };
  if (depth > 0 && isMap(node))
    return {
      kind: 'map',
      pairs: node.items.flatMap((i) =>
        isPair(i) && isScalar(i.key) ? [{ key: String(i.key.value), value: configNode(i.value, depth - 1) }] : [],
      ),
    };
  if (depth > 0 && isSeq(node)) return { kind: 'seq', items: node.items.map((i) => configNode(i, depth - 1)) };
  return { kind: 'scalar', value: undefined, at: 0, plain: false };
}
