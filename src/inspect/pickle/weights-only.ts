import { toPython3 } from './compat.js';

/**
 * DTensor state dicts: torch/_weights_only_unpickler.py `Unpickler.load` accepts exactly these classes (built by
 * NEWOBJ/BUILD, data only) once torch.distributed.tensor is imported; the rest of torch.distributed stays dangerous.
 */
export const DTENSOR_CLASSES: readonly string[] = [
  'torch.distributed.device_mesh.DeviceMesh',
  'torch.distributed.tensor._dtensor_spec.DTensorSpec',
  'torch.distributed.tensor._dtensor_spec.TensorMeta',
  'torch.distributed.tensor.DTensor',
  'torch.distributed.tensor.placement_types.Partial',
  'torch.distributed.tensor.placement_types.Replicate',
  'torch.distributed.tensor.placement_types.Shard',
];

/**
 * Globals torch.load accepts with its default `weights_only=True` (torch >= 2.6, the versions where it is the
 * default): torch/_weights_only_unpickler.py `_get_allowed_globals` (containers, Parameter, Size, Tensor, device,
 * `_codecs.encode`, `builtins.bytearray`/`set`/`complex`, dtypes and qschemes, tensor and storage classes, the
 * `torch._utils._rebuild_*` functions, `_rebuild_from_type_v2`) plus the DTensor classes `Unpickler.load` accepts
 * once torch.distributed.tensor is imported. No numpy name is on it ("not allowlisting the numpy functions by
 * default"): an array, dtype or numpy scalar in a checkpoint is "Unsupported global" until the user calls
 * `add_safe_globals`. Generous only where torch's own names vary by version (every `torch._utils._rebuild_*`, every
 * lower-case `torch.<name>`), so a name outside it is refused by every torch that defaults to weights_only.
 */
const EXACT: ReadonlySet<string> = new Set([
  'collections.OrderedDict',
  'collections.Counter',
  'torch.nn.parameter.Parameter',
  'torch.serialization._get_layout',
  'torch.Size',
  'torch.Tensor',
  'torch.device',
  '_codecs.encode',
  'builtins.bytearray',
  'builtins.set',
  'builtins.complex',
  'torch._tensor._rebuild_from_type_v2',
  'torch.storage.TypedStorage',
  'torch.storage.UntypedStorage',
  ...DTENSOR_CLASSES,
]);

export function isWeightsOnlyAllowed(module: string, name: string): boolean {
  const py3 = toPython3(module, name);
  const m = py3.module;
  const n = py3.name;
  if (EXACT.has(`${m}.${n}`)) return true;
  if (m === 'torch._utils' && n.startsWith('_rebuild_')) return true;
  // dtypes and qschemes (`str(torch.float32)` is "torch.float32"), tensor and storage classes
  if ((m === 'torch' || m === 'torch.cuda') && (/^[a-z]/.test(n) || /(Tensor|Storage)$/.test(n))) return true;
  return false;
}

/**
 * torch.load's default since torch 2.6 is `weights_only=True`: `_weights_only_unpickler.Unpickler.load` raises
 * "Unsupported global" for a GLOBAL outside `_get_allowed_globals()` (tensors, storages, dtypes, OrderedDict…)
 * before anything calls it, and every global reported here is outside that set (torch.distributed's DTensor
 * classes excepted, which it allows: no claim is made for them).
 */
export const WEIGHTS_ONLY_TEXT =
  'torch.load refuses this global by default since torch 2.6 (weights_only=True); it runs with weights_only=False or an older torch.';

/** The same of several globals (one finding for a file's unlisted globals, unknown-globals.ts). */
export const WEIGHTS_ONLY_TEXT_MANY =
  'torch.load refuses these globals by default since torch 2.6 (weights_only=True); they run with weights_only=False or an older torch.';

/** Evidence of every "torch.load refuses this by default" finding (CPI119). */
export const WEIGHTS_ONLY_REFUSED = {
  torchLoad: 'refused by the default weights_only=True (torch >= 2.6); runs with weights_only=False or torch < 2.6',
} as const;

/**
 * The opcodes torch/_weights_only_unpickler.py `Unpickler._load` implements; any other raises "Unsupported operand".
 * They are protocol 2's, as torch.save writes by default: a checkpoint saved with `pickle_protocol=4` (FRAME,
 * SHORT_BINUNICODE, MEMOIZE, STACK_GLOBAL) or with text opcodes loads only with weights_only=False.
 */
export const WEIGHTS_ONLY_OPCODES: Uint8Array = (() => {
  const ops = new Uint8Array(256);
  for (const c of 'cRb' + 'aesu(t' + 'N)]}' + 'JKMGXU' + 'Qhjqr' + '.') ops[c.charCodeAt(0)] = 1;
  // NEWOBJ, TUPLE1-3, NEWTRUE, NEWFALSE, EMPTY_SET, LONG1, PROTO
  for (const op of [0x81, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8f, 0x8a, 0x80]) ops[op] = 1;
  return ops;
})();
