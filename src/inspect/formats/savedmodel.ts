import type { ModelAnalyser } from '../analyser.js';
import { checkKerasNodeMetadata, kerasMetadataSteps, MAX_KERAS_CONFIG } from './keras-metadata.js';
import type { PbField } from './protobuf.js';
import { asMessage, checkDepth, isNeed, pbFields, pbString } from './protobuf.js';
import type { OpUse } from './savedmodel-paths.js';
import { PATH_OPS, pathOpUses, SIGNATURES } from './savedmodel-paths.js';
import { analyseWith, Findings, runParser } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { bufferSource, driveSync, FormatError, readAt } from './source.js';
import { registerMemberFormat } from '../content/member-formats.js';
import { ASSET_TYPE, ASSETS_KEY, readTextSavedModel, type TextNode } from './pbtxt-assets.js';
import { DANGEROUS_TF_OPS } from './tf-ops.js';

/**
 * Walk SavedModel → meta_graphs (2) → graph_def (2) → node (1) and library (2) → function (1) → node_def (3).
 * A `Need` from `pbFields` is passed up to the driver (`if (isNeed(f)) yield f`) before fields are looked at.
 */
export function* savedModelPbSteps(src: RandomAccess, out: Findings): ParseSteps<void> {
  const uses: OpUse[] = [];
  let graphs = 0;
  const kerasCauses = new Set<string>();
  for (const f of pbFields(src, 0, src.size)) {
    if (isNeed(f)) yield f;
    if (isNeed(f) || f.field !== 2) continue;
    let assetFileDefs = 0;
    const collections: PbField[] = [];
    // The graph's nodes are judged once the whole MetaGraphDef is read: its asset tensors may come after them.
    const graphUses: OpUse[] = [];
    const assetTensors = new Set<string>();
    for (const m of pbFields(src, f.start, f.end)) {
      if (isNeed(m)) yield m;
      if (!isNeed(m) && m.field === 7) yield* readObjectGraph(src, asMessage(m), kerasCauses, out);
      if (!isNeed(m) && m.field === 6) {
        assetFileDefs++;
        yield* readAssetFile(src, asMessage(m), 'asset_file_def', assetTensors, out);
      }
      if (!isNeed(m) && m.field === 4) collections.push(asMessage(m));
      if (isNeed(m) || m.field !== 2) continue;
      graphs++;
      for (const g of pbFields(src, m.start, m.end)) {
        if (isNeed(g)) yield g;
        else if (g.field === 1) graphUses.push(yield* readNode(src, asMessage(g), 'graph'));
        else if (g.field === 2) yield* readLibrary(src, asMessage(g), uses);
      }
    }
    if (assetFileDefs === 0) for (const c of collections) yield* readAssetCollection(src, c, assetTensors, out);
    uses.push(...graphUses, ...pathOpUses(graphUses, assetTensors));
  }
  if (graphs === 0 && src.size > 0) throw new FormatError('no meta graph with a graph_def', 0);
  report(uses, out);
}

/**
 * A SavedModel written before TF 2.5 keeps each Keras object's config in its object graph (MetaGraphDef
 * `object_graph_def` (7) → SavedObjectGraph `nodes` (1) → SavedObject `user_object` (4) → SavedUserObject
 * `identifier` (1), `metadata` (3)). tf_keras `saving/legacy/saved_model/load.py` `load` reads them there
 * (`_read_legacy_metadata`, for every `_tf_keras_*` identifier) whenever the folder has no keras_metadata.pb, and
 * rebuilds each object from that JSON as it does from keras_metadata.pb: judged the same way.
 */
function* readObjectGraph(src: RandomAccess, graph: PbField, seen: Set<string>, out: Findings): ParseSteps<void> {
  let node = 0;
  for (const n of pbFields(src, graph.start, graph.end)) {
    if (isNeed(n)) yield n;
    if (isNeed(n) || n.field !== 1) continue;
    const at = node++;
    for (const kind of pbFields(src, asMessage(n).start, n.end)) {
      if (isNeed(kind)) yield kind;
      if (isNeed(kind) || kind.field !== 4) continue;
      let identifier = '';
      let metadata: string | undefined;
      for (const u of pbFields(src, asMessage(kind).start, kind.end))
        if (isNeed(u)) yield u;
        else if (u.field === 1) identifier = yield* pbString(src, u);
        else if (u.field === 3) metadata = yield* pbString(src, u, MAX_KERAS_CONFIG);
      if (metadata === undefined || metadata === '' || !identifier.startsWith('_tf_keras_')) continue;
      const member = `object_graph_def.nodes[${at}].user_object.metadata`;
      try {
        checkKerasNodeMetadata(metadata, member, seen, out);
      } catch (err) {
        // One unreadable config: tf_keras fails on it, and the graph's ops are still checked.
        if (!(err instanceof FormatError)) throw err;
        out.addError(err, 'the Keras metadata', member);
      }
    }
  }
}

