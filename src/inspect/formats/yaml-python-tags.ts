import { isMap, isNode, isScalar, LineCounter, visit, type Document } from 'yaml';
import { listedWithMore } from '../../core/plural.js';
import { parseShallowYaml } from '../../core/yaml-depth.js';
import type { AllowContext } from '../pickle/allowlist.js';
import { judgeGlobal } from '../pickle/verdict.js';
import { unreadDeepYaml, type UnreadYaml } from './pyyaml-nodes.js';
import type { Findings } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { readAt } from './source.js';

/**
 * The most of a YAML file parsed for its tags: `yaml` parses many small nodes at a few hundred KB/s (as for a chat
 * template candidate, hf-chat-template.ts); a YAML file a model repository ships is a config of a few KiB.
 */
export const MAX_TAGGED_YAML = 1024 * 1024;
/** Distinct callables named in one finding's text. */
const MAX_LISTED = 5;

/**
 * The python tags whose constructor imports or calls what the tag names: PyYAML's UnsafeConstructor (`yaml.Loader`,
 * `yaml.UnsafeLoader`, `yaml.unsafe_load`, and `yaml.load(f)` before 5.1) registers `python/object/apply:`
 * (`construct_python_object_apply`: calls it), `python/object/new:` (calls `cls.__new__`), `python/object:`
 * (`make_python_instance`, then `__setstate__`), `python/module:` (imports it) and `python/name:` (imports the module
 * and hands back the attribute). FullConstructor (5.4+/6.x `full_load`) keeps only `python/name:` of modules already
 * imported; SafeConstructor none. The value tags (`python/tuple`, `python/str`…) build plain values: not matched.
 */
const CALLING_TAG = /^tag:yaml\.org,2002:python\/(object\/apply|object\/new|object|module|name):(.*)$/;

/** What a tag does with what it names, for the message. */
function actionOf(kind: string): string {
  if (kind === 'object/apply') return 'calls it';
  if (kind === 'object/new' || kind === 'object') return 'instantiates it';
  if (kind === 'module') return 'imports it';
  return 'imports it and hands it back';
}

interface Use {
  readonly target: string;
  readonly tag: string;
  readonly action: string;
  readonly line: number | undefined;
}

/** What PyYAML does with the file when it is too deep to read (CPI051's message). */
const DEEP: UnreadYaml = {
  what: 'the YAML file with python tags',
  reader: "PyYAML's unsafe Loader",
  then: 'the objects its python tags name are built, which were not checked',
};

/**
 * A YAML file of a model repository whose bytes show PyYAML's python tags (the walk's sign,
 * discover/formats/chat-template-head.ts `showsPythonTagSign`). Keras `Model.to_yaml()` output read back by
 * `model_from_yaml` (tf.keras 2.0–2.5: `yaml.unsafe_load`, CVE-2021-37678) builds every tag, so any calling tag in a
 * Keras model YAML is an error. Any other YAML is built so only by code that loads it with the unsafe Loader: a
 * dangerous callable (judged like a pickle global) is an error; others are a note, since tools write them into
 * legitimate files (mkdocs' `!!python/name:`, `yaml.dump` of an OrderedDict or argparse Namespace).
 */
