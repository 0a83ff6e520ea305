import type { DiscoveredFile } from '../core/files.js';
import { importedModule, importedModuleFile, type ImportedValue, type ImportedValues } from './python-imports.js';
import { MAX_NESTING, looksGenerated, nestingDepth } from './text.js';

/**
 * The values Python files import from modules of the repository (`from .config import MODEL_ID`): the commonest
 * reason a real reference was still a run-time note. Each module is read and parsed once per scan, only when a file
 * whose references it may decide asks for it. Only the module's own top-level bindings count (python.ts
 * `pythonModuleValues`); a value it imports in turn is not followed.
 */
export class RepositoryModules {
  private readonly byPath = new Map<string, DiscoveredFile>();
  private readonly modules = new Map<string, Promise<ReadonlyMap<string, ImportedValue> | undefined>>();

  /**
   * `read`: a file's bytes through the scan's I/O edge (undefined when gone or unreadable, bounded by `maxBytes`).
   * A module larger than that, minified or nested deeper than the finders read, gives nothing.
   */
  constructor(
    files: readonly DiscoveredFile[],
    private readonly read: (file: DiscoveredFile) => Promise<Buffer | undefined>,
    private readonly maxBytes: number,
  ) {
    for (const f of files) if (f.path.endsWith('.py')) this.byPath.set(f.path, f);
  }

  /**
   * The names `text` (the file at `importer`) imports whose value a module of the repository decides, and those
   * modules' paths (sorted).
   */
  async importedBy(importer: string, text: string): Promise<{ values: ImportedValues; modules: string[] }> {
    const { pythonImports } = await import('./python.js');
    const { bindings, assignedAttributes } = pythonImports(text);
    const targets = new Map<string, string | null>();
    // A name imported twice from different places (`try: from .a import X` / `except: from .b import X`): run time.
    for (const [local, target] of bindings)
      targets.set(local, targets.has(local) && targets.get(local) !== target ? null : target);
    const exists = (p: string) => this.byPath.has(p);
    const values = new Map<string, ImportedValue>();
    const modules = new Set<string>();
    for (const [local, target] of targets) {
      if (target === null) continue;
      // `from .config import MODEL_ID`: a name the module binds.
      const at = importedModuleFile(importer, target, exists);
      const value = at && at.file !== importer ? (await this.valuesOf(at.file))?.get(at.name) : undefined;
      if (at && value) {
        values.set(local, value);
        modules.add(at.file);
      }
      // `import config` / `from . import config`: the module itself, read as `config.MODEL_ID` — unless the file
      // assigns that attribute.
      const file = importedModule(importer, target, exists);
      const all = file !== undefined && file !== importer ? await this.valuesOf(file) : undefined;
      for (const [name, v] of all ?? []) {
        const dotted = `${local}.${name}`;
        // Only what the text reads (`config.MODEL_ID` as written; spaced out around the dot it is not followed).
        if (assignedAttributes.has(dotted) || !text.includes(dotted)) continue;
        values.set(dotted, v);
        modules.add(file!);
      }
    }
    return { values, modules: [...modules].sort() };
  }

  private valuesOf(modulePath: string): Promise<ReadonlyMap<string, ImportedValue> | undefined> {
    let got = this.modules.get(modulePath);
    if (!got) this.modules.set(modulePath, (got = this.load(this.byPath.get(modulePath)!)));
    return got;
  }

  private async load(file: DiscoveredFile): Promise<ReadonlyMap<string, ImportedValue> | undefined> {
    if (file.size > this.maxBytes) return undefined;
    const bytes = file.content ?? (await this.read(file));
    if (!bytes) return undefined;
    const text = bytes.toString('utf8');
    if (looksGenerated(text) || nestingDepth(text) > MAX_NESTING) return undefined;
    const { pythonModuleValues } = await import('./python.js');
    return pythonModuleValues(file.path, text);
  }
}
