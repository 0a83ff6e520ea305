import path from 'node:path';
import type { ScanContext } from '../../core/context.js';
import type { DiscoveredFile } from '../../core/files.js';
import { locateInRoot } from '../../io/open-regular.js';
import { folderOf, listDirectory } from '../../io/raw-names.js';
import type { AnalysisReport } from '../analyser.js';
import { looksLikePickleStream } from '../pickle/pickles.js';
import { Findings } from './report.js';
import { FormatError } from './source.js';
import type { Followed } from './torch-package-shipped.js';
import {
  HEAD,
  MAX_EXTERNS,
  MAX_PICKLE,
  MAX_PICKLES_TOTAL,
  notePickle,
  reportShipped,
  ImportFollower,
  ShippedImports,
  withSuperseded,
} from './torch-package-shipped.js';
import type { ShippedRun } from './torch-package-modules.js';
import { PackageModules, pythonSplitLines } from './torch-package-modules.js';

/** Entries of one extracted package walked, at most; past this the rest is counted as unchecked. */
const MAX_ENTRIES = 100_000;

/** A file of the extracted package: its record name (relative to the package folder) and where it lives. */
interface DirRecord {
  readonly record: string;
  readonly abs: string;
  /** Python's `glob` skips names starting with a dot: `get_all_records` never lists it, `get_record` still reads it. */
  readonly hidden: boolean;
}

interface Listing {
  readonly files: DirRecord[];
  /** Links and entries past the limits, not followed: what they hold was not checked. */
  unchecked: number;
}

/**
 * An extracted torch.package: `PackageImporter(<folder>)` reads it with `DirectoryReader`
 * (torch/package/_directory_reader.py), which needs only `.data/extern_modules` (`_read_extern`; no version record
 * is checked) and lists records with `glob(f"{directory}/**", recursive=True)`. The folder is judged as the archive
 * is (torch-package.ts), once, from its `.data/extern_modules`.
 */
export async function analyseTorchPackageDir(file: DiscoveredFile, ctx: ScanContext): Promise<AnalysisReport> {
  const out = new Findings(file.path, file.format);
  const found = new ShippedImports();
  // The catalogue matches names lower-cased; `get_record` opens the exact name (a case-sensitive file system).
  if (!/(^|\/)\.data\/extern_modules$/.test(file.path)) return { status: 'ok', findings: [] };
  const pkgDir = path.dirname(folderOf(file.abs));
  const pkgRel = path.posix.dirname(path.posix.dirname(file.path));
  try {
    const externs = await readExterns(file, ctx);
    const listing = listPackage(pkgDir);
    const records = listing.files.filter((f) => !f.hidden).map((f) => f.record);
    const modules = new PackageModules(externs, records);
    found.unchecked = listing.unchecked;
    const at = (record: string) => (pkgRel === '.' ? record : `${pkgRel}/${record}`);
    let budget = MAX_PICKLES_TOTAL;
    for (const f of listing.files) {
      if (f.record.endsWith('.py') || f.record.startsWith('.data/')) continue;
      const data = await readRecord(ctx, f.abs, at(f.record), Math.min(MAX_PICKLE, budget), true);
      if (data === 'resource') continue;
      // Past the limits a pickle (or a record that could not be read safely) is left unchecked, and counted.
      if (data === 'unread' || data === 'large') {
        found.unchecked++;
        continue;
      }
      budget -= data.length;
      if (looksLikePickleStream(data.subarray(0, HEAD), data.length <= HEAD))
        notePickle(data, f.record, modules, found);
    }
    const first = [...found.modules.values()].flatMap((m) => m.runs);
    const byRecord = new Map(listing.files.filter((f) => !f.hidden).map((f) => [f.record, f.abs]));
    reportShipped(found, await followImports(ctx, byRecord, at, modules, first), out);
  } catch (err) {
    if (!(err instanceof FormatError)) throw err;
    out.addError(err, 'the extracted torch.package');
    return { status: 'failed', findings: out.list };
  }
  const report: AnalysisReport = { status: out.incomplete ? 'partial' : 'ok', findings: out.list };
  // The pickle rules judge each pickle of the folder as its own file.
  return withSuperseded(report, found, (record) => ({ path: pkgRel === '.' ? record : `${pkgRel}/${record}` }));
}

