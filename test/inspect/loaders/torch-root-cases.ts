import { zip } from '../formats/build.js';
import type { UnseenCase } from './unseen-runner.js';

/** `{'w': [1.0]}` pickled with protocol 4 (FRAME), which torch's weights-only unpickler does not implement. */
const PROTO4_DICT = Buffer.from(
  '\x80\x04\x95\x14\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x01w\x94]\x94G?\xf0\x00\x00\x00\x00\x00\x00as.',
  'latin1',
);
const READER = 'caffe2/serialize/inline_container.cc PyTorchStreamReader::init';

/** Where torch.load finds data.pkl: `<first record's folder>/data.pkl`, and nowhere else. */
export const TORCH_ROOT_CASES: readonly UnseenCase[] = [
  {
    name: 'torch.save archive with data.pkl in its folder: the weights-only refusal is noted',
    loader: `${READER}; torch.load weights_only=True raises on FRAME`,
    files: {
      'model.pt': zip([
        { name: 'archive/data.pkl', data: PROTO4_DICT },
        { name: 'archive/version', data: '3\n' },
      ]),
    },
    want: ['CPI119:note'],
  },
  {
    name: 'zip with data.pkl at its top: torch.load refuses the archive, so no weights-only note',
    loader: `${READER}: "file in archive is not in a subdirectory" (checked with torch 1.13)`,
    files: {
      'model.pt': zip([
        { name: 'version', data: '3' },
        { name: 'data.pkl', data: PROTO4_DICT },
      ]),
    },
    want: [],
  },
];
