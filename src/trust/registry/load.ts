import path from 'node:path';
import { redactUserinfo } from '../../core/redact-userinfo.js';
import { ConfigError } from '../../core/errors.js';
import type {
  MaliciousPackage,
  PypiMaliciousPackage,
  ModelArtifact,
  TrustedRegistry,
} from '../../core/trusted-registry.js';
import { EMPTY_REGISTRY } from '../../core/trusted-registry.js';
import { registryEntryKey } from '../../core/records.js';
import { listRegistryFiles } from './files.js';
import { osvToMalicious } from './osv.js';
import { readBoundedText } from '../config/read.js';
import type { ProblemCode } from '../config/problems.js';
import { MAX_REGISTRY_FILE_BYTES, parseRegistrySource, type JsonPath, type SourceDocument } from './source.js';
import { osvToPypiMalicious } from './osv-pypi.js';
import { checkRegistryValue } from './validate.js';
import { pushAll } from '../../core/push-all.js';
import { isDownloadPath } from './lookup.js';
import { RegistryError } from './error.js';
import type { RegistryDocument } from './document-type.js';
import { leavesBase } from '../../core/relative-path.js';

export { REGISTRY_DIR } from './files.js';
export { RegistryError };

/**
 * Load the trusted registry once, before scanning. With no `files`, every `*.yml|*.yaml|*.json` under
 * `<root>/trusted-registry/` (recursively, so OSV folders such as ossf/malicious-packages can be dropped in) except
 * the schema. Any problem throws one ConfigError naming the file, line and field: a half-read registry never scans.
 */
export async function loadTrustedRegistry(root: string, files?: string[]): Promise<TrustedRegistry> {
  const absRoot = path.resolve(root);
  const list = files ?? (await listRegistryFiles(absRoot));
  if (list.length === 0) return EMPTY_REGISTRY;
  const parts: TrustedRegistry[] = [];
  for (const f of [...list].sort()) parts.push(await loadRegistryFile(absRoot, f));
  const merged: TrustedRegistry = {
    files: parts.flatMap((p) => p.files),
    models: parts.flatMap((p) => p.models),
    revoked: parts.flatMap((p) => p.revoked),
    packages: parts.flatMap((p) => p.packages),
    malicious: parts.flatMap((p) => p.malicious),
    pypiMalicious: parts.flatMap((p) => p.pypiMalicious ?? []),
  };
  checkDuplicates(merged);
  return deepFreeze(merged);
}

/** Load and validate one file; `file` is relative to `absRoot` or absolute. */
export async function loadRegistryFile(absRoot: string, file: string): Promise<TrustedRegistry> {
  // `-r https://…`: a package registry's URL where the trusted registry's file was meant (path.resolve would make it
  // a path and lose a slash of it).
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(file))
    throw new ConfigError(
      `--registry takes a trusted-registry file, not a URL (${redactUserinfo(file, { emptyToo: true, lastAt: true })}); an npm registry to verify packages against is --npm-registry`,
      '--registry',
      { code: 'CONFIG_FILE_UNREADABLE' },
    );
  const abs = path.resolve(absRoot, file);
  const rel = toDisplayPath(absRoot, abs);
  const read = await readBoundedText(abs, MAX_REGISTRY_FILE_BYTES, rel);
  if (!read.ok)
    throw new ConfigError(`cannot load the trusted registry: ${read.error}`, rel, { code: 'CONFIG_FILE_UNREADABLE' });
  return parseRegistryText(read.text, rel);
}

type RegistryModel = NonNullable<RegistryDocument['models']>[number];
type Problem = { code: ProblemCode; path: JsonPath; message: string };

/**
 * Fields of a model entry the scan could never check, refused rather than silently passed. Signatures are required
 * of the entry's files by path, so an entry listing no file of the repository (a hub repository, a download the
 * code fetches at run time) cannot have its `signer` checked. Provenance is required of a model file the entry
 * matched (by path or digest: verify/provenance/judge.ts `registryCommitFor`), so a hub reference, which lists no
 * file at all, cannot have its `sourceCommit` checked; and `sourceRepository` is held to only together with the
 * commit it names: alone it would require nothing.
 */
function unenforceableFields(m: RegistryModel, i: number): Problem[] {
  const files = m.files ?? [];
  const inTree = files.some((f) => !isDownloadPath(f.path));
  const refuse = (field: string, message: string): Problem => ({
    code: 'bad-value',
    path: ['models', i, field],
    message,
  });
  return [
    ...(m.signer !== undefined && !inTree
      ? [
          refuse(
            'signer',
            'cannot be checked: the entry lists no file of the repository (a hub repository or a download the code fetches at run time), and chainproof verifies the signatures of files in the scanned tree; list the files, or remove signer',
          ),
        ]
      : []),
    ...(m.sourceCommit !== undefined && files.length === 0
      ? [
          refuse(
            'sourceCommit',
            'cannot be checked: the entry lists no file (a hub repository the code downloads at run time), and chainproof verifies the provenance attestations of model files it finds; list the files, or remove sourceCommit',
          ),
        ]
      : []),
    ...(m.sourceRepository !== undefined && m.sourceCommit === undefined
      ? [
          refuse(
            'sourceRepository',
            'cannot be checked alone: it names the repository sourceCommit is in, and without sourceCommit the scan requires no provenance at all; add sourceCommit (chainproof registry add records both from verified provenance), or remove sourceRepository',
          ),
        ]
      : []),
  ];
}

