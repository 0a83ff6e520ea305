import { stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../../core/errors.js';
import { escapeControl, guardLineStart } from '../../core/escape-text.js';
import { registryEntryKey, type ModelReference } from '../../core/records.js';
import {
  isRefusal,
  parseReferenceArgument,
  reviewedFromReference,
  type Refusal,
  type ReviewedReference,
} from '../../refs/reviewed-entry.js';
import { addHubEntries, type NewHubEntry } from '../../trust/registry/add.js';
import { loadTrustedRegistry } from '../../trust/registry/load.js';
import { EXIT } from '../exit-codes.js';

export interface AddReferencesArgs {
  readonly ref: readonly string[];
  /** `--from-refs <dir>`: the folder whose code and config are searched. */
  readonly from: string | undefined;
  readonly root: string;
  readonly file: string;
  readonly source: string | undefined;
  readonly license: string | undefined;
}

/** A reviewed reference with where it came from: the command line, or the places in the code that load it. */
interface Candidate {
  readonly reviewed: ReviewedReference;
  readonly where: string[];
}

interface Refused {
  readonly where: string;
  readonly refusal: Refusal;
}

/**
 * `chainproof registry add --ref … | --from-refs <dir>`: record hub repositories reviewed at a commit as registry
 * entries with no files — the shape the refs stage matches a reference against (`reviewedCommits`), so the next
 * scan no longer reports them as unknown (CPR003). Only a 40-hex commit is recorded: a branch, a tag or no revision
 * is refused (exit 2) and never resolved to a commit here, which would record something nobody reviewed.
 * A download pinned by digest (openai-whisper, OpenAI CLIP) is recorded as an entry whose one file is its URL with
 * that sha256, the shape the refs stage matches it against (`registryDigests`).
 * An explicit `--ref` that is refused writes nothing; `--from-refs` records the pinned references it found, lists
 * the ones it could not record and exits 2 if there were any, so CI notices.
 */
export async function addReferences(argv: AddReferencesArgs): Promise<number> {
  const root = path.resolve(argv.root);
  const refused: Refused[] = [];
  const found: { reviewed: ReviewedReference; where: string }[] = [];
  for (const text of argv.ref) {
    const r = parseReferenceArgument(text);
    if (isRefusal(r)) refused.push({ where: `--ref ${text}`, refusal: r });
    else found.push({ reviewed: r, where: '--ref' });
  }
  if (refused.length > 0) throw new UsageError(refusalText(refused, 0));
  let runTime = 0;
  if (argv.from !== undefined) {
    const scanned = await referencesUnder(argv.from);
    runTime = scanned.runTime;
    for (const ref of scanned.references) {
      const where = `${ref.path}:${ref.line}:${ref.column}`;
      const r = reviewedFromReference(ref);
      if (isRefusal(r)) {
        // A plain URL has no hub revision to review: not a refusal of the command, just nothing to record here.
        if (r.reason === 'unpinned') refused.push({ where, refusal: r });
      } else found.push({ reviewed: r, where });
    }
  }
  if (argv.source !== undefined && found.length !== 1)
    throw new UsageError('--source names the source of one reference; give exactly one --ref with it');
  const candidates = merge(found);
  const abs = path.resolve(root, argv.file);
  const display = path.relative(root, abs).split(path.sep).join('/');
  // An entry in another registry file would make the registry ambiguous (a duplicate name@revision): report it.
  const registry = await loadTrustedRegistry(root);
  const elsewhere = new Map(registry.models.map((m) => [registryEntryKey(m), `${m.file}:${m.line ?? 1}`]));
  const toAdd: NewHubEntry[] = [];
  // The candidate each entry is written for (addHubEntries gives back the entries it was handed).
  const candidateOf = new Map<NewHubEntry, Candidate>();
  const lines: string[] = [];
  for (const c of candidates) {
    const at = elsewhere.get(keyOf(c.reviewed));
    if (at !== undefined && !at.startsWith(`${display}:`)) {
      lines.push(`present ${shown(c.reviewed)} in ${at} (${c.where.join(', ')})`);
      continue;
    }
    const entry: NewHubEntry = {
      name: c.reviewed.repoId,
      revision: c.reviewed.commit,
      source: argv.source ?? c.reviewed.source,
      ...(argv.license !== undefined ? { license: argv.license } : {}),
      ...(c.reviewed.sha256 !== undefined ? { download: { url: c.reviewed.repoId, sha256: c.reviewed.sha256 } } : {}),
    };
    toAdd.push(entry);
    candidateOf.set(entry, c);
  }
  const { added, present } = toAdd.length > 0 ? await addHubEntries(abs, display, toAdd) : { added: [], present: [] };
  const said = (verb: 'added' | 'present', e: NewHubEntry): string => {
    const c = candidateOf.get(e)!;
    return `${verb} ${shown(c.reviewed)} ${verb === 'added' ? 'to' : 'in'} ${display} (${c.where.join(', ')})`;
  };
  for (const e of added) lines.push(said('added', e));
  for (const e of present) lines.push(said('present', e));
  lines.sort();
  if (argv.from !== undefined && candidates.length === 0 && refused.length === 0)
    lines.push(`no pinned model references found under ${argv.from}`);
  if (runTime > 0)
    lines.push(
      `${runTime} model name(s) chosen at run time (CPR010) cannot be recorded: pin them where they are configured`,
    );
  // Lines name files of the scanned tree (where each reference was found): shown escaped, as in every report.
  for (const l of lines) process.stdout.write(`${guardLineStart(escapeControl(l))}\n`);
  if (refused.length > 0) throw new UsageError(refusalText(refused, added.length));
  return EXIT.ok;
}

/** The references the scan's refs stage finds under `dir`, in path/line/column order, and the run-time choices. */
async function referencesUnder(dir: string): Promise<{ references: ModelReference[]; runTime: number }> {
  const abs = path.resolve(dir);
  if (!(await stat(abs).catch(() => undefined))?.isDirectory()) throw new UsageError(`${dir} is not a directory`);
  // Loaded here only: `registry add <path>` and `registry check` need no parser.
  const [
    { scanRepository },
    { refsStage },
    { DEFAULT_POLICY },
    { EMPTY_REGISTRY },
    { offlineScanOptions, silentLogger },
  ] = await Promise.all([
    import('../../app/scan.js'),
    import('../../refs/stage.js'),
    import('../../trust/policy/default.js'),
    import('../../core/trusted-registry.js'),
    import('../../core/context.js'),
  ]);
  const result = await scanRepository({
    root: abs,
    policy: DEFAULT_POLICY,
    registry: EMPTY_REGISTRY,
    options: offlineScanOptions({}),
    include: [],
    exclude: [],
    logger: silentLogger,
    stages: [refsStage],
  });
  const references = [...(result.references ?? [])].sort(
    (a, b) => cmp(a.path, b.path) || a.line - b.line || a.column - b.column,
  );
  return {
    references,
    runTime: result.findings.reduce(
      // A file's many run-time choices are one grouped finding (refs/causes.ts): each call counts.
      (n, f) => n + (f.ruleId === 'CPR010' ? (f.members?.length ?? 1) : 0),
      0,
    ),
  };
}

/** One candidate per repo id and commit, with every place that loads it. */
function merge(found: readonly { reviewed: ReviewedReference; where: string }[]): Candidate[] {
  const byKey = new Map<string, Candidate>();
  for (const f of found) {
    const key = keyOf(f.reviewed);
    const c = byKey.get(key);
    if (c) {
      if (!c.where.includes(f.where)) c.where.push(f.where);
    } else byKey.set(key, { reviewed: f.reviewed, where: [f.where] });
  }
  return [...byKey.values()];
}

/** The registry's identity of the entry a reference is recorded as (core/records.ts `registryEntryKey`). */
function keyOf(r: ReviewedReference): string {
  return registryEntryKey({ name: r.repoId, revision: r.commit, source: r.source });
}

function shown(r: ReviewedReference): string {
  if (r.hub === 'url') return `${r.repoId} (${r.commit})`;
  return `${r.hub === 'huggingface' ? 'hf' : r.hub}:${r.repoId}@${r.commit}`;
}

function refusalText(refused: readonly Refused[], added: number): string {
  const head =
    added > 0
      ? `recorded ${added} reviewed reference(s); ${refused.length} not recorded (no reviewed commit):`
      : `${refused.length} reference(s) not recorded (no reviewed commit):`;
  return [head, ...refused.map((r) => `  ${r.where}: ${r.refusal.message}`)].join('\n');
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
