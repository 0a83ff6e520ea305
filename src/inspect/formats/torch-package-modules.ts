import { FormatError } from './source.js';

/**
 * The module tree `torch.package.PackageImporter` builds when it opens an archive (torch/package/package_importer.py
 * `_PackageNode`, `_ModuleNode`, `_ExternNode`): packages hold children and maybe an `__init__.py`, modules a
 * source record, externs stand for modules imported from the host.
 */
type PathNode =
  | { readonly kind: 'package'; source: string | undefined; readonly children: Map<string, PathNode> }
  | { readonly kind: 'module'; readonly source: string }
  | { readonly kind: 'extern' };
type PackageNode = Extract<PathNode, { kind: 'package' }>;

/** One shipped source the importer executes (`_make_module` → `exec`), and the module it becomes. */
export interface ShippedRun {
  readonly module: string;
  readonly record: string;
}

/** What importing one name does: the archive's sources it runs (outermost package first), or the importer itself. */
export type ImportOutcome =
  { readonly kind: 'runs'; readonly runs: readonly ShippedRun[] } | { readonly kind: 'importer' };

/** `PackageImporter.__init__` puts itself in its module table under this name (`self.modules[...] = self`). */
export const IMPORTER_MODULE = 'torch_package_importer';

/** `PackageMangler.demangle`: only the importer's own `<torch_package_N>.` prefix, N an int as f-strings write it. */
const MANGLED = /^<torch_package_(?:0|[1-9][0-9]*)>\./;

const newPackage = (): PackageNode => ({ kind: 'package', source: undefined, children: new Map() });

/** `_get_or_create_package`: walk (and create) packages; an extern ends the walk, a module in the way is an error. */
function packageAt(root: PackageNode, atoms: readonly string[]): PackageNode | 'extern' {
  let cur = root;
  for (const [i, atom] of atoms.entries()) {
    let node = cur.children.get(atom);
    if (node === undefined) cur.children.set(atom, (node = newPackage()));
    if (node.kind === 'extern') return 'extern';
    if (node.kind === 'module')
      throw new FormatError(
        `torch.package refuses the archive: module ${atoms.slice(0, i + 1).join('.')} is not a package, but has submodules`,
        0,
      );
    cur = node;
  }
  return cur;
}

/** `_add_extern`: a shorter extern already covers a longer one. */
function addExtern(root: PackageNode, name: string): void {
  const atoms = name.split('.');
  const last = atoms.pop()!;
  const pkg = packageAt(root, atoms);
  if (pkg !== 'extern') pkg.children.set(last, { kind: 'extern' });
}

/** `_add_file`: a record under `.data/<folder>/` is skipped; `.py` records become modules, `__init__.py` a package's. */
function addRecord(root: PackageNode, record: string): void {
  const prefix = record.split('/');
  const last = prefix.pop()!;
  if (prefix.length > 1 && prefix[0] === '.data') return;
  const pkg = packageAt(root, prefix);
  if (pkg === 'extern')
    throw new FormatError(
      `torch.package refuses the archive: ${record} lies inside a module marked extern (inconsistent module structure)`,
      0,
    );
  if (last === '__init__.py') pkg.source = record;
  else if (last.endsWith('.py')) pkg.children.set(last.slice(0, -3), { kind: 'module', source: record });
}

/**
 * The archive's modules as the importer sees them: externs first, then every record in directory order, exactly as
 * `PackageImporter.__init__` adds them (a record `a/b.py` replaces an extern `a.b`). A structure the importer
 * refuses throws FormatError: that archive never loads.
 */
export class PackageModules {
  private readonly root = newPackage();

  constructor(externs: readonly string[], records: readonly string[]) {
    for (const e of externs) addExtern(this.root, e);
    for (const r of records) addRecord(this.root, r);
  }

  /**
   * What `PackageUnpickler.find_class` does to a global's module: `import_module` demangles it, then `_gcd_import`
   * loads every parent package before the module (`_do_find_and_load`), each through `_load_module`, which walks
   * the tree from the top: an extern on the way is the host's, a missing name stops the import (ModuleNotFoundError,
   * after the parents ran), a shipped source is executed. The importer's own mangling index depends on how many
   * importers the process made, so a mangled name is read both ways.
   */
  importOf(module: string): ImportOutcome {
    if (module === IMPORTER_MODULE) return { kind: 'importer' };
    const names = MANGLED.test(module) ? [module.slice(module.indexOf('>.') + 2), module] : [module];
    const runs = names.flatMap((n) => this.runsOf(n));
    return { kind: 'runs', runs: [...new Map(runs.map((r) => [r.record, r])).values()] };
  }

  /**
   * Each parent's `_load_module` walk is the walk to its own parent plus one step, so one walk serves them all: a
   * missing name stops every deeper import (a ModuleNotFoundError, or the host's numpy for the names in
   * `IMPLICIT_IMPORT_ALLOWLIST`), and so does an extern (the host's module, and its submodules the host's too).
   */
  private runsOf(module: string): ShippedRun[] {
    const runs: ShippedRun[] = [];
    let cur: PathNode = this.root;
    let name = '';
    for (const atom of module.split('.')) {
      name = name === '' ? atom : `${name}.${atom}`;
      // A name the importer already holds is not looked up again: `torch_package_importer.x` fails on its parent.
      if (name === IMPORTER_MODULE) break;
      const next: PathNode | undefined = cur.kind === 'package' ? cur.children.get(atom) : undefined;
      if (next === undefined || next.kind === 'extern') break;
      if (next.source !== undefined) runs.push({ module: name, record: next.source });
      // A module has no `__path__`: importing anything under it raises once it has run.
      if (next.kind === 'module') break;
      cur = next;
    }
    return runs;
  }
}

/** The line boundaries of Python's `str.splitlines` (besides `\r\n`, which is one). */
const LINE_BREAKS: ReadonlySet<string> = new Set([
  '\n',
  '\r',
  '\v',
  '\f',
  '\x1c',
  '\x1d',
  '\x1e',
  '\x85',
  '\u2028',
  '\u2029',
]);

/**
 * Python's `str.splitlines()` (what `_read_extern` splits `.data/extern_modules` with): every line boundary Python
 * knows, no empty piece after a final one.
 */
export function pythonSplitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (!LINE_BREAKS.has(text[i]!)) continue;
    lines.push(text.slice(start, i));
    if (text[i] === '\r' && text[i + 1] === '\n') i++;
    start = i + 1;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}
