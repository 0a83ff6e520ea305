import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../../core/errors.js';
import type {
  MaliciousPackage,
  ModelArtifact,
  PinnedPackage,
  RevokedArtifact,
  TrustedRegistry,
} from '../../core/trusted-registry.js';
import { EMPTY_REGISTRY } from '../../core/trusted-registry.js';
import { osvToMalicious, type OsvRecord } from './osv.js';
import {
  formatPath,
  MAX_REGISTRY_FILE_BYTES,
  parseRegistrySource,
  type JsonPath,
  type RegistrySource,
} from './source.js';
import { validateRegistryValue } from './validate.js';

export const REGISTRY_DIR = 'trusted-registry';
const SCHEMA_FILE = 'schema.json';
/** At most this many registry files (a folder of OSV records can be large, not unbounded). */
const MAX_FILES = 50_000;
/** Problems listed in one error message. */
const MAX_PROBLEMS = 20;

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
  };
  checkDuplicates(merged);
  return deepFreeze(merged);
}

async function listRegistryFiles(absRoot: string): Promise<string[]> {
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

/** Load and validate one file; `file` is relative to `absRoot` or absolute. */
export async function loadRegistryFile(absRoot: string, file: string): Promise<TrustedRegistry> {
  const abs = path.resolve(absRoot, file);
  const rel = toDisplayPath(absRoot, abs);
  const st = await stat(abs).catch((err: unknown) => {
    throw new ConfigError(
      `${rel}: cannot read the trusted registry file (${(err as { code?: string }).code ?? String(err)})`,
      rel,
      { cause: err },
    );
  });
  if (!st.isFile()) throw new ConfigError(`${rel}: not a file`, rel);
  if (st.size > MAX_REGISTRY_FILE_BYTES)
    throw new ConfigError(`${rel}: ${st.size} bytes; a registry file must be under ${MAX_REGISTRY_FILE_BYTES}`, rel);
  return parseRegistryText(await readFile(abs, 'utf8'), rel);
}

/** Parse and validate registry text (pure: tests and `registry check` use it without a disk). */
export function parseRegistryText(text: string, rel: string): TrustedRegistry {
  const parsed = parseRegistrySource(text);
  if (!parsed.ok) throw new ConfigError(`${rel}:${parsed.line}: ${parsed.message}`, rel);
  const src = parsed.source;
  const value = src.value;
  const isOsv =
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    'affected' in value &&
    !('version' in value);
  const problems = validateRegistryValue(value, isOsv ? 'osv' : 'document');
  if (problems.length > 0) fail(rel, src, problems);
  if (isOsv) {
    const conv = osvToMalicious(value as OsvRecord, rel, []);
    if (!conv.ok) fail(rel, src, [conv]);
    return { ...EMPTY_REGISTRY, files: [rel], malicious: conv.packages };
  }
  const doc = value as RegistryDocument;
  const malicious: MaliciousPackage[] = [];
  for (const [i, rec] of (doc.malicious ?? []).entries()) {
    const conv = osvToMalicious(rec, rel, ['malicious', i]);
    if (!conv.ok) fail(rel, src, [conv]);
    malicious.push(...conv.packages);
  }
  return {
    files: [rel],
    models: (doc.models ?? []).map((m, i) => ({
      name: m.name,
      revision: m.revision,
      source: m.source,
      ...(m.license !== undefined ? { license: m.license } : {}),
      ...(m.signer !== undefined ? { signer: m.signer } : {}),
      ...(m.sourceCommit !== undefined ? { sourceCommit: m.sourceCommit } : {}),
      files: m.files.map((f) => ({ ...f })),
      file: rel,
      line: src.lineOf(['models', i]),
    })),
    revoked: (doc.revoked ?? []).map((r, i) => ({
      ...(r.name !== undefined ? { name: r.name } : {}),
      sha256: r.sha256,
      reason: r.reason,
      file: rel,
      line: src.lineOf(['revoked', i]),
    })),
    packages: (doc.packages ?? []).map((p) => ({
      name: p.name,
      version: p.version,
      integrity: p.integrity,
      file: rel,
    })),
    malicious,
  };
}

/** The document after schema validation. */
interface RegistryDocument {
  readonly models?: readonly (Omit<ModelArtifact, 'file' | 'line'> & { files: ModelArtifact['files'] })[];
  readonly revoked?: readonly Omit<RevokedArtifact, 'file' | 'line'>[];
  readonly packages?: readonly Omit<PinnedPackage, 'file'>[];
  readonly malicious?: readonly OsvRecord[];
}

function fail(rel: string, src: RegistrySource, problems: readonly { path: JsonPath; message: string }[]): never {
  const lines = problems
    .slice(0, MAX_PROBLEMS)
    .map((p) => `${rel}:${src.lineOf(p.path)}: ${formatPath(p.path)}: ${p.message}`);
  if (problems.length > MAX_PROBLEMS) lines.push(`… and ${problems.length - MAX_PROBLEMS} more`);
  throw new ConfigError(lines.join('\n'), rel);
}

/** The same artifact (name@revision) written twice, possibly with different hashes, is ambiguous: refuse it. */
function checkDuplicates(reg: TrustedRegistry): void {
  const seen = new Map<string, ModelArtifact>();
  for (const m of reg.models) {
    const key = `${m.name}@${m.revision}`;
    const prev = seen.get(key);
    if (prev)
      throw new ConfigError(
        `${m.file}:${m.line ?? 1}: models: ${key} is already defined at ${prev.file}:${prev.line ?? 1}; merge the two entries`,
        m.file,
      );
    seen.set(key, m);
  }
}

function toDisplayPath(absRoot: string, abs: string): string {
  const rel = path.relative(absRoot, abs);
  return rel.startsWith('..') || path.isAbsolute(rel) ? abs.split(path.sep).join('/') : rel.split(path.sep).join('/');
}

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}
