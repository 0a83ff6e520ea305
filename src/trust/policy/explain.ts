import { Document, isMap, isPair, isScalar, type YAMLMap } from 'yaml';
import { defaultPolicyDocument } from './default.js';
import type { SourceDocument } from './document.js';
import type { LoadedPolicy } from './load.js';
import { isPlainObject } from './merge.js';

const SECTIONS = ['dependencies', 'models', 'signatures', 'rules', 'suppressions'] as const;

/**
 * The effective policy as YAML: the default with the file merged over it, values as written, and a comment on each
 * setting saying whether it came from the file (with its line) or from the embedded default. Mappings that were
 * merged are annotated key by key, so a mix of both shows.
 */
export function explainPolicy(loaded: LoadedPolicy): string {
  const { effective, document: file, display } = loaded;
  const body: Record<string, unknown> = { version: 1 };
  for (const s of SECTIONS) body[s] = effective[s];
  const doc = new Document(body);
  if (isMap(doc.contents)) annotate(doc.contents, [], file, display, defaultPolicyDocument());
  const header =
    file === undefined
      ? ['# Effective chainproof policy: no policy file, so the embedded default applies.']
      : [
          `# Effective chainproof policy: ${display} merged over the embedded default.`,
          '# Mappings merge key by key; lists and values replace. Paths are relative to the policy file.',
        ];
  return [...header, '', doc.toString({ lineWidth: 0 })].join('\n');
}

function annotate(
  map: YAMLMap,
  path: string[],
  file: SourceDocument | undefined,
  display: string,
  defaults: unknown,
): void {
  for (const pair of map.items) {
    if (!isPair(pair) || !isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    if (path.length === 0 && key === 'version') continue;
    const here = [...path, key];
    const fromFile = file !== undefined && file.has(here);
    const base = isPlainObject(defaults) ? defaults[key] : undefined;
    const value = pair.value;
    if (fromFile && isMap(value) && isPlainObject(base) && Object.keys(base).length > 0) {
      pair.key.commentBefore = ` ${display}:${file.locate(here, { key: true }).line}, merged over the embedded default`;
      annotate(value, here, file, display, base);
    } else if (fromFile) {
      pair.key.commentBefore = ` ${display}:${file.locate(here, { key: true }).line}`;
    } else if (path.length === 0 || file !== undefined) {
      pair.key.commentBefore = ' embedded default';
    }
  }
}
