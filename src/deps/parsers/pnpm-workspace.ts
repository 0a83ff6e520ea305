import { isRecord } from '../types.js';
import { findYamlKeyProblem } from '../../core/yaml-key-problems.js';
import { parseShallowYaml } from '../../core/yaml-depth.js';

/** pnpm writes no aliases here either; a few are read, an alias bomb is refused (as in pnpm.ts). */
const MAX_ALIAS_COUNT = 100;
const MAX_ANCHORS = 1000;

/**
 * pnpm-workspace.yaml as pnpm reads it (`readWorkspaceManifest`, @pnpm/workspace.read-manifest: a YAML map, empty
 * file = no settings). Returns the map, or a reason it is not one: pnpm refuses to install then, so its settings
 * are not in effect and nothing is assumed from them.
 */
export function parsePnpmWorkspace(text: string): { settings: Record<string, unknown> } | { error: string } {
  // js-yaml (read-yaml-file) refuses a duplicate key; `yaml`'s own check is quadratic, findYamlKeyProblem is not.
  // Its DEFAULT_SCHEMA merges `<<` keys (as in pnpm.ts loadPnpmYaml): a setting merged in is in effect.
  const doc = parseShallowYaml(text, { schema: 'core', merge: true, uniqueKeys: false });
  const first = doc.errors[0];
  if (first !== undefined) return { error: `not valid YAML: ${first.message.split('\n')[0] ?? ''}` };
  const problem = findYamlKeyProblem(doc, MAX_ANCHORS);
  if (problem?.kind === 'duplicate-key')
    return { error: `not valid YAML: duplicated mapping key ${JSON.stringify(problem.key.slice(0, 100))}` };
  if (problem?.kind === 'bad-merge') return { error: 'not valid YAML: a merge key (<<) whose value is not a mapping' };
  if (problem !== undefined) return { error: `has more than ${problem.limit} YAML anchors and aliases` };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch {
    return { error: `expands YAML aliases past ${MAX_ALIAS_COUNT} nodes` };
  }
  if (data === null || data === undefined) return { settings: {} };
  return isRecord(data) ? { settings: data } : { error: 'not a YAML map' };
}

/**
 * pnpm-workspace.yaml `packages`, as pnpm reads it (`<<` merge keys applied: `<<: {packages: [apps/*]}` makes those
 * folders workspace projects); none when the text is absent or does not parse.
 */
export function pnpmWorkspacePackages(text: string | undefined): string[] {
  if (text === undefined) return [];
  const ws = parsePnpmWorkspace(text);
  const list = 'error' in ws ? undefined : ws.settings['packages'];
  return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : [];
}
