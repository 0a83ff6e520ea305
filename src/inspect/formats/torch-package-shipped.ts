import type { Finding } from '../../core/finding.js';
import type { AnalysisReport } from '../analyser.js';
import { toPython3 } from '../pickle/compat.js';
import { driveSync } from '../pickle/drive.js';
import { ByteSource } from '../pickle/source.js';
import { pickleSteps } from '../pickle/vm.js';
import type { Findings } from './report.js';
import { importedNames } from './torch-package-imports.js';
import type { ShippedRun, PackageModules } from './torch-package-modules.js';
import { IMPORTER_MODULE } from './torch-package-modules.js';

/**
 * What a torch.package's pickles make PackageImporter run, and its one finding: shared by the archive
 * (torch-package.ts) and the extracted folder (torch-package-dir.ts), which read their records differently.
 */
/** `.data/extern_modules` lists module names, a few KiB at most; past this it is a limit finding. */
export const MAX_EXTERNS = 1024 * 1024;
/** One pickle `load_pickle` may unpickle (tensors live in `.data/*.storage`, not in it); past this it is unchecked. */
export const MAX_PICKLE = 64 * 1024 * 1024;
/** All the pickles of one archive read for their imports; past this the rest are unchecked. */
export const MAX_PICKLES_TOTAL = 256 * 1024 * 1024;
/** One shipped source read for its imports, and all of them; past these their imports are not followed. */
export const MAX_SOURCE = 4 * 1024 * 1024;
export const MAX_SOURCES_TOTAL = 64 * 1024 * 1024;
/** Bytes of a large member's head read to tell a pickle. */
export const HEAD = 4096;
/** Modules and pickles named in one finding's evidence, at most. */
const MAX_LISTED = 20;

/** Shipped code a pickle's imports run, gathered over every pickle of the archive. */
export class ShippedImports {
  /** Entry module → what runs, and the pickles that import it. */
  readonly modules = new Map<string, { runs: readonly ShippedRun[]; pickles: Set<string> }>();
  /** Pickles that import `torch_package_importer`, and the attributes they take from it. */
  readonly importer = new Map<string, Set<string>>();
  /** `member\0module.name` of every global above, as the pickle rules name it (CPI002 evidence `global`). */
  readonly globals = new Set<string>();
  unchecked = 0;
}

/**
 * The pickle rules' CPI002 ("not on the safe list") for a global this analyser traced to the archive's own code or
 * to the importer: the CPI132 that names it is the cause, so the warning beside it is dropped. A host global (an
 * extern, a name the archive does not ship) keeps its CPI002.
 */
export function withSuperseded(
  report: AnalysisReport,
  found: ShippedImports,
  place: (member: string) => { path: string; member?: string },
): AnalysisReport {
  const supersedes = supersededBy(report.findings, found, place);
  return supersedes === undefined ? report : { ...report, supersedes };
}

/** Which CPI002 findings the CPI132 among `findings` is the cause of; undefined when there is no CPI132. */
export function supersededBy(
  findings: readonly Finding[],
  found: ShippedImports,
  place: (member: string) => { path: string; member?: string },
): ((f: Finding) => boolean) | undefined {
  if (!findings.some((f) => f.ruleId === 'CPI132')) return undefined;
  const keys = new Set(
    [...found.globals].map((g) => {
      const at = place(g.slice(0, g.indexOf('\0')));
      return `${at.path}\0${at.member ?? ''}${g.slice(g.indexOf('\0'))}`;
    }),
  );
  const supersedes = (f: Finding): boolean =>
    f.ruleId === 'CPI002' &&
    keys.has(`${f.location.path}\0${f.location.member ?? ''}\0${String(f.evidence?.['global'] ?? '')}`);
  return supersedes;
}

/** What the shipped code that runs imports from the archive in turn, to the end (torch-package-imports.ts). */
export interface Followed {
  /** Every shipped source that runs: the pickles' modules, their parents, and all they import from the archive. */
  readonly runs: readonly ShippedRun[];
  /** Sources not read (past the limits, unreadable): their imports were not followed. */
  readonly unread: number;
}

/**
 * The walk from the sources the pickles run to everything their imports run in turn, each source once, within
 * MAX_SOURCE a source and MAX_SOURCES_TOTAL in all. Its readers (an archive's members, an extracted folder's files)
 * ask `next` for a source and its byte limit, and hand `read` its bytes, or undefined when it could not be read.
 */
export class ImportFollower {
  private readonly seen: Map<string, ShippedRun>;
  private readonly todo: ShippedRun[];
  private unread = 0;
  private budget = MAX_SOURCES_TOTAL;

  constructor(
    private readonly modules: PackageModules,
    start: readonly ShippedRun[],
  ) {
    this.seen = new Map(start.map((r) => [r.record, r]));
    this.todo = [...this.seen.values()];
  }

  /** The next source to read, and the most bytes it may have. */
  next(): { readonly run: ShippedRun; readonly max: number } | undefined {
    const run = this.todo.pop();
    return run && { run, max: Math.min(MAX_SOURCE, this.budget) };
  }

  /** A source's bytes: the archive's sources its import statements run join the walk. */
  read(run: ShippedRun, source: Buffer | undefined): void {
    if (source === undefined) {
      this.unread++;
      return;
    }
    this.budget -= source.length;
    const isPackage = run.record.endsWith('__init__.py');
    for (const name of importedNames(source.toString('utf8'), run.module, isPackage)) {
      const outcome = this.modules.importOf(name);
      if (outcome.kind !== 'runs') continue;
      for (const r of outcome.runs)
        if (!this.seen.has(r.record)) {
          this.seen.set(r.record, r);
          this.todo.push(r);
        }
    }
  }

  followed(): Followed {
    return { runs: [...this.seen.values()], unread: this.unread };
  }
}

/**
 * The globals of the one pickle `load_pickle` reads (`unpickler.load()`, to the first STOP), each as `find_class`
 * imports it: `_compat_pickle`'s renames below protocol 3, then the importer. A global a helper imports with the
 * host's `__import__` (opcode REDUCE) never goes through the importer.
 */
export function notePickle(data: Buffer, member: string, modules: PackageModules, found: ShippedImports): void {
  const run = driveSync(pickleSteps(ByteSource.fromBuffer(data)));
  for (const g of run.globals.values()) {
    if (g.opcode === 'REDUCE') continue;
    const { module, name } = run.protocol < 3 ? toPython3(g.module, g.name) : g;
    const outcome = modules.importOf(module);
    const key = `${member}\0${g.module}.${g.name}`;
    if (outcome.kind === 'importer') {
      found.globals.add(key);
      const names = found.importer.get(member) ?? new Set<string>();
      found.importer.set(member, names.add(name));
      continue;
    }
    if (outcome.runs.length === 0) continue;
    found.globals.add(key);
    const seen = found.modules.get(module) ?? { runs: outcome.runs, pickles: new Set<string>() };
    found.modules.set(module, seen);
    seen.pickles.add(member);
  }
}

export function reportShipped(found: ShippedImports, followed: Followed, out: Findings): void {
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
