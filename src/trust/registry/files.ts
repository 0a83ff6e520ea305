import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../../core/errors.js';

export const REGISTRY_DIR = 'trusted-registry';
const SCHEMA_FILE = 'schema.json';
/** At most this many registry files (a folder of OSV records can be large, not unbounded). */
const MAX_FILES = 50_000;

/**
 * Every `*.yml|*.yaml|*.json` under `<absRoot>/trusted-registry/` (recursively, so OSV folders such as
 * ossf/malicious-packages can be dropped in) except the schema, repo-relative POSIX. In its own module so a scan with
 * no registry loads no YAML or schema code (src/app/trust.ts).
 */
export async function listRegistryFiles(absRoot: string): Promise<string[]> {
  const dir = path.join(absRoot, REGISTRY_DIR);
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const out: string[] = [];
  for (const e of entries) {
    if (!e.isFile() || !/\.(ya?ml|json)$/i.test(e.name)) continue;
    const rel = path.relative(absRoot, path.join(e.parentPath, e.name)).split(path.sep).join('/');
    if (rel === `${REGISTRY_DIR}/${SCHEMA_FILE}`) continue;
    out.push(rel);
  }
  if (out.length > MAX_FILES)
    throw new ConfigError(`${REGISTRY_DIR}/ holds ${out.length} files; at most ${MAX_FILES} are read`, REGISTRY_DIR);
  return out;
}
