import { satisfies } from '@renovatebot/pep440';

/** The CPython 3 minors an installer may run today; a lock's `requires-python` narrows them. */
export const PYTHON_MINORS: readonly number[] = [8, 9, 10, 11, 12, 13, 14];
/** PYTHON_MINORS for a message: `CPython 3.8–3.14`. */
export const PYTHON_MINORS_LABEL = `CPython 3.${PYTHON_MINORS[0]}–3.${PYTHON_MINORS[PYTHON_MINORS.length - 1]}`;

/** The Pythons a lock is installed with, for a message: its `requires-python`, else PYTHON_MINORS_LABEL. */
export function pythonsLabel(requiresPython: string | undefined): string {
  return requiresPython === undefined ? PYTHON_MINORS_LABEL : `Python ${requiresPython}`;
}

/** The CPython minors (3.x) a `requires-python` specifier admits; all of them when the lock records none. */
export function pythonMinors(requiresPython: string | undefined): number[] {
  if (requiresPython === undefined) return [...PYTHON_MINORS];
  // A minor is in range when any of its patch releases is (`>=3.10.2` admits 3.10): its first and a late one, and each
  // release of it the specifier names (`==3.11.4`, `>3.12.1,<3.12.3`: neither end of the minor is in those).
  const named = [...requiresPython.matchAll(/\b3\.(\d+)\.(\d+)\b/g)];
  const inRange = PYTHON_MINORS.filter((m) =>
    [
      `3.${m}.0`,
      `3.${m}.99`,
      ...named.filter((n) => Number(n[1]) === m).flatMap((n) => [n[0], `3.${m}.${Number(n[2]) + 1}`]),
    ].some((v) => {
      try {
        return satisfies(v, requiresPython);
      } catch {
        return true;
      }
    }),
  );
  return inRange;
}

/**
 * Whether a wheel installs on one of these CPython minors, by the tags `packaging.tags.sys_tags` lists there:
 * `cp3M-cp3M` (that minor only; the free-threaded `cp3Mt` ABI is another interpreter), `cp3K-abi3` for K ≤ M,
 * `cp3M-none`, and the generic `py3`, `py3K` (K ≤ M) with ABI `none`. A `py2`-only or PyPy wheel fits none.
 */
export function wheelFitsPython(wheel: string, minors: readonly number[]): boolean {
  const fields = wheel.replace(/\.whl$/i, '').split('-');
  if (fields.length < 5) return true;
  const pys = fields[fields.length - 3]!.toLowerCase().split('.');
  const abis = fields[fields.length - 2]!.toLowerCase().split('.');
  return minors.some((m) =>
    pys.some((py) =>
      abis.some((abi) => {
        const cp = /^cp3(\d+)$/.exec(py);
        const generic = /^py3(\d*)$/.exec(py);
        if (abi === 'none')
          return (
            (cp !== null && Number(cp[1]) === m) || (generic !== null && (generic[1] === '' || Number(generic[1]) <= m))
          );
        if (abi === 'abi3') return cp !== null && Number(cp[1]) <= m;
        return cp !== null && Number(cp[1]) === m && new RegExp(`^cp3${m}[dm]*$`).test(abi);
      }),
    ),
  );
}

/**
 * Which wheels a lock with this `requires-python` may install: a wheel only for Pythons the lock never runs on is as
 * good as none (pip and uv pick among the wheels the interpreter's tags admit); with no CPython left in range (a
 * future `requires-python`), versions are not compared and every wheel fits.
 */
export function wheelFitsLock(requiresPython: string | undefined): (wheel: string) => boolean {
  const minors = pythonMinors(requiresPython);
  return (wheel) => minors.length === 0 || wheelFitsPython(wheel, minors);
}
