/**
 * How many generated programs a differential property (fast path against the whole-file parse) tries. The suite
 * runs `suite` (enough to meet every statement kind many times over); `npm run bench`
 * (scripts/bench/refs-differential.mjs) sets REFS_DIFFERENTIAL_RUNS to run the same properties at offline scale.
 */
export function differentialRuns(suite: number): number {
  const n = Number(process.env['REFS_DIFFERENTIAL_RUNS']);
  return Number.isInteger(n) && n > 0 ? n : suite;
}
