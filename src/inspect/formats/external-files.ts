import path from 'node:path';
import type { DiscoveredFile } from '../../core/files.js';
import type { Finding } from '../../core/finding.js';
import { locateInRoot } from '../../io/open-regular.js';
import { folderOf } from '../../io/raw-names.js';
import { Findings } from './report.js';

/** Distinct external files looked up per model; real models name one to a few hundred. */
const MAX_LOOKUPS = 1000;

/** How a relative name beside a model leads somewhere its loader should not read. */
export type Misplaced = 'symlink-outside-root' | 'not-regular-file';

/** What a relative name beside a model is found to be, when it is not a regular file in the scan root. */
type Located = Misplaced | 'missing';

/**
 * The relative names a model reads files by (ONNX external data, LiteRT external weights) that lead out of the model
 * folder through the file system: a symbolic link whose target is outside the scan root, or something that is not a
 * regular file. Loaders that `open` the joined path follow the link; here it is never followed, only where it
 * resolves is looked up (`locateInRoot`), as discovery does. Distinct names, at most `MAX_LOOKUPS` of them.
 */
export async function misplacedBeside(
  file: DiscoveredFile,
  root: string | undefined,
  names: readonly string[],
): Promise<Map<string, Located>> {
  const out = new Map<string, Located>();
  if (root === undefined) return out;
  for (const name of [...new Set(names)].slice(0, MAX_LOOKUPS)) {
    const located = await locateInRoot(root, path.resolve(folderOf(file.abs), name));
    if (located.kind !== 'file') out.set(name, located.kind);
  }
  return out;
}

/**
 * The findings of a model's external files whose names lead out (`misplacedBeside`): one per distinct name, at the
 * first external that names it, worded by `add` for how it leads out. Names that are no file at all are one cause
 * for the model, handed to `missing` (sorted, distinct) when given: the loader fails to open them, nothing is read.
 */
export async function misplacedFindings<T>(
  file: DiscoveredFile,
  root: string | undefined,
  externals: readonly T[],
  nameOf: (e: T) => string,
  add: (out: Findings, e: T, kind: Misplaced) => void,
  missing?: (out: Findings, names: readonly string[]) => void,
): Promise<Finding[]> {
  if (externals.length === 0) return [];
  const located = await misplacedBeside(file, root, externals.map(nameOf));
  const out = new Findings(file.path, file.format);
  const reported = new Set<string>();
  for (const e of externals) {
    const name = nameOf(e);
    const kind = located.get(name);
    if (kind === undefined || kind === 'missing' || reported.has(name)) continue;
    reported.add(name);
    add(out, e, kind);
  }
  const absent = [...located].filter(([, kind]) => kind === 'missing').map(([name]) => name);
  if (missing && absent.length > 0) missing(out, absent.sort());
  return out.list;
}
