import { formatJsonPath } from '../config/problems.js';
import { parseConfigYaml, type ParseResult } from '../config/yaml.js';

export type { SourceDocument } from '../config/yaml.js';

/** Registry files are reviewed by people; anything larger is a mistake or an attack on the parser. */
export const MAX_REGISTRY_FILE_BYTES = 16 * 1024 * 1024;

export type JsonPath = readonly (string | number)[];

/** Parse YAML or JSON (JSON is YAML 1.2) with the one configuration reader the policy uses too. */
export function parseRegistrySource(text: string): ParseResult {
  return parseConfigYaml(text, { maxBytes: MAX_REGISTRY_FILE_BYTES, what: 'trusted registry' });
}

/** `models[0].files[1].sha256` */
export const formatPath = formatJsonPath;
