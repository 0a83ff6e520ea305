/**
 * Python's `bool(value)` for a value read from JSON or TOML: false for `False`, `None`, `0`, and an empty string, list
 * or table; true for everything else (the string "false" too). pipenv tests its settings and lock fields this way.
 */
export function pythonTruth(v: unknown): boolean {
  if (typeof v === 'string' || Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.keys(v).length > 0;
  }
  return v !== undefined && v !== null && v !== false && v !== 0 && v !== 0n;
}
