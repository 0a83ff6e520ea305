import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../../core/errors.js';
import { locateInRoot, type LocatedInRoot } from '../../io/open-regular.js';

export const REGISTRY_DIR = 'trusted-registry';
const SCHEMA_FILE = 'schema.json';
/** At most this many registry files (a folder of OSV records can be large, not unbounded). */
const MAX_FILES = 50_000;

/**
 * Every `*.yml|*.yaml|*.json` under `<absRoot>/trusted-registry/` (recursively, so OSV folders such as
 * ossf/malicious-packages can be dropped in) except the schema, repo-relative POSIX. In its own module so a scan with
 * no registry loads no YAML or schema code (src/app/trust.ts).
 *
 * As for the policy (policy/find.ts), a registry found in the repository is read only from inside it: the folder or
 * a file that is a symbolic link leading out of the root is refused (exit 2), never read and never skipped quietly.
 * A link to a file inside the root is read as that file. Other entries that are not regular files (FIFOs, broken
 * links) are left out here; the walk reports each (CPX022, CPX001).
 */
export async function listRegistryFiles(absRoot: string): Promise<string[]> {
  const dir = path.join(absRoot, REGISTRY_DIR);
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) return [];
  await refuseOutside(absRoot, dir, REGISTRY_DIR);
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const out: string[] = [];
  for (const e of entries) {
    if (!(e.isFile() || e.isSymbolicLink()) || !/\.(ya?ml|json)$/i.test(e.name)) continue;
    const abs = path.join(e.parentPath, e.name);
    const rel = path.relative(absRoot, abs).split(path.sep).join('/');
    if (rel === `${REGISTRY_DIR}/${SCHEMA_FILE}`) continue;
    if (e.isSymbolicLink() && (await refuseOutside(absRoot, abs, rel)) !== 'file') continue;
    out.push(rel);
  }
  if (out.length > MAX_FILES)
    throw new ConfigError(`${REGISTRY_DIR}/ holds ${out.length} files; at most ${MAX_FILES} are read`, REGISTRY_DIR);
  return out;
}

/** Throws when `abs` resolves outside the root; otherwise what it resolves to. */
async function refuseOutside(absRoot: string, abs: string, rel: string): Promise<LocatedInRoot['kind']> {
  const located = await locateInRoot(absRoot, abs);
  if (located.kind === 'symlink-outside-root')
    throw new ConfigError(
      `trusted registry ${rel} is a symbolic link that leads outside the scan root; a repository's trusted registry is read only from inside it. Replace the link with the file, or name the file with --registry.`,
      rel,
      { code: 'CONFIG_FILE_UNREADABLE' },
    );
  return located.kind;
}
