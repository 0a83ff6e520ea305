import type { Finding } from '../../../core/finding.js';
import { pipConfigName, pipConfLines } from './config-indexes.js';
import { applyFormatOption } from './requirements.js';
import type { PyLineAt } from './types.js';
import type { PythonCheckPolicy } from './checks/context.js';
import { pyFileFinding, shown } from './checks/finding.js';

/** The sections whose settings reach `pip install`, in the order pip applies them (`override_order`). */
const INSTALL_SECTIONS = ['global', 'install'] as const;

/** One `no-binary` / `only-binary` setting of a pip.conf, its value with its continuation lines. */
interface FormatSetting {
  readonly key: 'no-binary' | 'only-binary';
  value: string;
  readonly line: number;
}

/**
 * The `no-binary` / `only-binary` settings of each install section, in file order. configuration.py
 * `_normalize_name` reads `_` as `-` and drops a leading `--`; RawConfigParser joins an indented continuation to
 * the value with a line break.
 */
function formatSettings(text: string): Map<string, FormatSetting[]> {
  const bySection = new Map<string, FormatSetting[]>();
  let section: string | undefined;
  let current: FormatSetting | undefined;
  for (const l of pipConfLines(text)) {
    if (l.kind === 'section') section = l.name;
    if (l.kind === 'continuation' && current !== undefined) current.value += `\n${l.value}`;
    if (l.kind !== 'setting') continue;
    const key = pipConfigName(l.name);
    current = undefined;
    if (section === undefined || (key !== 'no-binary' && key !== 'only-binary')) continue;
    current = { key, value: l.value, line: l.line };
    const list = bySection.get(section) ?? bySection.set(section, []).get(section)!;
    list.push(current);
  }
  return bySection;
}

/**
 * CPP074 for a pip.conf / pip.ini whose `no-binary` takes the wheels away from `pip install`: pip's
 * `ConfigOptionParser._update_defaults` runs each setting of `[global]`, then of `[install]`
 * (`_get_ordered_configuration_items`), through the option's callback (`FormatControl.handle_mutual_excludes`), so
 * every install that reads the file (`PIP_CONFIG_FILE`, a copy to `/etc/pip.conf` or a virtualenv) builds those
 * packages from their sdists, running their build backends, unless its command line gives the wheels back. Read as
 * the file's index settings are (config-indexes.ts). One finding per setting line; names the policy allows to
 * build are left out. A value pip refuses (one starting with `-`) fails every pip command: nothing is built.
 */
export function pipConfBuildFindings(file: string, text: string, policy: PythonCheckPolicy): Finding[] {
  const bySection = formatSettings(text);
  const noBinary = new Map<string, PyLineAt>();
  const onlyBinary = new Map<string, PyLineAt>();
  for (const section of INSTALL_SECTIONS) {
    // `if not val`: an empty value is skipped.
    for (const s of (bySection.get(section) ?? []).filter((x) => x.value !== '')) {
      if (s.value.startsWith('-')) return [];
      applyFormatOption(s.key, s.value, { file, line: s.line }, noBinary, onlyBinary);
    }
  }
  const byLine = new Map<number, string[]>();
  for (const [name, at] of noBinary) {
    if (name !== ':all:' && policy.buildAllowed(name)) continue;
    const names = byLine.get(at.line) ?? byLine.set(at.line, []).get(at.line)!;
    names.push(name);
  }
  return [...byLine].map(([line, names]) => {
    const all = names.includes(':all:');
    const kept = [...onlyBinary.keys()].sort();
    const what = all ? `every package${kept.length > 0 ? ` but ${shown(kept)}` : ''}` : shown([...names].sort());
    return pyFileFinding(
      'CPP074',
      file,
      line,
      `no-binary at ${file}:${line} makes every pip install that reads this configuration install ${what} from source distributions whatever wheels exist, so installing runs each package's build backend (setup.py). Drop the setting (or narrow it to the packages whose build you reviewed), or add those packages to dependencies.allowInstallScripts.`,
      { noBinary: `${file}:${line}`, setting: 'no-binary', names: all ? ':all:' : [...names].sort().join(' ') },
    );
  });
}
