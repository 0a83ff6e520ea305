import type { Finder, QuickFinder } from './search.js';

/** The language front ends; which one a file goes to is `languageOf` (sources.ts, light enough for the walk's caller). */
export type Language = 'python' | 'javascript' | 'config' | 'notebook' | 'shell';

/**
 * A language's finder, loaded on first need: loading a grammar (@lezer/python, @lezer/javascript, yaml) costs tens
 * of milliseconds of CPU each, so a scan loads only those of the languages whose files pass the byte pre-filter —
 * none at all for a repository that names no loader.
 */
export async function loadFinder(language: Language): Promise<Finder> {
  switch (language) {
    case 'python':
      // The stage has tried `loadQuickFinder`'s reader first: what comes here needs the parser.
      return (await import('./python.js')).findPythonReferencesWithParser;
    case 'javascript':
      return (await import('./javascript.js')).findJavaScriptReferences;
    case 'config':
      return (await import('./config.js')).findConfigReferencesWithYaml;
    case 'notebook':
      return (await import('./python-notebook.js')).findNotebookReferences;
    case 'shell':
      return (await import('./shell-commands.js')).findShellReferences;
  }
}

/**
 * A language's parser-free finder for the common shapes, when it has one: a file it decides never loads the
 * grammar (bench `refs`). Undefined: every file goes to `loadFinder`'s.
 */
export async function loadQuickFinder(language: Language): Promise<QuickFinder | undefined> {
  switch (language) {
    case 'python':
      return (await import('./python-fast.js')).findPythonReferencesFast;
    case 'config':
      return (await import('./config-fast.js')).findConfigReferencesFast;
    case 'javascript':
      return (await import('./javascript-fast.js')).findJavaScriptReferencesFast;
    case 'notebook':
      // The notebook finder takes out the code cells and runs the Python finders (quick one first) on them.
      return undefined;
    case 'shell':
      // A line scan, no parser to spare.
      return undefined;
  }
}
