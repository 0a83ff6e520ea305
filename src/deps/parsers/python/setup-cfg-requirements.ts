import type { InstallArgument } from './install-arguments.js';

/** The `[options]` keys whose requirements an install of the project fetches: the run and the build's own. */
const OPTION_KEYS = new Set(['install_requires', 'setup_requires']);

/**
 * The requirements a setup.cfg gives `pip install .` (setuptools' declarative configuration,
 * setuptools/config/setupcfg.py): `[options] install_requires` and `setup_requires` (fetched for the build), and each
 * extra of `[options.extras_require]` (installed when asked for). Read as `ConfigParser` reads the file — a key at
 * the start of a line with `=` or `:`, its value going on over the indented lines after it, `#` / `;` comment lines —
 * and each value as `ConfigOptionsHandler._parse_requirements_list` splits it: one requirement a line of a dangling
 * list, else split at `;` (`_parse_list_semicolon`), `#` lines dropped. A `file:` value (a requirements file,
 * `_parse_file_in_root`) is read as the requirements file it is elsewhere, not here. Each at the line it is on.
 */
export function setupCfgRequirements(text: string): InstallArgument[] {
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
    const setting = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw);
    if (!setting) return;
    // configparser's `optionxform` lower-cases keys; setuptools also takes `-` for `_` in them.
    const key = setting[1]!.trim().toLowerCase().replace(/-/g, '_');
    if ((section === 'options' && OPTION_KEYS.has(key)) || section === 'options.extras_require') {
      value = { line, lines: setting[2]!.trim() === '' ? [] : [{ text: setting[2]!.trim(), line }] };
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
