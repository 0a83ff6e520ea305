import { InputError } from '../../core/errors.js';
import { createHash } from 'node:crypto';
import type { Statement } from '../bundle/intoto.js';

/** One signed item: a whole file, or a shard `[start, end)` of it. Paths are relative to the model root. */
export interface ManifestItem {
  /** As written in the signature (`path` or `path:start:end`). */
  readonly name: string;
  readonly path: string;
  readonly start?: number;
  readonly end?: number;
  readonly algorithm: string;
  readonly digest: string;
}

/** An OpenSSF model signature's manifest (sigstore/model-transparency `model_signing`). */
export interface ModelManifest {
  readonly predicateType: string;
  readonly modelName: string;
  readonly method: 'files' | 'shards';
  /** Base hash (`sha256`, `blake3`), without any `-sharded-N` suffix. */
  readonly hashType: string;
  readonly shardSize?: number;
  readonly allowSymlinks: boolean;
  /** Paths the signer excluded (model_signing ≥ 1.1 records them), relative to the model root. */
  readonly ignorePaths: readonly string[];
  readonly items: readonly ManifestItem[];
  /** The model is a single file (resources named `.`), not a folder. */
  readonly singleFile: boolean;
}

export const PREDICATE_V1 = 'https://model_signing/signature/v1.0';
/** The only statement type model_signing reads (signing.py `_IN_TOTO_STATEMENT_TYPE`), for either predicate. */
const STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
export const PREDICATE_V01 = 'https://model_signing/Digests/v0.1';
const MAX_ITEMS = 1_000_000;
/**
 * The `hash_type`s model_signing verify can hash a model with again. verifying.py `_guess_hashing_config` hands
 * `hash_type` to hashing.py `Config._build_stream_hasher`, which knows `sha256`, `blake2` and (later releases)
 * `blake3` and raises "Unsupported hashing method" for any other. Its BLAKE2 hasher records itself as `blake2b`
 * (_hashing/memory.py `BLAKE2.digest_name`), a name that function refuses: a blake2b signature never verifies there.
 */
const MODEL_SIGNING_HASHES = ['sha256', 'blake3'];
const HEX = /^[0-9a-f]+$/;

