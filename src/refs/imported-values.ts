import { importedJavaScriptModule, importedModule, importedModuleFile } from './module-paths.js';
import {
  EVERY_NAME,
  type FileReferences,
  type ImportedValue,
  type ImportedValues,
  type ModelReference,
} from './types.js';
import { MAX_NESTING, looksGenerated, nestingDepth } from './text.js';
import { languageOf } from './sources.js';

/**
 * The values source files import from modules of the repository (Python `from .config import MODEL_ID`, `import
 * config` then `config.MODEL_ID`; JavaScript/TypeScript `import { MODEL_ID } from './config'`): the commonest reason
 * a real reference was still a run-time note. Each module is read and parsed once, only when a file whose
 * references it may decide asks for it. The module's top-level bindings count (python.ts `pythonModuleValues`,
 * javascript.ts `javaScriptModuleValues`), built on the values it imports from other modules one step deep.
 */
export class RepositoryModules {
  private known: ReadonlySet<string> | undefined;
  private readonly modules = new Map<string, Promise<ReadonlyMap<string, ImportedValue> | undefined>>();
  private readonly own = new Map<string, Promise<ReadonlyMap<string, ImportedValue> | undefined>>();
  private readonly texts = new Map<string, Promise<string | undefined>>();

  /**
   * `listed`: the repository's files (Python and JavaScript ones count), asked for on first need (most scans never
   * ask); `read`: a file's text, undefined when it cannot be read or is over the size the finders read.
   */
  constructor(
    private readonly listed: () => Iterable<string>,
    private readonly read: (path: string) => Promise<string | undefined>,
  ) {}

  private get paths(): ReadonlySet<string> {
    return (this.known ??= new Set([...this.listed()].filter(isModule)));
  }

  /**
   * The names `text` (the file at `importer`) imports whose value a module of the repository decides, and those
   * modules' paths (sorted).
   */
  async importedBy(importer: string, text: string): Promise<Imported> {
    return this.imports(importer, text, (p) => this.valuesOf(p));
  }

  /**
   * `importedBy` with the modules' values from `valuesOf` (a source file) or `ownValues` (a module's own imports);
   * `asModule`: the file is read for what it exports, so what it re-exports and every member of what it imports count.
   */
  private async imports(importer: string, text: string, values: ModuleValues, asModule = false): Promise<Imported> {
    if (isNotebook(importer)) {
      // A notebook's code cells, run by a kernel started in its folder (absolute imports from there up).
      const code = (await import('./python-notebook.js')).notebookPython(text);
      return code === undefined ? imported(new Map(), new Map()) : this.importedByPython(importer, code, values);
    }
    return isPython(importer)
      ? this.importedByPython(importer, text, values)
      : this.importedByJavaScript(importer, text, values, asModule);
  }

