import { opcodeName } from '../../discover/formats/pickle-opcodes.js';
import { listedWithMore } from '../../core/plural.js';
import { WEIGHTS_ONLY_REFUSED, WEIGHTS_ONLY_TEXT } from './weights-only.js';
import { whereOf, type Artifact, type Finding, type Location } from '../../core/finding.js';
import type { AllowContext } from './allowlist.js';
import { isAllowed, isAllowedExactly, matchesPolicy, matchesPolicyExactly } from './allowlist.js';
import { toPython3 } from './compat.js';
import { dangerOf, dangerWhenCalled } from './danger.js';
import { fetchedDangerOf, isBenignGetattr } from './enum-members.js';
import { isModelLibrary } from './known-libraries.js';
import type { KerasExplained } from './keras-object-verdict.js';
import { kerasExplained, kerasFindings } from './keras-object-verdict.js';
import { nestedFindings } from './nested-verdict.js';
import { isLoadFromBytes, torchBytesExplained, torchBytesFindings } from './torch-bytes.js';
import { dillExplained } from './dill-calls.js';
import { instantiatedClassExplained } from './instantiated-classes.js';
import { singletonTypeExplained } from './singleton-types.js';
import { torchFunctionOwnerExplained } from './torch-functions.js';
import { isWeightsOnlyAllowed } from './weights-only.js';
import type { CallSite, PickleRun, ProblemKind } from './result.js';
import type { GlobalRef } from './values.js';
import { pushAll } from '../../core/push-all.js';
import type { CodeSerializer, SerializerMember } from './code-serializers.js';
import { serializerCauseOf, serializerFinding, serializersIn } from './code-serializers.js';

export type GlobalVerdict =
  { readonly kind: 'safe' } | { readonly kind: 'unknown' } | { readonly kind: 'dangerous'; readonly why: string };

/**
 * Exact allowlist entries first (built-in, then the policy's); then the gadget knowledge base and known-dangerous
 * list; then the allowlist's class families and the policy's wildcards (so a family never covers a gadget); else
 * unknown.
 */
export function judgeGlobal(module: string, name: string, ctx: AllowContext): GlobalVerdict {
  const py3 = toPython3(module, name);
  if (isAllowedExactly(py3.module, py3.name, ctx)) return { kind: 'safe' };
  if (
    matchesPolicyExactly(module, name, ctx.extra ?? []) ||
    matchesPolicyExactly(py3.module, py3.name, ctx.extra ?? [])
  ) {
    return { kind: 'safe' };
  }
  const why = dangerOf(py3.module, py3.name) ?? dangerOf(module, name);
  if (why !== undefined) return { kind: 'dangerous', why };
  if (isAllowed(py3.module, py3.name, { ...ctx, extra: [] })) return { kind: 'safe' };
  if (matchesPolicy(py3.module, py3.name, ctx.extra ?? [])) return { kind: 'safe' };
  return { kind: 'unknown' };
}

/**
 * A dotted name as PyYAML's `find_python_name` and `pydoc.locate` resolve it (YAML python tags, HyperPyYAML tags,
 * NeMo's `_target_`): split at the last dot; a name with no module (no dot, or only a leading one) is looked up in
 * `builtins` (`!apply:eval`).
 */
export function judgeDotted(target: string, allow: AllowContext): GlobalVerdict {
  const dot = target.lastIndexOf('.');
  return dot <= 0
    ? judgeGlobal('builtins', target, allow)
    : judgeGlobal(target.slice(0, dot), target.slice(dot + 1), allow);
}

/** Opcodes by which the unpickler calls the imported global itself as a function (not `cls.__new__`). */
const DIRECT_CALLS: ReadonlySet<string> = new Set(['REDUCE', 'OBJ', 'INST']);

/**
 * Those, and NEWOBJ/NEWOBJ_EX (`cls.__new__(cls, *args)`): for a class that does its work in `__new__` (danger.ts
 * DANGEROUS_WHEN_CALLED: numpy's memmap.__new__ opens the file) that is the call.
 */
