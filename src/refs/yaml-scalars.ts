import type { Node as YamlNode } from 'yaml';

/** Where a scalar's value starts in the text: past its opening quote. */
export function valueStart(node: YamlNode, text: string): number {
  const start = node.range?.[0] ?? 0;
  return text[start] === '"' || text[start] === "'" ? start + 1 : start;
}

/** A scalar's value as text: a string, or a number or bool a container environment passes on as its text. */
export const scalarText = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
