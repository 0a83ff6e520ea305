import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isScalar, isSeq, YAMLSeq, type Document } from 'yaml';
import { ConfigError } from '../../core/errors.js';
import { registryEntryKey } from '../../core/records.js';
import { parseRegistryText } from './load.js';
import { parseShallowYaml } from '../../core/yaml-depth.js';

export interface HashedFile {
  /** Repo-relative POSIX path. */
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

export interface NewEntry {
  readonly name: string;
  readonly revision: string;
  readonly source: string;
  readonly license?: string;
  readonly signer?: string;
  /** From the files' verified provenance (verify/provenance/entry.ts), never typed: both or neither. */
  readonly built?: { readonly repository: string; readonly commit: string };
  readonly files: readonly HashedFile[];
}

const HEADER = `# chainproof trusted registry: known-good model artifacts, reviewed like code.
# Format: trusted-registry/schema.json. Add entries with \`chainproof registry add\`.
`;

/**
 * Append, or update in place (same name and revision: `upsert`), a model entry in a registry file, keeping the
 * file's comments and layout. The result is validated before it is written, and written atomically.
 */
export async function upsertModelEntry(absFile: string, displayPath: string, entry: NewEntry): Promise<Upserted> {
  return editRegistryFile(absFile, displayPath, (doc) => ({ value: upsert(doc, entry), changed: true }));
}

/**
 * A hub repository reviewed at a commit: an entry with no files (the code downloads it at run time); or a download
 * pinned by digest, whose one file is its URL with that sha256.
 */
export interface NewHubEntry {
  readonly name: string;
  readonly revision: string;
  readonly source: string;
  readonly license?: string;
  readonly download?: { readonly url: string; readonly sha256: string };
}

/**
 * Append hub-reference entries, sorted by name then revision, to a registry file, keeping its comments and layout.
 * An entry already there (same name and revision, `registryEntryKey`) is left as it is — it may list files a reference entry must not
 * drop. Returns what was added and what was already present.
 */
export async function addHubEntries(
  absFile: string,
  displayPath: string,
  entries: readonly NewHubEntry[],
): Promise<{ added: NewHubEntry[]; present: NewHubEntry[] }> {
  const sorted = [...entries].sort((a, b) => cmp(a.name, b.name) || cmp(a.revision, b.revision));
  return editRegistryFile(absFile, displayPath, (doc) => {
    const seq = modelsOf(doc);
    const added: NewHubEntry[] = [];
    const present: NewHubEntry[] = [];
    for (const e of sorted) {
      if (indexOf(seq, e) >= 0) {
        present.push(e);
        continue;
      }
      seq.items.push(
        doc.createNode({
          name: e.name,
          revision: e.revision,
          source: e.source,
          ...(e.license !== undefined ? { license: e.license } : {}),
          ...(e.download !== undefined ? { files: [{ path: e.download.url, sha256: e.download.sha256 }] } : {}),
        }),
      );
      added.push(e);
    }
    return { value: { added, present }, changed: added.length > 0 };
  });
}

/**
 * Read, edit through the YAML Document API (comments kept), validate before and after, write atomically — or not at
 * all when the edit changed nothing.
 */
async function editRegistryFile<T>(
  absFile: string,
  displayPath: string,
  edit: (doc: Document) => { value: T; changed: boolean },
): Promise<T> {
  const text = await readFile(absFile, 'utf8').catch((err: unknown) => {
    if ((err as { code?: string }).code === 'ENOENT') return `${HEADER}version: 1\nmodels: []\n`;
    throw new ConfigError(
      `${displayPath}: cannot read (${(err as { code?: string }).code ?? String(err)})`,
      displayPath,
    );
  });
  parseRegistryText(text, displayPath); // refuse to edit a file that is already invalid
  const doc = parseShallowYaml(text, { version: '1.2' });
  const { value, changed } = edit(doc);
  if (!changed) return value;
  const out = doc.toString({ lineWidth: 0 });
  parseRegistryText(out, displayPath);
  await mkdir(path.dirname(absFile), { recursive: true });
  const tmp = `${absFile}.${process.pid}.tmp`;
  await writeFile(tmp, out);
  await rename(tmp, absFile);
  return value;
}

function modelsOf(doc: Document): YAMLSeq {
  if (!isMap(doc.contents)) throw new ConfigError('registry file is not a mapping');
  let models = doc.get('models');
  if (!isSeq(models)) {
    models = new YAMLSeq();
    doc.set('models', models);
  }
  const seq = models as YAMLSeq;
  seq.flow = false;
  return seq;
}

/** The entry of `seq` with the identity of `e` (core/records.ts `registryEntryKey`), or -1. */
function indexOf(
  seq: YAMLSeq,
  e: { readonly name: string; readonly revision: string; readonly source: string },
): number {
  const key = registryEntryKey(e);
  return seq.items.findIndex((it) => {
    if (!isMap(it)) return false;
    const source = it.get('source');
    return (
      registryEntryKey({
        name: String(it.get('name')),
        revision: String(it.get('revision')),
        ...(typeof source === 'string' ? { source } : {}),
      }) === key
    );
  });
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * What re-adding an entry leaves as it was: fields the command does not compute (a hand-typed `description`, any key
 * a later format adds), `license` and `signer` when not given again, and `sourceRepository` / `sourceCommit` when the
 * files' provenance did not verify this time. Dropping those would loosen the entry without anyone asking: a signer
 * or source commit the scan requires would quietly stop being required.
 */
export interface Upserted {
  readonly what: 'added' | 'updated';
  /** The entry's fields kept from before, sorted (none for an added entry). */
  readonly kept: readonly string[];
}

function upsert(doc: Document, entry: NewEntry): Upserted {
  const seq = modelsOf(doc);
  const value = {
    name: entry.name,
    revision: entry.revision,
    source: entry.source,
    ...(entry.license !== undefined ? { license: entry.license } : {}),
    ...(entry.signer !== undefined ? { signer: entry.signer } : {}),
    ...(entry.built !== undefined
      ? { sourceRepository: entry.built.repository, sourceCommit: entry.built.commit }
      : {}),
    files: entry.files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256 })),
  };
  const i = indexOf(seq, entry);
  const before = i >= 0 ? seq.items[i] : undefined;
  if (!isMap(before)) {
    seq.items.push(doc.createNode(value));
    return { what: 'added', kept: [] };
  }
  // In place, key by key: the entry's comments and its other keys stay where they were.
  const kept = before.items.flatMap((pair) => {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    return key in value ? [] : [key];
  });
  for (const [key, v] of Object.entries(value)) before.set(key, doc.createNode(v));
  return { what: 'updated', kept: kept.sort() };
}