/**
 * MetaGraphDef `asset_file_def` (6) → AssetFileDef `filename` (2). The loaders join it to the assets folder with
 * `os.path.join` (TF1 `loader_impl.get_asset_tensors`, TF2 `load.py` `_recreate_asset`), which an absolute name
 * replaces and `..` climbs out of; the path is then fed to the graph (a vocabulary table reads that file), so the
 * model reads a file of the host's. The node TF1 feeds it to, `tensor_info` (1) → TensorInfo `name` (1), goes to
 * `fed`.
 */
function* readAssetFile(
  src: RandomAccess,
  asset: PbField,
  where: string,
  fed: Set<string>,
  out: Findings,
): ParseSteps<void> {
  for (const f of pbFields(src, asset.start, asset.end)) {
    if (isNeed(f)) yield f;
    else if (f.field === 2) checkAsset(yield* pbString(src, f), where, f.start, out);
    else if (f.field === 1)
      for (const t of pbFields(src, asMessage(f).start, f.end))
        if (isNeed(t)) yield t;
        else if (t.field === 1) fed.add((yield* pbString(src, t)).split(':', 1)[0]!);
  }
}

/** An asset filename that an absolute path replaces or `..` climbs out of the assets folder with: CPI070. */
function checkAsset(filename: string, where: string, offset: number, out: Findings): void {
  if (!/^([\\/]|[A-Za-z]:)/.test(filename) && !filename.split(/[\\/]/).includes('..')) return;
  out.add(
    'CPI070',
    `asset ${JSON.stringify(filename.slice(0, 200))} names a file outside the model's assets folder; TensorFlow joins it to that folder with os.path.join and feeds the result to the graph when the model loads, so the model reads that file of the host's. Do not serve the model; re-export it with its assets inside the folder.`,
    { asset: filename.slice(0, 200), where, offset },
  );
}

/**
 * A MetaGraphDef `collection_def` (4) map entry: key (1), CollectionDef (2). A SavedModel from TF1's builder keeps
 * its assets in the `saved_model_assets` collection: CollectionDef `any_list` (5) → AnyList `value` (1) → Any
 * `type_url` (1), `value` (2) = a packed AssetFileDef. The C++ loader (`loader_util` `GetAssetFileDefs`, which TF
 * Serving runs) and TF1 `loader_impl.get_asset_tensors` read it whenever the MetaGraphDef has no `asset_file_def`,
 * unpacking each Any whose type is AssetFileDef, and join its filename to the assets folder as they do the others'.
 */
function* readAssetCollection(src: RandomAccess, entry: PbField, fed: Set<string>, out: Findings): ParseSteps<void> {
  let key = '';
  let collection: PbField | undefined;
  for (const e of pbFields(src, entry.start, entry.end))
    if (isNeed(e)) yield e;
    else if (e.field === 1) key = yield* pbString(src, e);
    else if (e.field === 2) collection = asMessage(e);
  if (key !== ASSETS_KEY || collection === undefined) return;
  for (const list of pbFields(src, collection.start, collection.end)) {
    if (isNeed(list)) yield list;
    if (isNeed(list) || list.field !== 5) continue;
    for (const any of pbFields(src, asMessage(list).start, list.end)) {
      if (isNeed(any)) yield any;
      if (isNeed(any) || any.field !== 1) continue;
      let type = '';
      let packed: PbField | undefined;
      for (const a of pbFields(src, asMessage(any).start, any.end))
        if (isNeed(a)) yield a;
        else if (a.field === 1) type = yield* pbString(src, a);
        else if (a.field === 2) packed = asMessage(a);
      // `ParseAnyTypeUrl`: the type name is what follows the URL's last `/`.
      if (packed === undefined || type.slice(type.lastIndexOf('/') + 1) !== ASSET_TYPE) continue;
      yield* readAssetFile(src, packed, `collection_def["${ASSETS_KEY}"]`, fed, out);
    }
  }
}

function* readLibrary(src: RandomAccess, lib: PbField, uses: OpUse[]): ParseSteps<void> {
  for (const fn of pbFields(src, lib.start, lib.end))
    if (isNeed(fn)) yield fn;
    else if (fn.field === 1) yield* readFunction(src, asMessage(fn), uses, 1);
}

