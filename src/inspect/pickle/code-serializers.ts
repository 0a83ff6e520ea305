import type { Finding } from '../../core/finding.js';
import { listedWithMore } from '../../core/plural.js';
import { toPython3 } from './compat.js';
import type { PickleRun } from './result.js';
import type { GlobalRef } from './values.js';

/**
 * cloudpickle and dill write a function or class "by value": its code, defaults, closure and class dict go into the
 * file, and loading rebuilds them through a handful of the library's own helpers (cloudpickle/cloudpickle.py
 * `_dynamic_class_reduce` → `_make_skeleton_class` + `_class_setstate`, `_dynamic_function_reduce` →
 * `_make_function` + `_function_setstate`, `_builtin_type('CodeType')`, `subimport`; dill/_dill.py `save_type` →
 * `_create_type`, `save_function` → `_create_function(_create_code(...))`, `_load_type`). Those helpers are one
 * cause — the file carries code — so they are one finding that names the helper that rebuilds code and counts the
 * rest; any other dangerous global beside them (an `os.system` reducer) keeps its own finding.
 */
export type CodeSerializer = 'cloudpickle' | 'dill';

/** The libraries' modules, vendored copies included (joblib, srsly, ray and pyspark ship cloudpickle). */
const SERIALIZER_MODULES: readonly (readonly [RegExp, CodeSerializer])[] = [
  [/^(?:(?:joblib\.externals|srsly|ray|pyspark)\.)?cloudpickle(?:\.|$)/, 'cloudpickle'],
  [/^dill(?:\.|$)/, 'dill'],
];

/**
 * The helpers each library writes to rebuild code, classes and the objects they hold, read from their sources
 * (cloudpickle 2.2 cloudpickle.py / cloudpickle_fast.py, cloudpickle 3 cloudpickle.py; dill 0.3.6+ _dill.py and
 * _shims.py): what `_dynamic_function_reduce`, `_dynamic_class_reduce`, `_code_reduce`, `_cell_reduce`, dill's
 * `save_function`, `save_type`, `save_code`, `save_cell`… put in a file. Anything else of theirs is no part of that
 * cause: dill's `_import_module` (`__import__`), `_get_attr` / `_getattr` / `_getattribute` (`getattr`, `eval`),
 * `_eval_repr` (`eval`), `_locate_function`, `_create_capsule` (a raw pointer) and old cloudpickle's `_getobject`
 * (`__import__` + attribute fetch) keep their own finding, which names what they import or evaluate.
 */
const CODE_HELPERS: Readonly<Record<CodeSerializer, ReadonlySet<string>>> = {
  cloudpickle: new Set([
    '_builtin_type',
    'subimport',
    'dynamic_subimport',
    '_gen_ellipsis',
    '_gen_not_implemented',
    '_fill_function',
    '_make_function',
    '_make_empty_cell',
    '_make_cell',
    '_make_skel_func',
    '_make_skeleton_class',
    '_rehydrate_skeleton_class',
    '_make_skeleton_enum',
    '_make_typevar',
    '_make_dict_keys',
    '_make_dict_values',
    '_make_dict_items',
    '_make_cell_set_template_code',
    '_file_reconstructor',
    '_function_setstate',
    '_class_setstate',
    '_enum_setstate',
    '_get_dataclass_field_type_sentinel',
    '_make_code',
  ]),
  dill: new Set([
    '_load_type',
    '_create_type',
    '_create_function',
    '_create_code',
    '_unmarshal',
    '_create_ftype',
    '_create_typing_tuple',
    '_create_lock',
    '_create_rlock',
    '_create_stringi',
    '_create_stringo',
    '_create_cell',
    '_create_weakref',
    '_create_weakproxy',
    '_create_array',
    '_create_dtypemeta',
    '_create_namedtuple',
    '_create_typemap',
    '_setitems',
    '_setattr',
    '_delattr',
    '_CELL_EMPTY',
  ]),
};

/** Helpers that rebuild code, in the order a message names them: the reviewer's "what runs". */
const CODE_BUILDERS: readonly string[] = [
  '_make_function',
  '_fill_function',
  '_make_skel_func',
  '_create_function',
  '_create_code',
  '_make_skeleton_class',
  '_make_skeleton_enum',
  '_create_type',
];

/** The library whose reconstructor this global is, or undefined. */
function serializerHelperOf(g: GlobalRef): CodeSerializer | undefined {
  const family = SERIALIZER_MODULES.find(([re]) => re.test(g.module))?.[1];
  return family !== undefined && CODE_HELPERS[family].has(g.name) ? family : undefined;
}

/** Whether the stream calls the global itself (REDUCE, OBJ, INST, NEWOBJ…) anywhere: then it is no mere argument. */
function isCalled(run: PickleRun, g: GlobalRef): boolean {
  for (const c of run.calls.values())
    if (c.onGlobal && c.target?.module === g.module && c.target.name === g.name) return true;
  return false;
}

/**
 * Globals the libraries write as plain arguments of their helpers, never called by the stream: cloudpickle passes the
 * metaclass `type` to `_make_skeleton_class`, and an enum's class dict to `_make_skeleton_enum` keeps the methods it
 * inherits from `enum` (`enum.Enum.__new__`, `__str__`, …) by reference; dill writes a module's namespace as
 * `<module>.__dict__` and its own main module as `__builtin__.__main__` (dill/_dill.py `save_module_dict`).
 */
