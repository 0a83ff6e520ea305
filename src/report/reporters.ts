import type { ScanResult } from '../core/result.js';
import { toCycloneDx } from './cyclonedx.js';
import { jsonChunks } from './json-chunks.js';
import { toJsonStream } from './json.js';
import { toMarkdown } from './markdown.js';
import { toSarifStream } from './sarif.js';
import { textChunks, toText } from './text.js';

/** Everything any reporter may use; each takes what it needs. The CLI and the Action fill it the same way. */
export interface ReportOptions {
  readonly toolVersion: string;
  /** ANSI colour (text only). */
  readonly color: boolean;
  /** SARIF `automationDetails.id` prefix (GitHub's category). */
  readonly category?: string;
  /** Prefix for SARIF URIs when the scanned folder is below the repository root (the Action sets it). */
  readonly uriPrefix?: string;
  /** Links from findings to files (Markdown). */
  readonly fileUrl?: (path: string, line: number | undefined) => string | undefined;
  /** Text: list every package a cause finding covers. */
  readonly verbose?: boolean;
}

/**
 * A reporter: a format name and a pure function from a scan result to the report's text, as one string or (for
 * reports that grow with the findings) as pieces to write one after another.
 */
export interface Reporter<Name extends string = string> {
  readonly name: Name;
  render(result: ScanResult, opts: ReportOptions): string;
  chunks?(result: ScanResult, opts: ReportOptions): Iterable<string>;
}

/**
 * A JSON reporter: streamed pieces for writing, the same pieces joined for `render`. `depth` is how deep the
 * report's big array sits (jsonChunks streams the levels above it and writes its items in batches).
 */
function jsonReporter<Name extends string>(
  name: Name,
  build: (r: ScanResult, o: ReportOptions) => unknown,
  depth?: number,
) {
  return {
    name,
    render: (r: ScanResult, o: ReportOptions) => [...jsonChunks(build(r, o), depth)].join(''),
    chunks: (r: ScanResult, o: ReportOptions) => jsonChunks(build(r, o), depth),
  };
}

/**
 * Every reporter, used alike by the CLI (src/app/render.ts) and the Action (src/action/run.ts). Adding a reporter is
 * one file in src/report/ plus one entry here; the format name, `--format` and the Action's `reports` input follow.
 */
export const REPORTERS = [
  {
    name: 'text',
    render: (r, o) => toText(r, { color: o.color, verbose: o.verbose === true }),
    chunks: (r, o) => textChunks(r, { color: o.color, verbose: o.verbose === true }),
  },
  jsonReporter('json', (r, o) => toJsonStream(r, o.toolVersion)),
  jsonReporter(
    'sarif',
    (r, o) =>
      toSarifStream(r, {
        toolVersion: o.toolVersion,
        uriPrefix: o.uriPrefix ?? '',
        ...(o.category !== undefined ? { category: o.category } : {}),
      }),
    // log → runs → run → results: the results are written a batch at a time.
    4,
  ),
  jsonReporter('cyclonedx', (r, o) => toCycloneDx(r, { toolVersion: o.toolVersion })),
  {
    name: 'markdown',
    render: (r, o) => toMarkdown(r, { toolVersion: o.toolVersion, ...(o.fileUrl ? { fileUrl: o.fileUrl } : {}) }),
  },
] as const satisfies readonly Reporter[];

export type Format = (typeof REPORTERS)[number]['name'];

export function reporterFor(format: Format): Reporter<Format> {
  return REPORTERS.find((r) => r.name === format)!;
}

/** The report as pieces to write in turn: streamed where the reporter can, else its whole text. */
export function reportChunks(result: ScanResult, format: Format, opts: ReportOptions): Iterable<string> {
  const reporter = reporterFor(format);
  return reporter.chunks ? reporter.chunks(result, opts) : [reporter.render(result, opts)];
}