const CALLS_OR_NEW: ReadonlySet<string> = new Set([...DIRECT_CALLS, 'NEWOBJ', 'NEWOBJ_EX']);

function isCalledDirectly(run: PickleRun, g: GlobalRef, kinds: ReadonlySet<string> = DIRECT_CALLS): boolean {
  return directCallOf(run, g, kinds) !== undefined;
}

/** The first call site (by kind and callee, as the VM aggregates them) at which the stream calls the global itself. */
function directCallOf(run: PickleRun, g: GlobalRef, kinds: ReadonlySet<string>): CallSite | undefined {
  for (const c of run.calls.values()) {
    if (c.onGlobal && kinds.has(c.kind) && c.target?.module === g.module && c.target.name === g.name) return c;
  }
  return undefined;
}

const SAFE: GlobalVerdict = { kind: 'safe' };

/** The danger of a global that is harmless as a reference but not when the unpickler calls it (danger.ts). */
function calledDanger(run: PickleRun, g: GlobalRef): string | undefined {
  const py3 = toPython3(g.module, g.name);
  const why = dangerWhenCalled(py3.module, py3.name);
  return why !== undefined && isCalledDirectly(run, g, CALLS_OR_NEW) ? why : undefined;
}

/** For `builtins.getattr`: the first member it fetches that is dangerous by name, as the reason it is. */
function fetchedDanger(run: PickleRun, g: GlobalRef): string | undefined {
  const py3 = toPython3(g.module, g.name);
  if (py3.module !== 'builtins' || py3.name !== 'getattr') return undefined;
  for (const a of run.memberAccesses ?? []) {
    const why = fetchedDangerOf(a);
    if (why !== undefined) return why;
  }
  return undefined;
}

export interface VerdictContext {
  readonly location: Location;
  readonly artifact?: Artifact;
  readonly allow: AllowContext;
  /** What holds the pickle, for messages: `pickle`, `PyTorch archive member`, … */
  readonly what: string;
}

/**
 * Findings on what a pickle runs when loaded: a cause that explains a record it returned (`fromResult`). A CPI002
 * (an unreviewed import, a warning) explains nothing the loader then does with the value, so it does not stand in.
 */
const GLOBAL_RULES: ReadonlySet<string> = new Set(['CPI001', 'CPI100']);

const PROBLEM_RULES: Record<ProblemKind, string> = {
  malformed: 'CPI003',
  budget: 'CPI004',
  frame: 'CPI007',
  expansion: 'CPI008',
  leftover: 'CPI009',
};

