import type { ModelAnalyser } from '../analyser.js';
import { torchArchiveRoot } from '../../discover/formats/zip-names.js';
import { LOCAL_SIZE, parseLocalHeader } from '../../discover/formats/zip-directory.js';
import { decodeHead } from '../containers/zip.js';
import { toPython3 } from '../pickle/compat.js';
import { driveSync } from '../pickle/drive.js';
import { looksLikePickleStream } from '../pickle/pickles.js';
import { ByteSource } from '../pickle/source.js';
import { pickleSteps } from '../pickle/vm.js';
import type { Findings } from './report.js';
import { analyseWith } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { FormatError, readAt } from './source.js';
import type { ShippedRun } from './torch-package-modules.js';
import { importedNames } from './torch-package-imports.js';
import { IMPORTER_MODULE, PackageModules, pythonSplitLines } from './torch-package-modules.js';
import type { CentralEntry } from './zip-member.js';
import { centralDirectorySteps, readMember } from './zip-member.js';

/** `.data/extern_modules` lists module names, a few KiB at most; past this it is a limit finding. */
const MAX_EXTERNS = 1024 * 1024;
/** One pickle `load_pickle` may unpickle (tensors live in `.data/*.storage`, not in it); past this it is unchecked. */
const MAX_PICKLE = 64 * 1024 * 1024;
/** All the pickles of one archive read for their imports; past this the rest are unchecked. */
const MAX_PICKLES_TOTAL = 256 * 1024 * 1024;
/** One shipped source read for its imports, and all of them; past these their imports are not followed. */
const MAX_SOURCE = 4 * 1024 * 1024;
const MAX_SOURCES_TOTAL = 64 * 1024 * 1024;
/** Bytes of a large member's head read to tell a pickle. */
const HEAD = 4096;
/** Modules and pickles named in one finding's evidence, at most. */
const MAX_LISTED = 20;

/** A record as `PyTorchStreamReader.getAllRecords` names it (the root folder stripped), and its entry. */
interface PackageRecord {
  readonly record: string;
  readonly entry: CentralEntry;
}

/** Shipped code a pickle's imports run, gathered over every pickle of the archive. */
class ShippedImports {
  /** Entry module → what runs, and the pickles that import it. */
  readonly modules = new Map<string, { runs: readonly ShippedRun[]; pickles: Set<string> }>();
  /** Pickles that import `torch_package_importer`, and the attributes they take from it. */
  readonly importer = new Map<string, Set<string>>();
  unchecked = 0;
}

/**
 * Judge a torch.package archive as `PackageImporter.load_pickle` loads it: every pickle's globals are imported
 * through the importer (`_package_unpickler.py` `PackageUnpickler.find_class`), so a module the archive ships runs.
 * Globals the host provides (`.data/extern_modules`) are the pickle analyser's to judge, as in any pickle.
 */
