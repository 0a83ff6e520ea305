import { sniffPickleStream, type LeadingPickle } from '../../discover/formats/pickle-head.js';
import type { Finding } from '../../core/finding.js';
import type { AllowContext } from './allowlist.js';
import type { PickleRun } from './result.js';
import type { FileSource } from '../../core/file-source.js';
import type { Steps } from './drive.js';
import { driveAsync, driveSync } from './drive.js';
import { ByteSource, isOpenEnded } from './source.js';
import { streamSteps } from './stream.js';
import { toFindings } from './verdict.js';
import { judgeKerasArchives, judgeKerasArchivesSync } from './keras-object.js';
import { pickleSteps } from './vm.js';
import { judgeTorchBytes, judgeTorchBytesSync } from './torch-bytes.js';
import { joblibHook, plainBuild, type SidecarRef } from './joblib.js';
import { isLegacyMagic, legacyTorchRestSteps } from './torch-legacy-stream.js';
import { scanTail } from './tail-scan.js';
import { COMPUTED_NAME, dangerWhenCalled } from './danger.js';
import { toPython3 } from './compat.js';
import { isImportingHelper } from './vm/calls.js';
import { callKey, globalKey } from './vm/record.js';

/** The first pickle of a legacy (pre-1.6) torch.save file: the LONG1 magic number 0x1950a86a20f9469cfc6c. */
const LEGACY_TORCH_MAGIC = Buffer.from([
  0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19,
]);

export function isLegacyTorch(head: Buffer): boolean {
  return head.subarray(0, LEGACY_TORCH_MAGIC.length).equals(LEGACY_TORCH_MAGIC);
}

/** A protocol 2–5 pickle starts with PROTO n. */
export function looksLikePickle(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x80 && head[1]! <= 5;
}

/** Any stream `pickle.load` would read (PROTO or not): the shared discovery sniffer. */
export function looksLikePickleStream(head: Buffer, wholeFile: boolean): boolean {
  return looksLikePickle(head) || sniffPickleStream(head, wholeFile) === 'pickle';
}

export interface PickleTarget {
  /** Repo-relative file path. */
  readonly path: string;
  /** Member inside containers, `!`-separated for nesting. */
  readonly member?: string;
  readonly allow: AllowContext;
  readonly what: string;
  /**
   * The same content from its start again, for a source that only reads forward (a decompressed stream): the plain
   * `pickle.load` reading of a joblib file (`addPlainLoad`) reads it a second time. Closed by the caller.
   */
  readonly reopen?: () => Promise<FileSource>;
  /** Told of each joblib sidecar file the pickle makes `joblib.load` open (top-level files only). */
  readonly onSidecar?: (ref: SidecarRef) => void;
  /**
   * Whether a decompression limit cut the source short (streamed.ts): its caller reports the limit (CPI012), and a
   * pickle that ran out of data there ran out because of it, not because the file is malformed.
   */
  readonly cutShort?: () => boolean;
}

/**
 * Analyse every pickle in a source and turn the runs into findings. A legacy torch file holds exactly five
 * pickles followed by raw storages, which torch.load never unpickles; any other stream must be pickles to its end.
 */
function* analyseSteps(src: ByteSource, target: PickleTarget): Steps<Analysed> {
  const opts = { afterBuild: joblibHook(target.onSidecar) };
  const first = src.atEnd() ? undefined : yield* pickleSteps(src, opts);
  // `torch.load` (`_legacy_load`) recognises a legacy file by the VALUE of its first pickle, under any protocol.
  const legacy = first !== undefined && first.stopped && isLegacyMagic(first.result);
  let runs: PickleRun[];
  if (first === undefined) runs = [yield* pickleSteps(src)];
  else if (legacy) runs = yield* legacyTorchRestSteps(src, first, opts);
  else runs = first.stopped ? [first, ...(yield* streamSteps(src, opts, first))] : [first];
  return { runs, what: legacy ? 'legacy PyTorch file' : target.what };
}

interface Analysed {
  readonly runs: PickleRun[];
  readonly what: string;
}

