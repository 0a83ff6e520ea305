import { parseConfigYaml, type ParseResult } from '../config/yaml.js';

export type { Position, SourceDocument, ParseResult } from '../config/yaml.js';

/** Policy files are small; anything bigger is a mistake or an attack on the parser. */
export const MAX_POLICY_BYTES = 1024 * 1024;

/** Parse policy YAML with the one configuration reader. */
export function parseSource(text: string): ParseResult {
  return parseConfigYaml(text, { maxBytes: MAX_POLICY_BYTES, what: 'policy' });
}
