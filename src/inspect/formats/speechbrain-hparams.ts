import { isNode, visit, type Document } from 'yaml';
import { isAllowed, type AllowContext } from '../pickle/allowlist.js';
import {
  listedTags,
  MAX_LISTED_TAGS,
  MAX_PARSED_YAML,
  parseTaggedYaml,
  pythonTagUses,
  unreadDeepYaml,
  unreadLargeYaml,
  type PythonTagUse,
  type UnreadYaml,
} from './pyyaml-nodes.js';
import { judgeDotted } from '../pickle/verdict.js';
import type { Findings } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { FormatError, readAt } from './source.js';

/** A hyperparams.yaml is a few KiB. */
const MAX_FILE = MAX_PARSED_YAML;

/**
 * HyperPyYAML's tags (hyperpyyaml/core.py `load_hyperpyyaml`: `add_multi_constructor("!new:", _construct_object)`,
 * `"!name:"` `_construct_name`, `"!apply:"` `_apply_function`, `"!module:"` `_construct_module`) and PyYAML's own
 * python tags, which the unsafe `yaml.Loader` it loads with also constructs (`UnsafeConstructor`
 * `construct_python_object_apply`, `…_new`, `…_object`, `construct_python_name`, `construct_python_module`).
 */
const CALLING_TAG =
  /^(?:!(new|apply|name|module):|tag:yaml\.org,2002:python\/(object\/apply|object\/new|object|name|module):)(.+)$/;

/** Libraries SpeechBrain model hyperparams name (its own lobes, torch and torchaudio modules, tokenizers, stdlib). */
const SPEECHBRAIN_LIBRARIES =
  /^(speechbrain|torch|torchaudio|numpy|sentencepiece|collections|math|functools|operator|typing)(\.|$)/;

/** What a tag does with the callable it names, for the message. */
function actionOf(kind: string): string {
  if (kind === 'apply' || kind === 'object/apply') return 'calls it while loading';
  if (kind === 'new' || kind === 'object/new' || kind === 'object') return 'instantiates it while loading';
  if (kind === 'name') return 'hands it to the model, which calls it';
  return 'imports it while loading';
}

/** What the loader does with the file when it is too deep or too large to read (CPI051's message). */
const HPARAMS_UNREAD: UnreadYaml = {
  what: 'the hyperparams file',
  reader: "load_hyperpyyaml (ruamel.yaml, then PyYAML's yaml.Loader)",
  then: 'from_hparams builds the objects its tags name, which were not checked',
  not: 'this model',
};

/**
 * SpeechBrain's `Pretrained.from_hparams` (speechbrain/inference/interfaces.py `pretrained_from_hparams`) and
 * `foreign_class` fetch the model's `hyperparams.yaml` and build it with `load_hyperpyyaml`, which resolves every
 * calling tag's dotted path with `pydoc.locate` (the longest importable module, then attributes) and calls it with
 * the node's items as arguments. Each callable is judged like a pickle global: a dangerous one is an error, one
 * outside the libraries SpeechBrain hyperparams use is a warning. One finding per file names them all.
 */
export function* speechbrainHparamsFindings(src: RandomAccess, out: Findings, allow: AllowContext): ParseSteps<void> {
  // load_hyperpyyaml reads any size and builds every tag, so the unread file fails the default gate.
  if (src.size > MAX_FILE) return unreadLargeYaml(src.size, MAX_FILE, out, HPARAMS_UNREAD, 'error');
  const text = (yield* readAt(src, 0, src.size)).toString('utf8');
  // Without a tag nothing is imported, and YAML that does not parse is refused before anything runs.
  if (!text.includes('!')) return;
  // Tags are read from the parsed nodes (keys included), so `%TAG` handles and verbatim `!<…>` tags resolve as PyYAML
  // resolves them.
  const { doc, lines } = parseTaggedYaml(text);
  if (unreadDeepYaml(doc, out, HPARAMS_UNREAD)) return;
  if (doc.errors.length > 0) throw new FormatError(`invalid YAML: ${doc.errors[0]!.message}`, doc.errors[0]!.pos[0]);
  const dangerous: (PythonTagUse & { why: string })[] = [];
  const unknown: PythonTagUse[] = [];
  for (const use of pythonTagUses(doc, text, lines, CALLING_TAG, actionOf)) {
    if (use.kind === 'module') {
      // Importing runs only the module's own top-level code: judged by where it comes from, not by what it holds.
      if (!SPEECHBRAIN_LIBRARIES.test(use.target) && !isAllowed(use.target, '*', allow)) unknown.push(use);
      continue;
    }
    // pydoc.locate looks a name with no importable module up in builtins (`!apply:eval`).
    const v = judgeDotted(use.target, allow);
    if (v.kind === 'dangerous') dangerous.push({ ...use, why: v.why });
    else if (v.kind === 'unknown' && !SPEECHBRAIN_LIBRARIES.test(use.target)) unknown.push(use);
  }
  const includes = includedFiles(doc);
  if (dangerous.length > 0)
    out.add(
      'CPI129',
      `HyperPyYAML tags name dangerous callables: ${listedTags(dangerous)}; SpeechBrain's from_hparams loads this file with load_hyperpyyaml (PyYAML's unsafe Loader), so loading the model runs them. Do not load this model.`,
      { targets: dangerous.map((d) => d.target).join(', '), resolvesTo: dangerous[0]!.why },
      undefined,
      'error',
      dangerous[0]!.line,
    );
  else if (unknown.length > 0)
    out.add(
      'CPI129',
      `HyperPyYAML tags name callables outside the libraries SpeechBrain models use: ${listedTags(unknown)}; load_hyperpyyaml imports them with pydoc.locate. Review them before loading, and add them to models.allowedGlobals if you trust them.`,
      { targets: unknown.map((u) => u.target).join(', ') },
      undefined,
      undefined,
      unknown[0]!.line,
    );
  if (includes.size > 0) {
    const files = [...includes];
    out.add(
      'CPI129',
      `HyperPyYAML includes ${files
        .slice(0, MAX_LISTED_TAGS)
        .map((f) => JSON.stringify(f))
        .join(
          ', ',
        )}: load_hyperpyyaml reads each (relative to this file) and builds its !new: / !apply: tags like this file's own, and chainproof does not read them under that role. Review the included files before loading.`,
      { includes: files.join(', ') },
      undefined,
      undefined,
      lineOfText(text, '!include:'),
    );
  }
}

/** `!include:` files: `_walk_tree_and_resolve` reads them beside this one and their tags are built like its own. */
function includedFiles(doc: Document.Parsed): Set<string> {
  const includes = new Set<string>();
  visit(doc, {
    Node(_key, node) {
      if (isNode(node) && node.tag?.startsWith('!include:')) includes.add(node.tag.slice('!include:'.length));
    },
  });
  return includes;
}

/** The 1-based line of the first occurrence of `needle`. */
function lineOfText(text: string, needle: string): number | undefined {
  const at = text.indexOf(needle);
  return at < 0 ? undefined : text.slice(0, at).split('\n').length;
}
