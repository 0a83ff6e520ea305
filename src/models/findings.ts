import type { FileFormat } from '../core/files.js';
import { shellWord } from '../core/shell-word.js';
import type { Finding, Level } from '../core/finding.js';
import type { ModelArtifact, RegistryFile, RevokedArtifact } from '../core/trusted-registry.js';
import { listedWithMore } from '../core/plural.js';
import { MAX_RELATED } from '../core/group-causes.js';

/** Builders for the models stage's findings: one place for messages, artifacts and evidence. */
export interface Subject {
  readonly path: string;
  readonly format: FileFormat;
  readonly sha256?: string;
}

const artifactOf = (s: Subject) => ({
  kind: 'model' as const,
  path: s.path,
  format: s.format,
  ...(s.sha256 !== undefined ? { sha256: s.sha256 } : {}),
});
const entryName = (a: ModelArtifact) => `${a.name}@${a.revision}`;
const where = (a: { file: string; line?: number }) => `${a.file}${a.line !== undefined ? `:${a.line}` : ''}`;

/**
 * What a Git LFS pointer among unknown files leaves unchecked: the checkout holds the pointer, not the weights, so no
 * inspector read them, and with no registry entry nothing vouches for the object `git lfs pull` fetches. Said in the
 * message, or "0 errors" reads as "the weights are clean". Empty when no file is a pointer.
 */
function pointersUninspected(files: readonly Subject[]): string {
  const pointers = files.filter((f) => f.format === 'lfs-pointer').length;
  if (pointers === 0) return '';
  const which =
    files.length === 1
      ? 'It is a Git LFS pointer'
      : pointers === files.length
        ? 'All are Git LFS pointers'
        : `${pointers} of them ${pointers === 1 ? 'is a Git LFS pointer' : 'are Git LFS pointers'}`;
  return ` ${which}: the weights are not in the checkout, so their content was not inspected. Fetch them (\`git lfs pull\`) and scan again.`;
}

export function unknownModel(s: Subject, level: Level): Finding {
  return {
    ruleId: 'CPM001',
    level,
    message: `${s.path} (${s.format}) matches no trusted-registry entry by path or content, so its origin is unreviewed.${pointersUninspected([s])} Record it with \`chainproof registry add ${shellWord(s.path)} --name … --revision … --source …\` or remove it.`,
    location: { path: s.path },
    artifact: artifactOf(s),
    evidence: { expected: 'a trusted-registry entry', actual: s.sha256 ?? 'unknown' },
  };
}

/**
 * Unknown model files that share a folder, as one finding: the cause is the folder's (a sharded checkpoint, a
 * model's weights in several formats, a folder of pickles nobody recorded), and `registry add` records a folder.
 */
export function unknownModelsInFolder(folder: string, files: readonly Subject[], level: Level): Finding {
  const formats = [...new Set(files.map((f) => f.format))].sort().join(', ');
  const first = files[0]!.path;
  return {
    ruleId: 'CPM001',
    level,
    message: `${folder}/ holds ${files.length} model files (${formats}) that match no trusted-registry entry by path or content, so their origin is unreviewed (${first} and ${files.length - 1} more).${pointersUninspected(files)} Record the folder as one artifact (\`chainproof registry add ${shellWord(folder)} --name … --revision … --source …\`) if it is one model, each file on its own otherwise, or remove them.`,
    location: { path: folder },
    artifact: { kind: 'file', path: folder },
    evidence: { expected: 'a trusted-registry entry', count: files.length, formats, first },
    // Its files, as for any one-cause finding: reporters list them, and the tallies are then no part of its identity
    // (a shard added to the folder kept the alert, where a changed count had closed it and opened a new one).
    related: files.slice(0, MAX_RELATED).map((f) => ({ path: f.path })),
  };
}

/**
 * Every model file unknown because the trusted registry records no model at all: one cause, one finding, at the
 * first file (a location code scanning can show), the rest counted and the first few named.
 */
export function unknownModelsWithoutRegistry(files: readonly Subject[], level: Level): Finding {
  const formats = [...new Set(files.map((f) => f.format))].sort().join(', ');
  const first = files[0]!.path;
  return {
    ruleId: 'CPM001',
    level,
    message: `The trusted registry records no model, so none of the repository's ${files.length} model files (${formats}) has a reviewed origin: ${listedWithMore(
      files.map((f) => f.path),
      3,
    )}.${pointersUninspected(files)} Record each model (\`chainproof registry add <file or folder> --name … --revision … --source …\`), or set models.unknownModel to off where origins are not tracked.`,
    location: { path: first },
    artifact: { kind: 'file', path: first },
    evidence: { expected: 'a trusted-registry entry', count: files.length, formats, first },
    // Every other file, as for any one-cause finding: reporters list them, and the count is then no part of its identity.
    related: files.slice(1, MAX_RELATED + 1).map((f) => ({ path: f.path })),
  };
}