export function* torchPackageSteps(src: RandomAccess, out: Findings): ParseSteps<void> {
  const entries = yield* centralDirectorySteps(src);
  const names = entries.map(torchName);
  const root = torchArchiveRoot(names);
  if (root === undefined) throw new FormatError('torch.package refuses the archive: it has no single root folder', 0);
  const records = entries.map((entry, i) => ({ record: names[i]!.slice(root.length + 1), entry }));
  const modules = new PackageModules(
    yield* externsOf(src, records),
    records.map((r) => r.record),
  );
  const found = new ShippedImports();
  let budget = MAX_PICKLES_TOTAL;
  for (const r of records) {
    if (!mayBePickle(r)) continue;
    if (r.entry.size > Math.min(MAX_PICKLE, budget)) {
      // Past the limits only a pickle is left unchecked; a large resource of another kind is no pickle to load.
      const head = yield* memberHead(src, r.entry);
      if (head === undefined || looksLikePickleStream(head, false)) found.unchecked++;
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
  report(found, yield* followImports(src, byRecord, modules, first), out);
}

/** What the shipped code that runs imports from the archive in turn, to the end (torch-package-imports.ts). */
interface Followed {
  /** Every shipped source that runs: the pickles' modules, their parents, and all they import from the archive. */
  readonly runs: readonly ShippedRun[];
  /** Sources not read (past the limits, unreadable): their imports were not followed. */
  readonly unread: number;
}

function* followImports(
  src: RandomAccess,
  byRecord: ReadonlyMap<string, CentralEntry>,
  modules: PackageModules,
  start: readonly ShippedRun[],
): ParseSteps<Followed> {
  const seen = new Map(start.map((r) => [r.record, r]));
  const todo = [...seen.values()];
  let unread = 0;
  let budget = MAX_SOURCES_TOTAL;
  for (let run = todo.pop(); run !== undefined; run = todo.pop()) {
    const entry = byRecord.get(run.record);
    if (entry === undefined || !minizReads(entry) || entry.size > Math.min(MAX_SOURCE, budget)) {
      unread++;
      continue;
    }
    let source: Buffer;
    try {
      source = yield* readMember(src, entry, MAX_SOURCE);
    } catch (err) {
      if (!(err instanceof FormatError)) throw err;
      unread++;
      continue;
    }
    budget -= source.length;
    for (const name of importedNames(source.toString('utf8'), run.module, run.record.endsWith('__init__.py'))) {
      const outcome = modules.importOf(name);
      if (outcome.kind !== 'runs') continue;
      for (const r of outcome.runs) if (!seen.has(r.record)) todo.push(seen.set(r.record, r).get(r.record)!);
    }
  }
  return { runs: [...seen.values()], unread };
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
  if (src.size - e.offset < LOCAL_SIZE) return undefined;
  const fixed = yield* readAt(src, e.offset, LOCAL_SIZE);
  const headLen = Math.min(LOCAL_SIZE + fixed.readUInt16LE(26) + fixed.readUInt16LE(28), src.size - e.offset);
  const local = parseLocalHeader(yield* readAt(src, e.offset, headLen));
  if (!local) return undefined;
  const at = e.offset + local.headerLength;
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

/**
 * The globals of the one pickle `load_pickle` reads (`unpickler.load()`, to the first STOP), each as `find_class`
 * imports it: `_compat_pickle`'s renames below protocol 3, then the importer. A global a helper imports with the
 * host's `__import__` (opcode REDUCE) never goes through the importer.
 */
function notePickle(data: Buffer, member: string, modules: PackageModules, found: ShippedImports): void {
  const run = driveSync(pickleSteps(ByteSource.fromBuffer(data)));
  for (const g of run.globals.values()) {
    if (g.opcode === 'REDUCE') continue;
    const { module, name } = run.protocol < 3 ? toPython3(g.module, g.name) : g;
    const outcome = modules.importOf(module);
    if (outcome.kind === 'importer') {
      const names = found.importer.get(member) ?? new Set<string>();
      found.importer.set(member, names.add(name));
      continue;
    }
    if (outcome.runs.length === 0) continue;
    const seen = found.modules.get(module) ?? { runs: outcome.runs, pickles: new Set<string>() };
    found.modules.set(module, seen);
    seen.pickles.add(member);
  }
}

function report(found: ShippedImports, followed: Followed, out: Findings): void {
  const imported = [...found.modules].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (imported.length > 0) {
    const direct = new Set(imported.flatMap(([, m]) => m.runs.map((r) => r.record)));
    const pulled = followed.runs.map((r) => r.record).filter((r) => !direct.has(r));
    const records = [...direct, ...pulled.sort()];
    const pickles = [...new Set(imported.flatMap(([, m]) => [...m.pickles]))].sort();
    const shown = imported.slice(0, 3).map(([name, m]) => `\`${name}\` (${m.runs.map((r) => r.record).join(', ')})`);
    const more = imported.length > shown.length ? ` and ${imported.length - shown.length} more` : '';
    const others = pickles.slice(1);
    const who =
      others.length === 0
        ? 'the pickle imports'
        : `this pickle and ${others.length} more (${others.slice(0, 2).join(', ')}${others.length > 2 ? ', …' : ''}) import`;
    out.add(
      'CPI132',
      `${who} ${shown.join(', ')}${more} from the archive: torch.package's PackageImporter.load_pickle executes that Python source${pulled.length > 0 ? `, and ${pulled.length} more source${pulled.length > 1 ? 's' : ''} it imports from the archive (${pulled.slice(0, 3).join(', ')}${pulled.length > 3 ? ', …' : ''})` : ''}, while unpickling — no opt-in. Review that code (and what it imports at run time) before loading this package, or load weights from a format that holds no code.`,
      {
        modules: imported
          .slice(0, MAX_LISTED)
          .map(([name]) => name)
          .join(', '),
        sources: records.slice(0, MAX_LISTED).join(', '),
        pickles: pickles.slice(0, MAX_LISTED).join(', '),
        count: imported.length,
        sourceCount: records.length,
        ...(followed.unread > 0 ? { sourcesUnread: followed.unread } : {}),
      },
      pickles[0],
    );
  }
  const takers = [...found.importer].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (takers.length > 0) {
    const attributes = [...new Set(takers.flatMap(([, names]) => [...names]))].sort();
    out.add(
      'CPI132',
      `${takers.length > 1 ? `this pickle and ${takers.length - 1} more import` : 'the pickle imports'} \`${IMPORTER_MODULE}\` (${attributes.slice(0, 5).join(', ')}): PackageImporter hands a pickle itself under that name, and its methods (_make_module, _compile_source, import_module) execute any member of the archive as Python. Do not load this package.`,
      {
        global: IMPORTER_MODULE,
        attributes: attributes.slice(0, MAX_LISTED).join(', '),
        pickles: takers
          .slice(0, MAX_LISTED)
          .map(([member]) => member)
          .join(', '),
      },
      takers[0]![0],
    );
  }
  if (found.unchecked > 0) {
    out.incomplete = true;
    out.add(
      'CPI051',
      `${found.unchecked} member${found.unchecked > 1 ? 's' : ''} PackageImporter.load_pickle could unpickle ${found.unchecked > 1 ? 'were' : 'was'} past the size limits or unreadable, so which of the archive's Python modules ${found.unchecked > 1 ? 'they import' : 'it imports'} was not checked. Do not load it until you know why.`,
      { unchecked: found.unchecked, limit: MAX_PICKLE },
    );
  }
}

export const torchPackageAnalyser: ModelAnalyser = {
  name: 'torch-package',
  formats: ['torch-package'],
  analyze: (file, ctx) =>
    analyseWith(file, 'the torch.package archive', (src, out) => torchPackageSteps(src, out), ctx.files),
};