  /**
   * `import { MODEL_ID } from './config'` (a `const` the module exports), `import * as C` (`C.MODEL_ID`), `import
   * cfg` (the default export, `cfg.asr` its members), relative specifiers only (module-paths.ts). Read `asModule`,
   * also what the file re-exports (`export { MODEL_ID as ASR } from './config'`, `export * from './config'`): a
   * barrel file's exports are its modules' (ECMA-262 ResolveExport), the names it exports itself first.
   */
  private async importedByJavaScript(
    importer: string,
    text: string,
    valuesOf: ModuleValues,
    asModule: boolean,
  ): Promise<Imported> {
    const { javaScriptImportBindings } = await import('./javascript.js');
    const exists = (p: string) => this.paths.has(p);
    const values = new Map<string, ImportedValue>();
    const origin = new Map<string, string>();
    const reexported = new Map<string, ImportedValue>();
    // `export * from`: a name two of them give is ambiguous and exported by neither (ResolveExport's `ambiguous`).
    const starred = new Map<string, ImportedValue | null>();
    // `export * from '@huggingface/transformers'`: the packages whose every name the module passes on.
    const packageStars = new Set<string>();
    for (const { local, module, name, reexport } of javaScriptImportBindings(importer, text)) {
      if (reexport && !asModule) continue;
      if (reexport && local === '' && isPackage(module)) packageStars.add(module);
      const file = importedJavaScriptModule(importer, module, exists);
      // `export { pipeline } from '@huggingface/transformers'`: the package's member, under the name exported.
      if (reexport && local !== '' && isPackage(module))
        reexported.set(local, { binding: name === '*' ? module : `${module}.${name}` });
      const exported = file !== undefined && file !== importer ? await valuesOf(file) : undefined;
      if (exported && !reexport)
        for (const [bound, v] of packageMembers(local, name, exported, text)) {
          values.set(bound, v);
          origin.set(bound, file!);
        }
      for (const [key, v] of exported ?? []) {
        if (key === EVERY_NAME) {
          if (reexport && local === '') starred.set(key, starred.has(key) ? null : v);
          continue;
        }
        // The binding itself (`name`: the export it names; `default`), and what the file reads through it.
        const head = name === '*' ? '' : name;
        const rest =
          head === '' ? `.${key}` : key === head ? '' : key.startsWith(`${head}.`) ? key.slice(head.length) : undefined;
        if (rest === undefined) continue;
        if (reexport && local === '') {
          if (key !== 'default' && !key.startsWith('default.')) starred.set(key, starred.has(key) ? null : v);
          continue;
        }
        const bound = local + rest;
        if (reexport) reexported.set(bound, v);
        else if (rest === '' || asModule || text.includes(bound)) {
          values.set(bound, v);
          origin.set(bound, file!);
        }
      }
    }
    // Names of the package the module does not know (two packages' stars: which gives a name is not known here).
    if (packageStars.size === 1)
      starred.set(EVERY_NAME, starred.has(EVERY_NAME) ? null : { binding: [...packageStars][0]! });
    else if (packageStars.size > 1) starred.set(EVERY_NAME, null);
    for (const [key, v] of starred) if (v !== null && !reexported.has(key)) reexported.set(key, v);
    return imported(values, origin, reexported);
  }

  private async importedByPython(importer: string, text: string, valuesOf: ModuleValues): Promise<Imported> {
    const { pythonImports } = await import('./python.js');
    const { bindings, assignedAttributes } = pythonImports(text);
    const targets = new Map<string, string | null>();
    // A name imported twice from different places (`try: from .a import X` / `except: from .b import X`): run time.
    for (const [local, target] of bindings)
      targets.set(local, targets.has(local) && targets.get(local) !== target ? null : target);
    const exists = (p: string) => this.paths.has(p);
    const values = new Map<string, ImportedValue>();
    const origin = new Map<string, string>();
    for (const [local, target] of targets) {
      if (target === null) continue;
      // `from .config import MODEL_ID`: a name the module binds.
      const at = importedModuleFile(importer, target, exists);
      const own = at && at.file !== importer ? await valuesOf(at.file) : undefined;
      const value = own?.get(at!.name);
      if (at && value) {
        values.set(local, value);
        origin.set(local, at.file);
      }
      // `from .config import settings`: the members the module gives of it (`settings.model_id`), as the text reads
      // them — unless the file assigns that attribute.
      for (const [name, v] of own ?? []) {
        if (!name.startsWith(`${at!.name}.`)) continue;
        const dotted = local + name.slice(at!.name.length);
        if (assignedAttributes.has(dotted) || !text.includes(dotted)) continue;
        values.set(dotted, v);
        origin.set(dotted, at!.file);
      }
      // `import config` / `from . import config`: the module itself, read as `config.MODEL_ID` — unless the file
      // assigns that attribute.
      const file = importedModule(importer, target, exists);
      const all = file !== undefined && file !== importer ? await valuesOf(file) : undefined;
      for (const [name, v] of all ?? []) {
        const dotted = `${local}.${name}`;
        // Only what the text reads (`config.MODEL_ID` as written; spaced out around the dot it is not followed).
        if (assignedAttributes.has(dotted) || !text.includes(dotted)) continue;
        values.set(dotted, v);
        origin.set(dotted, file!);
      }
    }
    return imported(values, origin);
  }

