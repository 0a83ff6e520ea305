import path from 'node:path';
import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import { interpolate } from './compose-env.js';
import type { Token } from './shell-words.js';
import { parseShallowYaml } from '../core/yaml-depth.js';
import { valueStart } from './yaml-scalars.js';

/**
 * A Compose service's `env_file:` (compose-go types.Project `WithServicesEnvironmentResolved` and its `loadEnvFile`):
 * each file, relative to the compose file's folder, sets variables of the container's environment, a later file
 * overriding an earlier one and the service's `environment:` overriding them all. The files are the repository's; one
 * the repository does not hold (a `.env` kept out of git, a path outside the scan root or one Compose interpolates
 * from the run's environment) is the run time's.
 */

/** One file a service's `env_file:` names: its repository path (none: not the repository's), where it is written. */
export interface EnvFileEntry {
  readonly path: string | undefined;
  readonly at: number;
}

/** The variables each env file sets (compose-dotenv.ts `dotenvValues`), by repository path; undefined: not held. */
export type EnvFileValues = ReadonlyMap<string, ReadonlyMap<string, string> | undefined>;

/**
 * The entries of an `env_file:` node: a path, a list of paths, or a list of `{ path, required, format }` maps
 * (compose-go types.EnvFile). A `required: false` file Compose skips when it is missing is read all the same: the
 * repository may leave it out for a deployment to supply.
 */
export function envFileEntries(
  node: unknown,
  composePath: string,
  text: string,
  dotenv: ReadonlyMap<string, string>,
): EnvFileEntry[] {
  const items = isSeq(node) ? node.items : node === undefined || node === null ? [] : [node];
  const out: EnvFileEntry[] = [];
  for (const item of items) {
    const scalar = isMap(item) ? item.get('path', true) : item;
    if (!isScalar(scalar) || typeof scalar.value !== 'string') continue;
    const at = valueStart(scalar, text);
    const written = interpolate({ text: scalar.value, at, expands: scalar.value.includes('$') }, dotenv);
    out.push({ path: written.expands ? undefined : repositoryPath(path.posix.dirname(composePath), written.text), at });
  }
  return out;
}

/**
 * The repository paths a compose file's services name in `env_file:`, for the stage to read before the file is.
 * Parsed only for a file that names one.
 */
export function envFilePaths(composePath: string, text: string, dotenv: ReadonlyMap<string, string>): string[] {
  if (!text.includes('env_file')) return [];
  const doc = parseShallowYaml(text, { uniqueKeys: false, prettyErrors: false });
  const services = isMap(doc.contents) ? doc.contents.get('services', true) : undefined;
  if (doc.errors.length > 0 || !isMap(services)) return [];
  const out = new Set<string>();
  // `<<: *defaults` is no merge here, as servers.ts `readComposeServers` reads it; an alias is its anchor's node.
  const node = (n: unknown) => (isAlias(n) ? n.resolve(doc) : n);
  for (const item of services.items) {
    const service = node(item.value);
    if (isMap(service))
      for (const e of envFileEntries(node(service.get('env_file', true)), composePath, text, dotenv))
        if (e.path !== undefined) out.add(e.path);
  }
  return [...out];
}

/**
 * How many variables one file's containers may take from env files or ConfigMaps in all: each container copies every
 * variable of each source, so a thousand services of one large file would be quadratic. Past it a source is read as
 * one the repository does not hold (the run time's).
 */
export const MAX_ENV_VALUES = 100_000;
/** What is left of `MAX_ENV_VALUES` for one file. */
export interface EnvBudget {
  left: number;
}

/**
 * The container variables a service's env files set, each placed at the entry that names its file. A file the
 * repository does not hold may set any variable: `unknown` names those a caller must then leave to the run time.
 */
export function envFromFiles(
  entries: readonly EnvFileEntry[],
  values: EnvFileValues,
  dotenv: ReadonlyMap<string, string>,
  unknown: readonly string[],
  budget: EnvBudget,
): Map<string, Token> {
  const env = new Map<string, Token>();
  for (const e of entries) {
    const held = e.path === undefined ? undefined : values.get(e.path);
    const set = held !== undefined && held.size <= budget.left ? held : undefined;
    if (set === undefined) {
      for (const name of unknown) env.set(name, { text: '', at: e.at, expands: true });
      continue;
    }
    budget.left -= set.size;
    // compose-go's dotenv expands `${VAR}` in a value from the project's environment (its `.env`).
    for (const [name, value] of set) {
      const token = interpolate({ text: value, at: e.at, expands: value.includes('$') }, dotenv);
      env.set(name, { text: token.text, at: e.at, expands: token.expands });
    }
  }
  return env;
}

/**
 * A path written relative to `folder` (a compose file's, a script's), as the repository names it; undefined for an
 * absolute one (the host's, never the repository's) or one outside the scan root.
 */
export function repositoryPath(folder: string, written: string): string | undefined {
  if (written === '' || path.posix.isAbsolute(written)) return undefined;
  const joined = path.posix.normalize(path.posix.join(folder, written));
  return joined === '..' || joined.startsWith('../') ? undefined : joined;
}