export function* yamlPythonTagFindings(src: RandomAccess, out: Findings, allow: AllowContext): ParseSteps<void> {
  if (src.size > MAX_TAGGED_YAML) return tooLargeToCheck(src.size, out);
  const text = (yield* readAt(src, 0, src.size)).toString('utf8');
  const lines = new LineCounter();
  const doc = parseShallowYaml(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  if (unreadDeepYaml(doc, out, DEEP)) return;
  // PyYAML refuses a text that does not parse before it builds anything.
  if (doc.errors.length > 0) return;
  const uses = callingTags(doc, text, lines);
  if (uses.length === 0) return;
  const list = (found: readonly Use[]) =>
    listedWithMore(
      found.map((u) => `!!python/${u.tag} (${u.action})`),
      MAX_LISTED,
    );
  if (isKerasModel(doc)) {
    out.add(
      'CPI134',
      `a Keras model YAML carries python tags: ${list(uses)}; tf.keras before 2.6 reads it with model_from_yaml (yaml.unsafe_load, CVE-2021-37678), which runs them. Do not load this model; take its architecture from a trusted source.`,
      { targets: uses.map((u) => u.target).join(', ') },
      undefined,
      'error',
      uses[0]!.line,
    );
    return;
  }
  const dangerous: (Use & { why: string })[] = [];
  const unknown: Use[] = [];
  for (const use of uses) {
    const v = judgeTarget(use.target, allow);
    if (v.kind === 'dangerous') dangerous.push({ ...use, why: v.why });
    else if (v.kind === 'unknown') unknown.push(use);
  }
  if (dangerous.length > 0)
    out.add(
      'CPI134',
      `python tags name dangerous callables: ${list(dangerous)}; PyYAML's unsafe Loader (yaml.unsafe_load, yaml.load with Loader=yaml.Loader, or yaml.load before PyYAML 5.1) runs them when it reads this file. Do not load it with PyYAML's unsafe Loader; remove the tags.`,
      { targets: dangerous.map((d) => d.target).join(', '), resolvesTo: dangerous[0]!.why },
      undefined,
      'error',
      dangerous[0]!.line,
    );
  else if (unknown.length > 0)
    out.add(
      'CPI134',
      `python tags name callables: ${list(unknown)}; PyYAML's unsafe Loader imports and builds them when it reads this file (safe_load refuses it). Review them, and add them to models.allowedGlobals if you trust them.`,
      { targets: unknown.map((u) => u.target).join(', ') },
      undefined,
      'note',
      unknown[0]!.line,
    );
}

/**
 * How UnsafeConstructor resolves a tag's name: `find_python_name` splits at the last dot (no dot: `builtins`);
 * `python/module:` names a module, whose import runs only its own top-level code, judged as its `*`.
 */
function judgeTarget(target: string, allow: AllowContext) {
  const dot = target.lastIndexOf('.');
  return dot <= 0
    ? judgeGlobal('builtins', target, allow)
    : judgeGlobal(target.slice(0, dot), target.slice(dot + 1), allow);
}

/**
 * Every distinct calling tag, keys included, as the parsed nodes carry it: `%TAG` handles and verbatim `!<…>` tags
 * resolve as PyYAML resolves them.
 */
function callingTags(doc: Document.Parsed, text: string, lines: LineCounter): Use[] {
  const uses: Use[] = [];
  const seen = new Set<string>();
  visit(doc, {
    Node(_key, node) {
      if (!isNode(node) || node.tag === undefined || seen.has(node.tag)) return;
      const m = CALLING_TAG.exec(node.tag);
      if (!m) return;
      seen.add(node.tag);
      const kind = m[1]!;
      const target = m[2]!;
      // The node's range starts at its content: the target as written points at the tag itself.
      const at = target === '' ? -1 : text.indexOf(target);
      const line = at >= 0 ? lines.linePos(at).line : node.range ? lines.linePos(node.range[0]).line : undefined;
      uses.push({ target, tag: `${kind}:${target}`, action: actionOf(kind), line });
    },
  });
  return uses;
}

/** `Model.to_yaml()`'s shape, which `model_from_yaml` reads: a mapping with `class_name` and `config`. */
function isKerasModel(doc: Document.Parsed): boolean {
  const top = doc.contents;
  if (!isMap(top)) return false;
  const keys = new Set(top.items.map((p) => (isScalar(p.key) ? p.key.value : undefined)));
  return keys.has('class_name') && keys.has('config');
}

/** A file past MAX_TAGGED_YAML: its tags were not read, and the unsafe Loader reads any size. */
function tooLargeToCheck(size: number, out: Findings): void {
  out.add(
    'CPI051',
    `the YAML file with python tags is ${size} bytes, past the ${MAX_TAGGED_YAML}-byte limit; the callables its tags name were not checked. Do not load it with PyYAML's unsafe Loader until you know why it is this large.`,
    { size, limit: MAX_TAGGED_YAML },
  );
  out.incomplete = true;
}
