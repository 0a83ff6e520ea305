import type { InstallArgument } from './install-arguments.js';
import { keyValue } from './config-indexes.js';
import { isTable, parseToml, strOf } from './toml.js';

/** The parts of setup.cfg a build of its project reads. */
export interface SetupCfgParts {
  readonly installRequires: boolean;
  readonly setupRequires: boolean;
  readonly extras: boolean;
}

const ALL: SetupCfgParts = { installRequires: true, setupRequires: true, extras: true };

/**
 * Which requirements of setup.cfg a build reads, given the pyproject.toml beside it (its text; undefined: none).
 * Only setuptools reads setup.cfg: a pyproject.toml naming another `build-backend` (hatchling, poetry-core, flit)
 * leaves it tool configuration; none named is pip's legacy setuptools build. And setuptools (≥61,
 * config/_apply_pyprojecttoml.py `_handle_missing_dynamic`) drops a setup.cfg value when pyproject.toml has a
 * `[project]` table that neither sets the field nor lists it in `dynamic`: `install_requires` is `dependencies`,
 * `extras_require` is `optional-dependencies`. `setup_requires` has no `[project]` field and is always read. A
 * pyproject.toml that is not valid TOML stops the build before it reads anything; it is reported on its own, and
 * setup.cfg is read whole here, as nothing is passed silently.
 */
export function setupCfgPartsRead(pyproject: string | undefined): SetupCfgParts {
  if (pyproject === undefined) return ALL;
  let doc: Record<string, unknown>;
  try {
    doc = parseToml('pyproject.toml', pyproject);
  } catch {
    return ALL;
  }
  const backend = isTable(doc['build-system']) ? strOf(doc['build-system']['build-backend']) : undefined;
  if (backend !== undefined && !/^setuptools\.build_meta(:|$)/.test(backend.trim()))
    return { installRequires: false, setupRequires: false, extras: false };
  const project = doc['project'];
  if (!isTable(project)) return ALL;
  const dynamic = Array.isArray(project['dynamic']) ? project['dynamic'] : [];
  return {
    installRequires: dynamic.includes('dependencies'),
    setupRequires: true,
    extras: dynamic.includes('optional-dependencies'),
  };
}

/**
 * The requirements a setup.cfg gives `pip install .` (setuptools' declarative configuration,
 * setuptools/config/setupcfg.py): `[options] install_requires` and `setup_requires` (fetched for the build), and each
 * extra of `[options.extras_require]` (installed when asked for). Read as `ConfigParser` reads the file — a key at
 * the start of a line with `=` or `:`, its value going on over the indented lines after it, `#` / `;` comment lines —
 * and each value as `ConfigOptionsHandler._parse_requirements_list` splits it: one requirement a line of a dangling
 * list, else split at `;` (`_parse_list_semicolon`), `#` lines dropped. A `file:` value (a requirements file,
 * `_parse_file_in_root`) is read as the requirements file it is elsewhere, not here. Each at the line it is on.
 */
export function setupCfgRequirements(text: string, parts: SetupCfgParts = ALL): InstallArgument[] {
  const out: InstallArgument[] = [];
  let section = '';
  let value: { line: number; lines: { text: string; line: number }[] } | undefined;
  const flush = () => {
    if (value) out.push(...requirementsOf(value.lines));
    value = undefined;
  };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    // configparser: a comment line (even indented) is dropped, an indented line continues the value.
    if (/^\s*[#;]/.test(raw)) return;
    if (/^\s/.test(raw) || raw === '') {
      if (value && raw.trim() !== '') value.lines.push({ text: raw.trim(), line });
      return;
    }
    flush();
    const header = /^\[([^\]]+)\]/.exec(raw);
    if (header) {
      section = header[1]!.trim();
      return;
    }
    const setting = keyValue(raw);
    if (!setting) return;
    // configparser's `optionxform` lower-cases keys; setuptools also takes `-` for `_` in them.
    const key = setting.key.trim().toLowerCase().replace(/-/g, '_');
    const read =
      section === 'options'
        ? (key === 'install_requires' && parts.installRequires) || (key === 'setup_requires' && parts.setupRequires)
        : section === 'options.extras_require' && parts.extras;
    if (read) {
      value = { line, lines: setting.value.trim() === '' ? [] : [{ text: setting.value.trim(), line }] };
    }
  });
  flush();
  return out;
}

/** One value's requirements, as `_parse_list_semicolon` splits it, each at its line. */
function requirementsOf(lines: readonly { text: string; line: number }[]): InstallArgument[] {
  if (lines.length === 0 || lines[0]!.text.startsWith('file:')) return [];
  // A one-line value is split at `;` (`value.split(separator)`); a dangling list keeps its lines whole.
  const items = lines.length === 1 ? lines[0]!.text.split(';').map((text) => ({ text, line: lines[0]!.line })) : lines;
  return items
    .map((it) => ({ written: it.text.trim(), line: it.line, editable: false }))
    .filter((it) => it.written !== '' && !it.written.startsWith('#'));
}
