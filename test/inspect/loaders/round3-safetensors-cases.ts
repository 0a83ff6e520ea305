import type { UnseenCase } from './unseen-attacks.test.js';
import { safetensors } from '../formats/build.js';

const A = '"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}';
const LOADER = 'safetensors::SafeTensors::read_metadata (serde_json::from_str, then Metadata::validate)';

/** Header shapes judged by the Rust crate every safetensors binding (safe_open, load_file) calls. */
export const ROUND3_SAFETENSORS_CASES: readonly UnseenCase[] = [
  {
    name: 'header padded with a newline, a tab and CRLF',
    loader: `${LOADER}: serde_json accepts trailing JSON whitespace`,
    files: { 'm.safetensors': safetensors(`{${A}}\t\r\n`, 8, false) },
    want: [],
  },
  {
    name: 'header padded with NULs',
    loader: `${LOADER}: serde_json reports trailing characters`,
    files: { 'm.safetensors': safetensors(`{${A}}\0\0\0`, 8, false) },
    want: ['CPI050:warning'],
  },
  {
    name: '__metadata__ null',
    loader: `${LOADER}: HashMetadata.metadata is Option<HashMap<String, String>>, null is None`,
    files: { 'm.safetensors': safetensors(`{"__metadata__":null,${A}}`, 8) },
    want: [],
  },
  {
    name: '__metadata__ with a number value',
    loader: `${LOADER}: a number is not a String`,
    files: { 'm.safetensors': safetensors(`{"__metadata__":{"n":1},${A}}`, 8) },
    want: ['CPI052:warning'],
  },
  {
    name: 'an unknown field in a tensor entry',
    loader: `${LOADER}: TensorInfo does not deny unknown fields`,
    files: { 'm.safetensors': safetensors(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":{}}}`, 8) },
    want: [],
  },
  {
    name: 'an empty tensor sharing offset 0 with a full one',
    loader: `${LOADER}: entries sorted by data_offsets, (0,0) then (0,8) is contiguous`,
    files: {
      'm.safetensors': safetensors(`{"z":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},${A}}`, 8),
    },
    want: [],
  },
  {
    name: 'a gap between two tensors',
    loader: `${LOADER}: InvalidOffset when an entry does not start where the previous ended`,
    files: {
      'm.safetensors': safetensors(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8),
    },
    want: ['CPI053:warning'],
  },
];
