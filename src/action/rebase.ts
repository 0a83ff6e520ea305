/** Moved to report/: the SARIF reporter applies it for the Action (REPORTERS, src/report/reporters.ts). */
export { rebaseSarif } from '../report/sarif-rebase.js';