/** Parse and validate registry text (pure: tests and `registry check` use it without a disk). */
export function parseRegistryText(text: string, rel: string): TrustedRegistry {
  const parsed = parseRegistrySource(text);
  if (!parsed.ok) throw new RegistryError(rel, parsed.problems);
  const src = parsed.doc;
  const value = src.value;
  const isOsv =
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    'affected' in value &&
    !('version' in value);
  const checked = checkRegistryValue(value, isOsv ? 'osv' : 'document');
  if (!checked.ok) fail(rel, src, checked.problems);
  if (checked.kind === 'osv') {
    const conv = osvToMalicious(checked.record, rel, []);
    if (!conv.ok) fail(rel, src, [{ ...conv, code: 'bad-value' }]);
    const py = osvToPypiMalicious(checked.record, rel, []);
    if (!py.ok) fail(rel, src, [{ ...py, code: 'bad-value' }]);
    return { ...EMPTY_REGISTRY, files: [rel], malicious: conv.packages, pypiMalicious: py.packages };
  }
  const doc = checked.doc;
  const unenforceable = (doc.models ?? []).flatMap((m, i) => unenforceableFields(m, i));
  if (unenforceable.length > 0) fail(rel, src, unenforceable);
  const malicious: MaliciousPackage[] = [];
  const pypiMalicious: PypiMaliciousPackage[] = [];
  for (const [i, rec] of (doc.malicious ?? []).entries()) {
    const conv = osvToMalicious(rec, rel, ['malicious', i]);
    if (!conv.ok) fail(rel, src, [{ ...conv, code: 'bad-value' }]);
    pushAll(malicious, conv.packages);
    const py = osvToPypiMalicious(rec, rel, ['malicious', i]);
    if (!py.ok) fail(rel, src, [{ ...py, code: 'bad-value' }]);
    pushAll(pypiMalicious, py.packages);
  }
  return {
    files: [rel],
    models: (doc.models ?? []).map((m, i) => ({
      name: m.name,
      revision: m.revision,
      source: m.source,
      ...(m.license !== undefined ? { license: m.license } : {}),
      ...(m.signer !== undefined ? { signer: m.signer, signerAt: src.locate(['models', i, 'signer']) } : {}),
      ...(m.sourceCommit !== undefined ? { sourceCommit: m.sourceCommit } : {}),
      ...(m.sourceRepository !== undefined ? { sourceRepository: m.sourceRepository } : {}),
      files: (m.files ?? []).map((f) => ({ ...f })),
      file: rel,
      line: src.locate(['models', i]).line,
    })),
    revoked: (doc.revoked ?? []).map((r, i) => ({
      ...(r.name !== undefined ? { name: r.name } : {}),
      sha256: r.sha256,
      reason: r.reason,
      file: rel,
      line: src.locate(['revoked', i]).line,
    })),
    packages: (doc.packages ?? []).map((p) => ({
      name: p.name,
      version: p.version,
      integrity: p.integrity,
      file: rel,
    })),
    malicious,
    pypiMalicious,
  };
}

function fail(rel: string, src: SourceDocument, problems: readonly Problem[]): never {
  throw new RegistryError(
    rel,
    problems.map((p) => ({ ...p, ...src.locate(p.path) })),
  );
}

/**
 * The same artifact (name@revision, `registryEntryKey`: a ModelScope repository's apart) written twice, possibly
 * with different hashes, or one path of an entry listed with two digests, is ambiguous: refuse it. (A digest both
 * trusted and revoked is not: the revocation wins, wherever it is written — models stage, CPM003.)
 */
function checkDuplicates(reg: TrustedRegistry): void {
  const seen = new Map<string, ModelArtifact>();
  for (const m of reg.models) {
    const key = registryEntryKey(m);
    const prev = seen.get(key);
    if (prev)
      throw new RegistryError(m.file, [
        {
          code: 'duplicate',
          path: ['models'],
          line: m.line ?? 1,
          col: 1,
          message: `${key} is already defined at ${prev.file}:${prev.line ?? 1}; merge the two entries`,
        },
      ]);
    seen.set(key, m);
    // One entry listing one path twice with other digests: which one was reviewed? (The scan would take either.) A
    // glob may stand for several files, each with its digest.
    const digests = new Map<string, string>();
    for (const f of m.files) {
      const digest = f.sha256 ?? f.sha512;
      if (digest === undefined || f.path.includes('*')) continue;
      const before = digests.get(f.path);
      if (before !== undefined && before !== digest)
        throw new RegistryError(m.file, [
          {
            code: 'conflict',
            path: ['models'],
            line: m.line ?? 1,
            col: 1,
            message: `${key} lists ${f.path} twice with different digests; keep the one that was reviewed`,
          },
        ]);
      digests.set(f.path, digest);
    }
  }
}

function toDisplayPath(absRoot: string, abs: string): string {
  const rel = path.relative(absRoot, abs);
  return leavesBase(rel) ? abs.split(path.sep).join('/') : rel.split(path.sep).join('/');
}

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}
