import { safetensors } from '../formats/build.js';
import type { UnseenCase } from './unseen-runner.js';

const A = '"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}';
const LOADER =
  "safetensors::SafeTensors::read_metadata: its starts_with('{') check is commented out, serde_json::from_str skips JSON whitespace";

/** Headers with something before the object: only JSON whitespace is what the Rust crate reads past. */
export const ROUND8_SAFETENSORS_CASES: readonly UnseenCase[] = [
  {
    name: 'safetensors header with a newline and spaces before the object',
    loader: LOADER,
    files: { 'm.safetensors': safetensors(`\n  {${A}}`, 8, false) },
    want: [],
  },
  {
    name: 'safetensors header with a UTF-8 byte-order mark before the object',
    loader: `${LOADER}; U+FEFF is not JSON whitespace`,
    files: { 'm.safetensors': safetensors(`\uFEFF{${A}}`, 8, false) },
    want: ['CPI050:warning'],
  },
];
