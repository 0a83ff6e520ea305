/**
 * Attacker-controlled JSON (signature bundles, in-toto payloads, lockfiles) has shallow structure. V8's JSON.parse
 * copes with any depth, but every recursive walk after it — @sigstore/bundle's protobuf conversion,
 * JSON.stringify, our own readers — overflows the stack on a few hundred thousand levels. One linear pre-scan of
 * bracket depth before JSON.parse closes all of them at once.
 */
export const MAX_JSON_DEPTH = 64;

export class JsonTooDeepError extends Error {
  override readonly name = 'JsonTooDeepError';
  constructor(readonly limit: number) {
    super(`JSON nests deeper than ${limit} levels`);
  }
}

/** Deepest `[`/`{` nesting outside strings, stopping as soon as it passes `stopAbove`. Linear, no allocation. */
export function jsonNestingDepth(text: string, stopAbove = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) return deepest;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/** JSON.parse, refusing documents nested deeper than `maxDepth` (throws JsonTooDeepError before parsing). */
export function parseShallowJson(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (jsonNestingDepth(text, maxDepth) > maxDepth) throw new JsonTooDeepError(maxDepth);
  return JSON.parse(text) as unknown;
}
