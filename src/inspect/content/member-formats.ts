import type { FileSource } from '../../core/file-source.js';
import type { Finding } from '../../core/finding.js';
import type { AllowContext } from '../pickle/allowlist.js';
import type { FileFormat } from '../../core/files.js';
import { sniffContent } from '../../discover/catalogue/index.js';

/**
 * Model formats whose loaders read no pickle, found as members of an archive (a Keras model bundle `model.zip`
 * holding `model.keras`, a TF Hub / Kaggle `.tar.gz` of a SavedModel folder). Nobody loads the archive itself: the
 * user, or `tensorflow_hub`'s resolver, extracts it and hands the member to its loader (`keras.saving.load_model`,
 * `tf.saved_model.load`). So such a member is judged exactly as the same file outside an archive is, by the
 * format's own analyser, which registers its judge here when it loads (formats → content, never back).
 */
export interface MemberFormat {
  /** The format, for messages and tests. */
  readonly format: string;
  /** Whether the member's name alone makes it this format's (`saved_model.pb`): read even when its head is unknown. */
  readonly claimsName: (name: string) => boolean;
  /**
   * The member's findings as the format's analyser gives them for a file, `where` naming the member; undefined when
   * the bytes are not this format after all (the generic container reading then goes on).
   */
  readonly judge: (data: Buffer, name: string, where: MemberPlace, sniffed: Sniffed) => MemberVerdict | undefined;
  /**
   * The same judgement of a member too large to hold (a multi-gigabyte GGUF in a release `.tar.gz`), read by ranges
   * where the tar walk finds it. Only for formats whose parser reads what it judges forward, in a bounded prefix
   * (a GGUF's header and metadata; its tensor data is never read): a decompressed stream cannot go back. Undefined
   * when `head` is not this format.
   */
  readonly judgeSource?: (
    src: FileSource,
    head: Buffer,
    name: string,
    where: SourcePlace,
    sniffed: Sniffed,
  ) => Promise<MemberVerdict | undefined>;
}

/** What discovery's content detection makes of the member's head, detected once for all the formats that ask. */
export type Sniffed = () => FileFormat | undefined;

function sniffOnce(head: Buffer, size: number): Sniffed {
  let sniffed: { readonly format: FileFormat | undefined } | undefined;
  return () => (sniffed ??= { format: sniffMember(head, size) }).format;
}

/** The format a member's content shows, whatever its name. */
function sniffMember(head: Buffer, size: number): FileFormat | undefined {
  return sniffContent({ head: head.subarray(0, 1 << 16), size, claimed: undefined });
}

/** Where a member read by ranges sits: what it decompresses is bounded by the stream it is read from. */
export type SourcePlace = Omit<MemberPlace, 'budget'>;

export interface MemberVerdict {
  readonly findings: readonly Finding[];
  /** Bytes the judge decompressed from the member's own members: charged to the file's decompression budget. */
  readonly decompressed: number;
  /**
   * The format's reading covers all the container reader would look at in these bytes (a `.keras` zip: its npz
   * weights are read as np.load reads them), so that reader is not run too, which would report the same pickle twice.
   * False where the bytes may also be read as something else: a pickle head before the zip or the HDF5 superblock,
   * which `pickle.load` of the same file would run.
   */
  readonly readsAllOfIt: boolean;
  /**
   * Findings of the container reading that follows (`readsAllOfIt` false) whose cause one of these findings already
   * is (one finding per cause): the container reader drops them. torch-package.ts: the pickle rules' CPI002 for a
   * class the archive's own code provides, beside the CPI132 that names that code.
   */
  readonly supersedes?: (f: Finding) => boolean;
}

export interface MemberPlace {
  /** The scanned file. */
  readonly path: string;
  /** Where the member sits inside it (`bundle.zip` → `model.keras`, `<gzip>!release/model.keras`). */
  readonly member: string;
  readonly allow: AllowContext;
  /** Bytes the file may still decompress (`ContentLimits.maxTotalBytes` less what was spent): the judge's cap. */
  readonly budget: number;
}

const formats: MemberFormat[] = [];

/**
 * Whether a member is `format`'s as discovery decides for a file of that name: its content is detected as that
 * format, or its name claims the format and its content is detected as nothing else (a `.onnx` whose protobuf head
 * is unusual is still read by onnx.load; a `.onnx` that is a pickle is the pickle reader's).
 */
export function memberIs(sniffed: Sniffed, name: string, format: FileFormat, named: RegExp): boolean {
  const detected = sniffed();
  return detected === format || (detected === undefined && named.test(baseName(name)));
}

