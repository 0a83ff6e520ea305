import type { ModelAnalyser } from '../analyser.js';
import type { PbField } from './protobuf.js';
import { asMessage, checkDepth, isNeed, pbFields, pbString } from './protobuf.js';
import type { Findings } from './report.js';
import { analyseWith, registerReadMember } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { driveSync, FormatError } from './source.js';
import { memberIs } from '../content/member-formats.js';
import { checkExternalFiles } from './onnx-external-files.js';

/** Domains whose operators ONNX and ONNX Runtime implement themselves. */
const BUILTIN_DOMAINS = new Set([
  '',
  'ai.onnx',
  'ai.onnx.ml',
  'ai.onnx.training',
  'ai.onnx.preview',
  'ai.onnx.preview.training',
  'com.microsoft',
  'com.microsoft.nchwc',
  'com.microsoft.experimental',
  'com.microsoft.dml',
  'com.ms.internal.nhwc',
]);

interface OnnxFacts {
  /** domain → operator types used by nodes. */
  readonly nodeOps: Map<string, Set<string>>;
  /** `domain:name` of model-local functions (their nodes are defined in the file, not in a library). */
  readonly localFunctions: Set<string>;
  readonly externals: OnnxExternal[];
}

/** One tensor's external data `location` and where the entry is in the file. */
export interface OnnxExternal {
  readonly tensor: string;
  readonly location: string;
  readonly at: number;
}

/** Walk an ONNX ModelProto: external data locations of every tensor (graphs, subgraphs, functions) and node domains. */
export function* onnxSteps(src: RandomAccess, out: Findings, onExternal?: (e: OnnxExternal) => void): ParseSteps<void> {
  const facts: OnnxFacts = { nodeOps: new Map(), localFunctions: new Set(), externals: [] };
  let graphs = 0;
  for (const f of pbFields(src, 0, src.size)) {
    if (isNeed(f)) yield f;
    else if (f.field === 7) {
      graphs++;
      yield* walkGraph(src, asMessage(f), facts, 1);
    } else if (f.field === 25) yield* walkFunction(src, asMessage(f), facts, 1);
    else if (f.field === 20) {
      // TrainingInfoProto: initialization (1) and algorithm (3) graphs.
      for (const g of pbFields(src, f.start, f.end))
        if (isNeed(g)) yield g;
        else if (g.field === 1 || g.field === 3) yield* walkGraph(src, asMessage(g), facts, 2);
    }
  }
  // Runtimes refuse a ModelProto without a graph; an empty or foreign file parses as one, so it is not an ONNX model.
  if (graphs === 0) throw new FormatError('no graph in the ModelProto', 0);
  for (const e of facts.externals) {
    const why = escapeReason(e.location);
    if (!why) onExternal?.(e);
    if (why)
      out.add(
        'CPI065',
        `tensor ${JSON.stringify(e.tensor)} loads external data from ${JSON.stringify(e.location)}, ${why}; loading the model reads ${e.location === ORT_MEMORY_ADDRESS_TAG ? 'process memory there' : 'that file'}. Do not load it.`,
        { tensor: e.tensor, location: e.location, offset: e.at },
      );
  }
  for (const [domain, ops] of [...facts.nodeOps].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const custom = [...ops].filter((op) => !facts.localFunctions.has(`${domain}:${op}`)).sort();
    if (BUILTIN_DOMAINS.has(domain) || custom.length === 0) continue;
    out.add(
      'CPI066',
      `nodes use operators ${custom.slice(0, 10).join(', ')} from the custom domain ${JSON.stringify(domain)}; the application must register a custom operator library for them. Make sure it comes from a trusted source.`,
      { domain, operators: custom.slice(0, 50).join(',') },
    );
  }
}

/** Walkers pass a `Need` from `pbFields` up to the driver (`if (isNeed(f)) yield f`) before looking at fields. */
function* walkGraph(src: RandomAccess, g: PbField, facts: OnnxFacts, depth: number): ParseSteps<void> {
  checkDepth(depth, g.start);
  for (const f of pbFields(src, g.start, g.end)) {
    if (isNeed(f)) yield f;
    else if (f.field === 1) yield* walkNode(src, asMessage(f), facts, depth + 1);
    else if (f.field === 5) yield* walkTensor(src, asMessage(f), facts);
    else if (f.field === 15) yield* walkSparse(src, asMessage(f), facts);
  }
}

function* walkFunction(src: RandomAccess, fn: PbField, facts: OnnxFacts, depth: number): ParseSteps<void> {
  let name = '';
  let domain = '';
  for (const f of pbFields(src, fn.start, fn.end)) {
    if (isNeed(f)) yield f;
    else if (f.field === 1) name = yield* pbString(src, f);
    else if (f.field === 10) domain = yield* pbString(src, f);
    else if (f.field === 7) yield* walkNode(src, asMessage(f), facts, depth + 1);
  }
  facts.localFunctions.add(`${domain}:${name}`);
}

