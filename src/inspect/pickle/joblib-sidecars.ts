import path from 'node:path';
import type { DiscoveredFile } from '../../core/files.js';
import type { Finding } from '../../core/finding.js';
import type { SidecarRef } from './joblib.js';
import { locateInRoot, type LocatedInRoot } from '../../io/open-regular.js';
import { folderOf } from '../../io/raw-names.js';
import { leavesBase } from '../../core/relative-path.js';

/** Distinct sidecar names followed per joblib file; past it one finding counts the rest. */
const MAX_FOLLOWED = 4096;

type Analyse = (file: DiscoveredFile) => Promise<Finding[]>;

/** Why a sidecar inside the root was not followed, for the finding's message. */
const LOCATE_DETAIL: Readonly<Record<Exclude<LocatedInRoot['kind'], 'file'>, string>> = {
  missing: 'it is not in the scanned tree',
  'symlink-outside-root': 'a symlink leads it out of the scan root',
  'not-regular-file': 'it is not a regular file',
};

/**
 * Follow the sidecar files a joblib pickle names, as `joblib.load` does: `numpy_pickle_compat.NDArrayWrapper.read`
 * opens `os.path.join(os.path.dirname(pickle), filename)` with `np.load(..., allow_pickle=True)`, and
 * `ZNDArrayWrapper.read` opens the same join with `read_zfile`. A sidecar inside the scan root is analysed as
 * np.load reads it (npy header and object-array pickle, npz members, or else a pickle) and its findings are the
 * joblib file's; a name that is not a literal, leaves the root, is missing or is not a regular file is CPI110.
 */
export async function followSidecars(
  file: DiscoveredFile,
  root: string,
  refs: readonly SidecarRef[],
  analyse: Analyse,
): Promise<Finding[]> {
  const out: Finding[] = [];
  const seen = new Set<string>();
  let skipped = 0;
  for (const ref of refs) {
    const key = `${ref.kind}:${ref.filename ?? ''}`;
    if (seen.has(key)) continue;
    if (seen.size >= MAX_FOLLOWED) {
      skipped++;
      continue;
    }
    seen.add(key);
    const unchecked = (reason: string, detail: string): void => {
      out.push(uncheckedFinding(file, ref, reason, detail));
    };
    if (ref.filename === undefined) {
      unchecked('computed-name', 'its name is not a literal string in the pickle');
      continue;
    }
    // os.path.join: an absolute name replaces the folder; `..` is kept and resolved by the file system.
    const abs = path.resolve(folderOf(file.abs), ref.filename);
    const rel = path.relative(root, abs);
    if (rel === '' || leavesBase(rel)) {
      unchecked('outside-root', 'it lies outside the scan root');
      continue;
    }
    const located = await locateInRoot(root, abs);
    if (located.kind !== 'file') {
      unchecked(located.kind, LOCATE_DETAIL[located.kind]);
      continue;
    }
    const { real, stats: st } = located;
    // read_zfile inflates raw array bytes that `ndarray.__setstate__` takes as data: nothing there is unpickled.
    if (ref.kind === 'zfile') continue;
    const relPosix = rel.split(path.sep).join('/');
    const sidecar: DiscoveredFile = {
      path: relPosix,
      abs: real,
      size: st.size,
      dev: st.dev,
      ino: st.ino,
      mtimeMs: st.mtimeMs,
      ctimeMs: st.ctimeMs,
      // np.load(allow_pickle=True) unpickles whatever is neither npy nor zip, so the sidecar is a claimed pickle.
      format: 'pickle',
    };
    for (const f of await analyse(sidecar)) {
      const inner = f.location.member;
      out.push({
        ...f,
        message: `${file.path}: joblib.load reads the sidecar ${relPosix}: ${f.message}`,
        location: { path: file.path, member: `<sidecar ${relPosix}>${inner !== undefined ? `!${inner}` : ''}` },
        evidence: { ...f.evidence, sidecar: relPosix },
      });
    }
  }
  if (skipped > 0)
    out.push(
      uncheckedFinding(
        file,
        { kind: 'npy', filename: undefined },
        'too-many',
        `${skipped} more sidecar names were not followed`,
      ),
    );
  return out;
}

function uncheckedFinding(file: DiscoveredFile, ref: SidecarRef, reason: string, detail: string): Finding {
  const name = ref.filename ?? '(computed)';
  return {
    ruleId: 'CPI110',
    message: `${file.path}: joblib.load would open the sidecar ${JSON.stringify(name)} (${ref.kind === 'npy' ? 'np.load with allow_pickle=True' : 'read_zfile'}), but ${detail}; what it reads there was not checked. Ship the sidecar inside the repository next to the pickle, or re-save the model with a current joblib.`,
    location: { path: file.path },
    evidence: { sidecar: name, reason, reader: ref.kind === 'npy' ? 'np.load' : 'read_zfile' },
  };
}
