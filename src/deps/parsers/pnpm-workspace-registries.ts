import { npmrcFromEntries, type NpmrcConfig } from '../npmrc.js';

/**
 * The registries of a pnpm-workspace.yaml as an `.npmrc` layer: `registry`, and `registries` in either shape — a map
 * of `default` and `@scope` to URLs, or (pnpm 11.23) registry URLs to declarations whose `scopes` are routed there.
 * @pnpm/config `getConfig` merges them over the `.npmrc` registries (`{ ...registriesFromNpmrc,
 * ...workspaceRegistries }`), under `pnpm_config_registry`. A URL holding `${…}` is ignored, as pnpm 11.5.3 and later
 * ignore it (a committed file must not steer requests by the environment). A declaration scoped `@` is not read.
 */
export function pnpmWorkspaceRegistries(settings: Record<string, unknown>): NpmrcConfig {
  return {
    ...npmrcFromEntries(
      workspaceRegistryEntries(settings).map((e) => [e.key, e.url] as const),
      {},
    ),
    auth: {},
    ca: [],
  };
}

/** Each registry setting of a pnpm-workspace.yaml: its `.npmrc` key, its URL, and the key as the file writes it. */
export function workspaceRegistryEntries(
  settings: Record<string, unknown>,
): { key: string; url: string; written: string }[] {
  const entries: { key: string; url: string; written: string }[] = [];
  const url = (v: unknown): v is string => typeof v === 'string' && /^https?:\/\//i.test(v) && !v.includes('${');
  if (url(settings.registry)) entries.push({ key: 'registry', url: settings.registry, written: 'registry' });
  const registries = settings.registries;
  if (registries !== null && typeof registries === 'object' && !Array.isArray(registries))
    for (const [key, value] of Object.entries(registries as Record<string, unknown>)) {
      if (url(value)) {
        if (key === 'default') entries.push({ key: 'registry', url: value, written: 'registries.default' });
        else if (/^@[^/:]+$/.test(key))
          entries.push({ key: `${key}:registry`, url: value, written: `registries.${key}` });
      } else if (url(key) && value !== null && typeof value === 'object') {
        const scopes = (value as { scopes?: unknown }).scopes;
        if (Array.isArray(scopes))
          for (const scope of scopes)
            if (typeof scope === 'string' && /^@[^/:]+$/.test(scope))
              entries.push({ key: `${scope}:registry`, url: key, written: `registries.${key}.scopes` });
      }
    }
  return entries;
}
