import type { ModelAnalyser } from '../analyser.js';
import type { DiscoveredFile } from '../../core/files.js';
import { loadLzmaDecoder } from '../containers/lzma.js';
import { matchesPolicy } from '../pickle/allowlist.js';
import { judgeGlobal } from '../pickle/verdict.js';
import type { JsonValue } from './json.js';
import { decodeJsonBytes, isObject, parseJson, unreadDeep } from './json.js';
import { isSkopsTrustedByDefault } from './skops-trust.js';
import { analyseWith, Findings, runParser } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { bufferSource, driveSync, FormatError } from './source.js';
import { registerMemberFormat } from '../content/member-formats.js';
import type { CentralEntry } from './zip-member.js';
import { centralDirectorySteps, entriesLoadedAs, readMember } from './zip-member.js';

const SKOPS_NAME = /\.skops$/i;

/** Largest schema.json read; skops writes kilobytes to a few megabytes (arrays go to .npy members). */
export const MAX_SKOPS_SCHEMA = 64 * 1024 * 1024;
/** Past this many distinct names one file is not a model skops wrote: the rest are counted, not listed. */
const MAX_NAMES = 1000;

/**
 * Classes skops's own nodes trust by default and rebuild as data, which pickles reach by other names:
 * skops/io/_numpy.py RandomStateNode (`RandomState()` then `set_state`) and RandomGeneratorNode (`Generator` over
 * a bit generator named in its state).
 */
const SKOPS_DATA_TYPES: ReadonlySet<string> = new Set([
  'numpy.random.mtrand.RandomState',
  'numpy.random._generator.Generator',
]);

/** What skops does with the part of schema.json nested too deep to read (`unreadDeep`). */
const SCHEMA_UNREAD = {
  what: 'schema.json',
  then: 'skops.io.load builds the nodes it holds, but the types they name were not checked',
  not: 'this file',
  member: 'schema.json',
};

/** One type or function the schema makes skops import, with the node kinds that use it. */
interface SkopsName {
  readonly loaders: Set<string>;
  count: number;
}

/**
 * A `.skops` file is a zip whose `schema.json` is a tree of nodes. `skops.io.load` (skops/io/_persist.py) builds
 * the tree with `_audit.get_tree`, then `audit_tree` raises `UntrustedTypesFoundException` for every
 * `"__module__"."__class__"` outside the default trusted types unless the caller lists it in `trusted` (skops <
 * 0.10 also took `trusted=True`, trusting all). Once trusted, `construct` imports the module (`_utils.gettype`)
 * and runs it: ObjectNode does `cls.__new__` + `__setstate__`, ConstructorFromReduceNode and ReduceNode call the
 * type with stored arguments, FunctionNode hands the function itself to the model (an estimator then calls it,
 * e.g. FunctionTransformer.func), MethodNode and OperatorFuncNode reach attributes. Every name is judged here
 * as a pickle global would be: a known-dangerous one is an error whoever trusts it, an unknown one is a name a
 * user has to trust by hand.
 */
export function* skopsArchiveSteps(
  src: RandomAccess,
  out: Findings,
  claimAll: boolean,
  allowed: readonly string[],
  read: SchemaBudget = { left: Infinity, used: 0, judged: 0 },
): ParseSteps<void> {
  let entries: CentralEntry[];
  try {
    entries = yield* centralDirectorySteps(src);
  } catch (err) {
    if (!claimAll && err instanceof FormatError) return; // a broken plain zip is the zip analyser's finding
    throw err;
  }
  // `ZipFile.read("schema.json")` resolves a repeated name to the last entry in the directory (from Python 3.12 by
  // Unicode Path names too: one schema per Python version, each judged).
  const schemas = entriesLoadedAs(entries, 'schema.json');
  if (schemas.length === 0) {
    if (claimAll) throw new FormatError('the archive has no schema.json, so skops.io.load cannot read it', 0);
    return;
  }
  for (const schema of schemas) {
    // `skops.io.load`: `json.loads(input_zip.read("schema.json"))`, bytes, so any encoding `detect_encoding` finds.
    const bytes = yield* readMember(src, schema, Math.min(MAX_SKOPS_SCHEMA, read.left - read.used));
    if (schema.method !== 0) read.used += bytes.length;
    // json.loads reads nesting past the parser's depth (to Python's recursion limit): the names beside it are still
    // judged, the deep part reported unread.
    const { value, deep } = parseJson(decodeJsonBytes(bytes), { maxDepth: 512, skipDeeper: true });
    if (!claimAll && !isSkopsSchema(value)) continue;
    read.judged++;
    unreadDeep(deep, out, SCHEMA_UNREAD);
    judgeNames(collectNames(value), out, allowed);
  }
}