function findingsOf({ runs, what }: Analysed, target: PickleTarget): Finding[] {
  return toFindings(runs, {
    location: { path: target.path, ...(target.member !== undefined ? { member: target.member } : {}) },
    allow: target.allow,
    what,
  });
}

/** Bytes read lexically past the point where the VM stopped, at most. */
const MAX_TAIL = 16 * 1024 * 1024;

/**
 * One cause, one finding: a gzipped pickle bomb decompressed to the limit ends mid-pickle, and that end is the
 * limit's finding (CPI012), not a second, malformed-pickle one (CPI003). What the pickle did before the cut stays.
 */
function dropRanOut(runs: readonly PickleRun[]): void {
  const last = runs[runs.length - 1];
  if (last === undefined) return;
  const kept = last.problems.filter((p) => p.ranOut !== true);
  last.problems.splice(0, last.problems.length, ...kept);
}

/** Where the last pickle stopped short of its STOP, if it did. */
function stoppedAt(runs: readonly PickleRun[]): number | undefined {
  const last = runs[runs.length - 1];
  if (last === undefined || last.stopped) return undefined;
  return last.problems[last.problems.length - 1]?.offset;
}

/**
 * What the bytes after a stop import joins the stopped pickle's imports (tail-scan.ts): where our reading of
 * CPython's rules says it fails, a loader that goes on — the other unpickler, another version — imports these, and
 * a call there may be made on any global the pickle imported (addTailCalls).
 */
function addTailImports(runs: readonly PickleRun[], tail: Buffer | undefined, at: number): void {
  const run = runs[runs.length - 1];
  if (run === undefined || tail === undefined) return;
  const { imports, callAt } = scanTail(tail, at);
  for (const t of imports) {
    const key = globalKey(t.module, t.name);
    if (!run.globals.has(key)) run.globals.set(key, { ...t, count: 1 });
  }
  if (callAt !== undefined) addTailCalls(run, callAt);
}

/**
 * Globals judged by their calls, not their names: numpy's `_ufunc_reconstruct(module, name)` imports whatever its
 * arguments name (vm/calls.ts), `numpy.memmap(path, mode)` opens its file (danger.ts), `builtins.getattr` is spared
 * only when every call fetches a member it can name (enum-members.ts). A call in the bytes read lexically may be
 * theirs, with arguments that read cannot see (the stack and memo of before the stop): each counts as made — the
 * helper's import as a computed one, memmap and getattr as called with what cannot be named — so a payload moved past
 * a stop is not a pass.
 */
function addTailCalls(run: PickleRun, at: number): void {
  for (const g of [...run.globals.values()]) {
    const py3 = toPython3(g.module, g.name);
    if (isImportingHelper(py3)) {
      const key = globalKey(COMPUTED_NAME, COMPUTED_NAME);
      if (!run.globals.has(key))
        run.globals.set(key, { module: COMPUTED_NAME, name: COMPUTED_NAME, opcode: 'REDUCE', offset: at, count: 1 });
    } else if (dangerWhenCalled(py3.module, py3.name) !== undefined || isGetattr(py3)) {
      // The key record.ts gives a REDUCE on the global itself; one more call than the VM saw, with no member named.
      const key = callKey('REDUCE', globalKey(g.module, g.name), true);
      const seen = run.calls.get(key);
      if (seen) seen.count++;
      else run.calls.set(key, { kind: 'REDUCE', target: g, onGlobal: true, computed: false, offset: at, count: 1 });
    }
  }
}

const isGetattr = (g: { readonly module: string; readonly name: string }) =>
  g.module === 'builtins' && g.name === 'getattr';

/** A module or attribute path as Python spells one; random array bytes practically never form two in a row. */
const PY_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const isPythonName = (g: { readonly module: string; readonly name: string }) =>
  PY_PATH.test(g.module) && PY_PATH.test(g.name);

