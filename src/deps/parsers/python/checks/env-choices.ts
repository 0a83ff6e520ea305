import type { Finding } from '../../../../core/finding.js';
import type { PyEnvChoice, PythonLock } from '../types.js';
import { pyFileFinding } from './finding.js';

const WHAT: Readonly<Record<PyEnvChoice['what'], string>> = {
  index: 'chooses the host of an index',
  requirement: 'chooses what a requirement installs (its name, version, URL host or --hash)',
  include: 'chooses the file a -r / -c include reads (not read)',
  option: 'chooses an option value',
  line: 'is the whole line, which may hold any requirement or options',
};

/** Which installer substitutes the variables, by the function that does it. */
const EXPANDER: Partial<Record<PythonLock['kind'], string>> = {
  requirements: "pip substitutes it from the install's environment (req_file.expand_env_variables)",
  pipenv: "pipenv substitutes it from the install's environment (Project.load_lockfile, os.path.expandvars)",
};

/**
 * CPP079: a variable outside a URL's credentials decides at install time where from or what is installed. One cause,
 * one finding: per file and variable, at its first line, with the count and the lines.
 */
export function checkEnvChoices(lock: PythonLock): Finding[] {
  const groups = new Map<string, PyEnvChoice[]>();
  for (const c of lock.envChoices ?? []) {
    const key = `${c.file}\0${c.names[0]!}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return [...groups.values()].map((uses) => {
    const first = uses[0]!;
    const name = first.names[0]!;
    const lines = uses.map((u) => u.line);
    const more =
      uses.length > 1
        ? ` (and on ${uses.length - 1} more line${uses.length > 2 ? 's' : ''}: ${lines.slice(1, 11).join(', ')})`
        : '';
    return pyFileFinding(
      'CPP079',
      first.file,
      first.line,
      `${first.file}:${first.line}: \${${name}} ${WHAT[first.what]}${more}; ${EXPANDER[lock.kind] ?? 'the installer substitutes it'}, so the repository does not say where packages come from or which ones are installed, and chainproof could not check it against the policy. Write the host, version or file out and keep only credentials (the user:password part of a URL) in variables; a host that differs per environment belongs in the CI's pip configuration (PIP_INDEX_URL).`,
      {
        variable: name,
        variables: [...new Set(uses.flatMap((u) => u.names))].join(' '),
        what: first.what,
        count: uses.length,
        lines: lines.slice(0, 50).join(' '),
      },
    );
  });
}