/**
 * How the readers that judge members and read no pickle load (inspect/analysers.ts sets it: this folder imports no
 * format's module), and the one load of them: with the first file that may hold members (content/analyser.ts), so a
 * scan of pickles alone never compiles them.
 */
let readersLoader: (() => Promise<unknown>) | undefined;
let readersLoaded: Promise<unknown> | undefined;

export function setMemberReadersLoader(load: () => Promise<unknown>): void {
  readersLoader = load;
}

export function loadMemberReaders(): Promise<unknown> {
  if (!readersLoader) return Promise.resolve();
  return (readersLoaded ??= readersLoader());
}

export function registerMemberFormat(f: MemberFormat): void {
  if (!formats.some((g) => g.format === f.format)) formats.push(f);
}

/** Whether a registered format claims a member by its name (the tar walk keeps such a member whole to judge it). */
export function memberNameClaimed(name: string): boolean {
  return formats.some((f) => f.claimsName(baseName(name)));
}

/**
 * Whether a registered format recognises a member by its content whatever its name (a PyTorch Mobile flatbuffer in
 * `release/model.bin`, which `_load_for_lite_interpreter` reads by its `PTMF` identifier once extracted): `judgeMember`
 * judges such a member by what it sniffs, so the tar walk keeps it whole, or reports it too large, as it does a
 * member claimed by its name.
 */
export function memberContentClaimed(head: Buffer, size: number): boolean {
  const sniffed = sniffMember(head, size);
  return sniffed !== undefined && formats.some((f) => f.format === sniffed);
}

/**
 * Each member format judges in turn through its analyser, which may read the member's own members (a `.keras`'s npz
 * weights) and so meet another archive: past this many nested judgements the member is not opened (CPI012), as a
 * crafted file could nest thousands deep in a few megabytes. Judges are synchronous, so one counter is enough.
 */
const MAX_NESTING = 4;
let nesting = 0;

/**
 * The findings of the first registered format that recognises the member, undefined when none does. Every finding
 * names the member (`bundle.zip (model.keras!config.json)`).
 */
export function judgeMember(data: Buffer, name: string, where: MemberPlace): MemberVerdict | undefined {
  if (formats.length === 0) return undefined;
  if (nesting >= MAX_NESTING) {
    const judged = formats.find((f) => f.claimsName(baseName(name)));
    if (judged === undefined) return undefined;
    const finding: Finding = {
      ruleId: 'CPI012',
      level: 'error',
      message: `${where.path} (${where.member}): a ${judged.format} model nested inside ${MAX_NESTING} other models' archives; it was not checked. Treat the file as crafted.`,
      location: { path: where.path, member: where.member },
      evidence: { limit: 'depth', format: judged.format },
    };
    return { findings: [finding], decompressed: 0, readsAllOfIt: true };
  }
  nesting++;
  try {
    const sniffed = sniffOnce(data, data.length);
    for (const f of byClaim(name)) {
      const found = f.judge(data, baseName(name), where, sniffed);
      // The scanned file is the artifact (the container analyser adds it), not a model of the member's format.
      if (found !== undefined) return { ...found, findings: found.findings.map(withoutArtifact) };
    }
    return undefined;
  } finally {
    nesting--;
  }
}

/**
 * A member too large to hold, judged by ranges by the first format that reads such members and recognises its head
 * (`judgeSource`); undefined when none does (the tar walk then goes on as before).
 */
export async function judgeMemberSource(
  src: FileSource,
  head: Buffer,
  name: string,
  where: SourcePlace,
): Promise<MemberVerdict | undefined> {
  const sniffed = sniffOnce(head, src.size);
  for (const f of byClaim(name)) {
    const found = await f.judgeSource?.(src, head, baseName(name), where, sniffed);
    if (found !== undefined) return { ...found, findings: found.findings.map(withoutArtifact) };
  }
  return undefined;
}

/**
 * The formats in the order they are asked: those the member's name claims first (a `saved_model.pb` is a SavedModel
 * before any content test, as discovery names it), then the rest by format name. Registration order is the order
 * the analysers' modules happened to load in, which must not decide a verdict.
 */
function byClaim(name: string): MemberFormat[] {
  const base = baseName(name);
  const rank = (f: MemberFormat) => (f.claimsName(base) ? 0 : 1);
  return [...formats].sort((a, b) => rank(a) - rank(b) || (a.format < b.format ? -1 : a.format > b.format ? 1 : 0));
}

function withoutArtifact(f: Finding): Finding {
  return {
    ruleId: f.ruleId,
    ...(f.level !== undefined ? { level: f.level } : {}),
    message: f.message,
    location: f.location,
    ...(f.evidence !== undefined ? { evidence: f.evidence } : {}),
  };
}

function baseName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}
