import type { ScanResult } from '../core/result.js';
import { toJson } from '../report/json.js';
import { toSarif } from '../report/sarif.js';
import { toText } from '../report/text.js';
import type { Format } from '../report/formats.js';

export interface RenderOptions {
  readonly toolVersion: string;
  readonly color: boolean;
  readonly category?: string;
}

/** One report in one format. */
export function renderReport(result: ScanResult, format: Format, opts: RenderOptions): string {
  switch (format) {
    case 'text':
      return toText(result, { color: opts.color });
    case 'json':
      return JSON.stringify(toJson(result, opts.toolVersion), null, 2) + '\n';
    case 'sarif':
      return JSON.stringify(toSarif(result, { toolVersion: opts.toolVersion, ...(opts.category !== undefined ? { category: opts.category } : {}) }), null, 2) + '\n';
    case 'cyclonedx':
    case 'markdown':
      throw new Error(`format ${format} is not available in this build`);
  }
}
