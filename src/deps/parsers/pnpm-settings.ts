import type { ParseOptions, PnpmSettingMismatch } from '../types.js';
import { isRecord, str } from '../types.js';
import { lineAt } from '../lines.js';

/**
 * Where a pnpm lockfile's recorded settings differ from the configuration pnpm would read now, as pnpm's
 * `getOutdatedLockfileSetting` compares them: `overrides` (root package.json `resolutions` then `pnpm.overrides`,
 * as `getOptionsFromRootManifest` merges them; pnpm-workspace.yaml `overrides` when it has them),
 * `patchedDependencies` (which packages are patched), `packageExtensionsChecksum` (whether extensions exist),
 * `ignoredOptionalDependencies` (as sets) and `catalogs` (`allCatalogsAreUpToDate`: each locked catalog entry's
 * specifier against pnpm-workspace.yaml's).
 * With `--frozen-lockfile` (CI's default) pnpm then stops with ERR_PNPM_LOCKFILE_CONFIG_MISMATCH; a plain
 * `pnpm install` re-resolves the whole tree, so what installs is not the lockfile that was checked.
 *
 * Undefined when the root package.json was not given (the configuration is unknown, nothing is compared).
 * A `$name` reference or `catalog:` value is resolved by pnpm before it is recorded: only its key is compared.
 */
export function pnpmSettingMismatches(
  data: Record<string, unknown>,
  text: string,
  options: ParseOptions,
): PnpmSettingMismatch[] | undefined {
  const root = options.manifests?.[''];
  if (root === undefined) return undefined;
  const pnpm = isRecord(root.pnpm) ? root.pnpm : {};
  const ws = options.pnpmWorkspace ?? {};
  const out: PnpmSettingMismatch[] = [];
  const at = (field: string) => lineOf(text, `\n${field}:`);

  const configured: Record<string, string> = {};
  for (const source of manifestOverrideSources(root as Record<string, unknown>, workspaceOverrides(options)))
    Object.assign(configured, stringMap(source));
  const locked = stringMap(data.overrides);
  const differing = [...new Set([...Object.keys(configured), ...Object.keys(locked)])].filter((k) => {
    const want = configured[k];
    const have = locked[k];
    if (want === undefined || have === undefined) return true;
    return !(want.startsWith('$') || want.startsWith('catalog:')) && want !== have;
  });
  if (differing.length > 0)
    out.push({
      field: 'overrides',
      line: at('overrides'),
      keys: differing,
      detail: differing
        .sort()
        .map((k) => `${k}: lockfile ${locked[k] ?? '(none)'}, config ${configured[k] ?? '(none)'}`)
        .join('; '),
    });

  const catalogs = catalogMismatch(data, ws);
  if (catalogs !== undefined) out.push({ field: 'catalogs', line: at('catalogs'), detail: catalogs });

  /** A setting that is a set of names: each name on one side only, said with `word` ("patched", "ignored"). */
  const setMismatch = (
    field: PnpmSettingMismatch['field'],
    configured: readonly string[],
    locked: readonly string[],
    word: string,
  ) => {
    const diff = symmetricDifference(configured, locked);
    if (diff.length > 0)
      out.push({
        field,
        line: at(field),
        detail: diff
          .map((k) => `${k}: ${word} in the ${configured.includes(k) ? 'config' : 'lockfile'} only`)
          .join('; '),
      });
  };

  setMismatch(
    'patchedDependencies',
    Object.keys(isRecord(ws.patchedDependencies) ? ws.patchedDependencies : stringMapKeys(pnpm)),
    isRecord(data.patchedDependencies) ? Object.keys(data.patchedDependencies) : [],
    'patched',
  );
  setMismatch(
    'ignoredOptionalDependencies',
    stringList(
      Array.isArray(ws.ignoredOptionalDependencies) ? ws.ignoredOptionalDependencies : pnpm.ignoredOptionalDependencies,
    ),
    stringList(data.ignoredOptionalDependencies),
    'ignored',
  );

  const extensions = isRecord(ws.packageExtensions) ? ws.packageExtensions : pnpm.packageExtensions;
  const hasExtensions = isRecord(extensions) && Object.keys(extensions).length > 0;
  const hasChecksum = str(data.packageExtensionsChecksum) !== undefined;
  if (hasExtensions !== hasChecksum)
    out.push({
      field: 'packageExtensionsChecksum',
      line: at('packageExtensionsChecksum'),
      detail: hasChecksum
        ? 'the lockfile records package extensions the config no longer has'
        : 'the config has packageExtensions the lockfile was not resolved with',
    });
  return out;
}

