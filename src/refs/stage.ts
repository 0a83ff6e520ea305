import type { ScanContext } from '../core/context.js';
import type { DiscoveredFile } from '../core/files.js';
import type { Finding } from '../core/finding.js';
import type { ModelReference } from '../core/records.js';
import type { Stage, StageInput, StageOutput } from '../core/stage.js';
import { dynamicFinding, judgeReference, reviewedCommits } from './judge.js';
import { takeRefsWorker } from './remote.js';
import { searchOversized } from './search.js';
import { LocalPaths, SourceSearcher, type FileOutcome } from './search-file.js';
import { MAX_SOURCE_BYTES, referenceSources } from './sources.js';
import { MAX_NESTING } from './text.js';
import { pushAll } from '../core/push-all.js';

/**
 * Model references: models the code downloads by name at run time, found by parsing Python, JavaScript/TypeScript
 * and YAML/JSON config — never by running them. Each is judged for pinning, remote code and the trusted registry.
 */
export const refsStage: Stage = {
  name: 'refs',
  async run(input: StageInput, ctx: ScanContext): Promise<StageOutput> {
    if (ctx.options.references === false) return { references: [], findings: [] };
    // The parsers load with the first file that needs them, not with the CLI: a scan with --no-refs never loads them.
    const searcher = new SourceSearcher();
    const { installed, toSearch } = referenceSources(input.files);
    // transformers' from_pretrained prefers a local folder of the same name (os.path.isdir): so do we. The set of
    // paths is built on the first question (few files name a model; most scans never ask).
    let known: LocalPaths | undefined;
    const existsLocally = (p: string) => (known ??= LocalPaths.of(input.files)).exists(p);
    const references: ModelReference[] = [];
    const findings: Finding[] = [];
    const skipped: string[] = [];
    // Test data that names a model key (sources.ts `isTestData`): counted, not read.
    const testData: string[] = [];
    const reviewed = reviewedCommits(ctx.registry);
    const take = (path: string, got: FileOutcome) => {
      if (got.kind === 'test-data') testData.push(path);
      if (got.kind === 'skipped') skipped.push(path);
      if (got.kind !== 'found') return;
      pushAll(references, got.refs.references);
      for (const r of got.refs.references) pushAll(findings, judgeReference(r, reviewed, ctx.policy));
      for (const d of got.refs.dynamic) findings.push(dynamicFinding(d));
    };
    // The files the walk did not keep, searched by the refs worker since the walk ended (remote.ts).
    const inWorker = takeRefsWorker(ctx);
    const searchHere = (files: readonly DiscoveredFile[]) =>
      Promise.all(
        files.map((file) =>
          ctx.limit(async () => {
            if (file.size > MAX_SOURCE_BYTES) {
              if (searchOversized(file.path).kind === 'skipped') skipped.push(file.path);
              return;
            }
            // Small files come whole from the walk's read, already through the byte pre-filter (the same test
            // `isOwnReferenceSource` runs); the rest through the scan's I/O edge.
            const bytes = file.content ?? (await readBytes(ctx, file, MAX_SOURCE_BYTES));
            // Opened by the walk, gone or swapped since: not searched, and counted.
            if (bytes === undefined) skipped.push(file.path);
            else take(file.path, await searcher.search(file.path, bytes, file.content !== undefined, existsLocally));
          }),
        ),
      );
    await searchHere(inWorker ? toSearch.filter((f) => !inWorker.files.has(f.path)) : toSearch);
    if (inWorker) {
      const reply = await inWorker.reply;
      if (reply instanceof Error) {
        ctx.logger.debug(`refs worker failed, searching its files in the scan's thread: ${reply.message}`);
        await searchHere(toSearch.filter((f) => inWorker.files.has(f.path)));
      } else {
        ctx.logger.debug(`refs: ${reply.results.length} source files searched on a worker thread`);
        ctx.files.record('plugins', reply.opens, reply.bytesRead);
        for (const r of reply.results) {
          if ('unreadable' in r) skipped.push(r.path);
          else take(r.path, r.outcome);
        }
      }
    }
    findings.push(
      ...notSearched(
        skipped.sort(),
        undefined,
        `source file(s) were not searched for model references: minified, generated, nested deeper than ${MAX_NESTING} brackets, over ${MAX_SOURCE_BYTES} bytes, unreadable, or a config that names a model key but does not parse as YAML or JSON (comments in JSON, a template).`,
      ),
      ...notSearched(
        installed,
        'installed-packages',
        "source file(s) of installed Python packages (site-packages, dist-packages) were not searched for model references: they are third-party code, not this repository's. Scan the environment separately if it is yours.",
      ),
      ...notSearched(
        testData.sort(),
        'test-data',
        'YAML/JSON file(s) in test folders (tests/, fixtures/, testdata/…) name a model key but were not read as configs for model references: they are test data, whose model keys name what a test checks, not what the application loads.',
      ),
    );
    return { references, findings };
  },
};

/** One CPR011 for files left unsearched for one reason, with their count (none when there are none). */
function notSearched(files: readonly string[], reason: string | undefined, message: string): Finding[] {
  if (files.length === 0) return [];
  return [
    {
      ruleId: 'CPR011',
      message: `${files.length} ${message}`,
      location: { path: files[0]! },
      evidence: { count: files.length, ...(reason ? { reason } : {}), files: files.slice(0, 200).join(' ') },
    },
  ];
}

/** Through the scan's I/O edge (counted, regular files only), bounded. */
async function readBytes(ctx: ScanContext, file: DiscoveredFile, maxBytes: number): Promise<Buffer | undefined> {
  const src = await ctx.files.open(file.abs, file.path).catch(() => undefined);
  if (!src) return undefined;
  try {
    return await src.read(0, Math.min(file.size, maxBytes));
  } finally {
    await src.close();
  }
}
