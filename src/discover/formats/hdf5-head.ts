/**
 * Where an HDF5 superblock may start, as the HDF5 library's `H5FD_locate_signature` searches: offset 0, then
 * every power of two from 512 while it lies inside the file (a user block of any power-of-two size ≥ 512).
 */
export const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

export function hdf5SignatureOffsets(size: number): number[] {
  const out = [0];
  for (let at = 512; at + HDF5_SIGNATURE.length <= size; at *= 2) out.push(at);
  return out;
}

/** The first offset whose 8 bytes are the signature; `readAt` reads 8 bytes at an offset. */
export function findHdf5Superblock(size: number, readAt: (offset: number) => Buffer): number | undefined {
  return hdf5SignatureOffsets(size).find((o) => o + 8 <= size && readAt(o).equals(HDF5_SIGNATURE));
}
