import { isMap, isScalar, type Document } from 'yaml';
import { showsPythonTagSign, templateFileKind } from '../../discover/formats/chat-template-head.js';
import { registerMemberFormat } from '../content/member-formats.js';
import type { AllowContext } from '../pickle/allowlist.js';
import {
  listedTags,
  MAX_PARSED_YAML,
  parseTaggedYaml,
  pythonTagUses,
  unreadDeepYaml,
  unreadLargeYaml,
  type PythonTagUse,
  type TaggedYaml,
  type UnreadYaml,
} from './pyyaml-nodes.js';
import { judgeDotted } from '../pickle/verdict.js';
import { Findings } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { bufferSource, driveSync, readAt } from './source.js';

/**
 * The most of a YAML file parsed, for its tags and for a chat template candidate's templates (hf-chat-template.ts):
 * MAX_PARSED_YAML. The only program that reads a chat template from YAML is a trainer, axolotl
 * (`axolotl.cli.config.load_cfg`, yaml.safe_load), whose `chat_template_jinja` is a few KiB, and one file's templates
 * are checked up to GGUF_LIMITS.maxTemplateTotal (this size) in all, so a template candidate past it is refused as a
 * template past the total would be, unparsed: an error, not a pass.
 */
export const MAX_TAGGED_YAML = MAX_PARSED_YAML;

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

/** What PyYAML does with the file when it is too deep or too large to read (CPI051's message). */
const UNREAD: UnreadYaml = {
  what: 'the YAML file with python tags',
  reader: "PyYAML's unsafe Loader",
  then: 'the objects its python tags name are built, which were not checked',
  not: "it with PyYAML's unsafe Loader",
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
  if (src.size > MAX_TAGGED_YAML) return unreadLargeYaml(src.size, MAX_TAGGED_YAML, out, UNREAD, 'warning');
  judgePythonTags(parseTaggedYaml((yield* readAt(src, 0, src.size)).toString('utf8')), out, allow);
}

/** yamlPythonTagFindings over a parsed text (a chat template candidate's, parsed once for its templates too). */
export function judgePythonTags({ text, lines, doc }: TaggedYaml, out: Findings, allow: AllowContext): void {
  if (unreadDeepYaml(doc, out, UNREAD)) return;
  // PyYAML refuses a text that does not parse before it builds anything.
  if (doc.errors.length > 0) return;
  const uses = pythonTagUses(doc, text, lines, CALLING_TAG, actionOf);
  if (uses.length === 0) return;
  if (isKerasModel(doc)) {
    out.add(
      'CPI134',
      `a Keras model YAML carries python tags: ${listedTags(uses)}; tf.keras before 2.6 reads it with model_from_yaml (yaml.unsafe_load, CVE-2021-37678), which runs them. Do not load this model; take its architecture from a trusted source.`,
      { targets: uses.map((u) => u.target).join(', ') },
      undefined,
      'error',
      uses[0]!.line,
    );
    return;
  }
  const dangerous: (PythonTagUse & { why: string })[] = [];
  const unknown: PythonTagUse[] = [];
  for (const use of uses) {
    // UnsafeConstructor.find_python_name; `python/module:` names a module, whose import runs only its own
    // top-level code, judged as its `*`.
    const v = judgeDotted(use.target, allow);
    if (v.kind === 'dangerous') dangerous.push({ ...use, why: v.why });
    else if (v.kind === 'unknown') unknown.push(use);
  }
  if (dangerous.length > 0)
    out.add(
      'CPI134',
      `python tags name dangerous callables: ${listedTags(dangerous)}; PyYAML's unsafe Loader (yaml.unsafe_load, yaml.load with Loader=yaml.Loader, or yaml.load before PyYAML 5.1) runs them when it reads this file. Do not load it with PyYAML's unsafe Loader; remove the tags.`,
      { targets: dangerous.map((d) => d.target).join(', '), resolvesTo: dangerous[0]!.why },
      undefined,
      'error',
      dangerous[0]!.line,
    );
  else if (unknown.length > 0)
    out.add(
      'CPI134',
      `python tags name callables: ${listedTags(unknown)}; PyYAML's unsafe Loader imports and builds them when it reads this file (safe_load refuses it). Review them, and add them to models.allowedGlobals if you trust them.`,
      { targets: unknown.map((u) => u.target).join(', ') },
      undefined,
      'note',
      unknown[0]!.line,
    );
}

/** `Model.to_yaml()`'s shape, which `model_from_yaml` reads: a mapping with `class_name` and `config`. */
function isKerasModel(doc: Document.Parsed): boolean {
  const top = doc.contents;
  if (!isMap(top)) return false;
  const keys = new Set(top.items.map((p) => (isScalar(p.key) ? p.key.value : undefined)));
  return keys.has('class_name') && keys.has('config');
}

/**
 * A YAML member of an archive (a Keras model YAML in a model bundle, a config in a release `.tar.gz`): extracted, it
 * is read by whatever reads the same file in a repository, so it is judged as the walk judges that file — a `.yaml` or
 * `.yml` name (discover/walk.ts `searchedClaim`), the python-tag sign anywhere in its bytes, then
 * yamlPythonTagFindings with its bounds and levels. Without the sign it is left to the container reader, as before.
 */
registerMemberFormat({
  format: 'yaml-python-tags',
  claimsName: (name) => templateFileKind(name) === 'yaml',
  judge(data, name, where) {
    if (templateFileKind(name) !== 'yaml' || !showsPythonTagSign(data)) return undefined;
    const out = new Findings(where.path, 'yaml-python-tags', where.member);
    driveSync(yamlPythonTagFindings(bufferSource(data), out, where.allow));
    // A YAML text is no container, but a pickle head is read whatever the name: leave the container reader its turn.
    return { findings: out.list, decompressed: 0, readsAllOfIt: false };
  },
});