function* readFunction(src: RandomAccess, fn: PbField, uses: OpUse[], depth: number): ParseSteps<void> {
  checkDepth(depth, fn.start);
  let name = '';
  const nodes: PbField[] = [];
  for (const f of pbFields(src, fn.start, fn.end)) {
    if (isNeed(f)) yield f;
    else if (f.field === 1) {
      for (const s of pbFields(src, f.start, f.end))
        if (isNeed(s)) yield s;
        else if (s.field === 1) name = yield* pbString(src, s);
    } else if (f.field === 3) nodes.push(asMessage(f));
  }
  const own: OpUse[] = [];
  for (const n of nodes) own.push(yield* readNode(src, n, `function ${name}`));
  uses.push(...own, ...pathOpUses(own));
}

function* readNode(src: RandomAccess, n: PbField, where: string): ParseSteps<OpUse> {
  let name = '';
  let op = '';
  let detail: string | undefined;
  const inputs: string[] = [];
  let constString: string | undefined;
  let separator: string | undefined;
  for (const f of pbFields(src, n.start, n.end)) {
    if (isNeed(f)) yield f;
    else if (f.field === 1) name = yield* pbString(src, f);
    else if (f.field === 2) op = yield* pbString(src, f);
    else if (f.field === 3) {
      const i = yield* pbString(src, f);
      if (!i.startsWith('^')) inputs.push(i); // `^name` is a control input: an ordering, not a value
    } else if (f.field === 5) {
      // attr map entry: key (1) → AttrValue (2); PrintV2's output_stream may name a file.
      // The entry's value may come before its key (protobuf reads a map entry's fields in any order): both are read
      // first, then matched.
      let key = '';
      let s: string | undefined;
      let t: string | undefined;
      for (const e of pbFields(src, f.start, f.end)) {
        if (isNeed(e)) yield e;
        else if (e.field === 1) key = yield* pbString(src, e);
        else if (e.field === 2)
          for (const v of pbFields(src, e.start, e.end))
            if (isNeed(v)) yield v;
            else if (v.field === 2) s = yield* pbString(src, v);
            else if (v.field === 8) t = yield* tensorString(src, asMessage(v));
      }
      if (key === 'output_stream' && s !== undefined) detail = s;
      if (key === 'value' && t !== undefined) constString = t;
      if (key === 'separator' && s !== undefined) separator = s;
    }
  }
  return {
    op,
    node: name,
    where,
    at: n.start,
    // Only PrintV2's output_stream names where it writes; a path op's reason comes from `pathOpUses`, as the text
    // reader's `textUse` does.
    ...(detail !== undefined && op === 'PrintV2' ? { detail } : {}),
    ...(inputs.length > 0 ? { inputs } : {}),
    ...(constString !== undefined ? { constString } : {}),
    ...(separator !== undefined ? { separator } : {}),
  };
}

/** The first `string_val` (8) of a TensorProto: what a string Const holds. */
function* tensorString(src: RandomAccess, t: PbField): ParseSteps<string | undefined> {
  for (const f of pbFields(src, t.start, t.end))
    if (isNeed(f)) yield f;
    else if (f.field === 8) return yield* pbString(src, f);
  return undefined;
}

/** `savedModelPbSteps` over bytes in memory. */
export function parseSavedModelPb(src: RandomAccess, out: Findings): void {
  driveSync(savedModelPbSteps(src, out));
}

/**
 * A text SavedModel, as `text_format` reads it: every scope's nodes judged as the binary graph's are (ops, PrintV2's
 * `output_stream`, the paths of checkpoint ops and vocabulary tables), and the asset filenames.
 */
export function* savedModelPbtxtSteps(src: RandomAccess, out: Findings): ParseSteps<void> {
  const max = 256 * 1024 * 1024;
  if (src.size > max)
    throw new FormatError(`text SavedModel of ${src.size} bytes is past the ${max}-byte limit`, 0, 'limit');
  const text = (yield* readAt(src, 0, src.size)).toString('utf8');
  const model = readTextSavedModel(text);
  const uses: OpUse[] = [];
  for (const scope of model.scopes) {
    const own = scope.nodes.map((n) => textUse(n, scope.where));
    uses.push(...own, ...pathOpUses(own, scope.fed));
  }
  report(uses, out);
  for (const a of model.assets) checkAsset(a.filename, a.where, a.at, out);
}

/** A text node as `readNode` gives a binary one. */
function textUse(n: TextNode, where: string): OpUse {
  return {
    op: n.op,
    node: n.name,
    where,
    at: n.at,
    ...(n.outputStream !== undefined && n.op === 'PrintV2' ? { detail: n.outputStream } : {}),
    ...(n.inputs.length > 0 ? { inputs: n.inputs } : {}),
    ...(n.constString !== undefined ? { constString: n.constString } : {}),
    ...(n.separator !== undefined ? { separator: n.separator } : {}),
  };
}

