import { formatsReadBy } from '../../discover/catalogue/index.js';
import type { ModelAnalyser } from '../analyser.js';
import { isTorchPackageZip, torchArchiveRoot } from '../../discover/formats/zip-names.js';
import { registerMemberFormat } from '../content/member-formats.js';
import { decodeHead } from '../containers/zip.js';
import { looksLikePickleStream } from '../pickle/pickles.js';
import { analyseWith, Findings, runParser } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { bufferSource, driveSync, FormatError, readAt } from './source.js';
import type { ShippedRun } from './torch-package-modules.js';
import { PackageModules, pythonSplitLines } from './torch-package-modules.js';
import { analyseTorchPackageDir } from './torch-package-dir.js';
import type { Followed } from './torch-package-shipped.js';
import {
  HEAD,
  MAX_EXTERNS,
  MAX_PICKLE,
  MAX_PICKLES_TOTAL,
  MAX_SOURCE,
  notePickle,
  reportShipped,
  ImportFollower,
  ShippedImports,
  supersededBy,
  withSuperseded,
} from './torch-package-shipped.js';
import type { CentralEntry } from './zip-member.js';
import { centralDirectorySteps, memberDataStart, readMember } from './zip-member.js';

/** A record as `PyTorchStreamReader.getAllRecords` names it (the root folder stripped), and its entry. */
interface PackageRecord {
  readonly record: string;
  readonly entry: CentralEntry;
}

/**
 * Judge a torch.package archive as `PackageImporter.load_pickle` loads it: every pickle's globals are imported
 * through the importer (`_package_unpickler.py` `PackageUnpickler.find_class`), so a module the archive ships runs.
 * Globals the host provides (`.data/extern_modules`) are the pickle analyser's to judge, as in any pickle.
 */
export function* torchPackageSteps(src: RandomAccess, out: Findings, found = new ShippedImports()): ParseSteps<void> {
  const entries = yield* centralDirectorySteps(src);
  const names = entries.map(torchName);
  const root = torchArchiveRoot(names);
  if (root === undefined) throw new FormatError('torch.package refuses the archive: it has no single root folder', 0);
  const records = entries.map((entry, i) => ({ record: names[i]!.slice(root.length + 1), entry }));
  const modules = new PackageModules(
    yield* externsOf(src, records),
    records.map((r) => r.record),
  );
  let budget = MAX_PICKLES_TOTAL;
  for (const r of records) {
    if (!mayBePickle(r)) continue;
    // A resource that does not start like a pickle (`save_binary`, `save_text`) is no pickle to load: neither read
    // whole nor charged to the pickles' budget, so large blobs cannot leave the real pickles after them unchecked.
    if (r.entry.size > HEAD) {
      const head = yield* memberHead(src, r.entry);
      if (head !== undefined && !looksLikePickleStream(head, false)) continue;
    }
    // Past the limits a pickle (or a member whose head could not be read) is left unchecked, and counted.
    if (r.entry.size > Math.min(MAX_PICKLE, budget)) {
      found.unchecked++;
      continue;
    }
    let data: Buffer;
    try {
      data = yield* readMember(src, r.entry, MAX_PICKLE);
    } catch (err) {
      if (!(err instanceof FormatError)) throw err;
      found.unchecked++;
      continue;
    }
    budget -= data.length;
    if (looksLikePickleStream(data.subarray(0, HEAD), data.length <= HEAD))
      notePickle(data, r.entry.name, modules, found);
  }
  const first = [...found.modules.values()].flatMap((m) => m.runs);
  const byRecord = new Map(records.map((r) => [r.record, r.entry]));
  reportShipped(found, yield* followImports(src, byRecord, modules, first), out);
}

function* followImports(
  src: RandomAccess,
  byRecord: ReadonlyMap<string, CentralEntry>,
  modules: PackageModules,
  start: readonly ShippedRun[],
): ParseSteps<Followed> {
  const walk = new ImportFollower(modules, start);
  for (let next = walk.next(); next !== undefined; next = walk.next()) {
    const entry = byRecord.get(next.run.record);
    let source: Buffer | undefined;
    if (entry !== undefined && minizReads(entry) && entry.size <= next.max)
      try {
        source = yield* readMember(src, entry, MAX_SOURCE);
      } catch (err) {
        if (!(err instanceof FormatError)) throw err;
      }
    walk.read(next.run, source);
  }
  return walk.followed();
}

/**
 * A member's name as torch sees it: miniz hands the stored bytes over as they are and pybind11 decodes them as UTF-8
 * (`get_all_records`), where the shared zip reader keeps a name without the UTF-8 flag byte for byte (latin1): the
 * UTF-8 bytes of `évil.py` written without the flag are the module `évil` to torch.
 */