/**
 * What the schemas may decompress (`left`; a member's share of its archive's budget) and did (`used`), and how many
 * schemas were judged as skops.
 */
export interface SchemaBudget {
  readonly left: number;
  used: number;
  judged: number;
}

/** What `skops.io.dump` writes at the root: a node with `__loader__` and the `protocol` number. */
function isSkopsSchema(v: JsonValue): boolean {
  return isObject(v) && typeof v['__loader__'] === 'string' && typeof v['protocol'] === 'number';
}

/**
 * Every `__module__`/`__class__` pair of a node (protocol 1+: FunctionNode and TypeNode keep the function or type
 * there too) and every `module_path`/`function` pair (protocol 0 FunctionNode content). Walked with an explicit
 * stack: the parser already bounded the depth, this bounds nothing else.
 */
function collectNames(root: JsonValue): Map<string, SkopsName> {
  const names = new Map<string, SkopsName>();
  const note = (qualified: string, loader: string) => {
    let n = names.get(qualified);
    if (!n) {
      if (names.size >= MAX_NAMES) return;
      names.set(qualified, (n = { loaders: new Set(), count: 0 }));
    }
    n.loaders.add(loader);
    n.count++;
  };
  const stack: JsonValue[] = [root];
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (Array.isArray(v)) {
      stack.push(...v);
      continue;
    }
    if (!isObject(v)) continue;
    const loader = typeof v['__loader__'] === 'string' ? v['__loader__'] : 'node';
    const mod = v['__module__'];
    const cls = v['__class__'];
    const content = v['content'];
    // A protocol 0 FunctionNode is `builtins.function` itself; the function it imports is in its content.
    const wrapsFunction = isObject(content) && typeof content['module_path'] === 'string';
    if (typeof mod === 'string' && typeof cls === 'string' && !wrapsFunction) note(`${mod}.${cls}`, loader);
    const path = v['module_path'];
    const fn = v['function'];
    if (typeof path === 'string' && typeof fn === 'string') note(`${path}.${fn}`, 'FunctionNode');
    for (const child of Object.values(v)) if (typeof child === 'object' && child !== null) stack.push(child);
  }
  return names;
}

/**
 * Each name is judged by what it does (a known-dangerous callable is an error whoever trusts it) and by whether
 * `skops.io.load` accepts it without `trusted=` in every node that names it (skops-trust.ts). A name skops refuses
 * by default that chainproof knows as harmless still stops the default load: a warning saying `trusted=` is
 * needed, unless the policy already allows it.
 */
