import path from 'node:path';
import type { Finding } from '../../core/finding.js';
import { readConfigInRoot } from '../../io/open-regular.js';
import { isPinnedReference, type ModelReference } from '../../core/records.js';
import { NOT_SEARCHED, isReferenceSource, maxSourceBytes, searchText } from '../../refs/find.js';
import { RepositoryModules, withImportedValues } from '../../refs/imported-values.js';
import type { FileReferences, ImportedValue } from '../../refs/types.js';
import { argumentLoads, commandLineArguments, readsCommandLines } from '../../refs/script-arguments.js';
import { scriptOptions, type ScriptOptions } from '../../refs/python-argparse.js';
import { mayCallLoader } from '../../refs/search.js';
import { pinAdvice, reviewedKey, whatRuns } from '../../refs/judge.js';
import { languageOf } from '../../refs/sources.js';
import { didYouMean } from '../../trust/policy/suggest.js';
import { hashWorkingFiles, type BlobCache } from './git.js';

/** A model reference the change added, or whose pinned revision it moved. */
export interface ReferenceChange {
  readonly kind: 'added' | 'moved';
  readonly reference: ModelReference;
  /** The revision the base revision loaded (moved only; undefined = it was unpinned). */
  readonly from?: string;
}

export interface ReferenceSides {
  /** Reference source files at the base revision: path → git object id. */
  readonly base: ReadonlyMap<string, string>;
  /** The same at the head: object ids (a commit) or the working tree's would-be ids. */
  readonly head: ReadonlyMap<string, string>;
  /** Read a head file's text (a blob, or the working tree). */
  readonly readHead: (p: string) => Promise<string | undefined>;
  readonly readBase: (p: string) => Promise<string | undefined>;
  readonly existsLocally: (p: string) => boolean;
}

/** Working-tree sides: the reference sources the head scan saw, with the ids git would give them. */
export async function workingTreeSources(dir: string, paths: readonly string[]): Promise<Map<string, string>> {
  const sources = paths.filter(isReferenceSource);
  return sources.length > 0 ? hashWorkingFiles(dir, sources) : new Map();
}

export function blobReader(
  blobs: BlobCache,
  ids: ReadonlyMap<string, string>,
): (p: string) => Promise<string | undefined> {
  return async (p) => {
    const id = ids.get(p);
    return id === undefined
      ? undefined
      : (await blobs.one(id, maxSourceBytes(p)).catch(() => undefined))?.toString('utf8');
  };
}

export function fileReader(dir: string): (p: string) => Promise<string | undefined> {
  // Sized before it is read (a 400 MB file was read whole, then refused: 850 MB peak), a regular file inside the
  // tree only, as the scan's walk opens it.
  return async (p) =>
    (await readConfigInRoot(dir, path.join(dir, ...p.split('/')), maxSourceBytes(p)))?.toString('utf8');
}

/**
 * Model references in the files the change touched, at both revisions, compared by file and model: a pinned
 * revision that moved (CPU011, an error when it drops a commit pin), a call now loading another model (CPU032) and a
 * new reference that pins nothing (CPU012). Only changed files are parsed. A reference whose model left another
 * touched file (a rename across folders, code moved to a helper) is compared with the one it came from: a rename
 * must not turn a dropped commit pin into a mere new reference, nor hide a look-alike swap.
 */
