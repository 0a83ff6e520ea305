import type { FsPath } from '../../core/files.js';
import { isFolderThrough, listDirectory } from '../../io/raw-names.js';

/**
 * Entries listed under signed model folders in one scan at most (nested `model.sig` files list a subtree each): a
 * folder past it is reported as not fully checked.
 */
export const MAX_LISTED_ENTRIES = 200_000;

/** What is left of MAX_LISTED_ENTRIES for this scan. */
export interface ListingBudget {
  left: number;
}

export interface LeftOutListing {
  /** Repo paths of the files (and links, special files) under the folder the walk left out by choice. */
  readonly paths: string[];
  /** The scan's MAX_LISTED_ENTRIES ran out in this folder: what lies past it was not looked at. */
  readonly truncated: boolean;
}

/**
 * The entries under a signed model folder that the scan's walk left out by choice (`--exclude`, an `--include` they
 * do not match: `ctx.leftOut`), which the signature stage never sees in its file list. model_signing verify hashes
 * every file under the model folder (file.py `Serializer.serialize` over `model_path.glob("**\/*")`), so they are
 * part of the model all the same: unlisted, an unsigned one added there would pass. Only names are read (the walk's
 * own `listDirectory`, so paths are spelt as the walk spells them); links are not followed, and the folders the walk
 * skips by name (`unwalked`, reported on their own) are not entered. A link to a folder is not counted: an include
 * glob never leaves a folder out (the walk enters every folder), and the walk may have reached its target by another
 * path first (it enters each folder once). Bounded: `budget` (MAX_LISTED_ENTRIES a scan).
 */
export function leftOutUnder(
  folderAbs: FsPath,
  prefix: string,
  leftOut: (repoPath: string) => boolean,
  unwalked: ReadonlySet<string>,
  budget: ListingBudget,
): LeftOutListing {
  const paths: string[] = [];
  const stack: { abs: FsPath; rel: string }[] = [{ abs: folderAbs, rel: prefix }];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let entries;
    try {
      entries = listDirectory(dir.abs);
    } catch {
      // Unreadable since, or all along: the walk reported what it could not read (CPX), and nothing here is hashed.
      continue;
    }
    for (const { dirent, name, abs } of entries) {
      if (--budget.left < 0) return { paths: paths.sort(), truncated: true };
      const rel = `${dir.rel}${name}`;
      if (dirent.isDirectory()) {
        if (!unwalked.has(rel)) stack.push({ abs, rel: `${rel}/` });
      } else if (leftOut(rel) && !(dirent.isSymbolicLink() && isFolderThrough(abs))) paths.push(rel);
    }
  }
  return { paths: paths.sort(), truncated: false };
}
