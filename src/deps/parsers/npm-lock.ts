import type { ParseOptions, ParsedLockfile } from '../types.js';
import { LockfileError, isRecord, refuseDeepLockfile } from '../types.js';
import { jsonErrorAt } from '../lines.js';
import { parseNpmPackages } from './npm.js';
import { allowScriptsGate, applyNpmAllowScripts } from './npm-allow-scripts.js';
import { parseNpmV1 } from './npm-v1.js';

/** package-lock.json / npm-shrinkwrap.json: v2–3 (`packages`) or v1 (`dependencies`). */
export function parseNpmLock(file: string, text: string, options: ParseOptions): ParsedLockfile {
  const data = parseJson(file, text);
  // As arborist's `Shrinkwrap.load`: a `packages` section, whatever `lockfileVersion` says, is what npm ≥ 7 installs;
  // the nested `dependencies` tree is migrated only when there is none (`data.dependencies && !data.packages`).
  if (isRecord(data.packages)) {
    const parsed = parseNpmPackages(file, data, text);
    // Only `packages` entries record `hasInstallScript`; npm ≥ 11.19 skips the scripts package.json denies, npm ≥ 12
    // all it does not allow — when the project pins such an npm. Without a pin, the runner's npm installs (Node 20's
    // and 22's npm 10 ignore allowScripts and run every script): the denials are counted and said, never applied.
    const root = options.manifests?.[''] as Record<string, unknown> | undefined;
    if (options.npmAllScriptsRun === true) return parsed;
    const gate = allowScriptsGate(root);
    if (gate !== undefined) return applyNpmAllowScripts(parsed, root?.allowScripts, gate);
    const denied = applyNpmAllowScripts(parsed, root?.allowScripts);
    if (denied === parsed) return parsed;
    const count = denied.nodes.filter((n) => n.buildDisabled === 'npmAllowScripts').length;
    return { ...parsed, allowScriptsUnpinned: count };
  }
  // Any other truthy `packages` also stops the migration and leaves arborist with nothing it can read.
  if (data.packages) throw new LockfileError('LOCKFILE_SHAPE', file, '"packages" is not an object', 1);
  if (isRecord(data.dependencies) || data.lockfileVersion === 1) return parseNpmV1(data, text, options.manifests?.['']);
  // Any other object (`{}`, `{"lockfileVersion": 3}`) loads as a lockfile with no packages (`packages: data.packages
  // || {}`): `npm ci` stops because package.json is not in sync with it, `npm install` resolves every dependency
  // afresh. An empty lockfile, so the sync check reports what package.json declares and it does not lock.
  return parseNpmPackages(file, { ...data, packages: {} }, text);
}

function parseJson(file: string, text: string): Record<string, unknown> {
  let data: unknown;
  refuseDeepLockfile(file, text);
  try {
    data = JSON.parse(text);
  } catch (err) {
    const at = jsonErrorAt(text);
    throw new LockfileError('LOCKFILE_SYNTAX', file, `not valid JSON: ${at.reason}`, at.line, { cause: err });
  }
  if (!isRecord(data)) throw new LockfileError('LOCKFILE_SHAPE', file, 'the top level is not a JSON object', 1);
  return data;
}