export async function referenceChanges(
  s: ReferenceSides,
): Promise<{ changes: ReferenceChange[]; findings: Finding[] }> {
  const touched = [...new Set([...s.base.keys(), ...s.head.keys()])]
    .filter((p) => s.base.get(p) !== s.head.get(p))
    .sort();
  // Each side's modules, for the values files import from them (imported-values.ts).
  const modules = {
    base: new RepositoryModules(() => s.base.keys(), s.readBase),
    head: new RepositoryModules(() => s.head.keys(), s.readHead),
  };
  // Untouched importers of a module the change gives other values, with their text (the same on both sides).
  const importers = await importersOfChangedValues(touched, modules, s);
  const compared = [...touched, ...importers.keys()].sort();
  const textOf = (p: string, read: (p: string) => Promise<string | undefined>) =>
    importers.has(p) ? Promise.resolve(importers.get(p)) : read(p);
  // Head files the change touched that could not be searched (too large, unreadable, too deep): counted, as scan does.
  const unsearched: string[] = [];
  // The Python scripts each side's command lines may run, searched once per side.
  const scripts = { base: new ScriptLoads(s.base, s.readBase, s), head: new ScriptLoads(s.head, s.readHead, s) };
  const files = await Promise.all(
    compared.map(async (p) => ({
      p,
      before: await refsIn(p, await textOf(p, s.readBase), modules.base, s, scripts.base),
      after: await refsIn(
        p,
        await textOf(p, s.readHead),
        modules.head,
        s,
        scripts.head,
        s.head.has(p) ? unsearched : undefined,
      ),
    })),
  );
  const left = movedAway(files, s.head);
  const changes: ReferenceChange[] = [];
  const findings: Finding[] = notSearched(unsearched.sort());
  for (const { p, before, after } of files) {
    // A file new at the head may be a renamed one: its calls are paired with those of the files the change deleted.
    const retargets = pairRetargets(before.length > 0 || s.base.has(p) ? before : left.deleted, after, left.used);
    for (const r of after) {
      const name = idOf(r);
      const here = before.filter((b) => idOf(b) === name);
      const sameModel = here.length > 0 ? here : takeMoved(left, r);
      // Compared with the base's calls of the same loader when there are any: a file that also fetches a file of
      // the repo at a branch (`hf_hub_download(…, revision="main")`) must not hide the model's own pin moving there.
      const sameVia = sameModel.filter((b) => b.via === r.via);
      const olds = sameVia.length > 0 ? sameVia : sameModel;
      const where = { path: r.path, line: r.line, column: r.column };
      const moved = olds[0] !== undefined && olds[0].path !== r.path ? olds[0].path : undefined;
      const evidence = {
        model: name ?? '?',
        via: r.via,
        ...(r.revision !== undefined ? { revision: r.revision } : {}),
        ...(moved !== undefined ? { movedFrom: moved } : {}),
      };
      // Remote code newly allowed for this model in this file: the loader will import Python from the model repository.
      const remoteCode = r.runsRemoteCode && !olds.some((b) => b.runsRemoteCode);
      // Else the same model's download moved from a tensors-only file to a pickle (CPU038).
      const leftFile = remoteCode ? undefined : pickleInstead(olds, after, r);
      if (leftFile !== undefined) findings.push(switchedToPickle(r, name ?? '?', leftFile, evidence));
      if (remoteCode)
        findings.push({
          ruleId: 'CPU021',
          message: `The change lets ${r.via} run code from ${name ?? '?'}${r.revision !== undefined ? ` at "${r.revision}"` : ''} (${whatRuns(r)}): Python from the model repository will run at load time. Read that code at a pinned commit, or load without remote code.`,
          location: where,
          evidence: { ...evidence, pinned: isPinnedReference(r) },
        });
      if (olds.length === 0) {
        changes.push({ kind: 'added', reference: r });
        const was = retargets.get(r);
        if (was) findings.push(retargeted(was, r));
        if (!isPinnedReference(r))
          findings.push({
            ruleId: 'CPU012',
            // The pin in the form its loader takes (judge.ts `pinAdvice`): not every loader takes a commit.
            message: `The change adds ${r.via} loading ${name ?? '?'} ${r.revision !== undefined ? `at "${r.revision}", a name that can move` : 'with no revision'}. ${pinAdvice(r)} Do it before merging.`,
            location: where,
            evidence,
          });
      } else if (!olds.some((b) => b.revision === r.revision)) {
        const from = olds[0]!.revision;
        changes.push({ kind: 'moved', reference: r, ...(from !== undefined ? { from } : {}) });
        // A commit pin traded for a branch, a tag or nothing: whatever the name points at on the day it loads.
        const unpinned = olds.some(isPinnedReference) && !isPinnedReference(r);
        findings.push({
          ruleId: 'CPU011',
          ...(unpinned ? { level: 'error' as const } : {}),
          message: `The change moves ${name ?? '?'} from ${from ?? 'no revision'} to ${r.revision ?? 'no revision'} (${r.via}${moved !== undefined ? `, code moved from ${moved}` : ''}${r.definedIn !== undefined ? `, as imported from ${r.definedIn}` : ''})${unpinned ? ', dropping its commit pin' : ''}: other weights — and, with remote code, other code — will load. ${unpinned ? 'Pin the reviewed commit again.' : 'Review the new revision and record it in the trusted registry.'}`,
          location: where,
          evidence: { ...evidence, from: from ?? '' },
        });
      }
    }
  }
  return { changes, findings };
}

