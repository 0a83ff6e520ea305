import { UsageError } from '../core/errors.js';

/**
 * `--category` as upload-sarif reads its `category` input: trimmed (@actions/core `getInput`), and empty is no
 * category at all (codeql-action actions-util.ts `getOptionalInput`), so the default applies. Taken as given, `''`
 * wrote the run id `/`, one category shared with every other tool that did the same. A line break is refused as the
 * Action refuses it (action/inputs.ts getSingleInput): it would reach code scanning inside the id.
 */
export function parseCategory(raw: string | undefined, name = '--category'): string | undefined {
  const value = raw?.trim();
  if (value === undefined || value === '') return undefined;
  if (/[\r\n]/.test(value)) throw new UsageError(`${name} must be one line, got ${JSON.stringify(value)}`);
  return value;
}