function isSerializerArgument(run: PickleRun, g: GlobalRef, family: CodeSerializer): boolean {
  const py3 = toPython3(g.module, g.name);
  if (family === 'cloudpickle' && isBuiltinNewFetch(run, py3)) return true;
  if (isCalled(run, g)) return false;
  if (family === 'cloudpickle')
    return (py3.module === 'builtins' && py3.name === 'type') || (py3.module === 'enum' && ENUM_MEMBER.test(py3.name));
  return py3.name === '__dict__' || (py3.module === 'builtins' && py3.name === '__main__');
}

/** `Enum.__new__`, `IntEnum.__str__`: a dunder method of one of `enum`'s own classes. */
const ENUM_MEMBER = /^\w*Enum\.__[a-z]+__$/;

/** The builtin data types whose methods an enum's class dict keeps (`_new_member_` is `str.__new__`, …). */
const DATA_TYPES: ReadonlySet<string> = new Set(['object', 'str', 'int', 'float', 'bytes', 'complex', 'tuple']);
/** Those methods: a mixed-in enum (`class S(str, Enum)`) keeps the data type's own ones. Not `__getattribute__`. */
const KEPT_METHODS: ReadonlySet<string> = new Set(['__new__', '__repr__', '__str__', '__format__']);

/**
 * `builtins.getattr` used only as CPython pickles a builtin method, `getattr(str, '__new__')` (a method's
 * `__reduce__` in Objects/methodobject.c `meth_reduce`): cloudpickle's enum class dict holds `_new_member_` and a
 * mixed-in type's `__repr__` so. Every call is a REDUCE on the global and every fetch one of those methods of a builtin
 * data type; anything else stays its own finding.
 */
function isBuiltinNewFetch(run: PickleRun, py3: { module: string; name: string }): boolean {
  if (py3.module !== 'builtins' || py3.name !== 'getattr') return false;
  const fetches = run.memberAccesses ?? [];
  if (fetches.length === 0) return false;
  for (const a of fetches) {
    const owner = a.owner === undefined ? undefined : toPython3(a.owner.module, a.owner.name);
    if (!KEPT_METHODS.has(a.attr ?? '') || owner?.module !== 'builtins' || !DATA_TYPES.has(owner.name)) return false;
  }
  let reduces = 0;
  for (const c of run.calls.values()) {
    if (
      c.target === undefined ||
      c.target.name !== 'getattr' ||
      toPython3(c.target.module, 'getattr').module !== 'builtins'
    )
      continue;
    if (c.kind !== 'REDUCE' || !c.onGlobal) return false;
    reduces += c.count;
  }
  return reduces === fetches.length;
}

/** The serializers whose helpers this run imports: only then are their plain arguments theirs. */
export function serializersIn(run: PickleRun): ReadonlySet<CodeSerializer> {
  const found = new Set<CodeSerializer>();
  for (const g of run.globals.values()) {
    const family = serializerHelperOf(g);
    if (family !== undefined) found.add(family);
  }
  return found;
}

/** The serializer cause this dangerous global belongs to in this run, or undefined when it is a cause of its own. */
export function serializerCauseOf(
  run: PickleRun,
  g: GlobalRef,
  present: ReadonlySet<CodeSerializer>,
): CodeSerializer | undefined {
  const family = serializerHelperOf(g);
  if (family !== undefined) return family;
  for (const f of present) if (isSerializerArgument(run, g, f)) return f;
  return undefined;
}

/** One dangerous global of a serializer cause, with what its own CPI001 would have said. */
export interface SerializerMember {
  readonly global: GlobalRef;
  readonly qualified: string;
  /** `REDUCE(on global)×2, BUILD×1`, or empty when the stream never calls it. */
  readonly calls: string;
  readonly evidence: Record<string, unknown>;
  /** What torch.load's weights-only default (or a hidden position) adds to the message, or empty. */
  readonly suffix: string;
}

/** The member a message names: the first helper that rebuilds code, else the first called one, else the first. */
function leadMember(members: readonly SerializerMember[]): SerializerMember {
  const byOffset = [...members].sort((a, b) => a.global.offset - b.global.offset);
  for (const name of CODE_BUILDERS) {
    const hit = byOffset.find((m) => m.global.name === name && serializerHelperOf(m.global) !== undefined);
    if (hit !== undefined) return hit;
  }
  return byOffset.find((m) => m.calls !== '') ?? byOffset[0]!;
}

/** What the finding says after naming the lead: the other members, counted, the first few named. */
function othersText(members: readonly SerializerMember[], lead: SerializerMember): string {
  const rest = members
    .filter((m) => m !== lead)
    .map((m) => `\`${m.qualified}\``)
    .sort();
  return rest.length === 0 ? '' : `, with ${rest.length} more of its globals (${listedWithMore(rest, 4)})`;
}

/** The one CPI001 for a serializer's globals in one pickle (`members` is never empty). */
export function serializerFinding(
  family: CodeSerializer,
  members: readonly SerializerMember[],
  where: string,
  what: string,
  base: Pick<Finding, 'location' | 'artifact'>,
): Finding {
  const lead = leadMember(members);
  const calls = lead.calls === '' ? '' : `, called via ${lead.calls}`;
  return {
    ...base,
    ruleId: 'CPI001',
    message: `${where}: the ${what} was written by ${family}, which stores functions and classes with their code: it imports \`${lead.qualified}\` at byte ${lead.global.offset}${calls}${othersText(members, lead)} to rebuild that code, which loading can run. Do not load this file unless you trust whoever wrote it.${lead.suffix}`,
    evidence: {
      ...lead.evidence,
      serializer: family,
      globals: members
        .map((m) => m.qualified)
        .sort()
        .join(', '),
    },
  };
}
