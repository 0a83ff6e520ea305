import path from 'node:path';
/**
 * Where a name a Python file imports is defined in the repository: `from .config import MODEL_ID` in
 * `src/app/train.py` is `MODEL_ID` of `src/app/config.py` (or of `src/app/config/__init__.py`). The import system
 * (importlib._bootstrap `_resolve_name`, `_find_and_load`) decides this from the importing module's package and
 * `sys.path`, which depend on how the program is started; the repository alone gives the candidates:
 *
 * - A relative import (`from .m import X`, `from ..pkg.m import X`): level 1 is the importing file's folder, each
 *   further dot one folder up (`_resolve_name`: `package.rsplit('.', level - 1)[0]`). `from . import X` reads `X`
 *   from that folder's `__init__.py`, unless `X` is a module of its own there (a module is no constant).
 * - An absolute import (`from pkg.m import X`): `sys.path[0]` is the started script's folder, and a package's
 *   top folder sits on the path when it is run with `-m` or installed in place. Every folder from the importing
 *   file's up to the repository's root is such a candidate root. Exactly one file found is the module; none (a
 *   library: `transformers`, `os`) or several (which one loads depends on how the program is started) is no answer.
 *
 * `target` is what syntax.ts `importBindings` binds the name to; paths are repo-relative POSIX paths, and
 * `exists(p)` says whether the scan saw a file at `p`.
 */
export function importedModuleFile(
  importer: string,
  target: string,
  exists: (p: string) => boolean,
): { file: string; name: string } | undefined {
  const t = parseTarget(target);
  if (!t) return undefined;
  const name = t.parts.pop()!;
  if (t.level > 0 && t.parts.length === 0) {
    // `from . import X`: a submodule X is a module, not a name the package's __init__ binds.
    const prefix = relativeBase(importer, t.level);
    if (prefix === undefined || moduleFile(`${prefix}${name}`, exists) !== undefined) return undefined;
    const init = `${prefix}__init__.py`;
    return exists(init) ? { file: init, name } : undefined;
  }
  const file = t.parts.length > 0 ? findModule(importer, t.level, t.parts, exists) : undefined;
  return file === undefined ? undefined : { file, name };
}

/**
 * The file of a module a Python file imports as a module (`import config`, `import pkg.config as cfg`, `from . import
 * config`), found as `importedModuleFile` finds the module of a name.
 */
export function importedModule(importer: string, target: string, exists: (p: string) => boolean): string | undefined {
  const t = parseTarget(target);
  return t && findModule(importer, t.level, t.parts, exists);
}

/**
 * A binding's target as the relative level (0: absolute) and the dotted parts after it. importBindings writes
 * `from . import x` as `..x` (the module `.`, then `.x`): with one part after the dots, one dot is the separator.
 */
function parseTarget(target: string): { level: number; parts: string[] } | undefined {
  const dots = /^\.*/.exec(target)![0].length;
  const parts = target.slice(dots).split('.');
  if (!parts.every((p) => /^[A-Za-z_]\w*$/.test(p))) return undefined;
  return { level: dots > 0 && parts.length === 1 ? dots - 1 : dots, parts };
}

/** The module `parts` at relative `level` (0: absolute, from every candidate root; see `importedModuleFile`). */
function findModule(importer: string, level: number, parts: readonly string[], exists: (p: string) => boolean) {
  const modulePath = parts.join('/');
  if (level > 0) {
    const prefix = relativeBase(importer, level);
    return prefix === undefined ? undefined : moduleFile(prefix + modulePath, exists);
  }
  const found = new Set<string>();
  for (let base = path.posix.dirname(importer); ; base = path.posix.dirname(base)) {
    const prefix = base === '.' ? '' : `${base}/`;
    const file = moduleFile(prefix + modulePath, exists);
    if (file !== undefined) found.add(file);
    if (prefix === '') break;
  }
  return found.size === 1 ? [...found][0] : undefined;
}

/** The folder (as a path prefix, '' for the root) a relative import of `level` dots starts from; undefined above the root. */
function relativeBase(importer: string, level: number): string | undefined {
  if (level < 1) return undefined;
  let base = path.posix.dirname(importer);
  for (let i = 1; i < level; i++) {
    if (base === '.') return undefined;
    base = path.posix.dirname(base);
  }
  return base === '.' ? '' : `${base}/`;
}

/** A module's file: `m.py`, else the package `m/__init__.py` (a package wins when both exist, as FileFinder does). */
function moduleFile(modulePath: string, exists: (p: string) => boolean): string | undefined {
  const init = `${modulePath}/__init__.py`;
  if (exists(init)) return init;
  const file = `${modulePath}.py`;
  return exists(file) ? file : undefined;
}

/** What a JavaScript/TypeScript specifier without an extension may be, in TypeScript's order of extensions. */
const JS_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
/** TypeScript's twins of a JavaScript extension: `import './x.js'` in TypeScript source is `x.ts`. */
const TS_TWINS: Readonly<Record<string, readonly string[]>> = {
  '.js': ['.ts', '.tsx'],
  '.jsx': ['.tsx'],
  '.mjs': ['.mts'],
  '.cjs': ['.cts'],
};

/**
 * The file of a module a JavaScript/TypeScript file imports by a relative specifier (`./config`, `../lib/models.js`),
 * as Node and TypeScript's resolution find it: the file as written, else its TypeScript twin (`x.js` → `x.ts`); with
 * no extension, the one file of a known extension, else the folder's one `index` file. A bare specifier (a
 * package, a path alias) or several candidates is no answer.
 */
export function importedJavaScriptModule(
  importer: string,
  specifier: string,
  exists: (p: string) => boolean,
): string | undefined {
  // `.` and `..` are relative too (TypeScript's and bundlers' resolution, Node's require): the folder's index.
  if (specifier !== '.' && specifier !== '..' && !specifier.startsWith('./') && !specifier.startsWith('../'))
    return undefined;
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(importer), specifier));
  if (joined.startsWith('../') || joined === '..') return undefined;
  const ext = path.posix.extname(joined);
  if (JS_EXTENSIONS.includes(ext)) {
    if (exists(joined)) return joined;
    const stem = joined.slice(0, -ext.length);
    return one((TS_TWINS[ext] ?? []).map((e) => stem + e).filter(exists));
  }
  return (
    one(JS_EXTENSIONS.map((e) => joined + e).filter(exists)) ??
    one(JS_EXTENSIONS.map((e) => `${joined}/index${e}`).filter(exists))
  );
}

const one = (xs: readonly string[]) => (xs.length === 1 ? xs[0] : undefined);
