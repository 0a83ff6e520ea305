import type { AllowContext } from '../pickle/allowlist.js';
import { judgeGlobal } from '../pickle/verdict.js';
import { isObject, loadsOrUnread, type JsonValue } from './json.js';
import type { Findings } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { FormatError, readAt } from './source.js';
import { listedWithMore } from '../../core/plural.js';

/** A NeMo 2 `io.json` is the whole experiment's config: KiB to a few MiB. */
const MAX_FILE = 32 * 1024 * 1024;
/** Distinct references named in one finding's text. */
const MAX_LISTED = 5;

/**
 * Modules whose callables NeMo 2 checkpoints name: NeMo's `SafePyrefPolicy` (nemo/lightning/io/deserialize.py,
 * `TRUSTED_MODULES`) trusts these roots, plus fiddle's own `Config`/`Partial` types and the libraries the experiment
 * configs build (megatron, transformers tokenizers).
 */
const NEMO2_LIBRARIES =
  /^(nemo|torch|pytorch_lightning|lightning|numpy|collections|typing|enum|dataclasses|pathlib|fiddle|megatron|transformers|builtins)(\.|$)/;

/** One Python reference `{"type": "pyref", "module": …, "name": …}` of fiddle's serialization. */
interface Pyref {
  readonly module: string;
  readonly name: string;
}

/** Every pyref in the document (types, `fn_or_cls` metadata and plain values alike), walked without recursion. */
function pyrefsOf(root: JsonValue): Pyref[] {
  const found = new Map<string, Pyref>();
  const stack: JsonValue[] = [root];
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (Array.isArray(v)) stack.push(...v);
    else if (isObject(v)) {
      if (v.type === 'pyref' && typeof v.module === 'string' && typeof v.name === 'string')
        found.set(`${v.module}:${v.name}`, { module: v.module, name: v.name });
      for (const key of Object.keys(v)) stack.push(v[key]!);
    }
  }
  return [...found.values()];
}

/**
 * A NeMo 2 checkpoint's `context/io.json`: `nemo.lightning.io.load_context(ckpt)` → `io.mixin.load`, which
 * `pydoc.locate`s every object's type, deserializes the file with fiddle's `serialization.Deserialization` (each
 * `pyref` is `import_symbol(policy, module, name)`: the module imported, the dotted name looked up), then
 * `fdl.build(config)` calls every `Config`'s `fn_or_cls` with its arguments. NeMo releases before the
 * `SafePyrefPolicy` pass the default policy, which allows any module; the safe policy still trusts `torch.*` and
 * `nemo.*`, so `torch.load` or `torch.hub.load` there runs too. Each reference is judged like a pickle global: a
 * dangerous one is an error, one outside the libraries NeMo 2 configs name a warning.
 */
export function* nemo2ContextFindings(src: RandomAccess, out: Findings, allow: AllowContext): ParseSteps<void> {
  if (src.size > MAX_FILE) throw new FormatError(`file of ${src.size} bytes is past the limit`, 0, 'limit');
  const text = (yield* readAt(src, 0, src.size)).toString('utf8');
  // `context/io.json` is a common name: a file that cannot spell `pyref` (plainly or with a `\u` escape) makes NeMo
  // import nothing, and is not reported even when Python's `json.load` would refuse it.
  const mayHoldPyrefs = /pyref|\\u/i.test(text);
  if (!mayHoldPyrefs) return;
  const value = readContext(text, out);
  const dangerous: { ref: string; module: string; why: string }[] = [];
  const unknown: { ref: string; module: string }[] = [];
  for (const { module, name } of pyrefsOf(value)) {
    const ref = `${module}.${name}`;
    const v = judgeGlobal(module, name, allow);
    if (v.kind === 'dangerous') dangerous.push({ ref, module, why: v.why });
    else if (v.kind === 'unknown' && !NEMO2_LIBRARIES.test(module)) unknown.push({ ref, module });
  }
  const list = (refs: readonly string[]) => listedWithMore(refs, MAX_LISTED);
  if (dangerous.length > 0)
    out.add(
      'CPI122',
      `the NeMo 2 context names ${list(dangerous.map((d) => `${d.ref} (${d.why})`))}; nemo.lightning.io.load_context imports every pyref and fdl.build calls it with its arguments, so loading the checkpoint runs it. Do not load this checkpoint.`,
      { targets: list(dangerous.map((d) => d.ref)), resolvesTo: dangerous[0]!.why },
      undefined,
      'error',
      lineOf(text, dangerous[0]!.module),
    );
  else if (unknown.length > 0)
    out.add(
      'CPI122',
      `the NeMo 2 context names ${list(unknown.map((u) => u.ref))}, outside the libraries NeMo 2 checkpoints use; nemo.lightning.io.load_context imports them and fdl.build calls them while rebuilding the experiment. Review them before loading, and add them to models.allowedGlobals if you trust them.`,
      { targets: list(unknown.map((u) => u.ref)) },
      undefined,
      undefined,
      lineOf(text, unknown[0]!.module),
    );
}

/** Nesting read in a context; real ones nest a few dozen levels. */
const MAX_DEPTH = 512;

/**
 * The context as `serialization.load_json` reads it (json.loads, which takes NaN and Infinity). Past `MAX_DEPTH` the
 * pyrefs beside the deep part are still imported, and checked here; the deep part is reported unread at error.
 */
function readContext(text: string, out: Findings): JsonValue {
  return loadsOrUnread(text, out, {
    maxDepth: MAX_DEPTH,
    what: 'the NeMo 2 context',
    then: 'nemo.lightning.io.load_context imports the pyrefs it holds, but they were not checked',
    not: 'this checkpoint',
  });
}

/** The 1-based line where the module of a reported reference is first named, for the message. */
function lineOf(text: string, module: string): number | undefined {
  const at = text.indexOf(JSON.stringify(module));
  return at < 0 ? undefined : text.slice(0, at).split('\n').length;
}
