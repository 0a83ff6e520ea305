import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * liblzma's WASM binary as node-liblzma ships it (its inline base64 copy does not match its glue code in 5.1.3).
 * The Action bundle replaces this module with the bytes inlined (scripts/bundle.mjs `inlineLzmaWasm`).
 */
export function loadLzmaWasm(): Uint8Array {
  return readFileSync(createRequire(import.meta.url).resolve('node-liblzma/wasm/liblzma.wasm'));
}
