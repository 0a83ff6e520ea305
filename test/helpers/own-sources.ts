import { ownReferenceSources } from '../../src/refs/sources.js';

/**
 * What the walk decides of a file's bytes with the refs stage's filter (`ownReferenceSources`), as the walk asks:
 * by path, then the bytes read into the filter's own buffer.
 */
export function keptByWalk(rel: string, bytes: Buffer): boolean {
  const kind = ownReferenceSources.kind(rel);
  if (kind === 0) return false;
  const read = ownReferenceSources.buffer!(bytes.length);
  bytes.copy(read);
  return ownReferenceSources.keep(kind, read, bytes.length) !== undefined;
}