/** Files whose loaders hold no code: only tensors and metadata (safetensors, GGUF, ONNX). */
const TENSORS_ONLY = /\.(safetensors|gguf|onnx)$/i;
/** Files loaded by unpickling: torch.save's and pickle's, joblib's, Lightning's checkpoints. */
const PICKLED = /\.(bin|pt|pth|ckpt|pkl|pickle|joblib)$/i;

/**
 * The tensors-only file of `r`'s model the change stopped downloading where it now downloads the pickle `r.file`
 * (`hf_hub_download(repo, "model.safetensors")` → `"pytorch_model.bin"`, same repo and revision): undefined unless
 * the base downloaded such a file of the model and this file no longer does, and the base never downloaded `r.file`.
 */
function pickleInstead(
  olds: readonly ModelReference[],
  after: readonly ModelReference[],
  r: ModelReference,
): string | undefined {
  if (r.file === undefined || !PICKLED.test(r.file) || olds.some((b) => b.file === r.file)) return undefined;
  const same = after.filter((a) => idOf(a) === idOf(r));
  return olds.find((b) => b.file !== undefined && TENSORS_ONLY.test(b.file) && !same.some((a) => a.file === b.file))
    ?.file;
}

/** CPU038: the download of a model moved from a tensors-only file to a pickle of the same model and revision. */
function switchedToPickle(r: ModelReference, model: string, was: string, evidence: Record<string, string>): Finding {
  return {
    ruleId: 'CPU038',
    message: `The change makes ${r.via} download ${r.file} of ${model} instead of ${was}: the same model, but a pickle file, whose loader (torch.load, pickle, joblib) runs whatever code it names, where ${was} holds only tensors. Keep ${was}, or review ${r.file} and load it with weights_only=True.`,
    location: { path: r.path, line: r.line, column: r.column },
    evidence: { ...evidence, from: was, file: r.file ?? '' },
  };
}

/**
 * A reference's model: its repo id (ModelScope's after `modelscope:`, judge.ts `reviewedKey`: the same id there is
 * another repository), else its URL.
 */
const idOf = (r: ModelReference): string | undefined =>
  r.repoId === undefined ? r.url : reviewedKey({ hub: r.hub, repoId: r.repoId });

/** Base references whose model their own file no longer loads at the head: where a moved call may have come from. */
interface MovedAway {
  readonly refs: readonly ModelReference[];
  /** Those of files the change deleted whose model no touched head file loads (a rename's retarget candidates). */
  readonly deleted: readonly ModelReference[];
  /** Base references already paired with a head reference (each pairs once). */
  readonly used: Set<ModelReference>;
}

function movedAway(
  files: readonly { p: string; before: readonly ModelReference[]; after: readonly ModelReference[] }[],
  head: ReadonlyMap<string, string>,
): MovedAway {
  const id = idOf;
  const loaded = new Set(files.flatMap((f) => f.after.map(id)));
  const refs = files.flatMap((f) => f.before.filter((b) => !f.after.some((a) => id(a) === id(b))));
  const deleted = refs.filter((b) => !head.has(b.path) && !loaded.has(id(b)));
  return { refs, deleted, used: new Set() };
}

/** The base references of `r`'s model that left other files (the same loader first), taken so none pairs twice. */
function takeMoved(left: MovedAway, r: ModelReference): ModelReference[] {
  const id = idOf;
  const same = left.refs.filter((b) => !left.used.has(b) && id(b) === id(r));
  const pick = same.find((b) => b.via === r.via) ?? same[0];
  if (pick === undefined) return [];
  left.used.add(pick);
  return [pick];
}

/**
 * A reference the change points at another model in place: the base model is gone from the file and a new one is
 * loaded by the same call (nearest line). Pairs head reference → the base reference it replaced.
 */
