import type { Finding } from '../../core/finding.js';

/** A registry setting whose value comes from environment variables the scan's environment does not define. */
export interface UnknownRegistry {
  readonly key: string;
  readonly line: number | undefined;
  readonly variables: readonly string[];
}

/**
 * CPD164, once per configuration file (one cause: its registries are chosen by the environment where the package
 * manager runs). Only variable names and setting keys are shown, never a value: the runner's environment may hold
 * secrets, and a value written beside the variable may hold credentials.
 */
export function unknownRegistryFinding(path: string, settings: readonly UnknownRegistry[]): Finding {
  const first = settings.find((s) => s.line !== undefined)?.line;
  const keys = settings.map((s) => s.key);
  const variables = [...new Set(settings.flatMap((s) => s.variables))].sort();
  const names = variables.map((v) => `\${${v}}`).join(', ');
  return {
    ruleId: 'CPD164',
    message: `${path}${first !== undefined ? `:${first}` : ''} takes ${keys.join(', ')} from ${names}, which the scan's environment does not define: the package manager installs from whatever registry that is where it runs, so which registry serves these packages was not checked. Set the variable for the scan too (the same value as the install job), or write the registry into the file.`,
    location: { path, ...(first !== undefined ? { line: first } : {}) },
    artifact: { kind: 'file', path },
    evidence: { keys: keys.join(', '), variables: variables.join(', '), count: settings.length },
  };
}