/** Findings for the pickles of one file or member; one finding per distinct global, call shape or problem. */
export function toFindings(runs: readonly PickleRun[], ctx: VerdictContext): Finding[] {
  const out: Finding[] = [];
  const base = { location: ctx.location, ...(ctx.artifact ? { artifact: ctx.artifact } : {}) };
  const where = whereOf(ctx);
  const seen = new Set<string>();
  // Globals reported as dangerous (CPI001): a computed call derived from one is that finding's cause, already told in
  // its "called via" (`pydoc.locate('os.system')('id')`), so it adds no CPI006 of its own.
  const dangerous = new Set<string>();
  const torchReads = isTorchLoaded(ctx);
  // torch.load's weights-only unpickler raises at the first refusal in the stream (a legacy file's five pickles are
  // read in turn): one refusal per file is what torch hits, so later pickles add no CPI119 of their own.
  let torchRefused = false;
  const firstOnly = torchReads && readsFirstPickleOnly(ctx);
  runs.forEach((run, index) => {
    const before = out.length;
    // A pickle after data.pkl's first is never read by torch.load: no weights-only verdict, but why it is dead there.
    const torchLoaded = torchReads && !(firstOnly && index > 0);
    const hidden = firstOnly && index > 0 ? ` ${AFTER_DATA_PKL}` : '';
    const callsOf = (g: GlobalRef): string =>
      [...run.calls.values()]
        .filter((c) => c.target?.module === g.module && c.target.name === g.name)
        .map((c) => `${c.kind}${c.onGlobal ? '(on global)' : ''}×${c.count}`)
        .join(', ');
    const keras = kerasExplained(run, (o) => judgeGlobal(o.module, o.name, ctx.allow).kind === 'dangerous');
    const torchBytes = torchBytesExplained(run);
    // Safe-listed globals that the default torch.load still refuses (a whole nn.Module saved with torch.save).
    const refusedSafe = new Set<string>();
    // Globals the pickle imports that chainproof can vouch for neither way: a computed call they feed is an error.
    const unknown: string[] = [];
    let refusedReported = false;
    // cloudpickle's or dill's helpers (and the plain arguments they pass) are one cause: one CPI001 each library.
    const serializers = serializersIn(run);
    const serialized = new Map<CodeSerializer, SerializerMember[]>();
    for (const g of run.globals.values()) {
      // What an EXT code names is not in the file: its CPI010 says so, and whether the stream calls it.
      if (isExtensionCode(g)) continue;
      const qualified = `${g.module}.${g.name}`;
      const judged =
        isBenignGetattr(run, g, (o) => judgeGlobal(o.module, o.name, ctx.allow).kind, keras) ||
        (keras !== undefined && isKerasPart(run, g, keras)) ||
        (torchBytes && isLoadFromBytes(g)) ||
        singletonTypeExplained(run, g) ||
        instantiatedClassExplained(run, g) ||
        torchFunctionOwnerExplained(run, g) ||
        dillExplained(run, g, (f) => judgeGlobal(f.module, f.name, ctx.allow).kind === 'safe')
          ? SAFE
          : judgeGlobal(g.module, g.name, ctx.allow);
      const whenCalled = judged.kind === 'dangerous' ? fetchedDanger(run, g) : calledDanger(run, g);
      const v: GlobalVerdict = whenCalled !== undefined ? { kind: 'dangerous', why: whenCalled } : judged;
      if (v.kind === 'safe') {
        if (torchLoaded && !isWeightsOnlyAllowed(g.module, g.name)) refusedSafe.add(qualified);
        continue;
      }
      if (v.kind === 'unknown') unknown.push(qualified);
      if (seen.has(`g:${qualified}`)) continue;
      seen.add(`g:${qualified}`);
      const calls = callsOf(g);
      const py3 = toPython3(g.module, g.name);
      const weightsOnly = torchLoaded && !/^torch\.distributed(\.|$)/.test(py3.module);
      const evidence = {
        global: qualified,
        opcode: g.opcode,
        offset: g.offset,
        pickle: index,
        ...(calls ? { calls } : {}),
        ...(v.kind === 'dangerous' ? { resolvesTo: v.why } : {}),
        ...(weightsOnly ? WEIGHTS_ONLY_REFUSED : {}),
      };
      const refused = weightsOnly ? ` ${WEIGHTS_ONLY_TEXT}` : hidden;
      if (weightsOnly) refusedReported = true;
      if (v.kind === 'unknown' && !isModelLibrary(py3.module) && isCalledDirectly(run, g)) {
        out.push({
          ...base,
          ruleId: 'CPI100',
          message: `${where}: the ${ctx.what} calls \`${qualified}\` (via ${calls}), a callable that is not on the safe list and not from a library models are saved with; the call runs whatever it does while loading. Do not load this file unless you trust \`${qualified}\`; then add it to models.allowedGlobals.${refused}`,
          evidence,
        });
        continue;
      }
      if (v.kind === 'dangerous') dangerous.add(qualified);
      const serializer = v.kind === 'dangerous' ? serializerCauseOf(run, g, serializers) : undefined;
      if (serializer !== undefined) {
        const members = serialized.get(serializer) ?? [];
        members.push({ global: g, qualified, calls, evidence, suffix: refused });
        serialized.set(serializer, members);
        continue;
      }
      out.push(
        v.kind === 'dangerous'
          ? {
              ...base,
              ruleId: 'CPI001',
              // The entry it matched, unless that is the name itself: "`builtins.eval` (builtins.eval)" said nothing.
              message: `${where}: the ${ctx.what} imports \`${qualified}\`${v.why === qualified ? '' : ` (${v.why})`} at byte ${g.offset}${calls ? `, called via ${calls}` : ''}; loading it can run code. Do not load this file.${refused}`,
              evidence,
            }
          : {
              ...base,
              ruleId: 'CPI002',
              message: `${where}: the ${ctx.what} imports \`${qualified}\`, which is not on the safe list${calls ? ` (called via ${calls})` : ''}. Check it and add it to models.allowedGlobals if you trust it.${refused}`,
              evidence,
            },
      );
    }
    for (const [family, members] of [...serialized].sort(([a], [b]) => a.localeCompare(b))) {
      out.push(serializerFinding(family, members, where, ctx.what, base));
    }
    const note =
      torchRefused || refusedReported
        ? undefined
        : refusedSafe.size > 0
          ? weightsOnlyNote([...refusedSafe].sort(), index, where, base)
          : torchLoaded && run.notWeightsOnly !== undefined
            ? weightsOnlyOpcodeNote(run.notWeightsOnly, index, where, base)
            : undefined;
    if (note !== undefined) out.push(note);
    torchRefused ||= refusedReported || note !== undefined;
    for (const c of run.calls.values()) {
      if (keras !== undefined && isKerasCall(c, keras)) continue;
      if (c.computed && c.target !== undefined && dangerous.has(`${c.target.module}.${c.target.name}`)) continue;
      pushAll(out, callFindings(c, index, where, base, seen, unknown));
    }
    pushAll(out, kerasFindings(run, index, where, base));
    // What torch.load finds in the embedded files is reported whether or not the call itself was explained.
    pushAll(out, torchBytesFindings(run));
    pushAll(out, nestedFindings(run, index, where, base, ctx.allow, judgeGlobal));
    for (const e of run.execState ?? []) {
      const key = `x:${e.owner}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        ...base,
        ruleId: 'CPI111',
        message: e.unread
          ? `${where}: the ${ctx.what} restores \`${e.owner}\` with a state larger than chainproof reads or not made of (key, value) pairs, so whether it sets the \`${e.key}\` that its __setstate__ passes to exec could not be checked (pickle ${index}, byte ${e.offset}). Do not load this file.`
          : `${where}: the ${ctx.what} restores \`${e.owner}\` with a \`${e.key}\` that is not the text the library generates; its __setstate__ passes it to exec, so loading runs it (pickle ${index}, byte ${e.offset}). Do not load this file.`,
        evidence: {
          class: e.owner,
          attribute: e.key,
          offset: e.offset,
          pickle: index,
          ...(e.snippet !== undefined ? { code: e.snippet } : {}),
          ...(e.unread ? { unread: true } : {}),
        },
      });
    }
    const globalReported = out.slice(before).some((f) => GLOBAL_RULES.has(f.ruleId));
    for (const p of run.problems) {
      const key = `p:${p.kind}`;
      if (seen.has(key)) continue;
      seen.add(key);
      // What a payload returned, where the loader expected a record: the payload's finding is the cause, and stands
      // for the rest of the member's malformed reading (a guessed walk past it) as this CPI003 would have.
      if (p.fromResult && globalReported) continue;
      out.push({
        ...base,
        ruleId: PROBLEM_RULES[p.kind],
        message: `${where}: ${p.message} (pickle ${index}, byte ${p.offset}); the ${ctx.what} is not known to be safe.`,
        evidence: { problem: p.kind, offset: p.offset, pickle: index, detail: p.message },
      });
    }
    const code = run.codeText;
    // Only where nothing else is said of this pickle: a string that feeds a reported call is that call's cause.
    if (code !== undefined && !seen.has('code-text') && out.slice(before).every((f) => f.ruleId === 'CPI119')) {
      seen.add('code-text');
      out.push({
        ...base,
        ruleId: 'CPI133',
        message: `${where}: the ${ctx.what} holds a string shaped like code (${code.kind}${code.encoding === 'base64' ? ', base64' : ''}: ${JSON.stringify(code.snippet)}) at byte ${code.offset} of pickle ${index}. Unpickling does not run a string, and this one imports nothing; code that evals or execs it would. Find out why a model carries it.`,
        evidence: {
          check: 'pickle-code-text',
          // The cause across files (causes.ts CAUSE_KEYS): pickles holding the same text are one finding, others not.
          code: `${code.kind}${code.encoding === 'base64' ? ', base64' : ''}: ${JSON.stringify(code.snippet)}`,
          kind: code.kind,
          encoding: code.encoding,
          offset: code.offset,
          pickle: index,
        },
      });
    }
  });
  const extension = extensionFinding(runs, where, base);
  if (extension !== undefined) out.push(extension);
  return out;
}

