/**
 * Append `items` to `into` one by one. `into.push(...items)` passes every item as a call argument, and V8 throws
 * a RangeError (“Maximum call stack size exceeded”) past roughly 125k of them — a count an attacker controls
 * (findings per file, packages per lockfile). A plain loop has no such limit.
 */
export function pushAll<T>(into: T[], items: Iterable<T> | undefined): T[] {
  if (items === undefined) return into;
  for (const item of items) into.push(item);
  return into;
}