function pairRetargets(
  before: readonly ModelReference[],
  after: readonly ModelReference[],
  used: Set<ModelReference>,
): Map<ModelReference, ModelReference> {
  const id = idOf;
  const gone = before.filter((b) => id(b) !== undefined && !after.some((a) => id(a) === id(b)));
  const out = new Map<ModelReference, ModelReference>();
  for (const r of after) {
    if (id(r) === undefined || before.some((b) => id(b) === id(r))) continue;
    const near = gone
      .filter((b) => b.via === r.via && !used.has(b))
      .sort((x, y) => Math.abs(x.line - r.line) - Math.abs(y.line - r.line))[0];
    if (near) {
      out.set(r, near);
      used.add(near);
    }
  }
  return out;
}

/**
 * CPU032: the call now loads another model. A look-alike id (the same model name under another owner, or an id a
 * couple of letters away) is how a typosquatted repository gets in: an error; any other swap is a warning to review.
 */
function retargeted(was: ModelReference, r: ModelReference): Finding {
  const from = idOf(was) ?? '?';
  const to = idOf(r) ?? '?';
  const leaf = (x: string) => x.slice(x.lastIndexOf('/') + 1).toLowerCase();
  const lookalike = leaf(from) === leaf(to) || didYouMean(to, [from], 2) !== undefined;
  return {
    ruleId: 'CPU032',
    ...(lookalike ? {} : { level: 'warning' as const }),
    message: `The change points ${r.via} at ${to} instead of ${from}${lookalike ? ', a look-alike of the name it replaces' : ''}: another repository, so other weights and possibly other code from another owner. Check the new id letter by letter and who publishes it, then review it and record it in the trusted registry.`,
    location: { path: r.path, line: r.line, column: r.column },
    evidence: {
      from,
      to,
      via: r.via,
      lookalike,
      ...(was.revision !== undefined ? { fromRevision: was.revision } : {}),
      ...(r.revision !== undefined ? { toRevision: r.revision } : {}),
    },
  };
}

async function refsIn(
  p: string,
  text: string | undefined,
  modules: RepositoryModules,
  s: ReferenceSides,
  scripts: ScriptLoads,
  unsearched?: string[],
): Promise<ModelReference[]> {
  const got = text === undefined ? ({ kind: 'skipped' } as const) : searchText(p, text, s.existsLocally);
  if (got.kind === 'skipped') unsearched?.push(p);
  if (got.kind === 'skipped' || text === undefined) return [];
  const given = await scripts.givenBy(p, text);
  if (got.kind !== 'found') return given;
  if (!importsValues(p)) return [...got.refs.references, ...given];
  return [...(await withImportedValues(p, text, got.refs, modules, s.existsLocally)).references, ...given];
}

/**
 * The models command lines give the Python scripts they run, at one revision: `python train.py --model_name_or_path
 * org/x` loads org/x through train.py's argparse flag, as scan's refs stage joins them (refs/script-arguments.ts). A
 * change to the command line alone re-points the load, so a touched command file (a notebook's shell escapes too) is
 * compared with these; the scripts it names (by file name) are read at the same revision, each searched once.
 */
class ScriptLoads {
  private readonly searched = new Map<string, Promise<SearchedScript | undefined>>();

  constructor(
    private readonly ids: ReadonlyMap<string, string>,
    private readonly read: (p: string) => Promise<string | undefined>,
    private readonly s: ReferenceSides,
  ) {}

  async givenBy(p: string, text: string): Promise<ModelReference[]> {
    if (!readsCommandLines(p)) return [];
    const named = [...this.ids.keys()].filter((q) => q.endsWith('.py') && text.includes(path.posix.basename(q)));
    if (named.length === 0) return [];
    const found = (await Promise.all(named.map((q) => this.search(q)))).filter((r) => r !== undefined);
    const options = new Map(found.flatMap((r) => (r.options ? [[r.path, r.options] as const] : [])));
    const loads = argumentLoads(
      found.flatMap((r) => r.refs.references),
      found.flatMap((r) => r.refs.dynamic),
      options,
    );
    if (loads.size === 0) return [];
    return (await commandLineArguments(p, text, loads, this.s.existsLocally))?.references ?? [];
  }