/**
 * A pickle holding a joblib NumpyArrayWrapper is read two ways. `joblib.load` (NumpyUnpickler.load_build) copies
 * the bytes after the wrapper's BUILD as array data; a plain `pickle.load` — what many load a `.pkl` with — builds
 * the wrapper as an ordinary object (Lib/pickle.py `load_build` only sets its state) and goes on reading those bytes
 * as opcodes, with the same stack and memo, to STOP or its first error. The pickle is read again from its first
 * opcode the way pickle.load reads it (`plainLoadRun`), and what that reading imports and calls joins the pickle's:
 * only names spelled as Python names (real array data read as opcodes stops within a few bytes, and whatever else it
 * would "import" fails to import), and a limit reached on the way is reported, never a silent pass.
 *
 * A decompressed stream is read again through `PickleTarget.reopen` (streamed.ts, member-stream.ts). Where the second
 * reading cannot be had (no reopen, or it fails on corrupt data past where the first stopped), the first 64 KiB after
 * the wrapper (joblib.ts `ARRAY_OPCODES_PEEK`) are read lexically instead (tail-scan.ts), which sees what they spell,
 * not what a payload pushed further out or fetched from the memo does.
 */
function addPlainLoad(run: PickleRun, plain: PickleRun | undefined): void {
  if (plain === undefined) {
    if (run.arrayData === undefined) return;
    // Imports only: these bytes are a legitimate file's array data to joblib.load, where a byte that reads as
    // REDUCE says nothing (a joblib memmap names numpy.memmap as its wrapper's subclass).
    for (const t of scanTail(run.arrayData.bytes, run.arrayData.at).imports) {
      const key = globalKey(t.module, t.name);
      if (isPythonName(t) && !run.globals.has(key)) run.globals.set(key, { ...t, count: 1 });
    }
    return;
  }
  for (const [key, g] of plain.globals) if (isPythonName(g) && !run.globals.has(key)) run.globals.set(key, g);
  for (const [key, c] of plain.calls)
    if (c.target !== undefined && isPythonName(c.target) && !run.calls.has(key)) run.calls.set(key, c);
  for (const p of plain.problems)
    if (p.kind === 'budget')
      run.problems.push({
        ...p,
        message: `read as a plain pickle.load reads the array data after a joblib NumpyArrayWrapper: ${p.message}`,
      });
}

/** The pickle that holds the first joblib NumpyArrayWrapper, if any. */
const wrapperRun = (runs: readonly PickleRun[]) => runs.find((r) => r.arrayData !== undefined);

/**
 * The pickle at `start` of a file as a plain `pickle.load` reads it. A decompressed stream only reads forward: it is
 * decompressed again from its start (`PickleTarget.reopen`), else undefined (addPlainLoad's lexical read stands in).
 */
async function plainLoadFile(
  file: FileSource,
  target: PickleTarget,
  start: number,
  end: number,
): Promise<PickleRun | undefined> {
  if (!isOpenEnded(file)) {
    const again = ByteSource.fromFile(file, start, end);
    return driveAsync(plainLoadRun(again), again);
  }
  if (target.reopen === undefined) return undefined;
  const fresh = await target.reopen();
  try {
    const again = ByteSource.fromFile(fresh, start, end);
    const run = await driveAsync(plainLoadRun(again), again);
    // The stream stopped at a limit while the reading wanted more: what lies past it was not read (never a silent pass).
    if ((fresh as { readonly limitHit?: boolean }).limitHit === true)
      run.problems.push({
        kind: 'budget',
        message: `the stream was decompressed again to its limit (size, ratio and the file's decompression budget) before the reading ended`,
        offset: run.end,
      });
    return run;
  } catch {
    // Corrupt past where the first reading stopped, or a limit of the second decompression: the lexical read stands.
    return undefined;
  } finally {
    await fresh.close();
  }
}

/** The pickle starting at `start` as a plain `pickle.load` reads it (a NumpyArrayWrapper is an ordinary object). */
const plainLoadRun = (src: ByteSource) => pickleSteps(src, { afterBuild: plainBuild });

