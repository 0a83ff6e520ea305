/**
 * Text in a model's metadata that reads as code: what kind, or undefined. The formats that carry free-text metadata
 * never run it (safetensors `metadata()` returns strings); the shapes here are the ones with no reason to be in a
 * weights file — aimed at a tool that evals or renders metadata. Kept narrow: real metadata (kohya `ss_*` training
 * fields, `modelspec.*`, licenses, descriptions) names datasets, tags and paths, never these calls.
 */
const SHAPES: readonly { readonly kind: string; readonly pattern: RegExp }[] = [
  {
    kind: 'Python',
    pattern:
      /\b__import__\s*\(|\b(?:exec|eval|compile)\s*\(\s*["'a-z_]|\bos\s*\.\s*(?:system|popen|exec[lv]p?e?|spawn[lv]p?e?)\s*\(|\bsubprocess\s*\.\s*[A-Za-z_]+\s*\(|\b(?:pickle|marshal|dill|cloudpickle)\s*\.\s*loads?\s*\(|(?:^|;)\s*import\s+(?:os|sys|subprocess|socket|base64|pty|shutil|ctypes|urllib|requests)\s*(?:;|$)/m,
  },
  {
    kind: 'shell',
    pattern:
      /\brm\s+-(?:rf|fr|r)\s|\b(?:curl|wget)\b[^\n|;]*\|\s*(?:ba|z|da)?sh\b|\bchmod\s+(?:\+x|[0-7]?77[0-7])\s|\/bin\/(?:ba)?sh\s+-c\b|\bnc\s+(?:-\w+\s+)*-e\s/,
  },
  { kind: 'HTML script', pattern: /<script\b|\bjavascript:/i },
];

export function codeShapeOf(text: string): string | undefined {
  return SHAPES.find((s) => s.pattern.test(text))?.kind;
}

/** `where (kind: "text…")` when `text` reads as code (`codeShapeOf`): one entry of a CPI133 message. */
export function codeNote(where: string, text: string): string | undefined {
  const shape = codeShapeOf(text);
  return shape === undefined ? undefined : `${where} (${shape}: ${JSON.stringify(text.slice(0, 80))})`;
}