export function digestMismatch(
  s: Subject,
  a: ModelArtifact,
  spec: RegistryFile,
  field: string,
  expected: string,
  actual: string,
  lfs: boolean,
  actualSize?: number,
): Finding {
  const what =
    field === 'size'
      ? `size ${actual} bytes, registry says ${expected}`
      : `${field} ${actual}, registry says ${expected}`;
  const msg = lfs
    ? `Git LFS pointer ${s.path} names an object that differs from ${entryName(a)} (${where(a)}): ${what}. \`git lfs pull\` would fetch unreviewed weights; restore the pointer or update the entry through review.`
    : `${s.path} does not match ${entryName(a)} (${where(a)}, file ${spec.path}): ${what}. The file was changed, truncated or swapped after review; restore it from ${a.source} or update the entry through review.`;
  return {
    ruleId: lfs ? 'CPM005' : 'CPM002',
    message: msg,
    location: { path: s.path },
    artifact: artifactOf(s),
    evidence: {
      expected,
      actual,
      field,
      entry: entryName(a),
      registry: where(a),
      ...(spec.size !== undefined ? { expectedSize: spec.size } : {}),
      ...(actualSize !== undefined ? { actualSize } : {}),
    },
  };
}

export function revokedModel(s: Subject, r: RevokedArtifact): Finding {
  return {
    ruleId: 'CPM003',
    message: `${s.path} is ${r.name !== undefined ? `${r.name}, ` : ''}an artifact the trusted registry revokes (${where(r)}): ${r.reason}. Delete it and use the replacement the security team names.`,
    location: { path: s.path },
    artifact: artifactOf(s),
    evidence: { expected: 'not revoked', actual: r.sha256, reason: r.reason, registry: where(r) },
  };
}

export function missingFile(a: ModelArtifact, spec: RegistryFile): Finding {
  return {
    ruleId: 'CPM004',
    message: `${entryName(a)} lists ${spec.path}, but no such file is in the repository. Add the file, or correct or remove the path in ${a.file}.`,
    location: { path: a.file, ...(a.line !== undefined ? { line: a.line } : {}) },
    artifact: { kind: 'model', path: spec.path, ...(spec.sha256 !== undefined ? { sha256: spec.sha256 } : {}) },
    evidence: { expected: spec.sha256 ?? spec.path, actual: 'missing', entry: entryName(a) },
  };
}

export function forbiddenFormat(s: Subject, why: 'forbidden' | 'not-allowed', rule: string): Finding {
  const reason = why === 'forbidden' ? `the policy forbids ${rule}` : `the policy allows only ${rule}`;
  return {
    ruleId: 'CPM006',
    message: `${s.path} is a ${s.format} model and ${reason}. Convert it to an allowed format and remove this file, or change the policy.`,
    location: { path: s.path },
    artifact: artifactOf(s),
    evidence: { expected: rule, actual: s.format, why },
  };
}

export function blobMismatch(s: Subject, algorithm: string, expected: string, actual: string): Finding {
  return {
    ruleId: 'CPM007',
    message: `Hugging Face cache blob ${s.path} is named for ${algorithm} ${expected} but its content hashes to ${actual}: it was altered after download. Delete this model's cache folder and download it again.`,
    location: { path: s.path },
    artifact: artifactOf(s),
    evidence: { expected, actual, algorithm },
  };
}

export function malformedPointer(s: Subject, reason: string): Finding {
  return {
    ruleId: 'CPM008',
    message: `${s.path} starts like a Git LFS pointer but is not a valid one (${reason}). Re-create it with git lfs or replace it with the real file.`,
    location: { path: s.path },
    artifact: artifactOf(s),
    evidence: { reason },
  };
}

/** Only the error code is shown: fs messages carry absolute paths of this machine. */
export function notHashed(s: Subject, code: string): Finding {
  return {
    ruleId: 'CPM009',
    message: `${s.path} could not be hashed (${code}), so it was not checked against the trusted registry. Make it readable and stable during the scan.`,
    location: { path: s.path },
    artifact: artifactOf(s),
    evidence: { code },
  };
}
