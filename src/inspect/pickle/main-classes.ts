import type { PickleRun } from './result.js';
import type { GlobalRef } from './values.js';

/** One plain name: pickle.py `find_class` resolves a dotted one through attributes (`__main__.__builtins__.eval`). */
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A class of the loading program, only instantiated: `__main__.<Name>` (what pickling an object of a class defined
 * in a script or notebook writes), created by NEWOBJ (`cls.__new__(cls, *args)`) and given its state by BUILD on that
 * instance, and used no other way. pickle.py `find_class('__main__', name)` is `getattr(sys.modules['__main__'],
 * name)`: the loading program's own namespace, which the file cannot add to; where the program defines no such name
 * the load stops (AttributeError). So what runs is the program's own class — its `__new__` and `__setstate__` — never
 * code the file brings. A call of the name itself (REDUCE: it may be any function the program imported, such as
 * `system`), BUILD on the class (setting the program's class attributes), a dotted or dunder name, are not this.
 */
export function loadingProgramClassExplained(run: PickleRun, g: GlobalRef): boolean {
  if (g.module !== '__main__' || !PLAIN_NAME.test(g.name) || /^__.*__$/.test(g.name)) return false;
  let created = false;
  for (const c of run.calls.values()) {
    const t = c.target;
    if (t === undefined || t.module !== g.module || t.name !== g.name) continue;
    if ((c.kind === 'NEWOBJ' || c.kind === 'NEWOBJ_EX') && c.onGlobal && !c.computed) created = true;
    else if (!(c.kind === 'BUILD' && !c.onGlobal)) return false;
  }
  return created;
}