  /**
   * What the module at `path` binds at its top level, with the values it imports in turn from modules of the
   * repository (those modules' own values: one step, so a cycle of imports ends and every file sees the same
   * answer whatever order the scan reads them in); undefined when it is not read (unreadable, generated).
   */
  valuesOf(path: string): Promise<ReadonlyMap<string, ImportedValue> | undefined> {
    let got = this.modules.get(path);
    if (!got) this.modules.set(path, (got = this.load(path, true)));
    return got;
  }

  /** The module's values from its own text alone. */
  private ownValues(path: string): Promise<ReadonlyMap<string, ImportedValue> | undefined> {
    let got = this.own.get(path);
    if (!got) this.own.set(path, (got = this.load(path, false)));
    return got;
  }

  private async load(path: string, chained: boolean): Promise<ReadonlyMap<string, ImportedValue> | undefined> {
    const text = await this.textOf(path);
    if (text === undefined) return undefined;
    const got = chained ? await this.imports(path, text, (p) => this.ownValues(p), true) : undefined;
    const values = got?.values;
    // Importing nothing from the repository, its values are its own (parsed once for both askers).
    if (got && values!.size === 0 && got.reexported.size === 0) return this.ownValues(path);
    if (isPython(path)) return (await import('./python.js')).pythonModuleValues(path, text, values);
    const { javaScriptModuleValues, javaScriptOwnExports } = await import('./javascript.js');
    const own = javaScriptModuleValues(path, text, values);
    // CommonJS `module.exports = require(pkg)`: the module's own reading names what it sets itself (`besides`).
    const passedWhole = own.has(EVERY_NAME);
    // What it re-exports, under the names it exports itself (those win: ResolveExport reads local exports first).
    for (const [name, v] of got?.reexported ?? []) if (!own.has(name)) own.set(name, v);
    const star = own.get(EVERY_NAME);
    if (star && !passedWhole) {
      // A package passed on whole gives the names the module does not give itself (or none, unread).
      const mine = javaScriptOwnExports(path, text);
      if (mine === undefined) own.delete(EVERY_NAME);
      else own.set(EVERY_NAME, { ...star, besides: [...mine, ...(star.besides ?? [])].sort() });
    }
    return own;
  }

  /** A module's text, read once (`valuesOf` and `ownValues` both ask); undefined when it is not read. */
  private textOf(path: string): Promise<string | undefined> {
    let got = this.texts.get(path);
    if (!got) {
      got = this.paths.has(path) ? this.read(path) : Promise.resolve(undefined);
      got = got.then((t) => (t === undefined || looksGenerated(t) || nestingDepth(t) > MAX_NESTING ? undefined : t));
      this.texts.set(path, got);
    }
    return got;
  }
}

type ModuleValues = (path: string) => Promise<ReadonlyMap<string, ImportedValue> | undefined>;
/**
 * Imported values, the modules they come from (sorted), and each value's module; `reexported`: what a JavaScript
 * module exports from other modules (`export … from`), by the name it exports it as.
 */
type Imported = {
  values: ImportedValues;
  modules: string[];
  origin: ReadonlyMap<string, string>;
  reexported: ImportedValues;
};

/** The values and each one's module, with the modules named (sorted, each once). */
function imported(
  values: ImportedValues,
  origin: ReadonlyMap<string, string>,
  reexported: ImportedValues = new Map(),
): Imported {
  return { values, modules: [...new Set(origin.values())].sort(), origin, reexported };
}

/**
 * A Python file's references with the names it imports from the repository's modules bound: when the first reading
 * left something open (a name chosen at run time, a revision the file does not decide), the file is read again with
 * those values. A reference the imports decided names the modules (`ModelReference.definedIn`).
 */
