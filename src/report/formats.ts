import { REPORTERS, type Format } from './reporters.js';

/** Report format names, derived from REPORTERS. */
export type { Format } from './reporters.js';
export const FORMATS: readonly Format[] = REPORTERS.map((r) => r.name);
