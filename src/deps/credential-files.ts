/**
 * The package-manager configuration files that may hold registry credentials, by base name: npm's `.npmrc`, yarn
 * 2+'s `.yarnrc.yml`, bun's bunfig.toml (CPD168). Small on purpose: the pipeline's `hasWork` reads it at start-up.
 */
const CREDENTIAL_FILES: readonly string[] = ['.npmrc', '.yarnrc.yml', 'bunfig.toml'];
const IN_A_FOLDER = CREDENTIAL_FILES.map((name) => `/${name}`);

/**
 * The base name of `path` when it is one of CREDENTIAL_FILES, else undefined. Asked of every file of the tree
 * (`hasWork`): two suffix tests per name, no copy of the path.
 */
export function credentialFileOf(path: string): string | undefined {
  for (let i = 0; i < CREDENTIAL_FILES.length; i++) {
    const name = CREDENTIAL_FILES[i]!;
    if (path === name || path.endsWith(IN_A_FOLDER[i]!)) return name;
  }
  return undefined;
}
