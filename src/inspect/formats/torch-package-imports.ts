/**
 * The modules a shipped source imports by statement (`import a.b`, `from .x import y`), read line by line — never
 * run. Shipped code imports through the importer too (`__builtins__["__import__"]` is `PackageImporter.__import__`),
 * so what it names from the archive runs next. Best effort and only ever more to review: a name built at run time
 * (`importlib.import_module(x)`) or a statement split over lines inside parentheses is not followed, which the
 * finding says.
 */

/** One import statement's targets, as absolute dotted names to hand to the importer. */
export function importedNames(text: string, module: string, isPackage: boolean): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = stripComment(raw).trim();
    if (line.startsWith('import ')) {
      for (const item of line.slice(7).split(',')) {
        const name = firstWord(item);
        if (name !== undefined) out.push(name);
      }
    } else if (line.startsWith('from ')) {
      const at = line.indexOf(' import ');
      if (at < 0) continue;
      const base = resolveFrom(line.slice(5, at).trim(), module, isPackage);
      if (base === undefined) continue;
      if (base !== '') out.push(base);
      // `_handle_fromlist`: a name that is no attribute of a package is imported as its submodule.
      for (const item of line.slice(at + 8).split(',')) {
        const name = firstWord(item.replace(/[()\\]/g, ' '));
        if (name !== undefined && name !== '*') out.push(base === '' ? name : `${base}.${name}`);
      }
    }
  }
  return out;
}

function stripComment(line: string): string {
  const hash = line.indexOf('#');
  return hash < 0 ? line : line.slice(0, hash);
}

/** The first whitespace-separated word of an import item (`a.b as c` → `a.b`). */
function firstWord(item: string): string | undefined {
  const word = item.trim().split(/\s/, 1)[0];
  return word === undefined || word === '' ? undefined : word;
}

/**
 * `from <dots><name>`: `_resolve_name` against the importing module's package (`_calc___package__`: the module
 * itself for a package, else its parent), one level up per dot after the first.
 */
function resolveFrom(spec: string, module: string, isPackage: boolean): string | undefined {
  let level = 0;
  while (spec[level] === '.') level++;
  const name = spec.slice(level);
  if (level === 0) return name;
  const pkg = (isPackage ? module : module.slice(0, Math.max(0, module.lastIndexOf('.')))).split('.');
  if (pkg.length < level || (pkg.length === 1 && pkg[0] === '' && level > 0)) return undefined;
  const base = pkg.slice(0, pkg.length - (level - 1)).join('.');
  return name === '' ? base : `${base}.${name}`;
}
