/** Hand-made npm lockfile v3 pairs for the review tests: entries, the lockfile around them, the manifest. */
export type Entry = Record<string, unknown>;

/** An integrity that names no real tarball: 64 bytes of `fill`. */
export const sri = (fill: number) => `sha512-${Buffer.alloc(64, fill).toString('base64')}`;

/** A package-lock.json v3 whose root depends on `rootDeps` and which holds `pkgs` under node_modules/. */
export function npmLock(rootDeps: Record<string, string>, pkgs: Record<string, Entry>): string {
  const packages: Record<string, Entry> = { '': { name: 'app', version: '1.0.0', dependencies: rootDeps } };
  for (const [k, v] of Object.entries(pkgs)) packages[`node_modules/${k}`] = v;
  return (
    JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2) + '\n'
  );
}

export const manifest = (deps: Record<string, string>) =>
  JSON.stringify({ name: 'app', version: '1.0.0', dependencies: deps }, null, 2) + '\n';
