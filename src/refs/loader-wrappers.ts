import { importedJavaScriptModule } from './module-paths.js';

/**
 * JavaScript modules of the repository that re-export a model loader's package (`export { pipeline } from
 * '@huggingface/transformers'`, `import { pipeline } from …; export { pipeline }`), and the files that import from
 * them. A file that calls `pipeline('task', 'org/model')` imported from `./ml.js` names no loader's package, so the
 * walk's byte test turns it away (prefilter.ts: `pipeline` counts only beside `transformers`), though imported-values.ts
 * follows the binding to the package once the file is read. Those files are read again only in a repository that has
 * such a module, so a scan of one without pays a test of each searched JavaScript file's text and nothing more.
 */

/** A package whose loaders javascript.ts follows by an imported name (calls.ts: transformers.js, @huggingface/hub). */
const LOADER_PACKAGE = /(["'])@(?:huggingface|xenova)\/(?:transformers|hub)\1/;
/**
 * An export that may pass a binding on: `export {`, `export *` (not `export const f = …`, a module's own value);
 * CommonJS `module.exports = …`, `exports.name = …`.
 */
const RE_EXPORT = /\bexport\s*(?:\*|\{|type\s*\{)|\b(?:module\.)?exports\s*(?:=|\.\s*[\w$]+\s*=)(?!=)/;

/** Whether a JavaScript module's text may re-export a loader's package (looser than the finder, never stricter). */
export function reexportsLoaderPackage(text: string): boolean {
  return LOADER_PACKAGE.test(text) && RE_EXPORT.test(text);
}

/** A relative specifier a file imports, re-exports or requires: `from './ml.js'`, `import('../ml')`, `require('./ml')`. */
const RELATIVE_SPECIFIER = /\b(?:from|import|require)\s*\(?\s*(["'])(\.\.?(?:\/[^"'\n]*)?)\1/g;

/** Whether `text` (the file at `importer`) imports from one of `wrappers` by a relative specifier. */
export function importsFromWrapper(
  importer: string,
  text: string,
  wrappers: ReadonlySet<string>,
  exists: (p: string) => boolean,
): boolean {
  for (const m of text.matchAll(RELATIVE_SPECIFIER)) {
    const file = importedJavaScriptModule(importer, m[2]!, exists);
    if (file !== undefined && wrappers.has(file)) return true;
  }
  return false;
}

/**
 * Words one of which every relative specifier of one of `wrappers` holds (module-paths.ts `importedJavaScriptModule`):
 * the file's name without its extension (`./lib/ml`, `./lib/ml.js`); for an `index` file also its folder's (`./lib`)
 * and the end of any folder specifier (`.'`, `/'`: `'..'`, `'../..'`, `'../'`) that names it from inside. A file whose bytes hold none of them
 * imports from no wrapper, and is not decoded or parsed.
 */
export function wrapperSpecifierWords(wrappers: Iterable<string>): string[] {
  const words = new Set<string>();
  for (const w of wrappers) {
    const parts = w.split('/');
    const stem = parts.at(-1)!.replace(/\.[^.]*$/, '');
    words.add(stem);
    if (stem !== 'index') continue;
    if (parts.length > 1) words.add(parts.at(-2)!);
    // A specifier naming a folder ends in `.` or `/` before its closing quote: `'.'`, `'..'`, `'../..'`, `'../'`.
    for (const q of ['"', "'", '`']) for (const end of ['.', '/']) words.add(end + q);
  }
  return [...words].sort();
}