const AFTER_DATA_PKL =
  'torch.load reads only the first pickle of data.pkl (serialization.py `_load`: one `unpickler.load()`); this one follows it, hidden from torch, and runs for a reader that unpickles on.';

/** A torch zip's data.pkl: `_load` unpickles it once, so a further pickle in the member is not torch's to read. */
function readsFirstPickleOnly(ctx: VerdictContext): boolean {
  return ctx.what !== 'legacy PyTorch file' && ctx.what !== 'torch.load of embedded bytes';
}

/**
 * Pickles `torch.load` reads: a torch zip's `data.pkl`, a legacy torch file, the bytes of `_load_from_bytes`
 * (TorchScript archives go through torch.jit's own unpickler instead).
 */
/** How a Distributed Checkpoint item is named as a member (content/distcp.ts): this prefix, its offset, `>`. */
export const DISTCP_ITEM = '<distcp item@';

function isTorchLoaded(ctx: VerdictContext): boolean {
  if (ctx.allow.torchscript === true || ctx.allow.torchRefused === true) return false;
  // A Distributed Checkpoint item: `DefaultLoadPlanner.load_bytes` loads a BYTE_IO item with weights_only=False
  // whatever torch's default (content/distcp.ts), so the default protects nothing there.
  if ((ctx.location.member ?? '').startsWith(DISTCP_ITEM)) return false;
  if (ctx.what === 'legacy PyTorch file' || ctx.what === 'torch.load of embedded bytes') return true;
  // Any case, as miniz finds it (zip-names.ts TORCH_DATA_PKL), and only as `<root>/data.pkl`: PyTorchStreamReader
  // (inline_container.cc `init`) refuses an archive whose records are not in a folder ("file in archive is not in a
  // subdirectory"), and reads data.pkl from that folder alone — a deeper one is not what torch.load unpickles.
  return /(^|!)[^/!]+\/data\.pkl$/i.test(ctx.location.member ?? '');
}