  /** A script's references, and how a command line may write its parser's options (as scan's refs stage reads them). */
  private search(q: string): Promise<SearchedScript | undefined> {
    let got = this.searched.get(q);
    if (got === undefined) {
      got = this.read(q).then((t) => {
        const r = t === undefined ? undefined : searchText(q, t, this.s.existsLocally);
        return r?.kind === 'found' ? { path: q, refs: r.refs, options: scriptOptions(t!) } : undefined;
      });
      this.searched.set(q, got);
    }
    return got;
  }
}

interface SearchedScript {
  readonly path: string;
  readonly refs: FileReferences;
  readonly options: ScriptOptions | undefined;
}

/**
 * One CPR011 for the head's changed sources no finder read, as the refs stage of `scan` counts them: a call a change
 * adds in a file padded past MAX_SOURCE_BYTES (or nested past the parsers' bound) is not passed as clean.
 */
function notSearched(files: readonly string[]): Finding[] {
  if (files.length === 0) return [];
  return [
    {
      ruleId: 'CPR011',
      message: `${files.length} ${NOT_SEARCHED}`,
      location: { path: files[0]! },
      evidence: { count: files.length, files: files.slice(0, 200).join(' ') },
    },
  ];
}

/**
 * Source files the change did not touch whose references it may still move: they import a value (a model name, a
 * revision) from a module whose top-level values differ between the sides (`REVISION = "<commit>"` → `"main"` in
 * config.py moves the pin of every call that imports it; the same for a TypeScript `constants.ts`). Only files that
 * name the module and may call a loader are read at all, and only when some module's values changed. Each with its
 * text.
 */
async function importersOfChangedValues(
  touched: readonly string[],
  modules: { readonly base: RepositoryModules; readonly head: RepositoryModules },
  s: ReferenceSides,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const changed: string[] = [];
  for (const p of touched.filter(importsValues)) {
    const [before, after] = await Promise.all([modules.base.valuesOf(p), modules.head.valuesOf(p)]);
    if (!sameValues(before, after)) changed.push(p);
  }
  if (changed.length === 0) return out;
  // The word an import of each changed module writes: the file's stem, or its folder for a package's `__init__.py`
  // or an `index` file.
  const stems = changed.map((p) => {
    const stem = path.posix.basename(p).replace(/\.[^.]*$/, '');
    return stem === '__init__' || stem === 'index' ? path.posix.basename(path.posix.dirname(p)) : stem;
  });
  const candidates = [...s.head.keys()].filter(
    (p) => importsValues(p) && s.base.get(p) === s.head.get(p) && s.base.has(p),
  );
  for (const p of candidates) {
    const text = await s.readHead(p);
    const language = languageOf(p) === 'javascript' ? 'javascript' : 'python';
    if (
      text === undefined ||
      !(stems.some((w) => text.includes(w)) || namesNoModule(text)) ||
      !mayCallLoader(text, language)
    )
      continue;
    const after = await modules.head.importedBy(p, text);
    const before = await modules.base.importedBy(p, text);
    if ([...after.modules, ...before.modules].some((m) => changed.includes(m))) out.set(p, text);
  }
  return out;
}

/**
 * An import that writes no module's name: Python's `from . import X` / `from .. import X` (the package's
 * `__init__.py`), JavaScript's `'.'`, `'..'`, `'./'` specifiers (the folder's `index`). module-paths.ts resolves them.
 */
const namesNoModule = (text: string) => /\bfrom[ \t]+\.+[ \t]*import\b|(['"])\.\.?\/?\1/.test(text);

/** A file whose references may read values it imports from the repository's modules (imported-values.ts). */
const importsValues = (p: string) => ['python', 'javascript', 'notebook'].includes(languageOf(p) ?? '');

function sameValues(
  a: ReadonlyMap<string, ImportedValue> | undefined,
  b: ReadonlyMap<string, ImportedValue> | undefined,
): boolean {
  const key = (m: ReadonlyMap<string, ImportedValue> | undefined) => JSON.stringify([...(m ?? [])].sort());
  return key(a) === key(b);
}
