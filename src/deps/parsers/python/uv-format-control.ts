import { SEPARATORS } from './install-requirements.js';
import type { Word } from './install-requirements.js';
import type { PyFormatControl, PyLineAt } from './types.js';
import { normalizeName } from './pep508.js';

/** One of uv's sets: every package (`:all:`), or the names given, each at the line that gave it. */
interface UvSet {
  all?: PyLineAt;
  readonly names: Map<string, PyLineAt>;
}

/**
 * The `--no-binary` / `--only-binary` / `--no-build` of a `uv pip install` / `uv pip sync` whose arguments start at
 * `start`, as the pip-style control the source-build check reads; undefined when it has none. uv keeps two sets
 * apart (`NoBinary::from_pip_args`, `NoBuild::from_pip_args` over `PackageNameSpecifiers::from_iter`: names add up,
 * `:all:` selects every package, `:none:` empties the set; `--no-build` is `--only-binary :all:`), and
 * `lock::Package::to_dist` / the resolver build a package only when it is under no-binary and not under no-build
 * (both is an error: nothing is built). Written as pip's `FormatControl` that answers the same: no-build's names and
 * `:all:` as only-binary, no-binary less every name no-build takes (all of it when no-build is `:all:`).
 */
export function uvFormatControl(words: readonly Word[], start: number, file: string): PyFormatControl | undefined {
  const noBinary: UvSet = { names: new Map() };
  const noBuild: UvSet = { names: new Map() };
  let seen = false;
  for (let i = start; i < words.length && !SEPARATORS.has(words[i]!.text); i++) {
    const w = words[i]!.text;
    const eq = w.indexOf('=');
    const name = eq > 0 ? w.slice(0, eq) : w;
    if (name === '--no-build' && eq < 0) {
      noBuild.all = { file, line: words[i]!.line };
      seen = true;
      continue;
    }
    if (name !== '--no-binary' && name !== '--only-binary') continue;
    const value = eq > 0 ? words[i]! : words[++i];
    const text = eq > 0 ? w.slice(eq + 1) : value?.text;
    // clap refuses a missing value or one that looks like an option: the command fails, nothing is installed.
    if (value === undefined || text === undefined || text === '' || text.startsWith('-') || SEPARATORS.has(text))
      return undefined;
    addSpecifiers(name === '--no-binary' ? noBinary : noBuild, text, { file, line: value.line });
    seen = true;
  }
  return seen ? asPipControl(noBinary, noBuild) : undefined;
}

/** `PackageNameSpecifiers::from_iter` over one option's comma-separated values. */
function addSpecifiers(set: UvSet, text: string, at: PyLineAt): void {
  for (const spec of text.split(',')) {
    if (spec === ':none:') {
      set.names.clear();
      delete set.all;
    } else if (spec === ':all:') set.all = at;
    else if (spec !== '') set.names.set(normalizeName(spec), at);
  }
}

function asPipControl(noBinary: UvSet, noBuild: UvSet): PyFormatControl {
  const onlyBinary = new Map(noBuild.names);
  if (noBuild.all) onlyBinary.set(':all:', noBuild.all);
  const refused = new Map<string, PyLineAt>();
  if (!noBuild.all) {
    if (noBinary.all) refused.set(':all:', noBinary.all);
    for (const [name, at] of noBinary.names) if (!noBuild.names.has(name)) refused.set(name, at);
  }
  return { noBinary: refused, onlyBinary };
}