/**
 * A checkpoint whose every global is on the safe list can still need `weights_only=False`: a whole `nn.Module`
 * (`torch.save(model)`) imports its layer classes, which `_weights_only_unpickler.Unpickler.load` rejects as
 * "Unsupported global". Said once per pickle, with the names, so nobody reaches for weights_only=False blindly.
 */
function weightsOnlyNote(
  names: readonly string[],
  index: number,
  where: string,
  base: Pick<Finding, 'location' | 'artifact'>,
): Finding {
  const shown = names.slice(0, 10).map((n) => `\`${n}\``);
  const more = names.length > shown.length ? ` and ${names.length - shown.length} more` : '';
  return {
    ...base,
    ruleId: 'CPI119',
    message: `${where}: torch.load with its default weights_only=True (torch >= 2.6) refuses this checkpoint: it imports ${shown.join(', ')}${more}, outside torch's weights-only allowlist (all on chainproof's safe list). Loading it needs weights_only=False, which would also run anything else such a file imports: save and load a state_dict instead, or allow exactly these with torch.serialization.add_safe_globals.`,
    evidence: { globals: names.join(','), count: names.length, pickle: index, ...WEIGHTS_ONLY_REFUSED },
  };
}

/**
 * A checkpoint whose globals torch allows can still be refused: `_weights_only_unpickler.Unpickler._load` raises
 * "Unsupported operand" on any opcode outside protocol 2's (weights-only.ts `WEIGHTS_ONLY_OPCODES`), which
 * `torch.save(..., pickle_protocol=4)` writes.
 */