/** `_read_extern`: the record decoded strictly as UTF-8 and split with `str.splitlines`. */
async function readExterns(file: DiscoveredFile, ctx: ScanContext): Promise<string[]> {
  if (file.size > MAX_EXTERNS)
    throw new FormatError(`.data/extern_modules of ${file.size} bytes is past the limit`, 0, 'limit');
  const source = await ctx.files.open(file.abs, file.path, file);
  try {
    const bytes = await source.read(0, source.size);
    return pythonSplitLines(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    if (err instanceof TypeError)
      throw new FormatError('torch.package refuses the folder: .data/extern_modules is not UTF-8', 0);
    throw err;
  } finally {
    await source.close();
  }
}

/**
 * Every file under the package folder, hidden ones marked, in name order (glob's order is the file system's). Links
 * are resolved inside the scan root only: a linked file is read as the loader opens it, a linked folder (which glob
 * descends) or a link out of the root is counted as unchecked, never followed.
 */
function listPackage(pkgDir: string): Listing {
  const listing: Listing = { files: [], unchecked: 0 };
  let seen = 0;
  const walk = (abs: string, rel: string, hidden: boolean): void => {
    for (const e of listDirectory(abs)) {
      if (++seen > MAX_ENTRIES) {
        listing.unchecked++;
        return;
      }
      const record = rel === '' ? e.name : `${rel}/${e.name}`;
      const isHidden = hidden || e.name.startsWith('.');
      if (typeof e.abs !== 'string') listing.unchecked++;
      else if (e.dirent.isDirectory()) walk(e.abs, record, isHidden);
      else if (e.dirent.isFile() || e.dirent.isSymbolicLink())
        listing.files.push({ record, abs: e.abs, hidden: isHidden });
    }
  };
  walk(pkgDir, '', false);
  return listing;
}

/**
 * A record's bytes read through the scan's opener; `large` past `max`, `unread` when it cannot be read safely. With
 * `pickles`, a record past HEAD that does not start like a pickle is a `resource` (`save_binary`, `save_text`): no
 * pickle to load, neither read whole nor charged to the pickles' budget (as torch-package.ts reads archives).
 */
async function readRecord(
  ctx: ScanContext,
  abs: string,
  rel: string,
  max: number,
  pickles = false,
): Promise<Buffer | 'large' | 'unread' | 'resource'> {
  const located = await locateInRoot(ctx.root, abs);
  if (located.kind !== 'file') return 'unread';
  if (!pickles && located.stats.size > max) return 'large';
  const source = await ctx.files.open(located.real, rel, located.stats);
  try {
    if (pickles && source.size > HEAD && !looksLikePickleStream(await source.read(0, HEAD), false)) return 'resource';
    if (source.size > max) return 'large';
    return await source.read(0, source.size);
  } finally {
    await source.close();
  }
}

/** torch-package.ts `followImports` over the folder's files: what the shipped code that runs imports in turn. */
async function followImports(
  ctx: ScanContext,
  byRecord: ReadonlyMap<string, string>,
  at: (record: string) => string,
  modules: PackageModules,
  start: readonly ShippedRun[],
): Promise<Followed> {
  const walk = new ImportFollower(modules, start);
  for (let next = walk.next(); next !== undefined; next = walk.next()) {
    const abs = byRecord.get(next.run.record);
    const source = abs === undefined ? 'unread' : await readRecord(ctx, abs, at(next.run.record), next.max);
    walk.read(next.run, typeof source === 'string' ? undefined : source);
  }
  return walk.followed();
}