export async function withImportedValues(
  path: string,
  text: string,
  refs: FileReferences,
  modules: RepositoryModules,
  existsLocally: (p: string) => boolean,
  /** The file imports from a loader wrapper (loader-wrappers.ts): read it with the values even when the first reading
   *  saw no loader, as a wrapper may export the loader under another name (`export { pipeline as make }`). */
  importsWrapper = false,
): Promise<FileReferences> {
  if (!importsWrapper && !leftOpen(refs)) return refs;
  const imported = await modules.importedBy(path, text);
  if (imported.values.size === 0) return refs;
  const read = async (values: ImportedValues): Promise<FileReferences | undefined> => {
    try {
      return isNotebook(path)
        ? (await import('./python-notebook.js')).findNotebookReferences(path, text, existsLocally, values)
        : isPython(path)
          ? (await import('./python.js')).findPythonReferences(path, text, existsLocally, values)
          : (await import('./javascript.js')).findJavaScriptReferences(path, text, existsLocally, values);
    } catch {
      // As search.ts `runFinder`: what the first reading found stands.
      return undefined;
    }
  };
  const after = await read(imported.values);
  if (!after) return refs;
  const key = (r: ModelReference) => JSON.stringify(r);
  const seen = new Set(refs.references.map(key));
  // Which modules decided each reference: with values from several, the file is read once per module with that
  // module's values alone; a reference that reading gives as it is now is that module's. One that no single
  // module gives (a name from one, a revision from another) names them all.
  const decided = new Map<string, Set<string>>();
  if (imported.modules.length > 1 && after.references.some((r) => !seen.has(key(r))))
    for (const m of imported.modules) {
      const only = new Map([...imported.values].filter(([k]) => imported.origin.get(k) === m));
      for (const r of (await read(only))?.references ?? []) {
        const k = key(r);
        if (!seen.has(k)) decided.set(k, (decided.get(k) ?? new Set()).add(m));
      }
    }
  const definedIn = (r: ModelReference) => [...(decided.get(key(r)) ?? imported.modules)].sort().join(', ');
  return {
    ...after,
    references: after.references.map((r) => (seen.has(key(r)) ? r : { ...r, definedIn: definedIn(r) })),
  };
}

/**
 * A model name chosen at run time, a revision passed but not decided by the file, or a loader it calls by a name a
 * module of the repository gives.
 */
function leftOpen(refs: FileReferences): boolean {
  return (
    refs.loaderFromRepository === true ||
    refs.dynamic.length > 0 ||
    refs.references.some((r) => r.revisionKind === 'ref' && r.revision === undefined)
  );
}

/**
 * What an import binds from a module that re-exports a package whole (`EVERY_NAME`), where the module exports no
 * such name itself: `import { pipeline as p } from './ml.js'` (p → the package's pipeline), and for `import * as ml`
 * each `ml.name` the text reads. A default import binds nothing so (a star export passes no `default` on).
 */
function packageMembers(
  local: string,
  name: string,
  exported: ReadonlyMap<string, ImportedValue>,
  text: string,
): [string, ImportedValue][] {
  const star = exported.get(EVERY_NAME);
  const pkg = star?.binding;
  if (pkg === undefined || name === 'default') return [];
  const given = (n: string) => n === 'default' || exported.has(n) || star!.besides?.includes(n) === true;
  if (name !== '*') return given(name) ? [] : [[local, { binding: `${pkg}.${name}` }]];
  const out: [string, ImportedValue][] = [];
  const read = new RegExp(`(?<![\\w$.])${local.replace(/\$/g, '\\$')}\\s*\\.\\s*([\\w$]+)`, 'g');
  for (const m of text.matchAll(read)) if (!given(m[1]!)) out.push([`${local}.${m[1]}`, { binding: `${pkg}.${m[1]}` }]);
  return out;
}

/** A bare specifier (`@huggingface/transformers`), not a path or a URL. */
const isPackage = (module: string) => !/^(?:\.{1,2}\/|\/|[a-z][a-z0-9+.-]*:)/i.test(module);

/** sources.ts's languages: a Python or JavaScript/TypeScript file is a module with values; a notebook imports only. */
const isPython = (p: string) => languageOf(p) === 'python';
const isNotebook = (p: string) => languageOf(p) === 'notebook';
const isModule = (p: string) => isPython(p) || languageOf(p) === 'javascript';
