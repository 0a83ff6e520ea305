import type { PickleRun } from './result.js';
import type { GlobalRef } from './values.js';

/** One plain name: pickle.py `find_class` resolves a dotted one through attributes (`__main__.__builtins__.eval`). */
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Classes harmless to create and fill but not to call: `accelerate.state.PartialState`, which transformers'
 * `TrainingArguments._setup_devices` keeps as `distributed_state`, so every Trainer's training_args.bin pickles it
 * (copyreg `__reduce_ex__`: NEWOBJ, then BUILD with its `__dict__`; it defines no `__setstate__`). Called, its
 * `__init__` runs `torch.distributed.init_process_group(**kwargs)`, which connects wherever `init_method` says.
 */
const INSTANTIATED_ONLY = new Set(['accelerate.state.PartialState']);

/**
 * Whether the pickle only instantiates `g` — NEWOBJ/NEWOBJ_EX on the class (`cls.__new__(cls, *args)`), BUILD on the
 * instance — and uses it no other way: a call of the class itself (REDUCE), BUILD on the class (setting its
 * attributes) or anything done to the instance are not this.
 */
function onlyInstantiated(run: PickleRun, g: GlobalRef): boolean {
  let created = false;
  for (const c of run.calls.values()) {
    const t = c.target;
    if (t === undefined || t.module !== g.module || t.name !== g.name) continue;
    if ((c.kind === 'NEWOBJ' || c.kind === 'NEWOBJ_EX') && c.onGlobal && !c.computed) created = true;
    else if (!(c.kind === 'BUILD' && !c.onGlobal)) return false;
  }
  return created;
}

/**
 * A global that is safe because the pickle only instantiates it (`onlyInstantiated`), and it is either
 * - a class of the loading program: `__main__.<Name>` (what pickling an object of a class defined in a script or
 *   notebook writes). pickle.py `find_class('__main__', name)` is `getattr(sys.modules['__main__'], name)`: the
 *   loading program's own namespace, which the file cannot add to; where the program defines no such name the load
 *   stops (AttributeError). So what runs is the program's own class — its `__new__` and `__setstate__` — never code
 *   the file brings. A dotted or dunder name is not this;
 * - or one of INSTANTIATED_ONLY.
 */
export function instantiatedClassExplained(run: PickleRun, g: GlobalRef): boolean {
  const mainClass = g.module === '__main__' && PLAIN_NAME.test(g.name) && !/^__.*__$/.test(g.name);
  return (mainClass || INSTANTIATED_ONLY.has(`${g.module}.${g.name}`)) && onlyInstantiated(run, g);
}