function judgeNames(names: Map<string, SkopsName>, out: Findings, allowed: readonly string[]): void {
  for (const [qualified, n] of [...names].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const dot = qualified.lastIndexOf('.');
    if (dot <= 0 || SKOPS_DATA_TYPES.has(qualified)) continue; // a name without a module cannot be imported
    const v = judgeGlobal(qualified.slice(0, dot), qualified.slice(dot + 1), { extra: allowed });
    const loaders = [...n.loaders].sort().join(', ');
    const evidence = { name: qualified, loaders, nodes: n.count, skopsLoad: 'refused unless listed in trusted' };
    if (v.kind === 'dangerous') {
      out.add(
        'CPI117',
        `schema.json names \`${qualified}\` (${v.why}) in ${loaders}; skops.io.load refuses it by default, but once it is listed in trusted (as get_untrusted_types() suggests) or loaded with skops < 0.10 trusted=True, skops imports it and builds or hands out that callable. Do not load this file.`,
        { ...evidence, resolvesTo: v.why },
        'schema.json',
      );
      continue;
    }
    if ([...n.loaders].every((loader) => isSkopsTrustedByDefault(qualified, loader))) continue;
    if (matchesPolicy(qualified.slice(0, dot), qualified.slice(dot + 1), allowed)) continue;
    if (v.kind === 'safe')
      out.add(
        'CPI123',
        `schema.json names \`${qualified}\` in ${loaders}, which skops.io.load does not trust there by default: loading raises UntrustedTypesFoundException unless the caller passes trusted=[..., "${qualified}"]. The type is a known library type; pass it in trusted (or list it in models.allowedGlobals) if the file is expected to need it.`,
        { ...evidence, skopsDefaultTrust: false },
        'schema.json',
      );
    else
      out.add(
        'CPI118',
        `schema.json names \`${qualified}\` (${loaders}), which is not on the safe list; skops.io.load raises UntrustedTypesFoundException until you pass it in trusted, and then imports its module and builds it. Check it before trusting it, and add it to models.allowedGlobals if you do.`,
        evidence,
        'schema.json',
      );
  }
}

/**
 * Whether every zip in the file is judged as skops: detected as skops, or named `.skops` and detected as a zip or as
 * nothing. A `.skops` whose head is another format (read here because the name claims it) is judged only when a zip
 * with a skops schema is there, as skops.io.load would find it; otherwise that format's analyser speaks.
 */
function claimsSkops(file: DiscoveredFile): boolean {
  return file.format === 'skops' || (file.claimed === 'skops' && (file.format === 'zip' || file.format === 'other'));
}

/**
 * A skops file inside an archive (a model bundle `model.zip` holding `pipeline.skops`, a release `.tar.gz`):
 * extracted and handed to `skops.io.load`, it is read as the same file outside the archive is, so it is judged by
 * `skopsArchiveSteps` as one. As `claimsSkops` decides for a top-level file: a member named `.skops` whose bytes are
 * a zip or nothing known is claimed whole (a missing schema is a finding); any other zip member only when its
 * schema.json is one skops wrote. Anything else is left to the container reader.
 */
registerMemberFormat({
  format: 'skops',
  claimsName: (name) => SKOPS_NAME.test(name),
  judge(data, name, where, sniffed) {
    const detected = sniffed();
    const zip = detected === 'zip' || detected === 'skops';
    const named = SKOPS_NAME.test(name) && (zip || detected === undefined);
    // `skops.io.load` opens any file with ZipFile; a member that is a pickle or another archive is theirs to judge.
    if (!zip && !named) return undefined;
    const out = new Findings(where.path, 'skops', where.member);
    const read: SchemaBudget = { left: where.budget, used: 0, judged: 0 };
    runParser(bufferSource(data), out, 'the skops archive', (src, o) =>
      driveSync(skopsArchiveSteps(src, o, named, where.allow.extra ?? [], read)),
    );
    if (!named && read.judged === 0 && out.list.length === 0) return undefined;
    // Outside an archive only the skops analyser reads a `.skops` (a plain zip laid out as skops, the pickle one too).
    return { findings: out.list, decompressed: read.used, readsAllOfIt: named };
  },
});

export const skopsAnalyser: ModelAnalyser = {
  name: 'skops',
  // A .skops renamed to .zip is still read by skops.io.load: plain zips are claimed when laid out as skops.
  formats: ['skops', 'zip'],
  async analyze(file, ctx) {
    await loadLzmaDecoder(); // schema.json may be an lzma member (zip method 14), which zipfile reads
    return analyseWith(
      file,
      'the skops archive',
      (src, out): ParseSteps<void> => skopsArchiveSteps(src, out, claimsSkops(file), ctx.policy.models.allowedGlobals),
      ctx.files,
    );
  },
};
