/**
 * The package-manager configuration files that may hold registry credentials, by base name: npm's `.npmrc`, yarn
 * 2+'s `.yarnrc.yml`, bun's bunfig.toml (CPD168). Small on purpose: the pipeline's `hasWork` reads it at start-up.
 */
const CREDENTIAL_FILES: readonly string[] = ['.npmrc', '.yarnrc.yml', 'bunfig.toml'];

/**
 * Every repository configuration file a JavaScript package manager reads whole, by base name: the credential files
 * and yarn 1's `.yarnrc` and pnpm's pnpm-workspace.yaml. Any of them alone is work for the deps stage: one padded
 * past the size it is read to is CPD169 with or without a lockfile beside it.
 */
const CONFIG_FILES = ['.npmrc', '.yarnrc', '.yarnrc.yml', 'bunfig.toml', 'pnpm-workspace.yaml'] as const;
export type ConfigFile = (typeof CONFIG_FILES)[number];

/**
 * The base name of `path` when it is one of CREDENTIAL_FILES, else undefined. Asked of every file of the tree
 * (`hasWork`): two suffix tests per name, no copy of the path.
 */
export function credentialFileOf(path: string): string | undefined {
  return baseNameIn(path, CREDENTIAL_FILES);
}

/** The base name of `path` when it is one of CONFIG_FILES, else undefined; as cheap as `credentialFileOf`. */
export function configFileOf(path: string): ConfigFile | undefined {
  return baseNameIn(path, CONFIG_FILES);
}

function baseNameIn<T extends string>(path: string, names: readonly T[]): T | undefined {
  for (const name of names) {
    if (path === name || (path.endsWith(name) && path.charCodeAt(path.length - name.length - 1) === SLASH)) return name;
  }
  return undefined;
}

const SLASH = 0x2f;