function* walkNode(src: RandomAccess, n: PbField, facts: OnnxFacts, depth: number): ParseSteps<void> {
  checkDepth(depth, n.start);
  let op = '';
  let domain = '';
  for (const f of pbFields(src, n.start, n.end)) {
    if (isNeed(f)) yield f;
    else if (f.field === 4) op = yield* pbString(src, f);
    else if (f.field === 7) domain = yield* pbString(src, f);
    else if (f.field === 5) {
      // AttributeProto: t (5), g (6), tensors (10), graphs (11), sparse_tensor (22), sparse_tensors (23).
      for (const a of pbFields(src, f.start, f.end)) {
        if (isNeed(a)) yield a;
        else if (a.field === 5 || a.field === 10) yield* walkTensor(src, asMessage(a), facts);
        else if (a.field === 6 || a.field === 11) yield* walkGraph(src, asMessage(a), facts, depth + 1);
        else if (a.field === 22 || a.field === 23) yield* walkSparse(src, asMessage(a), facts);
      }
    }
  }
  const ops = facts.nodeOps.get(domain) ?? new Set<string>();
  ops.add(op);
  facts.nodeOps.set(domain, ops);
}

function* walkSparse(src: RandomAccess, s: PbField, facts: OnnxFacts): ParseSteps<void> {
  for (const f of pbFields(src, s.start, s.end))
    if (isNeed(f)) yield f;
    else if (f.field === 1 || f.field === 2) yield* walkTensor(src, asMessage(f), facts);
}

function* walkTensor(src: RandomAccess, t: PbField, facts: OnnxFacts): ParseSteps<void> {
  let name = '';
  const locations: { value: string; at: number }[] = [];
  for (const f of pbFields(src, t.start, t.end)) {
    if (isNeed(f)) yield f;
    else if (f.field === 8) name = yield* pbString(src, f);
    else if (f.field === 13) {
      let key = '';
      let value = '';
      for (const kv of pbFields(src, f.start, f.end)) {
        if (isNeed(kv)) yield kv;
        else if (kv.field === 1) key = yield* pbString(src, kv);
        else if (kv.field === 2) value = yield* pbString(src, kv);
      }
      if (key === 'location') locations.push({ value, at: f.start });
    }
  }
  // ONNX reads external data whatever data_location says when a location is present, so check every one.
  for (const l of locations) facts.externals.push({ tensor: name, location: l.value, at: l.at });
}

/** onnxruntime `utils::kTensorProtoMemoryAddressTag`. */
const ORT_MEMORY_ADDRESS_TAG = '*/_ORT_MEM_ADDR_/*';

/** Why a location escapes the model folder, or undefined when it is a plain relative path inside it. */
export function escapeReason(location: string): string | undefined {
  if (location.includes('\0')) return 'which contains a NUL byte';
  // onnxruntime's `GetExtDataFromTensorProto` (core/framework/tensorprotoutils.cc) reads this location as "the
  // data is already in memory" and takes `offset` as a raw pointer: the model picks the address ONNX Runtime reads
  // its weights from. Only in-memory graphs ORT builds itself carry it; no exporter writes it to a file.
  if (location === ORT_MEMORY_ADDRESS_TAG)
    return "ONNX Runtime's in-memory marker, which makes it read the offset as a memory address";
  if (/^([\\/]|[A-Za-z]:|[a-z][a-z0-9+.-]*:\/\/)/i.test(location)) return 'an absolute path or URL';
  let depth = 0;
  for (const part of location.split(/[\\/]+/)) {
    if (part === '..') depth--;
    else if (part !== '' && part !== '.') depth++;
    if (depth < 0) return 'which leaves the model folder';
  }
  return undefined;
}

/** `onnxSteps` over bytes in memory. */
export function parseOnnx(src: RandomAccess, out: Findings): void {
  driveSync(onnxSteps(src, out));
}

export const onnxAnalyser: ModelAnalyser = {
  name: 'onnx',
  formats: ['onnx'],
  async analyze(file, ctx) {
    const relative: OnnxExternal[] = [];
    const report = await analyseWith(
      file,
      'the ONNX model',
      (src, out) => onnxSteps(src, out, (e) => relative.push(e)),
      ctx.files,
    );
    const linked = await checkExternalFiles(file, ctx.root, relative);
    return linked.length === 0 ? report : { ...report, findings: [...report.findings, ...linked] };
  },
};

/**
 * An ONNX model inside an archive (a model bundle `model.zip`, a release `.tar.gz`): extracted and handed to
 * `onnx.load` or an ONNX Runtime session, it is read as the same file outside the archive is, so `onnxSteps` judges
 * it: external data that leaves the folder (`..`, absolute paths), custom operator domains. A relative location names
 * a file extracted beside it; a link member among those that leads out of the archive is the tar reader's finding
 * (CPX025). As discovery decides for a file: a member detected as ONNX, or named `.onnx` and detected as nothing else.
 * Protobuf is read forward, so a member too large to hold is read by ranges; its tensor data is skipped, never held.
 */
const ONNX_NAME = /\.onnx$/i;

registerReadMember({
  format: 'onnx',
  named: ONNX_NAME,
  is: (_head, name, sniffed) => memberIs(sniffed, name, 'onnx', ONNX_NAME),
  what: 'the ONNX model',
  parse: parseOnnx,
  steps: onnxSteps,
});
