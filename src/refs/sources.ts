/**
 * Which files the reference finders read, by name alone: light enough for the walk's caller (it decides which
 * files' bytes the walk keeps) without loading the parsers.
 */
const SOURCE_EXTENSIONS = new Set(['py', 'js', 'mjs', 'cjs', 'jsx', 'ts', 'mts', 'cts', 'tsx', 'yaml', 'yml', 'json']);

/** The extension the finders go by; declaration files and minified bundles have none (never searched). */
export function sourceExtension(p: string): string {
  const base = p.slice(p.lastIndexOf('/') + 1);
  if (base.endsWith('.d.ts') || base.endsWith('.min.js')) return '';
  const dot = base.lastIndexOf('.');
  return dot < 0 ? '' : base.slice(dot + 1).toLowerCase();
}

/** Whether a path is a source or config file the reference finders read. */
export function isReferenceSource(path: string): boolean {
  return SOURCE_EXTENSIONS.has(sourceExtension(path));
}
