import type { FileFormat } from '../core/files.js';
import { familiesOfFormat } from '../discover/catalogue/index.js';

/**
 * Names a policy may use for a format: the format itself plus the families the catalogue gives it. `pickle` names
 * every format whose loader unpickles (pickle, joblib, PyTorch zip and legacy, TorchScript, and numpy files whose
 * header declares object arrays — numpy refuses those unless `allow_pickle=True`, but a team forbidding pickle
 * forbids them too). Companion files follow their model: `onnx` covers ONNX external data, `tfjs` the weight shards.
 */
export function familiesOf(format: FileFormat, opts: { objectArrays?: boolean } = {}): readonly string[] {
  const base = familiesOfFormat(format);
  return opts.objectArrays && (format === 'numpy' || format === 'numpy-npz') ? [...base, 'pickle'] : base;
}

export type FormatVerdict = { allowed: true } | { allowed: false; why: 'forbidden' | 'not-allowed'; rule: string };

/** Forbidden wins over allowed; an empty allow-list allows everything. */
export function judgeFormat(
  families: readonly string[],
  allowed: readonly string[],
  forbidden: readonly string[],
): FormatVerdict {
  const hit = forbidden.find((f) => families.includes(f));
  if (hit !== undefined) return { allowed: false, why: 'forbidden', rule: hit };
  if (allowed.length > 0 && !allowed.some((a) => families.includes(a)))
    return { allowed: false, why: 'not-allowed', rule: allowed.join(', ') };
  return { allowed: true };
}

/** numpy `.npy` header declaring an object dtype (`|O`, also inside a structured dtype): the payload is a pickle. */
export function npyHeaderHasObjects(head: Buffer): boolean {
  if (head.length < 10 || head.subarray(0, 6).toString('latin1') !== '\x93NUMPY') return false;
  const major = head[6]!;
  const len = major === 1 ? head.readUInt16LE(8) : head.length >= 12 ? head.readUInt32LE(8) : 0;
  const start = major === 1 ? 10 : 12;
  const header = head.subarray(start, Math.min(head.length, start + len)).toString('latin1');
  return /['"][|<>=]?O\d*['"]/.test(header);
}