/** A model_signing manifest that cannot be read; the signatures stage reports it as a finding. */
export class ManifestError extends InputError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INPUT_MANIFEST_INVALID', message, options);
    this.name = 'ManifestError';
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Read the manifest a verified statement carries; checks the root digest over the listed resources (v1.0). */
export function toModelManifest(statement: Statement): ModelManifest {
  // signing.py `Verifier.verify` refuses any other `_type` before it reads the predicate ("Expected in-toto …").
  if (statement.type !== STATEMENT_V1)
    throw new ManifestError(
      `statement _type ${statement.type} is not ${STATEMENT_V1}, the only one model_signing reads`,
    );
  if (statement.predicateType === PREDICATE_V01) return fromCompat(statement);
  if (statement.predicateType !== PREDICATE_V1)
    throw new ManifestError(`predicate type ${statement.predicateType} is not a model signature (${PREDICATE_V1})`);
  if (statement.subjects.length !== 1) throw new ManifestError('a model signature has exactly one subject');
  const subject = statement.subjects[0]!;
  const rootDigest = subject.digest['sha256'];
  if (rootDigest === undefined) throw new ManifestError('the subject has no sha256 root digest');
  const predicate = statement.predicate;
  if (!isObject(predicate) || !isObject(predicate['serialization']) || !Array.isArray(predicate['resources']))
    throw new ManifestError('the predicate lacks serialization or resources');
  const ser = predicate['serialization'];
  const method = ser['method'];
  if (method !== 'files' && method !== 'shards')
    throw new ManifestError(`unknown serialization method ${JSON.stringify(method)}`);
  const rawHash = ser['hash_type'];
  if (typeof rawHash !== 'string') throw new ManifestError('serialization.hash_type is missing');
  const hashType = baseHash(rawHash);
  // A manifest in any other hash never verifies with model_signing (MODEL_SIGNING_HASHES).
  if (!MODEL_SIGNING_HASHES.includes(hashType))
    throw new ManifestError(
      `serialization.hash_type ${JSON.stringify(rawHash)} is not a hash model_signing verify can hash the model with (${MODEL_SIGNING_HASHES.join(', ')}; hashing.py _build_stream_hasher raises "Unsupported hashing method"), so it refuses the signature`,
    );
  let shardSize: number | undefined;
  if (method === 'shards') {
    shardSize = ser['shard_size'] as number;
    if (!Number.isSafeInteger(shardSize) || shardSize <= 0)
      throw new ManifestError('serialization.shard_size must be a positive integer');
  }
  // `_guess_hashing_config` reads `args["allow_symlinks"]` (a KeyError without it) and the serializer tests it as
  // Python does (serialization.py `check_file_or_directory`: `if not allow_symlinks`).
  if (!('allow_symlinks' in ser)) throw new ManifestError('serialization.allow_symlinks is missing');
  const ignore = ser['ignore_paths'];
  const ignorePaths = Array.isArray(ignore)
    ? ignore.filter((p): p is string => typeof p === 'string').map(normalizePath)
    : [];
  const resources = predicate['resources'] as unknown[];
  if (resources.length > MAX_ITEMS) throw new ManifestError(`more than ${MAX_ITEMS} resources`);
  const root = createHash('sha256');
  const items = resources.map((r, i): ManifestItem => {
    if (
      !isObject(r) ||
      typeof r['name'] !== 'string' ||
      typeof r['algorithm'] !== 'string' ||
      typeof r['digest'] !== 'string'
    )
      throw new ManifestError(`resources[${i}] needs name, algorithm and digest`);
    // model_signing hashes every file with hash_type and compares `Digest(algorithm, value)` pairs (manifest.py
    // `Manifest.__eq__`): an item recorded under another algorithm never equals what it computes.
    if (baseHash(r['algorithm']) !== hashType)
      throw new ManifestError(
        `resources[${i}] is recorded as ${r['algorithm']}, but the manifest hashes every file with ${rawHash}: model_signing verify never matches it`,
      );
    const digest = r['digest'].toLowerCase();
    if (!HEX.test(digest) || digest.length % 2 !== 0) throw new ManifestError(`resources[${i}].digest is not hex`);
    root.update(Buffer.from(digest, 'hex'));
    return { ...parseName(r['name'], method, shardSize, i), algorithm: r['algorithm'], digest };
  });
  if (root.digest('hex') !== rootDigest.toLowerCase())
    throw new ManifestError(
      `the root digest ${rootDigest} does not match the listed resources: the manifest was altered`,
    );
  return finish({
    predicateType: statement.predicateType,
    modelName: subject.name,
    method,
    hashType,
    ...(shardSize !== undefined ? { shardSize } : {}),
    allowSymlinks: pythonTruthy(ser['allow_symlinks']),
    ignorePaths,
    items,
  });
}

/**
 * What a model_signing v1.0 statement names, read leniently for routing (which folder to compare): the subject's name
 * and each resource's path (a shard's without its range). Nothing is validated beyond the shape: a signature whose
 * hashes `toModelManifest` refuses still names its model, and its failure must land on that model, not on the folder
 * around it. Undefined when the statement names no such model (another predicate, no resources).
 */
export function subjectOf(statement: Statement): { name: string; paths: string[] } | undefined {
  const predicate = statement.predicate;
  const subject = statement.subjects[0];
  if (statement.predicateType !== PREDICATE_V1 || subject === undefined || !isObject(predicate)) return undefined;
  const resources = predicate['resources'];
  if (!Array.isArray(resources)) return undefined;
  const paths = resources
    .slice(0, MAX_ITEMS)
    .map((r) =>
      isObject(r) && typeof r['name'] === 'string' ? normalizePath(r['name'].replace(/:\d+:\d+$/, '')) : '.',
    )
    .filter((p) => p !== '.' && !p.startsWith('/') && !p.split('/').includes('..'));
  return { name: subject.name, paths: [...new Set(paths)] };
}