/** `savedModelPbtxtSteps` over bytes in memory. */
export function parseSavedModelPbtxt(src: RandomAccess, out: Findings): void {
  driveSync(savedModelPbtxtSteps(src, out));
}

/**
 * `CacheDatasetOp` caches in memory when its `filename` input is the empty string (what `Dataset.cache()` writes by
 * default): only a cache with a file name touches the disk.
 */
function memoryCache(u: OpUse, byNode: ReadonlyMap<string, OpUse>): boolean {
  const filename = u.inputs?.[1];
  if (!u.op.startsWith('CacheDataset') || filename === undefined) return false;
  return byNode.get(`${u.where}\0${filename.split(':', 1)[0]!}`)?.constString === '';
}

function report(uses: OpUse[], out: Findings): void {
  const seen = new Set<string>();
  const byNode = new Map(uses.map((u) => [`${u.where}\0${u.node}`, u]));
  for (const u of uses) {
    if (memoryCache(u, byNode)) continue;
    if (u.pathFrom !== undefined) {
      out.add(
        'CPI124',
        `op ${u.op}${u.node ? ` (node ${JSON.stringify(u.node)})` : ''} in the ${u.where} takes its path from op ${u.pathFrom.op} (node ${JSON.stringify(u.pathFrom.node)}), which chainproof does not evaluate, so where it ${PATH_OPS.get(u.op)?.does.split(' ')[0] ?? 'goes'} was not checked. Look at how that op builds the path before serving the model.`,
        { op: u.op, node: u.node, where: u.where, offset: u.at, pathOp: u.pathFrom.op, pathNode: u.pathFrom.node },
      );
      continue;
    }
    let why = DANGEROUS_TF_OPS.get(u.op);
    if (!why && PATH_OPS.has(u.op) && u.detail !== undefined) why = u.detail;
    if (!why && u.op === 'PrintV2' && u.detail !== undefined && /^file:/i.test(u.detail)) why = `writes to ${u.detail}`;
    if (!why) continue;
    const key = `${u.op}\0${u.where}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.add(
      'CPI070',
      `op ${u.op}${u.node ? ` (node ${JSON.stringify(u.node)})` : ''} in the ${u.where} ${why}; ${PATH_OPS.get(u.op)?.runs ?? SIGNATURES}. Do not serve the model until you know why it is there.`,
      { op: u.op, node: u.node, where: u.where, offset: u.at },
    );
  }
}

/** The parser for a SavedModel file by its name (catalogue `savedmodel` basenames); undefined for tensor data. */
function stepsFor(
  path: string,
): { what: string; steps: (src: RandomAccess, out: Findings) => ParseSteps<void> } | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  if (base === 'saved_model.pbtxt') return { what: 'the SavedModel', steps: savedModelPbtxtSteps };
  if (base === 'keras_metadata.pb') return { what: 'the Keras SavedModel metadata', steps: kerasMetadataSteps };
  if (base.endsWith('.pb')) return { what: 'the SavedModel', steps: savedModelPbSteps };
  // variables/ shards and index are tensor data and a table of them: nothing there runs.
  return undefined;
}

export const savedModelAnalyser: ModelAnalyser = {
  name: 'savedmodel',
  formats: ['savedmodel'],
  analyze: (file, ctx) => {
    const parser = stepsFor(file.path);
    if (parser === undefined) return Promise.resolve({ status: 'ok', findings: [] });
    return analyseWith(file, parser.what, parser.steps, ctx.files);
  },
};

/** The files of a SavedModel folder discovery knows by their names alone (catalogue `savedmodel`). */
const SAVEDMODEL_FILES = new Set(['saved_model.pb', 'saved_model.pbtxt', 'keras_metadata.pb']);

/**
 * A SavedModel folder inside an archive (a TF Hub or Kaggle model `.tar.gz`): `tensorflow_hub.resolve` extracts it
 * and `tf.saved_model.load` reads the folder, so its graph and Keras metadata are judged as the same files outside
 * the archive are, by their names.
 */
registerMemberFormat({
  format: 'savedmodel',
  claimsName: (name) => SAVEDMODEL_FILES.has(name.toLowerCase()),
  judge(data, name, where) {
    if (!SAVEDMODEL_FILES.has(name.toLowerCase())) return undefined;
    const parser = stepsFor(name)!;
    const out = new Findings(where.path, 'savedmodel', where.member);
    runParser(bufferSource(data), out, parser.what, (src, o) => driveSync(parser.steps(src, o)));
    return { findings: out.list, decompressed: 0, readsAllOfIt: false };
  },
});