function weightsOnlyOpcodeNote(
  first: { readonly op: number; readonly offset: number },
  index: number,
  where: string,
  base: Pick<Finding, 'location' | 'artifact'>,
): Finding {
  const name = opcodeName(first.op);
  return {
    ...base,
    ruleId: 'CPI119',
    message: `${where}: torch.load with its default weights_only=True (torch >= 2.6) refuses this checkpoint: its pickle uses ${name} (byte ${first.offset}), an opcode the weights-only unpickler does not implement ("Unsupported operand ${first.op}"; torch.save writes protocol 2). Loading it needs weights_only=False, which would also run anything such a file imports: re-save it with torch.save's default protocol.`,
    evidence: { opcode: name, offset: first.offset, pickle: index, ...WEIGHTS_ONLY_REFUSED },
  };
}

/** The stand-in vm/calls.ts `ext` imports for an EXT1/EXT2/EXT4 code: `copyreg.<extension N>`. */
const isExtensionCode = (g: GlobalRef) => g.module === 'copyreg' && /^<extension -?\d+>$/.test(g.name);

/** An EXT code one pickle of the stream imports, and whether that pickle calls what it names. */
interface ExtensionUse {
  readonly code: GlobalRef;
  readonly pickle: number;
  /** Where the pickle calls what the code names (REDUCE, OBJ, NEWOBJ…), if it does. */
  readonly call: CallSite | undefined;
}

/**
 * Every EXT code of the stream, read from the globals the VM recorded (vm/calls.ts `ext` imports one per code), not
 * from its problem list: that list stops at 100 entries, and a code past the cap must still be reported.
 */
function extensionUses(runs: readonly PickleRun[]): ExtensionUse[] {
  return runs.flatMap((run, pickle) =>
    [...run.globals.values()]
      .filter(isExtensionCode)
      .map((code) => ({ code, pickle, call: directCallOf(run, code, CALLS_OR_NEW) })),
  );
}

const extensionNumber = (g: GlobalRef): string => g.name.slice('<extension '.length, -1);

/**
 * EXT1/2/4, as `Lib/pickle.py` `get_extension` reads them: the code is looked up in copyreg's `_inverted_registry`,
 * which is empty unless the loading process called `copyreg.add_extension` (no model library does), so pickle.load
 * raises "unregistered extension code N"; where one did, it imports the (module, name) registered, which the file
 * does not name. One finding for the whole stream (a reader that unpickles on runs every pickle of it, as
 * `_Unpickler.load` is called in turn): an error when any pickle calls what a code names (that call runs something
 * chainproof cannot see) — not also a CPI002/CPI100 asking to safe-list a name that does not exist.
 */
function extensionFinding(
  runs: readonly PickleRun[],
  where: string,
  base: Pick<Finding, 'location' | 'artifact'>,
): Finding | undefined {
  const uses = extensionUses(runs);
  const first = uses[0];
  if (first === undefined) return undefined;
  const calling = uses.find((u) => u.call !== undefined);
  const call = calling?.call === undefined ? undefined : { ...calling, site: calling.call };
  const named = [...new Set(uses.map((u) => extensionNumber(u.code)))].join(', ');
  const codes = named.includes(',')
    ? `objects registered as extension codes ${named}`
    : `object registered as extension code ${named}`;
  const calls =
    call === undefined
      ? ''
      : `; ${call.site.kind} calls code ${extensionNumber(call.code)} (pickle ${call.pickle}, byte ${call.site.offset})`;
  return {
    ...base,
    ruleId: 'CPI010',
    ...(call !== undefined ? { level: 'error' as const } : {}),
    message: `${where}: EXT imports the ${codes} (pickle ${first.pickle}, byte ${first.code.offset})${calls}. pickle.load raises "unregistered extension code" unless the loading process registered the code with copyreg.add_extension (no model library does); where it did, the pickle imports ${call !== undefined ? 'and runs ' : ''}whatever was registered, which the file does not name. Do not load this file unless you control the code that registers extension codes.`,
    evidence: {
      problem: 'extension',
      offset: first.code.offset,
      pickle: first.pickle,
      codes: named,
      ...(call !== undefined ? { called: true, calledPickle: call.pickle, calledOffset: call.site.offset } : {}),
    },
  };
}

