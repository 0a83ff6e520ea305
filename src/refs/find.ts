import { findConfigReferences } from './config.js';
import { findJavaScriptReferences } from './javascript.js';
import { findPythonReferences } from './python.js';
import { findNotebookReferences } from './python-notebook.js';
import { findShellReferences } from './shell-commands.js';
import { holdsInlinePython, mayNameModelBytes, runsCommands, runsJavaScriptCommands } from './prefilter.js';
import { findJavaScriptCommandReferences } from './javascript-commands.js';
import { findPythonCommandReferences } from './python-commands.js';
import { findInlinePythonReferences } from './shell-python.js';
import { withMoreReferences } from './types.js';
import type { Language } from './languages.js';
import { isReferenceSource, languageOf } from './sources.js';
import { searchTextWith, type Finder, type Searched } from './search.js';

/** Every finder, loaded with this module (`review`; the scan's stage loads them one language at a time). */
const FINDERS: Readonly<Record<Language, Finder>> = {
  // With the command lines it runs (`subprocess.run(["hf", "download", …])`), as the scan's stage reads them.
  python: (p, text, existsLocally) => {
    const refs = findPythonReferences(p, text, existsLocally);
    return runsCommands(text) ? withMoreReferences(refs, findPythonCommandReferences(p, text, existsLocally)) : refs;
  },
  // With the command lines it runs through child_process (`execSync("hf download …")`), as the stage reads them.
  javascript: (p, text, existsLocally) => {
    const refs = findJavaScriptReferences(p, text, existsLocally);
    return runsJavaScriptCommands(text)
      ? withMoreReferences(refs, findJavaScriptCommandReferences(p, text, existsLocally))
      : refs;
  },
  config: findConfigReferences,
  notebook: findNotebookReferences,
  // With the Python a script runs inline (`python -c "…"`), as the scan's stage reads it.
  shell: (p, text, existsLocally) => {
    const refs = findShellReferences(p, text, existsLocally);
    return holdsInlinePython(text)
      ? withMoreReferences(refs, findInlinePythonReferences(p, text, existsLocally))
      : refs;
  },
};

export {
  mayCallLoader,
  MAX_SOURCE_BYTES,
  maxSourceBytes,
  NOT_SEARCHED,
  searchOversized,
  type Searched,
} from './search.js';
export { LOADER_NEEDLES, mayCallLoaderBytes } from './prefilter.js';
export { isReferenceSource };

/** Search one file's bytes: the byte test first, so most files are never decoded; then `searchText`. */
export function searchBytes(path: string, bytes: Buffer, existsLocally: (p: string) => boolean): Searched {
  const language = languageOf(path);
  if (!language || !mayNameModelBytes(language, bytes)) return { kind: 'none' };
  return searchText(path, bytes.toString('utf8'), existsLocally);
}

/** Search one file's text with every finder loaded (`review`; the scan's stage loads only the languages it needs). */
export function searchText(path: string, text: string, existsLocally: (p: string) => boolean): Searched {
  const language = languageOf(path);
  return language ? searchTextWith(FINDERS[language], path, text, existsLocally) : { kind: 'none' };
}
