import type { FormatDescriptor, FormatKind } from './entries.js';
import { ENTRIES } from './entries.js';
import type { Sniff, SniffInput } from './sniffers.js';

export type { FormatDescriptor, FormatKind, FormatNames } from './entries.js';
export type { SniffInput } from './sniffers.js';

/** Every format id chainproof knows; derived from the catalogue, never listed elsewhere. */
export type FileFormat = (typeof ENTRIES)[number]['id'];

export interface CatalogueEntry extends FormatDescriptor {
  readonly id: FileFormat;
  readonly compatible?: readonly FileFormat[];
}

export const CATALOGUE: readonly CatalogueEntry[] = ENTRIES;
export const FORMAT_IDS: readonly FileFormat[] = CATALOGUE.map((e) => e.id);

const BY_ID = new Map<string, CatalogueEntry>(CATALOGUE.map((e) => [e.id, e]));

export function isFileFormat(id: string): id is FileFormat {
  return BY_ID.has(id);
}

export function entryOf(format: FileFormat): CatalogueEntry {
  return BY_ID.get(format)!;
}

const idsWhere = (keep: (e: CatalogueEntry) => boolean): ReadonlySet<FileFormat> =>
  new Set(CATALOGUE.filter(keep).map((e) => e.id));

export const formatsOfKind = (kind: FormatKind): ReadonlySet<FileFormat> => idsWhere((e) => e.kind === kind);

/** Model weights and their data files (not manifests, signatures or containers). */
export const MODEL_FORMATS: ReadonlySet<FileFormat> = formatsOfKind('model');
/** npm-ecosystem lockfiles (the deps and registry stages); Python's are `PYTHON_LOCKFILE_FORMATS`. */
export const LOCKFILE_FORMATS: ReadonlySet<FileFormat> = idsWhere(
  (e) => e.kind === 'lockfile' && e.ecosystem === undefined,
);
export const PYTHON_LOCKFILE_FORMATS: ReadonlySet<FileFormat> = idsWhere(
  (e) => e.kind === 'lockfile' && e.ecosystem === 'pypi',
);
/** Formats with no magic bytes, trusted from the name when no content test matched. */
export const NAME_ONLY_FORMATS: ReadonlySet<FileFormat> = idsWhere((e) => e.nameOnly === true);

/** Formats whose loader finds a zip's end record in the tail, behind any leading bytes (`zipFromTail`). */
export const ZIP_FROM_TAIL: ReadonlySet<FileFormat> = idsWhere((e) => e.zipFromTail === true);

/** The names a policy may use for a format: itself plus its groups (`pickle`, `pytorch`, `tensorflow`…). */
export function familiesOfFormat(format: FileFormat): readonly string[] {
  return entryOf(format).families ?? [format];
}

/** Formats whose files are pickles, or containers that may hold pickles: what the pickle analyser reads. */
export const PICKLE_FORMATS: readonly FileFormat[] = formatsReadBy('pickle');

/** Formats whose loader unpickles the file itself (pickle.load, torch.load, joblib.load). */
export const PICKLE_CLAIMS: ReadonlySet<FileFormat> = idsWhere(
  (e) => e.kind === 'model' && (e.families ?? [e.id]).includes('pickle'),
);

/** Compressed streams joblib.load decompresses by their magic (`_detect_compressor`): the containers joblib reads. */
export const JOBLIB_STREAMS: ReadonlySet<FileFormat> = idsWhere(
  (e) => e.kind === 'container' && (e.compatible ?? []).includes('joblib'),
);

/** Whether a name alone promises a file its loader unpickles (`model.pkl`, `clf.joblib`): `model.pkl` inside `.gz`. */
export function namePromisesPickle(name: string): boolean {
  const format = formatFromName(name);
  return format !== undefined && PICKLE_CLAIMS.has(format);
}

/** Every name `models.allowedFormats`/`forbiddenFormats` accepts: the model-format ids and their families. */
export const POLICY_FORMAT_NAMES: readonly string[] = [
  ...new Set([...MODEL_FORMATS, ...CATALOGUE.flatMap((e) => e.families ?? [])]),
].sort();

/** The formats plugin `name` reads, in catalogue order. */
export function formatsReadBy(plugin: string): readonly FileFormat[] {
  return CATALOGUE.filter((e) => (e.readBy ?? []).includes(plugin)).map((e) => e.id);
}

/** Detected formats a name claiming `claimed` may hold (the same loader reads them). */
export function compatibleWith(claimed: FileFormat): readonly FileFormat[] {
  return entryOf(claimed).compatible ?? [];
}

/** Extensions of data, text and media: a model behind one of these is hiding. */
export const NON_MODEL_EXTENSIONS: ReadonlySet<string> = new Set(entryOf('other').names.extensions ?? []);

/** Every content test of every entry, in the order detection runs them. */
export const SNIFF_ORDER: readonly { readonly format: FileFormat; readonly sniff: Sniff }[] = CATALOGUE.flatMap((e) =>
  (e.sniff ?? []).map((sniff) => ({ format: e.id, sniff })),
).sort((a, b) => a.sniff.order - b.sniff.order);

/** The first format whose content test passes. */
export function sniffContent(input: SniffInput): FileFormat | undefined {
  if (input.head.length === 0) return undefined;
  return SNIFF_ORDER.find((s) => s.sniff.test(input))?.format;
}

/** Entries a name can claim: `other` is never claimed, and a format known by content alone has no names. */
const NAMED = CATALOGUE.filter((e) => e.kind !== 'other' && Object.keys(e.names).length > 0);

/** What the name alone says: exact basename, then a pattern, then the extension. Case-insensitive. */
export function formatFromName(name: string): FileFormat | undefined {
  const lower = name.toLowerCase();
  const base = lower.slice(lower.lastIndexOf('/') + 1);
  const ext = base.includes('.') ? base.slice(base.lastIndexOf('.') + 1) : '';
  return (
    NAMED.find((e) => e.names.basenames?.includes(base))?.id ??
    NAMED.find((e) => e.names.patterns?.some((p) => p.test(base)) || e.names.pathPatterns?.some((p) => p.test(lower)))
      ?.id ??
    (ext === '' ? undefined : NAMED.find((e) => e.names.extensions?.includes(ext))?.id)
  );
}

/** The catalogue as a Markdown table (README and CONTRIBUTING show it; `scripts/formats-table.mjs` prints it). */
export function formatsTable(): string {
  const names = (e: CatalogueEntry) =>
    [
      ...(e.names.basenames ?? []).map((b) => `\`${b}\``),
      ...[...(e.names.patterns ?? []), ...(e.names.pathPatterns ?? [])].map((p) => `\`/${p.source}/\``),
      ...(e.names.extensions ?? []).map((x) => `\`.${x}\``),
    ].join(' ');
  const rows = CATALOGUE.filter((e) => e.kind !== 'other').map(
    (e) =>
      `| \`${e.id}\` | ${e.kind} | ${e.summary} | ${names(e) || '(content only)'} | ${e.sniff ? 'yes' : 'no'} | ${(e.readBy ?? []).join(', ')} |`,
  );
  return [
    '| id | kind | what | names | content test | read by |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