function torchName(e: CentralEntry): string {
  return e.flags & 0x800 ? e.name : Buffer.from(e.name, 'latin1').toString('utf8');
}

/**
 * Members `load_pickle` may be pointed at: not source, not the importer's own `.data/` records, not folders, and only
 * those miniz can read at all — stored or deflated, not encrypted (`mz_zip_reader_extract_to_mem_no_alloc` refuses
 * the rest, so torch raises before unpickling).
 */
function mayBePickle({ record, entry }: PackageRecord): boolean {
  if (!minizReads(entry)) return false;
  return record !== '' && !record.endsWith('/') && !record.endsWith('.py') && !record.startsWith('.data/');
}

const minizReads = (e: CentralEntry): boolean => (e.method === 0 || e.method === 8) && (e.flags & 0x41) === 0;

/** The first bytes of a member too large to read whole, after its local header (as content/zip-ranged.ts peeks). */
function* memberHead(src: RandomAccess, e: CentralEntry): ParseSteps<Buffer | undefined> {
  const at = yield* memberDataStart(src, e);
  if (at === undefined) return undefined;
  const len = Math.max(0, Math.min(e.compressedSize, HEAD, src.size - at));
  return decodeHead(e.method, e.flags, yield* readAt(src, at, len));
}

/**
 * `_read_extern`: the record decoded as UTF-8 (strictly: a bad byte makes the importer raise) and split with
 * `str.splitlines`. miniz finds it whatever its case; when case variants disagree, a module counts as extern only
 * if every copy lists it (the other copies' modules then resolve to the archive, which is the worse reading).
 */
function* externsOf(src: RandomAccess, records: readonly PackageRecord[]): ParseSteps<string[]> {
  const copies = records.filter((r) => r.record.toLowerCase() === '.data/extern_modules');
  let common: string[] | undefined;
  for (const c of copies) {
    if (!minizReads(c.entry))
      throw new FormatError(`torch.package refuses the archive: miniz cannot read ${c.entry.name}`, c.entry.offset);
    const bytes = yield* readMember(src, c.entry, MAX_EXTERNS);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new FormatError(`torch.package refuses the archive: ${c.entry.name} is not UTF-8`, c.entry.offset);
    }
    const lines = pythonSplitLines(text);
    common = common === undefined ? lines : common.filter((m) => lines.includes(m));
  }
  if (common === undefined) throw new FormatError('torch.package refuses the archive: no .data/extern_modules', 0);
  return common;
}

export const torchPackageAnalyser: ModelAnalyser = {
  name: 'torch-package',
  formats: formatsReadBy('torch-package'),
  async analyze(file, ctx) {
    if (file.format === 'torch-package-dir') return analyseTorchPackageDir(file, ctx);
    const found = new ShippedImports();
    const steps = (src: RandomAccess, out: Findings) => torchPackageSteps(src, out, found);
    const report = await analyseWith(file, 'the torch.package archive', steps, ctx.files);
    return withSuperseded(report, found, (member) => ({ path: file.path, member }));
  },
};

/**
 * A torch.package inside a bundle (a `.zip` or `.tar` of models): nobody opens the bundle with PackageImporter, the
 * user extracts it and hands the member over (`PackageImporter(path)`), so it is judged as the same archive outside
 * (content/member-formats.ts). Recognised by its records as discovery recognises the file (`isTorchPackageZip`),
 * whatever its name. Its pickles are still read by the container reader too (the pickle rules), so not `readsAllOfIt`;
 * the CPI002 that reader gives a class the archive ships is dropped beside the CPI132 naming it, as for the archive.
 */
registerMemberFormat({
  format: 'torch-package',
  claimsName: () => false,
  judge(data, _name, where) {
    if (!isTorchPackageMember(data)) return undefined;
    const out = new Findings(where.path, 'torch-package', where.member);
    const found = new ShippedImports();
    runParser(bufferSource(data), out, 'the torch.package archive', (src, o) =>
      driveSync(torchPackageSteps(src, o, found)),
    );
    const supersedes = supersededBy(out.list, found, (record) => ({
      path: where.path,
      member: `${where.member}!${record}`,
    }));
    return { findings: out.list, decompressed: 0, readsAllOfIt: false, ...(supersedes ? { supersedes } : {}) };
  },
});

function isTorchPackageMember(data: Buffer): boolean {
  try {
    return isTorchPackageZip(driveSync(centralDirectorySteps(bufferSource(data))).map(torchName));
  } catch (err) {
    if (err instanceof FormatError) return false;
    throw err;
  }
}
