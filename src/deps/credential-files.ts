/**
 * The package-manager configuration files that may hold registry credentials, by base name: npm's `.npmrc`, yarn
 * 2+'s `.yarnrc.yml`, bun's bunfig.toml (CPD168). Small on purpose: the pipeline's `hasWork` reads it at start-up.
 */
const CREDENTIAL_FILES: ReadonlySet<string> = new Set(['.npmrc', '.yarnrc.yml', 'bunfig.toml']);

/** The base name of `path` when it is one of CREDENTIAL_FILES, else undefined. */
export function credentialFileOf(path: string): string | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return CREDENTIAL_FILES.has(base) ? base : undefined;
}