/** The computed REDUCEs on `getattr(<model class>, '_unpickle_model')`: exactly the recognised Keras calls. */
function isKerasCall(c: CallSite, keras: KerasExplained): boolean {
  const t = c.target;
  return (
    c.kind === 'REDUCE' &&
    c.computed &&
    t?.name === 'getattr' &&
    (t.module === 'builtins' || t.module === '__builtin__') &&
    c.count === keras.computedCalls
  );
}

/**
 * A model class used only as the owner of `_unpickle_model` (nothing calls it), `io.BytesIO`, the in-memory buffer
 * Keras hands the archive in, or Keras 2's `deserialize_model_from_bytecode`: parts of the call the archive verdict
 * judges.
 */
function isKerasPart(run: PickleRun, g: GlobalRef, keras: KerasExplained): boolean {
  if (g.name === 'BytesIO' && (g.module === '_io' || g.module === 'io')) return true;
  if (keras.loaders.has(`${g.module}.${g.name}`)) return true;
  if (![...keras.owners].some((o) => o.module === g.module && o.name === g.name)) return false;
  for (const c of run.calls.values()) if (c.target?.module === g.module && c.target.name === g.name) return false;
  return true;
}

function callFindings(
  c: CallSite,
  index: number,
  where: string,
  base: Pick<Finding, 'location' | 'artifact'>,
  seen: Set<string>,
  unknown: readonly string[],
): Finding[] {
  const target = c.target ? `${c.target.module}.${c.target.name}` : 'a computed value';
  if (c.onGlobal && !['REDUCE', 'OBJ', 'INST', 'NEWOBJ', 'NEWOBJ_EX', 'EXT'].includes(c.kind)) {
    const key = `m:${target}:${c.kind}`;
    if (seen.has(key)) return [];
    seen.add(key);
    return [
      {
        ...base,
        ruleId: 'CPI005',
        message: `${where}: ${c.kind} at byte ${c.offset} modifies the imported global \`${target}\` itself, rewriting process state while loading. Do not load this file.`,
        evidence: { global: target, opcode: c.kind, offset: c.offset, pickle: index },
      },
    ];
  }
  if (c.computed) {
    const key = `c:${target}`;
    if (seen.has(key)) return [];
    seen.add(key);
    // A reconstructor returns the object it rebuilds; the stream calling what a call returned is a gadget chain
    // (`attrgetter('system')(import_module('os'))`). Made only of safe-listed globals it calls what they produce;
    // with a global chainproof cannot vouch for (an unknown model-library name is otherwise only a warning), what
    // it calls is unknown too, so the call fails the gate.
    const unexplained = unknown.length > 0;
    const names = listedWithMore(
      unknown.map((n) => `\`${n}\``),
      3,
    );
    return [
      {
        ...base,
        ruleId: 'CPI006',
        ...(unexplained ? { level: 'error' as const } : {}),
        message: `${where}: ${c.kind} at byte ${c.offset} calls a value computed at load time${c.target ? ` (derived from \`${target}\`)` : ''}, not an imported global.${unexplained ? ` The pickle also imports ${names}, not on the safe list, so what it calls cannot be explained from safe names. Do not load this file.` : ' Do not load this file unless you can explain the call.'}`,
        evidence: {
          opcode: c.kind,
          offset: c.offset,
          pickle: index,
          ...(c.target ? { origin: target } : {}),
          ...(unexplained ? { unknownGlobals: unknown.join(',') } : {}),
        },
      },
    ];
  }
  return [];
}
