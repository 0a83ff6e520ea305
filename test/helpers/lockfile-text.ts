// Lockfile texts built for tests, in the shape the package manager writes.

/**
 * A pnpm lockfile 9: the root importer depending on `deps` (name → locked version, specifier `^version` unless
 * `specifiers` names another), the `packages` section's lines as given, and an empty snapshot for each dependency
 * unless `snapshots` gives the section's lines. The first line of `packages` is line 10.
 */
export function pnpmLock9(
  deps: Record<string, string>,
  packages: readonly string[],
  options: { readonly specifiers?: Record<string, string>; readonly snapshots?: readonly string[] } = {},
): string {
  const key = (name: string) => (name.startsWith('@') ? `'${name}@${deps[name]}'` : `${name}@${deps[name]}`);
  return [
    "lockfileVersion: '9.0'",
    '',
    'importers:',
    '  .:',
    '    dependencies:',
    ...Object.entries(deps).map(
      ([n, v]) =>
        `      ${n.startsWith('@') ? `'${n}'` : n}: {specifier: '${options.specifiers?.[n] ?? `^${v}`}', version: '${v}'}`,
    ),
    '',
    'packages:',
    '',
    ...packages,
    '',
    'snapshots:',
    ...(options.snapshots ?? Object.keys(deps).map((n) => `  ${key(n)}: {}`)),
    '',
  ].join('\n');
}

/** A yarn berry lockfile: the workspace `app` depending on `deps` (name → descriptor range), then `entries`' lines. */
export function berryLock(deps: Record<string, string>, entries: readonly string[]): string {
  return [
    '__metadata:',
    '  version: 8',
    '  cacheKey: 10c0',
    '',
    '"app@workspace:.":',
    '  version: 0.0.0-use.local',
    '  resolution: "app@workspace:."',
    '  dependencies:',
    ...Object.entries(deps).map(([n, r]) => `    ${n}: "${r}"`),
    '  languageName: unknown',
    '  linkType: soft',
    '',
    ...entries,
  ].join('\n');
}

/**
 * A pnpm lockfile 9 whose root depends on the `file:` tarball hello-build-1.0.0.tgz, keyed by its dependency path as
 * pnpm writes it: the shape pnpm's build settings are checked on (ignore-scripts, allowlists by name@file:…).
 */
export const PNPM_FILE_TARBALL_LOCK = `lockfileVersion: '9.0'

importers:

  .:
    dependencies:
      hello-build:
        specifier: file:hello-build-1.0.0.tgz
        version: file:hello-build-1.0.0.tgz

packages:

  hello-build@file:hello-build-1.0.0.tgz:
    resolution: {integrity: sha512-${'A'.repeat(86)}==, tarball: file:hello-build-1.0.0.tgz}
    version: 1.0.0

snapshots:

  hello-build@file:hello-build-1.0.0.tgz: {}
`;
