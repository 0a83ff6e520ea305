import { lstat, readlink } from 'node:fs/promises';
import path from 'node:path';
import { entryOf, formatFromName } from '../../discover/catalogue/index.js';
import type { Finding } from '../../core/finding.js';
import { isInstallInput } from './install-files.js';
import { isPnpFile } from './pnp-runtime.js';
import { isReviewInput, type Snapshot } from './snapshot.js';

/** A symlink's target is a path: far below this. */
const MAX_TARGET_BYTES = 4096;

/**
 * Lockfiles, manifests, package-manager configs, workflows and yarn's Plug'n'Play files the change turns into symbolic links (or adds as
 * links, or points elsewhere). The review never follows a link, so it read nothing there — a link was a removed
 * file, and a lockfile and package.json both swapped for links passed as a removal — while npm, pip and the
 * others open the path and read whatever it points at (in the repository or outside it). Such a file was not
 * compared: CPU013 for a lockfile, CPU030 for the rest (both errors).
 */
export async function symlinkedInputs(
  dir: string,
  base: Snapshot,
  head: Snapshot | undefined,
  headPaths: readonly string[],
): Promise<Finding[]> {
  const watched = (p: string) => isReviewInput(p) || isInstallInput(p) || isPnpFile(p);
  const baseTarget = async (p: string) => {
    const oid = base.symlinks.get(p);
    return oid === undefined
      ? undefined
      : (await base.blobs.one(oid, MAX_TARGET_BYTES).catch(() => undefined))?.toString();
  };
  const out: Finding[] = [];
  if (head) {
    for (const [p, oid] of head.symlinks)
      if (watched(p) && base.symlinks.get(p) !== oid)
        out.push(linked(p, (await head.blobs.one(oid, MAX_TARGET_BYTES).catch(() => undefined))?.toString()));
  } else {
    for (const p of headPaths.filter(watched)) {
      const abs = path.join(dir, ...p.split('/'));
      if (!(await lstat(abs).catch(() => undefined))?.isSymbolicLink()) continue;
      const target = await readlink(abs).catch(() => undefined);
      if (target === undefined || target !== (await baseTarget(p))) out.push(linked(p, target));
    }
  }
  return out.sort((a, b) => (a.location.path < b.location.path ? -1 : 1));
}

function linked(p: string, target: string | undefined): Finding {
  const format = formatFromName(p);
  const lockfile = format !== undefined && entryOf(format).kind === 'lockfile';
  const to = target !== undefined ? JSON.stringify(target.slice(0, 200)) : 'an unreadable target';
  return {
    ruleId: lockfile ? 'CPU013' : 'CPU030',
    message: `${p} is a symbolic link at the head revision (to ${to}): the package manager reads the file it points at, which this review does not follow, so nothing in it was compared. Commit the file itself.`,
    location: { path: p },
    evidence: { revision: 'head', symlink: target?.slice(0, 200) ?? '' },
  };
}
