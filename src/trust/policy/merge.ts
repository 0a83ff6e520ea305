/**
 * How a policy file combines with the embedded default: mappings merge key by key (recursively), everything else
 * — lists, strings, numbers, booleans — replaces. So `rules: {CPD001: off}` keeps the other defaults, and
 * `allowedRegistries: [...]` is the complete list.
 */
export function mergeOver(base: unknown, over: unknown): unknown {
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = Object.hasOwn(base, k) ? mergeOver(base[k], v) : v;
    return out;
  }
  return over === undefined ? base : over;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
