import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isSeq, parseDocument, YAMLSeq, type Document } from 'yaml';
import { ConfigError } from '../../core/errors.js';
import { parseRegistryText } from './load.js';

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
  readonly files: readonly HashedFile[];
}

const HEADER = `# chainproof trusted registry: known-good model artifacts, reviewed like code.
# Format: trusted-registry/schema.json. Add entries with \`chainproof registry add\`.
`;

/**
 * Append or replace (same name and revision) a model entry in a registry file, keeping the file's comments and
 * layout. The result is validated before it is written, and written atomically.
 */
export async function upsertModelEntry(
  absFile: string,
  displayPath: string,
  entry: NewEntry,
): Promise<'added' | 'updated'> {
  const text = await readFile(absFile, 'utf8').catch((err: unknown) => {
    if ((err as { code?: string }).code === 'ENOENT') return `${HEADER}version: 1\nmodels: []\n`;
    throw new ConfigError(
      `${displayPath}: cannot read (${(err as { code?: string }).code ?? String(err)})`,
      displayPath,
    );
  });
  parseRegistryText(text, displayPath); // refuse to edit a file that is already invalid
  const doc = parseDocument(text, { version: '1.2' });
  const result = upsert(doc, entry);
  const out = doc.toString({ lineWidth: 0 });
  parseRegistryText(out, displayPath);
  await mkdir(path.dirname(absFile), { recursive: true });
  const tmp = `${absFile}.${process.pid}.tmp`;
  await writeFile(tmp, out);
  await rename(tmp, absFile);
  return result;
}

function upsert(doc: Document, entry: NewEntry): 'added' | 'updated' {
  if (!isMap(doc.contents)) throw new ConfigError('registry file is not a mapping');
  let models = doc.get('models');
  if (!isSeq(models)) {
    models = new YAMLSeq();
    doc.set('models', models);
  }
  const seq = models as YAMLSeq;
  seq.flow = false;
  const value = {
    name: entry.name,
    revision: entry.revision,
    source: entry.source,
    ...(entry.license !== undefined ? { license: entry.license } : {}),
    ...(entry.signer !== undefined ? { signer: entry.signer } : {}),
    files: entry.files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256 })),
  };
  const node = doc.createNode(value);
  const i = seq.items.findIndex(
    (it) => isMap(it) && it.get('name') === entry.name && String(it.get('revision')) === entry.revision,
  );
  if (i >= 0) {
    seq.items[i] = node;
    return 'updated';
  }
  seq.items.push(node);
  return 'added';
}
