import type { ScanResult } from '../core/result.js';
import type { Format } from '../report/formats.js';
import { reportChunks, reporterFor, type ReportOptions } from '../report/reporters.js';

export type RenderOptions = ReportOptions;

/** One report in one format, by the REPORTERS list the Action uses too. */
export function renderReport(result: ScanResult, format: Format, opts: RenderOptions): string {
  return reporterFor(format).render(result, opts);
}

/** The same report as pieces to write in turn (streamed for the JSON formats). */
export function renderReportChunks(result: ScanResult, format: Format, opts: RenderOptions): Iterable<string> {
  return reportChunks(result, format, opts);
}