/**
 * The override maps pnpm reads, lowest precedence first, as `getOptionsFromRootManifest` merges them: pnpm-workspace.yaml's
 * `overrides` when it has them (pnpm 10 then ignores package.json's), else the root package.json's `resolutions`
 * then `pnpm.overrides`. Both the lockfile-settings comparison here and checks/overrides.ts `overridesOf` read
 * them through this, so the two cannot disagree on which file pnpm takes. The values are as written: each reader
 * keeps its own reading of a non-string value.
 */
export function manifestOverrideSources(
  root: Record<string, unknown> | undefined,
  workspace: Record<string, string> | undefined,
): unknown[] {
  if (workspace !== undefined) return [workspace];
  const pnpm = isRecord(root?.['pnpm']) ? root['pnpm'] : {};
  return [root?.['resolutions'], pnpm['overrides']];
}

/** pnpm-workspace.yaml's `overrides` (key → spec) when it has them: pnpm then reads them, not package.json's. */
export function workspaceOverrides(options: ParseOptions): Record<string, string> | undefined {
  const ws = options.pnpmWorkspace;
  return isRecord(ws?.overrides) ? stringMap(ws.overrides) : undefined;
}

/**
 * pnpm's `allCatalogsAreUpToDate`: every entry of the lockfile's `catalogs` must have the specifier that
 * pnpm-workspace.yaml's `catalog` (the `default` catalog) or `catalogs.<name>` gives it now; config entries the lockfile
 * lacks are no mismatch. pnpm 9 compares only when the workspace configures a catalog, later pnpm always: the former
 * is followed, so an unconfigured workspace is never judged.
 */
function catalogMismatch(data: Record<string, unknown>, ws: Readonly<Record<string, unknown>>): string | undefined {
  const config: Record<string, Record<string, string>> = {};
  if (isRecord(ws.catalogs)) for (const [name, c] of Object.entries(ws.catalogs)) config[name] = stringMap(c);
  // `catalog` is the default catalog; pnpm refuses a workspace that also has `catalogs.default`.
  if (isRecord(ws.catalog)) config.default = stringMap(ws.catalog);
  if (!Object.values(config).some((c) => Object.keys(c).length > 0) || !isRecord(data.catalogs)) return undefined;
  const differing: string[] = [];
  for (const [name, locked] of Object.entries(data.catalogs)) {
    if (!isRecord(locked)) continue;
    for (const [alias, entry] of Object.entries(locked)) {
      const have = isRecord(entry) ? str(entry.specifier) : undefined;
      const want = config[name]?.[alias];
      if (have !== want) differing.push(`${name}.${alias}: lockfile ${have ?? '(none)'}, config ${want ?? '(none)'}`);
    }
  }
  return differing.length > 0 ? differing.sort().join('; ') : undefined;
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(v)) return out;
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

function stringMapKeys(pnpm: Record<string, unknown>): Record<string, unknown> {
  return isRecord(pnpm.patchedDependencies) ? pnpm.patchedDependencies : {};
}

function symmetricDifference(a: readonly string[], b: readonly string[]): string[] {
  const sa = new Set(a);
  const sb = new Set(b);
  return [...a.filter((k) => !sb.has(k)), ...b.filter((k) => !sa.has(k))].sort();
}

/** 1-based line of a top-level key (`needle` starts with the line break before it); 1 when the lockfile does not have it. */
function lineOf(text: string, needle: string): number {
  const i = text.indexOf(needle);
  return i < 0 ? 1 : lineAt(text, i + 1);
}
