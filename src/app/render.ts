import type { ScanResult } from '../core/result.js';
import { toCycloneDx } from '../report/cyclonedx.js';
import { toJson } from '../report/json.js';
import { toMarkdown } from '../report/markdown.js';
import { toSarif } from '../report/sarif.js';
import { toText } from '../report/text.js';
import type { Format } from '../report/formats.js';

export interface RenderOptions {
  readonly toolVersion: string;
  readonly color: boolean;
  readonly category?: string;
  /** Text: list every package a cause finding covers. */
  readonly verbose?: boolean;
}

/** One report in one format. */
export function renderReport(result: ScanResult, format: Format, opts: RenderOptions): string {
  switch (format) {
    case 'text':
      return toText(result, { color: opts.color, verbose: opts.verbose === true });
    case 'json':
      return JSON.stringify(toJson(result, opts.toolVersion), null, 2) + '\n';
    case 'sarif':
      return (
        JSON.stringify(
          toSarif(result, {
            toolVersion: opts.toolVersion,
            ...(opts.category !== undefined ? { category: opts.category } : {}),
          }),
          null,
          2,
        ) + '\n'
      );
    case 'cyclonedx':
      return JSON.stringify(toCycloneDx(result, { toolVersion: opts.toolVersion }), null, 2) + '\n';
    case 'markdown':
      return toMarkdown(result, { toolVersion: opts.toolVersion });
  }
}