/** Python's truth value of a JSON value: false, null, 0, "" and empty lists and objects are false, all else true. */
function pythonTruthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return v !== false && v !== null && v !== 0 && v !== '';
}

/**
 * model_signing v0.2: one subject per file, sha256, no serialization record. signing.py
 * `dsse_payload_to_manifest_compat` makes one up, `{"method": "files", "hash_type": "sha256", "allow_symlinks":
 * "false"}`, and the string "false" is true to Python: symbolic links are allowed when such a signature is verified.
 */
function fromCompat(statement: Statement): ModelManifest {
  const items = statement.subjects.map((s, i): ManifestItem => {
    const digest = s.digest['sha256'];
    if (digest === undefined || !HEX.test(digest)) throw new ManifestError(`subject[${i}] has no sha256 digest`);
    return { ...parseName(s.name, 'files', undefined, i), algorithm: 'sha256', digest };
  });
  return finish({
    predicateType: PREDICATE_V01,
    modelName: '',
    method: 'files',
    hashType: 'sha256',
    allowSymlinks: true,
    ignorePaths: [],
    items,
  });
}

function finish(m: Omit<ModelManifest, 'singleFile'>): ModelManifest {
  // model_signing keys its manifest by path (and shard range) as PurePosixPath reads the name, and a later item
  // replaces an earlier one (manifest.py `Manifest.__init__`): `a` and `./a` are one item there. Checking either
  // one here would disagree with it, so the signature is refused as malformed.
  const keys = new Map<string, string>();
  for (const it of m.items) {
    const key = `${it.path}\0${it.start ?? ''}\0${it.end ?? ''}`;
    const earlier = keys.get(key);
    if (earlier !== undefined)
      throw new ManifestError(
        earlier === it.name
          ? `resource ${it.name} is listed twice`
          : `resources ${JSON.stringify(earlier)} and ${JSON.stringify(it.name)} name the same file`,
      );
    keys.set(key, it.name);
  }
  const singleFile = m.items.length > 0 && m.items.every((it) => it.path === '.');
  if (!singleFile && m.items.some((it) => it.path === '.'))
    throw new ManifestError('resource "." mixed with file resources');
  return Object.freeze({ ...m, singleFile });
}

function parseName(
  name: string,
  method: 'files' | 'shards',
  shardSize: number | undefined,
  i: number,
): Pick<ManifestItem, 'name' | 'path' | 'start' | 'end'> {
  if (method === 'files') return { name, path: safePath(name, i) };
  // manifest.py `_ShardSerialization.new_item` splits the name at every `:` and wants three parts: a shard of a file
  // whose path holds a `:` cannot be read back, and model_signing refuses the whole signature.
  const m = /^([^:]*):(\d+):(\d+)$/.exec(name);
  if (!m) throw new ManifestError(`resources[${i}].name ${JSON.stringify(name)} is not path:start:end`);
  const start = Number(m[2]);
  const end = Number(m[3]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start >= end || end - start > (shardSize ?? 0))
    throw new ManifestError(`resources[${i}] has an impossible shard ${start}:${end}`);
  return { name, path: safePath(m[1]!, i), start, end };
}

/** Signed names are relative POSIX paths inside the model; anything else is refused before touching the disk. */
function safePath(p: string, i: number): string {
  const norm = normalizePath(p);
  if (norm.startsWith('/') || norm.split('/').includes('..') || norm.includes('\0'))
    throw new ManifestError(`resources[${i}] names a path outside the model: ${JSON.stringify(p)}`);
  return norm;
}

/**
 * A name as model_signing reads it, `pathlib.PurePosixPath(name)` (manifest.py `_FileSerialization.new_item`):
 * empty and `.` segments are dropped, so `./a`, `a//b`, `a/./b` and `a/` name `a`, `a/b`, `a/b` and `a`; `..` stays.
 */
function normalizePath(p: string): string {
  const rest = p
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
  return p.startsWith('/') ? `/${rest}` : rest || '.';
}

/** `sha256-sharded-1000000` → `sha256`. */
export function baseHash(name: string): string {
  return name.replace(/-sharded-\d+$/, '');
}
