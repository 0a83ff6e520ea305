import { readFullyAt } from '../../io/read-fully.js';

import { directoryReadLength, EOCD_SEARCH, locateDirectory, parseDirectory } from './zip-directory.js';

export type ZipNames =
  | { readonly ok: true; readonly names: readonly string[]; readonly truncated: boolean }
  | { readonly ok: false; readonly reason: string };

/**
 * Entry names from a zip's central directory, found with the one shared reader (`zip-directory.ts`, which follows
 * CPython's `zipfile`). Only the tail and the directory are read; local headers are checked by the inspector.
 * Synchronous, for the walk (which reads a file's head the same way): a read that throws is caught there.
 */
export function readZipNames(fd: number, size: number): ZipNames {
  const tail = Buffer.alloc(Math.min(size, EOCD_SEARCH));
  readFully(fd, tail, size - tail.length);
  const found = locateDirectory(tail, size);
  if (!found.ok) return found;
  const cd = Buffer.alloc(directoryReadLength(found.at));
  readFully(fd, cd, found.at.cdOffset);
  const dir = parseDirectory(cd, found.at);
  if (dir.entries.length === 0 && dir.problems.length > 0) return { ok: false, reason: dir.problems[0]! };
  return { ok: true, names: dir.entries.map((e) => e.name), truncated: dir.truncated || dir.problems.length > 0 };
}

function readFully(fd: number, buf: Buffer, position: number): void {
  if (readFullyAt(fd, buf, 0, buf.length, position) < buf.length)
    throw Object.assign(new Error('unexpected end of file'), { code: 'ESHORTREAD' });
}

/**
 * Whether `torch.load` hands this zip to `torch.jit.load` (torch/serialization.py `_is_torchscript_zip`:
 * `'constants.pkl' in zip_file.get_all_records()`, the same from torch 1.6 to today). `PyTorchStreamReader` names
 * records relative to the folder of the directory's first entry (`getAllRecords` strips `<that folder>/`), and the
 * test is Python's exact `in`: only `<root>/constants.pkl` counts. A `code/` folder alone does not: torch.load then
 * unpickles `data.pkl` with its ordinary unpickler. `names` in central-directory order.
 */
export function isTorchScriptZip(names: readonly string[]): boolean {
  const first = names[0];
  const slash = first?.indexOf('/') ?? -1;
  return first !== undefined && slash >= 0 && names.includes(`${first.slice(0, slash)}/constants.pkl`);
}

/**
 * torch.save's pickle as torch.load finds it: `PyTorchStreamReader::getRecordID` (caffe2/serialize/inline_container.cc)
 * looks `<root>/data.pkl` up with `mz_zip_reader_locate_file(…, flags 0)`, and miniz compares names without
 * MZ_ZIP_FLAG_CASE_SENSITIVE case-insensitively: `archive/DATA.PKL` is loaded (checked with torch 1.13).
 */
export const TORCH_DATA_PKL = /^([^/]+\/)?data\.pkl$/i;

/**
 * The folder `PyTorchStreamReader` reads an archive under (caffe2/serialize/inline_container.cc `init`): the first
 * directory entry's name up to its first `/`. `getAllRecords` refuses the archive ("file in archive is not in a
 * subdirectory") when any entry lies outside it, so then there is no root.
 */
export function torchArchiveRoot(names: readonly string[]): string | undefined {
  const first = names[0];
  const slash = first?.indexOf('/') ?? -1;
  if (first === undefined || slash < 0) return undefined;
  const root = first.slice(0, slash + 1);
  return names.every((n) => n.startsWith(root)) ? root.slice(0, -1) : undefined;
}

/**
 * Whether `torch.package.PackageImporter` opens this zip (torch/package/package_importer.py `__init__`): the reader
 * finds a version record (`.data/version`, else `version`) and `_read_extern` the `.data/extern_modules` record
 * without which the importer raises. Records are looked up with miniz's case-insensitive search (`TORCH_DATA_PKL`),
 * so the test ignores case; checked against Debian's torch 1.13.
 */
export function isTorchPackageZip(names: readonly string[]): boolean {
  const root = torchArchiveRoot(names);
  if (root === undefined) return false;
  const records = new Set(names.map((n) => n.slice(root.length + 1).toLowerCase()));
  return records.has('.data/extern_modules') && (records.has('.data/version') || records.has('version'));
}

/**
 * What a zip is, from its member names, the way each loader recognises its own archives: a torch.package archive
 * (`isTorchPackageZip`, whatever else it holds: PackageImporter runs its Python modules), TorchScript
 * (`isTorchScriptZip`), torch.save (`<root>/data.pkl`), Keras v3 (`config.json` + `metadata.json`/`model.weights.h5`
 * at the top), numpy .npz (every member `.npy`), else a plain zip.
 */
export function classifyZip(
  names: readonly string[],
): 'torch-package' | 'torchscript' | 'pytorch-zip' | 'keras' | 'numpy-npz' | 'zip' {
  const hasTop = (n: string) => names.includes(n);
  const underRoot = (re: RegExp) => names.some((n) => re.test(n));
  if (isTorchPackageZip(names)) return 'torch-package';
  if (isTorchScriptZip(names)) return 'torchscript';
  if (underRoot(TORCH_DATA_PKL)) return 'pytorch-zip';
  if (hasTop('config.json') && (hasTop('metadata.json') || hasTop('model.weights.h5') || hasTop('model.weights.npz')))
    return 'keras';
  if (names.length > 0 && names.every((n) => n.endsWith('.npy'))) return 'numpy-npz';
  return 'zip';
}