/** Pickles in a source that never needs refilling (a buffer). */
export function analysePickleSource(src: ByteSource, target: PickleTarget): Finding[] {
  const analysed = driveSync(analyseSteps(src, target));
  const at = stoppedAt(analysed.runs);
  if (at !== undefined) addTailImports(analysed.runs, src.region(at, Math.min(src.end - at, MAX_TAIL)), at);
  const wrapped = wrapperRun(analysed.runs);
  const whole = wrapped && src.region(0, src.end);
  if (wrapped) addPlainLoad(wrapped, whole && driveSync(plainLoadRun(ByteSource.fromBuffer(whole, wrapped.start))));
  judgeKerasArchivesSync(analysed.runs, (at, len) => src.region(at, len));
  judgeTorchBytesSync(analysed.runs, target.member, (at, len) => src.region(at, len), embeddedJudge(target));
  return findingsOf(analysed, target);
}

/**
 * The one pickle at the start of content that is also another format (a tar, an HDF5 file with a user block):
 * `pickle.load`, `joblib.load` and `np.load(allow_pickle=True)` read exactly one pickle from byte 0 and return at its
 * STOP (Lib/pickle.py `_Unpickler.load`), so the container after it is not read as further pickles. `pickle-head.ts`
 * `leadingPickle` says when to call this, `leadingFindings` what to keep.
 */
export function analyseLeadingPickle(data: Buffer, target: PickleTarget): Finding[] {
  const run = driveSync(pickleSteps(ByteSource.fromBuffer(data), { afterBuild: joblibHook(target.onSidecar) }));
  return findingsOf({ runs: [run], what: target.what }, target);
}

/**
 * A leading pickle's findings, as `leadingPickle` decided the head: all of them when it imports; for an undecided
 * head only when the reading found more than a stream that breaks or ends early (CPI003) — that is where a genuine
 * format's bytes stop reading as opcodes, with nothing imported before.
 */
export function leadingFindings(lead: LeadingPickle, findings: Finding[]): Finding[] {
  if (lead === 'no' || (lead === 'undecided' && findings.every((f) => f.ruleId === 'CPI003'))) return [];
  return findings;
}

/** `analyseLeadingPickle` of a file, read in bounded windows (a pickle head may run on past any fixed window). */
export async function analyseLeadingPickleFile(file: FileSource, target: PickleTarget): Promise<Finding[]> {
  const src = ByteSource.fromFile(file, 0, file.size);
  const run = await driveAsync(pickleSteps(src, { afterBuild: joblibHook(target.onSidecar) }), src);
  return findingsOf({ runs: [run], what: target.what }, target);
}

/** A file `torch.storage._load_from_bytes` hands to torch.load, judged like a file of its own at `member`. */
function embeddedJudge(target: PickleTarget): (data: Buffer, member: string) => Finding[] {
  return (data, member) =>
    analysePickleBuffer(data, { path: target.path, member, allow: target.allow, what: 'torch.load of embedded bytes' });
}

export function analysePickleBuffer(data: Buffer, target: PickleTarget): Finding[] {
  return analysePickleSource(ByteSource.fromBuffer(data), target);
}

/** Pickles in a file region `[start, end)`, read in bounded windows through the I/O edge. */
export async function analysePickleFile(
  file: FileSource,
  target: PickleTarget,
  start = 0,
  end = file.size,
): Promise<Finding[]> {
  const src = ByteSource.fromFile(file, start, end);
  const analysed = await driveAsync(analyseSteps(src, target), src);
  if (target.cutShort?.() === true) dropRanOut(analysed.runs);
  const at = stoppedAt(analysed.runs);
  if (at !== undefined) addTailImports(analysed.runs, await file.read(at, Math.min(end - at, MAX_TAIL)), at);
  const wrapped = wrapperRun(analysed.runs);
  if (wrapped) addPlainLoad(wrapped, await plainLoadFile(file, target, wrapped.start, end));
  // A pickled Keras model's archive is re-read from the file by range, once the stream is done.
  await judgeKerasArchives(analysed.runs, (at, len) =>
    at + len <= end ? file.read(at, len) : Promise.resolve(undefined),
  );
  await judgeTorchBytes(
    analysed.runs,
    target.member,
    (at, len) => (at + len <= end ? file.read(at, len) : Promise.resolve(undefined)),
    embeddedJudge(target),
  );
  return findingsOf(analysed, target);
}
