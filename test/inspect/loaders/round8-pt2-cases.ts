import { zip } from '../formats/build.js';
import type { UnseenCase } from './unseen-runner.js';

const ELF = Buffer.from('\x7fELF\x02\x01\x01\x00', 'latin1');
const LOADER =
  'torch._inductor.aoti_load_package → AOTIModelPackageLoader: extracts data/aotinductor/<model>/, dlopens the .so or compile_so(.cpp)';

/** torch .pt2 packages: AOTInductor ones carry native code their loader runs; an ExportedProgram alone does not. */
export const ROUND8_PT2_CASES: readonly UnseenCase[] = [
  {
    name: 'AOTInductor .pt2 with a shared library',
    loader: LOADER,
    files: {
      'm.pt2': zip([
        { name: 'model/archive_format', data: 'pt2' },
        { name: 'model/data/aotinductor/model/cabc.so', data: ELF },
        { name: 'model/data/aotinductor/model/cabc_metadata.json', data: '{"AOTI_DEVICE_KEY": "cpu"}' },
      ]),
    },
    want: ['CPI127:warning'],
  },
  {
    name: 'AOTInductor package with only generated C++ (compiled on load), at the top of the zip',
    loader: LOADER,
    files: {
      'm.zip': zip([
        { name: 'data/aotinductor/model/cabc.cpp', data: 'int x;' },
        { name: 'data/aotinductor/model/cabc_metadata.json', data: '{"AOTI_DEVICE_KEY": "cpu"}' },
      ]),
    },
    want: ['CPI127:warning'],
  },
  {
    name: '.pt2 of an ExportedProgram (JSON graph and weights, no native code)',
    loader: 'torch.export.load: serialized_exported_program.json and the tensors, nothing compiled or dlopened',
    files: {
      'm.pt2': zip([
        { name: 'model/archive_format', data: 'pt2' },
        { name: 'model/models/model.json', data: '{}' },
        { name: 'model/data/weights/model_weights_config.json', data: '{}' },
      ]),
    },
    want: [],
  },
];
